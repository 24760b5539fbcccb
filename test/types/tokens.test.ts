import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TOKENS, token } from '../../src/tokens.js';

describe('TOKENS', () => {
  it('are the same run-time symbols as before they were typed: Symbol.for("mesos-sdk.<Name>")', () => {
    assert.deepEqual(Object.keys(TOKENS), [
      'FrameworkOptions', 'Client', 'ClientOptions', 'SchedulerOptions', 'Scheduler', 'DispatcherOptions', 'EventDispatcher', 'Controller',
      'TaskManager', 'ResourceManager', 'PlacementStrategy', 'Storage', 'LeaderElection', 'Logger', 'Server', 'Metrics',
      'ExecutorClient', 'ExecutorEnvironment', 'ExecutorDispatcher', 'Clock',
    ]);
    for (const [name, value] of Object.entries(TOKENS)) {
      assert.equal(typeof value, 'symbol', name);
      assert.equal(value, Symbol.for(`mesos-sdk.${name}`), name);
    }
  });

  it('token(key) makes a typed token that is Symbol.for(key)', () => {
    assert.equal(token<{ now(): number }>('my-app.Clock'), Symbol.for('my-app.Clock'));
  });
});
