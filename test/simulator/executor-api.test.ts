import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateExecutorCall } from '../../src/simulator/executor-api.js';
import { isValidUpdateUuid as isValidUuid, newUpdateUuid as v4 } from '../../src/protocol/uuid.js';
import { acceptedEncoding } from '../../src/simulator/endpoints/http-answers.js';
import { waitStatus } from '../../src/simulator/executor-launch.js';
import { validateGroupExecutor } from '../../src/simulator/engine/task-group-validation.js';
import type { executor, v1 } from '../../src/protocol/generated/index.js';

// The checks a simulated agent and master make, one by one (the conformance scenarios hold them
// against Mesos 1.11 over HTTP; these pin the edge cases cheaply).

const ids = { framework_id: { value: 'fw' }, executor_id: { value: 'ex' } };
const updateCall = (status: Partial<v1.TaskStatus>): executor.Call => ({
  ...ids,
  type: 'UPDATE',
  update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: v4(), ...status } },
});

describe('executor API checks', () => {
  describe('isValidUuid', () => {
    it('takes 16 bytes with a version nibble of 1 to 5 and nothing else', () => {
      assert.equal(isValidUuid(v4()), true);
      for (const version of [1, 2, 3, 4, 5]) {
        const u = v4();
        u[6] = (version << 4) | (u[6]! & 0x0f);
        assert.equal(isValidUuid(u), true, `version ${version}`);
      }
      for (const version of [0, 6, 15]) {
        const u = v4();
        u[6] = (version << 4) | (u[6]! & 0x0f);
        assert.equal(isValidUuid(u), false, `version ${version}`);
      }
      assert.equal(isValidUuid(v4().subarray(0, 15)), false);
      assert.equal(isValidUuid(Buffer.concat([v4(), Buffer.alloc(1)])), false);
      assert.equal(isValidUuid(undefined), false);
    });
  });

  describe('validateExecutorCall', () => {
    it('wants the sub-message of the call type', () => {
      assert.equal(validateExecutorCall({ ...ids } as executor.Call), "Expecting 'type' to be present");
      assert.equal(validateExecutorCall({ ...ids, type: 'SUBSCRIBE' }), "Expecting 'subscribe' to be present");
      assert.equal(validateExecutorCall({ ...ids, type: 'UPDATE' }), "Expecting 'update' to be present");
      assert.equal(validateExecutorCall({ ...ids, type: 'MESSAGE' }), "Expecting 'message' to be present");
      assert.equal(validateExecutorCall({ ...ids, type: 'HEARTBEAT' }), undefined);
    });

    it('checks an update in the agent\'s order: uuid, its validity, executor id, source, TASK_STAGING', () => {
      assert.equal(validateExecutorCall(updateCall({ uuid: undefined })), "Expecting 'uuid' to be present");
      assert.equal(validateExecutorCall(updateCall({ uuid: Buffer.alloc(16), source: 'SOURCE_MASTER' })), 'Not a valid UUID');
      assert.equal(validateExecutorCall(updateCall({ executor_id: { value: 'other' }, source: 'SOURCE_MASTER' })), 'ExecutorID in Call: ex does not match ExecutorID in TaskStatus: other');
      assert.equal(validateExecutorCall(updateCall({ state: 'TASK_STAGING', source: undefined })), "Received Call from executor ex of framework fw with invalid source, expecting 'SOURCE_EXECUTOR'");
      assert.equal(validateExecutorCall(updateCall({ state: 'TASK_STAGING' })), 'Received TASK_STAGING from executor ex of framework fw which is not allowed');
      assert.equal(validateExecutorCall(updateCall({ executor_id: { value: 'ex' } })), undefined);
    });
  });

  describe('acceptedEncoding', () => {
    it('prefers JSON whenever it is allowed, then protobuf, else nothing', () => {
      assert.equal(acceptedEncoding(undefined), 'json');
      assert.equal(acceptedEncoding('*/*'), 'json');
      assert.equal(acceptedEncoding('application/x-protobuf, application/json'), 'json');
      assert.equal(acceptedEncoding('application/x-protobuf'), 'protobuf');
      assert.equal(acceptedEncoding('application/json;q=0, application/*'), 'protobuf');
      assert.equal(acceptedEncoding('text/html'), undefined);
    });
  });

  describe('waitStatus', () => {
    it('is what waitpid reports: the exit code shifted by 8, or the signal number', () => {
      assert.equal(waitStatus(0, null), 0);
      assert.equal(waitStatus(7, null), 1792);
      assert.equal(waitStatus(null, 'SIGTERM'), 15);
      assert.equal(waitStatus(null, 'SIGKILL'), 9);
    });
  });
});

describe('validateGroupExecutor', () => {
  const scalar = (name: string, value: number): v1.Resource => ({ name, type: 'SCALAR', scalar: { value } });
  const executorOf = (extra: Partial<v1.ExecutorInfo>): v1.ExecutorInfo => ({
    executor_id: { value: 'e' },
    framework_id: { value: 'fw' },
    type: 'DEFAULT',
    resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('disk', 10)],
    ...extra,
  });

  it('accepts a DEFAULT executor with its framework id, cpus, mem and disk', () => {
    assert.equal(validateGroupExecutor(executorOf({}), 'fw'), undefined);
  });

  it('checks the framework id before the resources, and cpus, mem, disk in that order', () => {
    assert.equal(validateGroupExecutor(executorOf({ framework_id: undefined, resources: [] }), 'fw'), "'ExecutorInfo.framework_id' must be set");
    assert.equal(validateGroupExecutor(executorOf({ resources: [] }), 'fw'), "Executor 'e' uses less CPUs (None) than the minimum required (0.01)");
    assert.equal(validateGroupExecutor(executorOf({ resources: [scalar('cpus', 0.1)] }), 'fw'), "Executor 'e' uses less memory (None) than the minimum required (32MB)");
    assert.equal(validateGroupExecutor(executorOf({ resources: [scalar('cpus', 0.1), scalar('mem', 32)] }), 'fw'), "Executor 'e' uses no disk");
  });

  it('sums a resource given in several parts (e.g. reserved and unreserved)', () => {
    assert.equal(validateGroupExecutor(executorOf({ resources: [scalar('cpus', 0.005), scalar('cpus', 0.005), scalar('mem', 16), scalar('mem', 16), scalar('disk', 1)] }), 'fw'), undefined);
  });
});
