import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import type { LifecycleEvent } from '../../src/scheduler/scheduler.interface.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';
import { waitFor } from '../client/fake-master.js';

const frameworkInfo: v1.FrameworkInfo = {
  user: 'alice',
  name: 'integration',
  failover_timeout: 300,
  roles: ['dev'],
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
};

describe('MesosScheduler against the simulated master', () => {
  let sim: SimulatedMaster;
  let sched: MesosScheduler | undefined;
  const events: scheduler.Event[] = [];
  const lifecycle: LifecycleEvent[] = [];

  async function start(masters: string[], encoding: 'protobuf' | 'json' = 'protobuf', autoAck = true) {
    events.length = 0;
    lifecycle.length = 0;
    sched = new MesosScheduler(new MesosHttpClient({ masters, encoding, retry503: { baseDelayMs: 5, maxDelayMs: 20 } }), {
      frameworkInfo,
      backoff: { initialMs: 10, maxMs: 100 },
      heartbeatMissLimit: 3,
    });
    sched.onLifecycle((e) => lifecycle.push(e));
    sched.setEventHandler(async (e) => {
      events.push(e);
      const s = e.update?.status;
      if (autoAck && s?.uuid && s.agent_id) await sched!.acknowledge(s.agent_id, s.task_id, s.uuid);
    });
    await sched.start();
    return sched;
  }
  const offers = () => events.filter((e) => e.type === 'OFFERS').flatMap((e) => e.offers!.offers ?? []);
  const updates = (id: string) => events.filter((e) => e.update?.status.task_id.value === id).map((e) => e.update!.status);

  afterEach(async () => {
    await sched?.stop();
    sched = undefined;
    await sim?.stop();
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`launches a task on an offer and sees it finish, acknowledging every update (${encoding})`, async () => {
      sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50, taskBehaviours: [{ runMs: 20 }] });
      const s = await start([sim.url], encoding);
      await waitFor(() => offers().length > 0, 3000, 'offers');
      const offer = offers()[0]!;
      const resources = offer.resources!.filter((r) => r.name === 'cpus' || r.name === 'mem').map((r) => ({ ...r, scalar: { value: r.name === 'cpus' ? 0.5 : 64 } }));
      await s.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'hello', task_id: { value: 'hello-1' }, agent_id: offer.agent_id, resources, command: { value: 'echo hi' } }] } }], { refuse_seconds: 1 });
      await waitFor(() => updates('hello-1').some((u) => u.state === 'TASK_FINISHED'), 5000, 'TASK_FINISHED');
      assert.deepEqual(updates('hello-1').map((u) => u.state), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
      await sim.waitFor((m) => m.engine.tasks.size === 0 && m.engine.stats.acks === 3);
    });
  }

  it('follows the leader: subscribes through a non-leader and re-subscribes after a master failover', async () => {
    sim = await SimulatedMaster.start({ agents: 1, masters: 2, allocationIntervalMs: 50 });
    // The non-leader first; the other master is configured too, so its redirect is followed.
    const s = await start([sim.servers[1]!.url, sim.servers[0]!.url]);
    const id = s.frameworkId;
    assert.equal(sim.summary().connected, 1);
    sim.failover();
    await waitFor(() => lifecycle.filter((e) => e.type === 'connected').length === 2, 5000, 're-subscription');
    assert.equal(s.frameworkId, id);
    assert.ok(sim.leader()!.streams.has(id!));
  });

  it('re-subscribes with the same framework id after the stream is dropped', async () => {
    sim = await SimulatedMaster.start({ agents: 1 });
    const s = await start([sim.url]);
    const id = s.frameworkId;
    sim.fault({ action: 'drop-stream' });
    await waitFor(() => lifecycle.filter((e) => e.type === 'connected').length === 2, 5000, 're-subscription');
    assert.equal(s.frameworkId, id);
    assert.equal(sim.summary().frameworks, 1);
  });

  it('detects stopped heartbeats with the watchdog and reconnects', async () => {
    sim = await SimulatedMaster.start({ agents: 0, heartbeatIntervalSeconds: 0.05 });
    await start([sim.url]);
    sim.fault({ action: 'stop-heartbeats' });
    await waitFor(() => lifecycle.some((e) => e.type === 'disconnected' && e.error?.code === 'ERR_HEARTBEAT_TIMEOUT'), 3000, 'watchdog');
    sim.fault({ action: 'resume-heartbeats' });
    await waitFor(() => lifecycle.filter((e) => e.type === 'connected').length >= 2, 3000, 're-subscription');
  });

  it('retries through a 503 storm', async () => {
    sim = await SimulatedMaster.start({ agents: 0 });
    sim.fault({ action: 'fail-calls', count: 3 });
    const s = await start([sim.url]);
    assert.equal(s.state, 'subscribed');
  });

  it('gets TASK_UNREACHABLE when an agent is partitioned, and can reconcile it', async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, taskBehaviours: [{ outcome: 'running-forever' }] });
    const s = await start([sim.url]);
    await waitFor(() => offers().length > 0);
    const offer = offers()[0]!;
    const resources = offer.resources!.filter((r) => r.name === 'cpus').map((r) => ({ ...r, scalar: { value: 1 } }));
    await s.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'p', task_id: { value: 'p-1' }, agent_id: offer.agent_id, resources, command: { value: 'sleep 100' } }] } }]);
    await waitFor(() => updates('p-1').some((u) => u.state === 'TASK_RUNNING'));
    sim.fault({ action: 'partition-agent', agentId: offer.agent_id.value });
    await waitFor(() => updates('p-1').some((u) => u.state === 'TASK_UNREACHABLE'));
    await s.reconcile([{ task_id: { value: 'p-1' } }]);
    await waitFor(() => updates('p-1').filter((u) => u.reason === 'REASON_RECONCILIATION').length === 1);
    await s.kill({ value: 'p-1' });
  });
});
