import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { MesosScheduler, type SchedulerOptions } from '../../src/scheduler/mesos-scheduler.js';
import type { LifecycleEvent } from '../../src/scheduler/scheduler.interface.js';
import { NotSubscribedError } from '../../src/errors/index.js';
import type { scheduler } from '../../src/protocol/generated/index.js';
import { FakeMaster, waitFor } from '../client/fake-master.js';

const frameworkInfo = { user: 'alice', name: 'sched-test', failover_timeout: 3600, roles: ['dev'], capabilities: [{ type: 'MULTI_ROLE' as const }] };

describe('MesosScheduler', () => {
  let master: FakeMaster;
  let sched: MesosScheduler | undefined;
  const lifecycle: LifecycleEvent[] = [];
  const events: scheduler.Event[] = [];

  async function setup(opts: Partial<SchedulerOptions> = {}, heartbeatSeconds = 15, encoding: 'json' | 'protobuf' = 'protobuf') {
    master = new FakeMaster();
    master.heartbeatSeconds = heartbeatSeconds;
    await master.start();
    const client = new MesosHttpClient({ masters: [master.url], encoding });
    sched = new MesosScheduler(client, { frameworkInfo, backoff: { initialMs: 10, maxMs: 50 }, ...opts });
    lifecycle.length = 0;
    events.length = 0;
    sched.onLifecycle((e) => lifecycle.push(e));
    sched.setEventHandler(async (e) => {
      events.push(e);
    });
    await sched.start();
    return sched;
  }

  afterEach(async () => {
    await sched?.stop();
    sched = undefined;
    await master?.stop();
  });

  it('subscribes, learns the framework id and delivers events in order', async () => {
    const s = await setup();
    assert.equal(s.state, 'subscribed');
    assert.equal(s.frameworkId, 'fake-master-0000');
    await waitFor(() => events.length >= 2);
    assert.deepEqual(events.slice(0, 2).map((e) => e.type), ['SUBSCRIBED', 'HEARTBEAT']);
    assert.equal(lifecycle[0]?.type, 'connected');
    assert.equal(master.subscribeCalls()[0]!.subscribe!.framework_info.failover_timeout, 3600);
  });

  it('delivers events strictly one at a time', async () => {
    const s = await setup();
    let inFlight = 0;
    let maxInFlight = 0;
    s.setEventHandler(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    });
    for (let i = 0; i < 10; i++) master.broadcast({ type: 'HEARTBEAT' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(maxInFlight, 1);
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`sends every call with the framework id and stream id (${encoding})`, async () => {
      const s = await setup({}, 15, encoding);
      const fw = { value: s.frameworkId! };
      const agent = { value: 'S0' };
      const task = { value: 't1' };
      const offer = { value: 'o1' };
      const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);
      await s.accept([offer], [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: task, agent_id: agent, resources: [] }] } }], { refuse_seconds: 1 });
      await s.decline([offer], { refuse_seconds: 30 });
      await s.acceptInverseOffers([offer]);
      await s.declineInverseOffers([offer]);
      await s.revive(['dev']);
      await s.suppress();
      await s.kill(task, agent, { grace_period: { nanoseconds: 1e9 } });
      await s.shutdown({ value: 'e1' }, agent);
      await s.acknowledge(agent, task, uuid);
      await s.acknowledgeOperationStatus({ agent_id: agent, uuid, operation_id: { value: 'op1' } });
      await s.reconcile([{ task_id: task, agent_id: agent }]);
      const ops = await s.reconcileOperations([]);
      await s.message(agent, { value: 'e1' }, Uint8Array.from([1, 2]));
      await s.request([{ agent_id: agent, resources: [] }]);
      await s.updateFramework({ ...frameworkInfo, name: 'renamed' }, undefined, ['dev']);
      await s.teardown();
      assert.deepEqual(ops, {}, 'an empty operation list decodes to an empty message');
      const calls = master.calls.slice(1);
      assert.deepEqual(calls.map((c) => c.call.type), [
        'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS', 'REVIVE', 'SUPPRESS', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE',
        'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE', 'RECONCILE_OPERATIONS', 'MESSAGE', 'REQUEST', 'UPDATE_FRAMEWORK', 'TEARDOWN',
      ]);
      for (const c of calls) {
        assert.deepEqual(c.call.framework_id, fw);
        assert.equal(c.headers['mesos-stream-id'], s.streamId ?? c.headers['mesos-stream-id']);
      }
      assert.equal(calls[0]!.call.accept!.operations![0]!.launch!.task_infos![0]!.task_id.value, 't1');
      assert.equal(calls[1]!.call.decline!.filters!.refuse_seconds, 30);
      assert.deepEqual(calls[4]!.call.revive!.roles, ['dev']);
      assert.equal(calls[5]!.call.suppress, undefined);
      assert.equal(calls[6]!.call.kill!.kill_policy!.grace_period!.nanoseconds, 1e9);
      assert.deepEqual([...calls[8]!.call.acknowledge!.uuid], [...uuid]);
      assert.equal(calls[10]!.call.reconcile!.tasks![0]!.task_id.value, 't1');
      assert.equal(calls[14]!.call.update_framework!.framework_info.name, 'renamed');
      assert.equal(calls[14]!.call.update_framework!.framework_info.id!.value, fw.value);
    });
  }

  it('re-subscribes with the same framework id after the stream drops', async () => {
    const s = await setup();
    master.dropStreams();
    await waitFor(() => master.subscribeCalls().length === 2 && s.state === 'subscribed', 5000, 're-subscription');
    const resub = master.subscribeCalls()[1]!;
    assert.equal(resub.framework_id?.value, 'fake-master-0000');
    assert.equal(resub.subscribe!.framework_info.id?.value, 'fake-master-0000');
    assert.equal(resub.subscribe!.framework_info.failover_timeout, 3600);
    assert.ok(lifecycle.some((e) => e.type === 'disconnected'));
    assert.ok(lifecycle.some((e) => e.type === 'connected' && e.resubscribed));
    assert.equal(s.frameworkId, 'fake-master-0000');
  });

  it('declares a stalled stream dead after the missed heartbeats and reconnects', async () => {
    const s = await setup({ heartbeatMissLimit: 2 }, 0.05);
    master.stalled = true;
    await waitFor(() => lifecycle.some((e) => e.type === 'disconnected' && e.error?.code === 'ERR_HEARTBEAT_TIMEOUT'), 3000, 'watchdog');
    master.stalled = false;
    await waitFor(() => master.subscribeCalls().length >= 2 && s.state === 'subscribed', 3000, 're-subscription');
  });

  it('survives a malformed frame by reconnecting', async () => {
    const s = await setup();
    master.writeRaw(Buffer.from('garbage\n'));
    await waitFor(() => lifecycle.some((e) => e.type === 'disconnected' && e.error?.code === 'ERR_RECORDIO_BAD_LENGTH'), 3000, 'framing error');
    await waitFor(() => master.subscribeCalls().length === 2 && s.state === 'subscribed', 3000, 're-subscription');
  });

  it('stops for good when the master says the framework failed over', async () => {
    const s = await setup();
    master.broadcast({ type: 'ERROR', error: { message: 'Framework failed over' } });
    await waitFor(() => s.state === 'stopped');
    const stopped = lifecycle.find((e) => e.type === 'stopped');
    assert.equal(stopped?.type === 'stopped' && stopped.error?.code, 'ERR_FRAMEWORK_FAILED_OVER');
    assert.ok(events.some((e) => e.type === 'ERROR'), 'the ERROR event still reaches the handler');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(master.subscribeCalls().length, 1, 'no re-subscription after failover');
  });

  it('fails calls fast with NotSubscribedError while disconnected', async () => {
    const s = await setup({ backoff: { initialMs: 2000, maxMs: 2000 } });
    master.dropStreams();
    await waitFor(() => s.state === 'disconnected');
    const started = Date.now();
    await assert.rejects(s.revive(), (err: unknown) => err instanceof NotSubscribedError && err.code === 'ERR_NOT_SUBSCRIBED');
    assert.ok(Date.now() - started < 100);
  });

  it('reports a failing handler and keeps the subscription', async () => {
    const s = await setup();
    s.setEventHandler(async (e) => {
      if (e.type === 'HEARTBEAT') throw new Error('boom');
    });
    master.broadcast({ type: 'HEARTBEAT' });
    await waitFor(() => lifecycle.some((e) => e.type === 'handler_error'));
    assert.equal(s.state, 'subscribed');
  });

  it('sends TEARDOWN on stop({ teardown: true })', async () => {
    const s = await setup();
    await s.stop({ teardown: true });
    assert.equal(master.calls.at(-1)!.call.type, 'TEARDOWN');
    assert.equal(s.state, 'stopped');
  });

  describe('teardown()', () => {
    it('stops the scheduler once the master accepted it, without re-subscribing', async () => {
      const s = await setup();
      await s.teardown();
      await waitFor(() => s.state === 'stopped', 2000, 'stopped');
      assert.deepEqual(lifecycle.map((e) => e.type), ['connected', 'stopped']);
      assert.equal((lifecycle[1] as { error?: unknown }).error, undefined);
      assert.equal(master.subscribeCalls().length, 1);
    });

    // Regression (seen on Mesos 1.11): the master ends the stream before the TEARDOWN's 202 arrives;
    // the scheduler took that for a lost connection, re-subscribed and stopped only on
    // ERROR "Framework has been removed".
    it('takes a stream ended before the 202 for the teardown, not for a lost connection', async () => {
      const s = await setup();
      master.endStreamsBeforeTeardownReply = true;
      await s.teardown();
      await waitFor(() => s.state === 'stopped', 2000, 'stopped');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(lifecycle.map((e) => e.type), ['connected', 'stopped']);
      assert.equal(master.subscribeCalls().length, 1);
    });

    it('keeps the subscription when the master refuses the TEARDOWN', async () => {
      const s = await setup();
      master.failWith = { status: 400, body: 'Framework cannot be found' };
      await assert.rejects(s.teardown(), (err: Error & { code?: string }) => err.code === 'ERR_HTTP_400');
      master.failWith = undefined;
      assert.equal(s.state, 'subscribed');
      await s.revive();
    });
  });

  it('fails over to an existing framework id given in FrameworkInfo', async () => {
    const s = await setup({ frameworkInfo: { ...frameworkInfo, id: { value: 'existing-0007' } } });
    assert.equal(s.frameworkId, 'existing-0007');
    assert.equal(master.subscribeCalls()[0]!.framework_id?.value, 'existing-0007');
  });

  it('rejects start() when the master refuses the subscription for good', async () => {
    master = new FakeMaster();
    await master.start();
    master.failWith = { status: 400, body: 'Failed to validate scheduler::Call: Expecting framework_info' };
    sched = new MesosScheduler(new MesosHttpClient({ masters: [master.url] }), { frameworkInfo });
    await assert.rejects(sched.start(), { code: 'ERR_HTTP_400' });
    assert.equal(sched.state, 'stopped');
  });
});
