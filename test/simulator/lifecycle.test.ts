import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedMaster, type SimulatedMasterOptions } from '../../src/simulator/simulated-master.js';
import { launch, post, RawSubscription } from './raw-client.js';

const fwInfo = { user: 'alice', name: 'raw-fw', failover_timeout: 60 };
const paInfo = { ...fwInfo, capabilities: [{ type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }] };

describe('simulated master: offers and tasks (raw JSON client)', () => {
  let sim: SimulatedMaster;
  const subs: RawSubscription[] = [];
  async function setup(opts: SimulatedMasterOptions = {}, info: Record<string, unknown> = fwInfo) {
    sim = await SimulatedMaster.start({ agents: 1, heartbeatIntervalSeconds: 60, allocationIntervalMs: 50, ...opts });
    const sub = await RawSubscription.open(sim.url, info);
    subs.push(sub);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0, 3000, 'offers');
    return sub;
  }
  const firstOffer = (sub: RawSubscription) => sub.ofType('OFFERS').at(-1)!['offers'].offers[0];
  const ack = (sub: RawSubscription, status: Record<string, any>) =>
    sub.call(sim.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: status['agent_id'], task_id: status['task_id'], uuid: status['uuid'] } });

  afterEach(async () => {
    for (const s of subs.splice(0)) s.close();
    await sim?.stop();
  });

  it('sends SUBSCRIBED then HEARTBEAT first, then offers with the agent resources', async () => {
    const sub = await setup();
    assert.deepEqual(sub.events.slice(0, 2).map((e) => e['type']), ['SUBSCRIBED', 'HEARTBEAT']);
    assert.equal(sub.events[0]!['subscribed'].heartbeat_interval_seconds, 60);
    const offer = firstOffer(sub);
    const names = offer.resources.map((r: { name: string }) => r.name).sort();
    assert.deepEqual(names, ['cpus', 'disk', 'mem', 'ports']);
    assert.equal(offer.resources.find((r: { name: string }) => r.name === 'cpus').role, '*');
  });

  it('heartbeats at the configured interval', async () => {
    sim = await SimulatedMaster.start({ agents: 0, heartbeatIntervalSeconds: 0.05 });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    subs.push(sub);
    await sub.waitFor((s) => s.ofType('HEARTBEAT').length >= 4, 2000, 'heartbeats');
  });

  it('launches a task: STARTING, RUNNING, FINISHED, each with a uuid; acks retire it and free its resources', async () => {
    const sub = await setup({ taskBehaviours: [{ runMs: 20 }] });
    const offer = firstOffer(sub);
    assert.equal((await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 't1')] } })).status, 202);
    for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']) {
      await sub.waitFor((s) => s.updates('t1').some((u) => u.state === state), 3000, state);
      const status = sub.updates('t1').find((u) => u.state === state)!;
      assert.equal(status.source, 'SOURCE_EXECUTOR');
      assert.equal(Buffer.from(status.uuid, 'base64').length, 16);
      assert.equal((await ack(sub, status)).status, 202);
    }
    await sim.waitFor((s) => s.engine.tasks.size === 0 && s.engine.completedTasks.length === 1);
    const agent = [...sim.engine.agents.values()][0]!;
    await sim.waitFor(() => agent.free.cpus + [...sim.engine.offers.values()].reduce((a, o) => a + o.holding.unreserved.cpus, 0) === agent.total.cpus);
  });

  it('retries an unacknowledged update with the same uuid', async () => {
    const sub = await setup({ statusUpdateRetryMs: 30, taskBehaviours: [{ outcome: 'running-forever' }] });
    const offer = firstOffer(sub);
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 't1')] } });
    await sub.waitFor((s) => s.updates('t1').length >= 3, 3000, 'retries');
    const [a, b] = sub.updates('t1');
    assert.equal(a!.state, 'TASK_STARTING');
    assert.equal(b!.state, 'TASK_STARTING', 'the oldest unacknowledged update is resent before the next one');
    assert.equal(a!.uuid, b!.uuid);
  });

  it('launches a task group atomically under one executor, and rejects a group with no executor type as a whole', async () => {
    const sub = await setup({ taskBehaviours: [{ outcome: 'running-forever' }] });
    const offer = firstOffer(sub);
    const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, role: '*' }] });
    // What a Mesos 1.11 master requires of a group's executor: its framework id, cpus, mem and disk.
    const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value }, role: '*' });
    const executor = { executor_id: { value: 'pod-1' }, framework_id: { value: sub.frameworkId }, type: 'DEFAULT', resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 10)] };
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [
      { type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [task('g1'), task('g2')] } } },
      { type: 'LAUNCH_GROUP', launch_group: { executor: { executor_id: { value: 'pod-2' } }, task_group: { tasks: [task('b1'), task('b2')] } } },
    ] } });
    await sub.waitFor((s) => ['g1', 'g2', 'b1', 'b2'].every((id) => s.updates(id).length > 0));
    assert.deepEqual(['g1', 'g2'].map((id) => sub.updates(id)[0]!.state), ['TASK_STARTING', 'TASK_STARTING']);
    assert.equal(sub.updates('g1')[0]!.executor_id.value, 'pod-1');
    assert.deepEqual(['b1', 'b2'].map((id) => [sub.updates(id)[0]!.state, sub.updates(id)[0]!.reason]), [['TASK_ERROR', 'REASON_TASK_GROUP_INVALID'], ['TASK_ERROR', 'REASON_TASK_GROUP_INVALID']]);
  });

  it('answers a task that uses more than the offer with TASK_ERROR and no uuid', async () => {
    const sub = await setup();
    const offer = firstOffer(sub);
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'big', 1000)] } });
    await sub.waitFor((s) => s.updates('big').length > 0);
    const status = sub.updates('big')[0]!;
    assert.equal(status.state, 'TASK_ERROR');
    assert.equal(status.reason, 'REASON_TASK_INVALID');
    assert.equal(status.source, 'SOURCE_MASTER');
    assert.equal(status.uuid, undefined);
  });

  it('answers a launch on an unknown offer with TASK_LOST, or TASK_DROPPED for partition-aware frameworks', async () => {
    const sub = await setup();
    const offer = firstOffer(sub);
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [{ value: 'bogus' }], operations: [launch(offer, 'x')] } });
    await sub.waitFor((s) => s.updates('x').length > 0);
    assert.equal(sub.updates('x')[0]!.state, 'TASK_LOST');
    assert.equal(sub.updates('x')[0]!.reason, 'REASON_INVALID_OFFERS');
  });

  it('honours refuse_seconds on decline and clears filters on revive', async () => {
    const sub = await setup();
    const offer = firstOffer(sub);
    const before = sub.ofType('OFFERS').length;
    await sub.call(sim.url, { type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 30 } } });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sub.ofType('OFFERS').length, before, 'no new offer while the filter holds');
    await sub.call(sim.url, { type: 'REVIVE' });
    await sub.waitFor((s) => s.ofType('OFFERS').length > before, 2000, 'offer after revive');
  });

  it('stops offering while suppressed', async () => {
    const sub = await setup();
    await sub.call(sim.url, { type: 'SUPPRESS' });
    await sub.call(sim.url, { type: 'DECLINE', decline: { offer_ids: [firstOffer(sub).id], filters: { refuse_seconds: 0 } } });
    const count = sub.ofType('OFFERS').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(sub.ofType('OFFERS').length, count);
    await sub.call(sim.url, { type: 'REVIVE' });
    await sub.waitFor((s) => s.ofType('OFFERS').length > count);
  });

  it('kills a task: TASK_KILLING then TASK_KILLED for frameworks with TASK_KILLING_STATE', async () => {
    const sub = await setup({ taskBehaviours: [{ outcome: 'running-forever' }] }, paInfo);
    const offer = firstOffer(sub);
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'k1')] } });
    await sub.waitFor((s) => s.updates('k1').length > 0);
    await ack(sub, sub.updates('k1')[0]!);
    await sub.waitFor((s) => s.updates('k1').some((u) => u.state === 'TASK_RUNNING'));
    await ack(sub, sub.updates('k1').find((u) => u.state === 'TASK_RUNNING')!);
    await sub.call(sim.url, { type: 'KILL', kill: { task_id: { value: 'k1' } } });
    await sub.waitFor((s) => s.updates('k1').some((u) => u.state === 'TASK_KILLING'));
    await ack(sub, sub.updates('k1').find((u) => u.state === 'TASK_KILLING')!);
    await sub.waitFor((s) => s.updates('k1').some((u) => u.state === 'TASK_KILLED'));
  });

  it('reconciles explicitly (known, unknown with and without agent) and implicitly', async () => {
    const sub = await setup({ taskBehaviours: [{ outcome: 'running-forever' }] }, paInfo);
    const offer = firstOffer(sub);
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'r1')] } });
    await sub.waitFor((s) => s.updates('r1').length > 0);
    await sub.call(sim.url, {
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 'r1' } }, { task_id: { value: 'ghost' }, agent_id: offer.agent_id }, { task_id: { value: 'nowhere' } }] },
    });
    await sub.waitFor((s) => s.updates().filter((u) => u.reason === 'REASON_RECONCILIATION').length === 3);
    const rec = sub.updates().filter((u) => u.reason === 'REASON_RECONCILIATION');
    assert.ok(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING'].includes(rec.find((u) => u.task_id.value === 'r1')!.state));
    assert.equal(rec.find((u) => u.task_id.value === 'ghost')!.state, 'TASK_GONE');
    assert.equal(rec.find((u) => u.task_id.value === 'nowhere')!.state, 'TASK_UNKNOWN');
    assert.ok(rec.every((u) => u.uuid === undefined && u.source === 'SOURCE_MASTER'));
    await sub.call(sim.url, { type: 'RECONCILE', reconcile: {} });
    await sub.waitFor((s) => s.updates().filter((u) => u.reason === 'REASON_RECONCILIATION').length === 4);
  });

  it('reports unknown tasks as TASK_LOST to frameworks that are not partition-aware', async () => {
    const sub = await setup();
    await sub.call(sim.url, { type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'ghost' } }] } });
    await sub.waitFor((s) => s.updates('ghost').length > 0);
    assert.equal(sub.updates('ghost')[0]!.state, 'TASK_LOST');
  });

  it('sends "Framework failed over" to the old stream when the framework re-subscribes', async () => {
    const sub = await setup();
    const again = await RawSubscription.open(sim.url, { ...fwInfo, id: { value: sub.frameworkId } });
    subs.push(again);
    await sub.waitFor((s) => s.ofType('ERROR').length > 0 && s.ended);
    assert.equal(sub.ofType('ERROR')[0]!['error'].message, 'Framework failed over');
    await again.waitFor((s) => s.frameworkId === sub.frameworkId);
  });

  it('tears the framework down and refuses it afterwards with "Framework has been removed"', async () => {
    const sub = await setup();
    assert.equal((await sub.call(sim.url, { type: 'TEARDOWN' })).status, 202);
    await sub.waitFor((s) => s.ended);
    const again = await RawSubscription.open(sim.url, { ...fwInfo, id: { value: sub.frameworkId } });
    subs.push(again);
    await again.waitFor((s) => s.ofType('ERROR').length > 0);
    assert.equal(again.ofType('ERROR')[0]!['error'].message, 'Framework has been removed');
  });

  it('removes a disconnected framework after its failover timeout', async () => {
    const sub = await setup({}, { ...fwInfo, failover_timeout: 0.05 });
    sub.close();
    await sim.waitFor((s) => s.engine.frameworks.get(sub.frameworkId)!.removed, 2000);
  });
});

describe('simulated master: faults', () => {
  let sim: SimulatedMaster;
  afterEach(async () => sim?.stop());

  it('partitions an agent: TASK_UNREACHABLE for partition-aware frameworks, FAILURE, and RUNNING again after healing', async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, taskBehaviours: [{ outcome: 'running-forever' }] });
    const sub = await RawSubscription.open(sim.url, paInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'p1')] } });
    await sub.waitFor((s) => s.updates('p1').length > 0);
    sim.fault({ action: 'partition-agent', agentId: offer.agent_id.value });
    await sub.waitFor((s) => s.updates('p1').some((u) => u.state === 'TASK_UNREACHABLE') && s.ofType('FAILURE').length === 1);
    sim.fault({ action: 'heal-agent', agentId: offer.agent_id.value });
    assert.equal([...sim.engine.tasks.values()][0]!.state, 'TASK_RUNNING');
    sub.close();
  });

  it('tasks of a healed agent run their course and finish', async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, taskBehaviours: [{ startDelayMs: 1, runMs: 100 }] });
    const sub = await RawSubscription.open(sim.url, paInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'h1')] } });
    const ackState = async (state: string) => {
      await sub.waitFor((s) => s.updates('h1').some((u) => u.state === state && u.uuid), 3000, state);
      const u = sub.updates('h1').find((x) => x.state === state && x.uuid)!;
      await sub.call(sim.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: u['agent_id'], task_id: u['task_id'], uuid: u['uuid'] } });
    };
    await ackState('TASK_STARTING');
    await ackState('TASK_RUNNING');
    sim.fault({ action: 'partition-agent', agentId: offer.agent_id.value });
    await new Promise((r) => setTimeout(r, 150));
    sim.fault({ action: 'heal-agent', agentId: offer.agent_id.value });
    await sub.waitFor((s) => s.updates('h1').filter((u) => u.state === 'TASK_RUNNING').length === 2, 3000, 'RUNNING again');
    const again = sub.updates('h1').filter((u) => u.state === 'TASK_RUNNING')[1]!;
    await sub.call(sim.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: again['agent_id'], task_id: again['task_id'], uuid: again['uuid'] } });
    await sub.waitFor((s) => s.updates('h1').some((u) => u.state === 'TASK_FINISHED'), 3000, 'TASK_FINISHED after healing');
    assert.deepEqual([...new Set(sub.updates('h1').map((u) => u.state))], ['TASK_STARTING', 'TASK_RUNNING', 'TASK_UNREACHABLE', 'TASK_FINISHED']);
    sub.close();
  });

  it('duplicates status updates on demand', async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, taskBehaviours: [{ outcome: 'running-forever' }] });
    sim.fault({ action: 'update-faults', duplicate: true });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'd1')] } });
    await sub.waitFor((s) => s.updates('d1').length >= 2);
    assert.equal(sub.updates('d1')[0]!.uuid, sub.updates('d1')[1]!.uuid);
    sub.close();
  });

  it('answers the next N calls with 503, over the HTTP faults API', async () => {
    sim = await SimulatedMaster.start({ agents: 1 });
    const res = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ action: 'fail-calls', count: 2 }) });
    assert.equal(res.status, 200);
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: fwInfo } });
    assert.equal((await post(sim.url, body)).status, 503);
    assert.equal((await post(sim.url, body)).body, 'Master has not finished recovery');
    const sub = await RawSubscription.open(sim.url, fwInfo);
    assert.equal(sub.status, 200);
    sub.close();
    const bad = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ action: 'explode' }) });
    assert.equal(bad.status, 400);
  });

  it('drops subscription streams and rescinds offers on demand', async () => {
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50 });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
    assert.ok((sim.fault({ action: 'rescind-offers' }) as number) >= 1);
    await sub.waitFor((s) => s.ofType('RESCIND').length >= 1);
    sim.fault({ action: 'drop-stream' });
    await sub.waitFor((s) => s.ended);
  });
});

describe('simulated master: maintenance, messages, delays and the CLI', () => {
  let sim: SimulatedMaster | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('sends inverse offers for maintenance and records the framework answer', async () => {
    sim = await SimulatedMaster.start({ agents: 1 });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.frameworkId !== '');
    const agentId = [...sim.engine.agents.keys()][0]!;
    sim.fault({ action: 'schedule-maintenance', agentId, startInMs: 1000 });
    await sub.waitFor((s) => s.ofType('INVERSE_OFFERS').length === 1);
    const io = sub.ofType('INVERSE_OFFERS')[0]!['inverse_offers'].inverse_offers[0];
    assert.equal(io.agent_id.value, agentId);
    assert.ok(io.unavailability.start.nanoseconds > Date.now() * 1e6);
    assert.equal((await sub.call(sim.url, { type: 'ACCEPT_INVERSE_OFFERS', accept_inverse_offers: { inverse_offer_ids: [io.id] } })).status, 202);
    await sim.waitFor((s) => s.engine.inverseOfferAnswers.length === 1);
    assert.equal(sim.engine.inverseOfferAnswers[0]!.accepted, true);
    sub.close();
  });

  it('records MESSAGE calls for the executor', async () => {
    sim = await SimulatedMaster.start({ agents: 1 });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.frameworkId !== '');
    await sub.call(sim.url, { type: 'MESSAGE', message: { agent_id: { value: 'a' }, executor_id: { value: 'e' }, data: Buffer.from('ping').toString('base64') } });
    await sim.waitFor((s) => s.engine.frameworkMessages.length === 1);
    assert.equal(Buffer.from(sim.engine.frameworkMessages[0]!.data).toString(), 'ping');
    sub.close();
  });

  it('delays status updates on demand', async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 0 }] });
    sim.fault({ action: 'update-faults', delayMs: 150 });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    const sent = Date.now();
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, 'slow')] } });
    await sub.waitFor((s) => s.updates('slow').length > 0);
    assert.ok(Date.now() - sent >= 140, 'the update was held back');
    sub.close();
  });

  it('runs as a CLI and serves a framework', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const cli = fileURLToPath(new URL('../../src/simulator/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--agents', '2', '--port', '0', '--heartbeat', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /leading master at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`mesos-sim exited with ${code}`)));
      });
      const sub = await RawSubscription.open(url, fwInfo);
      await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
      assert.equal(sub.ofType('OFFERS')[0]!['offers'].offers.length, 2);
      sub.close();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
