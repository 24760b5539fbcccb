import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MesosExecutorClient } from '../../src/executor/executor-client.js';
import { executorEnvironment, parseMesosDuration } from '../../src/executor/executor-env.js';
import type { executor } from '../../src/protocol/generated/index.js';
import { FakeAgent } from './fake-agent.js';
import { isValidUpdateUuid, newUpdateUuid, uuidText } from '../../src/protocol/uuid.js';
import { ApiError } from '../../src/errors/index.js';

const task = { name: 't1', task_id: { value: 't1' }, agent_id: { value: 'S0' }, resources: [] };

function env(endpoint: string, extra: Record<string, string> = {}) {
  return executorEnvironment({
    MESOS_AGENT_ENDPOINT: endpoint, MESOS_FRAMEWORK_ID: 'fw-1', MESOS_EXECUTOR_ID: 'ex-1',
    MESOS_CHECKPOINT: '1', MESOS_SUBSCRIPTION_BACKOFF_MAX: '50ms', MESOS_RECOVERY_TIMEOUT: '5secs', ...extra,
  });
}

describe('executorEnvironment', () => {
  it('reads the variables the agent sets', () => {
    const e = env('10.0.0.1:5051', { MESOS_SANDBOX: '/sandbox', MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'jwt' });
    assert.equal(e.agentUrl, 'http://10.0.0.1:5051');
    assert.equal(e.checkpoint, true);
    assert.equal(e.subscriptionBackoffMaxMs, 50);
    assert.equal(e.recoveryTimeoutMs, 5000);
    assert.equal(e.directory, '/sandbox');
    assert.equal(e.authenticationToken, 'jwt');
  });

  it('names every missing variable', () => {
    assert.throws(() => executorEnvironment({}), (err: Error & { code?: string }) =>
      err.code === 'ERR_EXECUTOR_ENV_MISSING' && /MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID/.test(err.message));
  });

  it('treats only "1" as checkpointing', () => {
    assert.equal(env('h:1', { MESOS_CHECKPOINT: 'true' }).checkpoint, false);
  });

  it('parses Mesos durations and rejects others', () => {
    assert.equal(parseMesosDuration('15mins'), 900_000);
    assert.equal(parseMesosDuration('2secs'), 2000);
    assert.equal(parseMesosDuration('500ms'), 500);
    assert.throws(() => parseMesosDuration('2 seconds'), { code: 'ERR_EXECUTOR_ENV_INVALID' });
  });
});

describe('MesosExecutorClient', () => {
  let agent: FakeAgent;
  let client: MesosExecutorClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await agent?.stop();
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`subscribes, receives LAUNCH, sends an UPDATE and forgets it once ACKNOWLEDGED (${encoding})`, async () => {
      agent = new FakeAgent();
      agent.afterSubscribe = () => [{ type: 'LAUNCH', launch: { task } }];
      client = new MesosExecutorClient(env(await agent.start()), { encoding });
      const events: string[] = [];
      client.onEvent(async (e) => {
        events.push(e.type!);
        if (e.type === 'LAUNCH') await client!.update({ task_id: e.launch!.task.task_id, state: 'TASK_RUNNING' });
      });
      await client.start();
      await agent.waitFor(() => agent.calls.some((c) => c.call.type === 'UPDATE'));
      const update = agent.calls.find((c) => c.call.type === 'UPDATE')!.call.update!;
      assert.equal(update.status.state, 'TASK_RUNNING');
      assert.equal(update.status.source, 'SOURCE_EXECUTOR');
      assert.equal(update.status.executor_id?.value, 'ex-1');
      assert.equal(update.status.uuid?.length, 16);
      assert.equal(client.unacknowledgedUpdates.length, 1);
      agent.send({ type: 'ACKNOWLEDGED', acknowledged: { task_id: { value: 't1' }, uuid: update.status.uuid! } });
      await agent.waitFor(() => client!.unacknowledgedUpdates.length === 0);
      assert.deepEqual(events.slice(0, 2), ['SUBSCRIBED', 'LAUNCH']);
      assert.equal(client.unacknowledgedTasks.length, 0);
    });
  }

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`reads several records from one chunk and a record split across chunks, in order (${encoding})`, async () => {
      agent = new FakeAgent();
      client = new MesosExecutorClient(env(await agent.start()), { encoding });
      const seen: executor.Event[] = [];
      client.onEvent((e) => void seen.push(e));
      await client.start();
      const tasks = ['a', 'b', 'c', 'd'].map((id) => ({ ...task, name: id, task_id: { value: id } }));
      const message = { type: 'MESSAGE' as const, message: { data: Buffer.from('payload-bytes') } };
      // Three records in one chunk.
      agent.sendRaw((enc) => Buffer.concat([
        FakeAgent.frame({ type: 'LAUNCH', launch: { task: tasks[0]! } }, enc),
        FakeAgent.frame(message, enc),
        FakeAgent.frame({ type: 'LAUNCH', launch: { task: tasks[1]! } }, enc),
      ]));
      // One record cut in three chunks (inside the length prefix, then inside the payload), the
      // last chunk also carrying the whole next record.
      const split = (enc: 'json' | 'protobuf') => FakeAgent.frame({ type: 'LAUNCH', launch: { task: tasks[2]! } }, enc);
      agent.sendRaw((enc) => split(enc).subarray(0, 1));
      await new Promise((r) => setTimeout(r, 30));
      agent.sendRaw((enc) => split(enc).subarray(1, 10));
      await new Promise((r) => setTimeout(r, 30));
      agent.sendRaw((enc) => Buffer.concat([split(enc).subarray(10), FakeAgent.frame({ type: 'LAUNCH', launch: { task: tasks[3]! } }, enc)]));
      await agent.waitFor(() => seen.length === 6);
      assert.deepEqual(seen.map((e) => e.type), ['SUBSCRIBED', 'LAUNCH', 'MESSAGE', 'LAUNCH', 'LAUNCH', 'LAUNCH']);
      assert.deepEqual(seen.filter((e) => e.type === 'LAUNCH').map((e) => e.launch!.task.task_id.value), ['a', 'b', 'c', 'd']);
      assert.equal(Buffer.from(seen[2]!.message!.data).toString(), 'payload-bytes');
      assert.deepEqual(client.unacknowledgedTasks.map((t) => t.task_id.value).sort(), ['a', 'b', 'c', 'd']);
    });
  }

  it('re-subscribes after losing the agent and resends unacknowledged tasks and updates', async () => {
    agent = new FakeAgent();
    let subscriptions = 0;
    agent.afterSubscribe = () => (++subscriptions === 1 ? [{ type: 'LAUNCH', launch: { task } }] : []);
    client = new MesosExecutorClient(env(await agent.start()), { encoding: 'json' });
    client.onEvent(async (e) => {
      if (e.type === 'LAUNCH') await client!.update({ task_id: e.launch!.task.task_id, state: 'TASK_RUNNING' });
    });
    await client.start();
    await agent.waitFor(() => agent.calls.some((c) => c.call.type === 'UPDATE'));
    agent.drop();
    await agent.waitFor(() => agent.calls.filter((c) => c.call.type === 'SUBSCRIBE').length === 2);
    const resub = agent.calls.filter((c) => c.call.type === 'SUBSCRIBE')[1]!.call.subscribe!;
    assert.equal(resub.unacknowledged_updates?.length, 1);
    assert.equal(resub.unacknowledged_updates?.[0]?.status.state, 'TASK_RUNNING');
    assert.deepEqual(resub.unacknowledged_tasks?.map((t) => t.task_id.value), ['t1']);
    await agent.waitFor(() => client!.state === 'subscribed');
  });

  it('gives up with ERR_AGENT_LOST when the agent goes away and checkpointing is off', async () => {
    agent = new FakeAgent();
    client = new MesosExecutorClient(env(await agent.start(), { MESOS_CHECKPOINT: '0' }));
    await client.start();
    agent.drop();
    await assert.rejects(client.done, { code: 'ERR_AGENT_LOST' });
  });

  it('sends the bearer token and stops on SHUTDOWN', async () => {
    agent = new FakeAgent();
    agent.afterSubscribe = (): executor.Event[] => [{ type: 'SHUTDOWN' }];
    client = new MesosExecutorClient(env(await agent.start(), { MESOS_EXECUTOR_AUTHENTICATION_TOKEN: 'tok' }));
    const seen: string[] = [];
    client.onEvent((e) => void seen.push(e.type!));
    await client.start();
    await client.done;
    assert.deepEqual(seen, ['SUBSCRIBED', 'SHUTDOWN']);
    assert.equal(client.state, 'stopped');
    assert.equal(agent.calls[0]!.headers['authorization'], 'Bearer tok');
  });

  // Regression (issue #14): uuids were randomBytes(16); a real agent refused ~11 updates in 16 with
  // "400 Failed to validate Executor::Call: Not a valid UUID" and aborted when they were resent.
  it('gives every update a valid version-4 uuid', async () => {
    agent = new FakeAgent();
    client = new MesosExecutorClient(env(await agent.start()));
    await client.start();
    for (let i = 0; i < 64; i++) await client.update({ task_id: { value: `t${i}` }, state: 'TASK_RUNNING' });
    const uuids = agent.calls.filter((c) => c.call.type === 'UPDATE').map((c) => c.call.update!.status.uuid!);
    assert.equal(uuids.length, 64);
    for (const u of uuids) {
      assert.equal(u.length, 16);
      assert.equal(u[6]! >> 4, 4, `version nibble of ${uuidText(u)}`);
      assert.equal(u[8]! >> 6, 0b10, `RFC 4122 variant of ${uuidText(u)}`);
    }
    assert.equal(new Set(uuids.map((u) => Buffer.from(u).toString('hex'))).size, 64);
  });

  it('drops an update the agent refused, throws ERR_EXECUTOR_UPDATE_REFUSED and never resends it', async () => {
    agent = new FakeAgent();
    agent.refuse = (call) => (call.type === 'UPDATE' && call.update?.status.state === 'TASK_FAILED' ? { status: 400, body: 'Failed to validate Executor::Call: Not a valid UUID' } : undefined);
    client = new MesosExecutorClient(env(await agent.start()));
    await client.start();
    await client.update({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    const refused = await client.update({ task_id: { value: 't1' }, state: 'TASK_FAILED' }).then(
      () => assert.fail('a refused update must not resolve'),
      (err: unknown) => err,
    );
    assert.ok(refused instanceof ApiError);
    assert.equal(refused.code, 'ERR_EXECUTOR_UPDATE_REFUSED');
    assert.equal(refused.status, 400);
    assert.equal(refused.body, 'Failed to validate Executor::Call: Not a valid UUID');
    assert.match(refused.message, /TASK_FAILED update of task t1 with 400/);
    assert.deepEqual(client.unacknowledgedUpdates.map((u) => u.status.state), ['TASK_RUNNING']);
    agent.drop();
    await agent.waitFor(() => agent.calls.filter((c) => c.call.type === 'SUBSCRIBE').length === 2);
    const resub = agent.calls.filter((c) => c.call.type === 'SUBSCRIBE')[1]!.call.subscribe!;
    assert.deepEqual(resub.unacknowledged_updates?.map((u) => u.status.state), ['TASK_RUNNING']);
  });

  it('keeps an update the agent could not take for now (503) and resends it with the next SUBSCRIBE', async () => {
    agent = new FakeAgent();
    agent.refuse = (call) => (call.type === 'UPDATE' ? { status: 503, body: 'Agent has not finished recovery' } : undefined);
    client = new MesosExecutorClient(env(await agent.start()));
    await client.start();
    const uuid = await client.update({ task_id: { value: 't1' }, state: 'TASK_RUNNING' });
    assert.equal(client.unacknowledgedUpdates.length, 1);
    agent.drop();
    await agent.waitFor(() => agent.calls.filter((c) => c.call.type === 'SUBSCRIBE').length === 2);
    const resent = agent.calls.filter((c) => c.call.type === 'SUBSCRIBE')[1]!.call.subscribe!.unacknowledged_updates!;
    assert.deepEqual(resent.map((u) => Buffer.from(u.status.uuid!).toString('hex')), [Buffer.from(uuid).toString('hex')]);
  });

  it('refuses an update no agent accepts before sending it (ERR_EXECUTOR_UPDATE_INVALID)', async () => {
    agent = new FakeAgent();
    client = new MesosExecutorClient(env(await agent.start()));
    await client.start();
    await assert.rejects(client.update({ task_id: { value: 't1' }, state: 'TASK_STAGING' }), { code: 'ERR_EXECUTOR_UPDATE_INVALID' });
    await assert.rejects(client.update({ task_id: { value: '' }, state: 'TASK_RUNNING' }), { code: 'ERR_EXECUTOR_UPDATE_INVALID' });
    assert.equal(agent.calls.filter((c) => c.call.type === 'UPDATE').length, 0);
    assert.equal(client.unacknowledgedUpdates.length, 0);
  });

  it('fails start() with a typed error when the agent refuses the subscription', async () => {
    client = new MesosExecutorClient(env('127.0.0.1:1', { MESOS_CHECKPOINT: '0' }));
    await assert.rejects(client.start(), { code: 'ERR_AGENT_LOST' });
  });
});

describe('update uuids', () => {
  it('newUpdateUuid makes 16 bytes that isValidUpdateUuid accepts', () => {
    for (let i = 0; i < 100; i++) assert.ok(isValidUpdateUuid(newUpdateUuid()));
  });

  it('isValidUpdateUuid refuses what a Mesos agent refuses: wrong length or unknown version nibble', () => {
    const u = newUpdateUuid();
    assert.equal(isValidUpdateUuid(u.subarray(0, 15)), false);
    for (const version of [0, 6, 7, 15]) {
      const bad = Buffer.from(u);
      bad[6] = (version << 4) | (bad[6]! & 0x0f);
      assert.equal(isValidUpdateUuid(bad), false, `version ${version}`);
    }
    const v1 = Buffer.from(u);
    v1[6] = 0x10 | (v1[6]! & 0x0f);
    assert.equal(isValidUpdateUuid(v1), true);
  });

  it('uuidText writes the canonical form', () => {
    assert.equal(uuidText(Buffer.from('00112233445566778899aabbccddeeff', 'hex')), '00112233-4455-6677-8899-aabbccddeeff');
  });
});
