import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createExecutor } from '../../src/bootstrap/create-executor.js';
import { executorEnvironment } from '../../src/executor/executor-env.js';
import { EventController, OnLaunch } from '../../src/decorators/index.js';
import { LifecycleError } from '../../src/bootstrap/framework-lifecycle.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { TOKENS } from '../../src/tokens.js';
import { FakeAgent } from '../executor/fake-agent.js';

@EventController()
class Idle {
  @OnLaunch() launch(): void {}
}

function env(endpoint: string) {
  return executorEnvironment({ MESOS_AGENT_ENDPOINT: endpoint, MESOS_FRAMEWORK_ID: 'fw-1', MESOS_EXECUTOR_ID: 'ex-1', MESOS_SUBSCRIPTION_BACKOFF_MAX: '50ms', MESOS_RECOVERY_TIMEOUT: '5secs' });
}

describe('createExecutor lifecycle', () => {
  it('start() twice subscribes once; stop() twice is one stop; start() after stop() is ERR_EXECUTOR_STOPPED', async () => {
    const agent = new FakeAgent();
    try {
      const executor = createExecutor({ controllers: [Idle], env: env(await agent.start()), overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
      const first = executor.start();
      assert.equal(executor.start(), first);
      await first;
      await executor.start();
      assert.equal(agent.calls.filter((c) => c.call.type === 'SUBSCRIBE').length, 1);
      const stopping = executor.stop();
      assert.equal(executor.stop(), stopping);
      await stopping;
      await assert.rejects(executor.start(), (err: unknown) => err instanceof LifecycleError && err.code === 'ERR_EXECUTOR_STOPPED' && /createExecutor\(\)/.test(err.message));
    } finally {
      await agent.stop();
    }
  });

  it('stop() before start() resolves', async () => {
    const executor = createExecutor({ controllers: [Idle], env: env('127.0.0.1:1'), overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
    await executor.stop();
    await assert.rejects(executor.start(), { code: 'ERR_EXECUTOR_STOPPED' });
  });
});
