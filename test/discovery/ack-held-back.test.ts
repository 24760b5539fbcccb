// Issue 16 item 2: an update whose record write failed is never acknowledged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDispatcher } from '../../src/discovery/event-dispatcher.js';
import { isRetryableFailure } from '../../src/discovery/handler-table.js';
import { EventController, OnUpdate } from '../../src/decorators/event-controller.decorator.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { MesosSdkError, StorageError } from '../../src/errors/index.js';
import { toStorageError } from '../../src/storage/storage-errors.js';
import { HaErrorCodes } from '../../src/ha/leader-election.interface.js';
import type { EventHandler, Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';

function setUp(thrown: () => unknown) {
  const acks: string[] = [];
  let handler: EventHandler = async () => {};
  const s = {
    state: 'subscribed' as const,
    setEventHandler: (h: EventHandler) => void (handler = h),
    onLifecycle: () => () => {},
    acknowledge: async (_agent: v1.AgentID, task: v1.TaskID) => void acks.push(task.value),
  } as unknown as Scheduler;
  @EventController()
  class Recorder {
    @OnUpdate()
    update(): void {
      const t = thrown();
      if (t !== undefined) throw t;
    }
  }
  const logger = new MemoryLogger();
  const d = new EventDispatcher(s, logger);
  d.register([new Recorder()]);
  d.attach();
  const update = (id: string): scheduler.Event => ({ type: 'UPDATE', update: { status: { task_id: { value: id }, state: 'TASK_RUNNING', uuid: new Uint8Array([1]), agent_id: { value: 'a' } } } });
  return { acks, logger, push: (id: string) => handler(update(id)) };
}

describe('EventDispatcher: acknowledgements held back on storage failures', () => {
  it('does not acknowledge when the handler failed with a typed backend failure (LEVEL_IO_ERROR turned into ERR_STORAGE_FULL)', async () => {
    const { acks, push } = setUp(() => toStorageError('LevelStorage at /d', 'put tasks/t', Object.assign(new Error('IO error: 000003.log: File too large'), { code: 'LEVEL_IO_ERROR' })));
    await push('t1');
    assert.deepEqual(acks, []);
  });

  it('does not acknowledge when user code wrapped the storage failure in an error of its own', async () => {
    const { acks, push } = setUp(() => new Error('could not save', { cause: new StorageError('ERR_STORAGE_IO', 'io', { retryable: true }) }));
    await push('t1');
    assert.deepEqual(acks, []);
  });

  it('still acknowledges after a bug (a non-retryable failure), so Mesos does not resend an update forever', async () => {
    const { acks, push } = setUp(() => new TypeError('x is undefined'));
    await push('t1');
    assert.deepEqual(acks, ['t1']);
  });

  it('does not acknowledge when a storage write was fenced off (ERR_FENCED, not retryable), and says why', async () => {
    const fenced = () => new StorageError(HaErrorCodes.FENCED, 'etcd put of "tasks/t1" refused: election key gone', { retryable: false });
    const direct = setUp(fenced);
    await direct.push('t1');
    assert.deepEqual(direct.acks, []);
    assert.equal(direct.logger.lines.filter((l) => /left unacknowledged \(a storage write was fenced off: this instance no longer leads\)/.test(l.message)).length, 1);
    // Anywhere in the cause chain: user code wrapped it twice.
    const wrapped = setUp(() => new Error('handler failed', { cause: new Error('could not save', { cause: fenced() }) }));
    await wrapped.push('t2');
    assert.deepEqual(wrapped.acks, []);
  });

  it('isRetryableFailure follows the cause chain', () => {
    assert.equal(isRetryableFailure(new MesosSdkError('ERR_X', 'x', { retryable: true })), true);
    assert.equal(isRetryableFailure(new Error('a', { cause: new Error('b', { cause: new StorageError('ERR_STORAGE_IO', 'c', { retryable: true }) }) })), true);
    assert.equal(isRetryableFailure(new StorageError('ERR_STORAGE_BAD_KEY', 'bad key')), false);
    assert.equal(isRetryableFailure('a string'), false);
  });
});
