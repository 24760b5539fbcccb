import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MesosExecutorClient } from '../../src/executor/executor-client.js';
import { executorEnvironment, parseMesosDuration } from '../../src/executor/executor-env.js';
import type { executor } from '../../src/protocol/generated/index.js';
import { FakeAgent } from './fake-agent.js';

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

  it('fails start() with a typed error when the agent refuses the subscription', async () => {
    client = new MesosExecutorClient(env('127.0.0.1:1', { MESOS_CHECKPOINT: '0' }));
    await assert.rejects(client.start(), { code: 'ERR_AGENT_LOST' });
  });
});
