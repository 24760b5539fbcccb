// Issue 16 item 1 follow-up: an offer cycle of an instance that loses the leadership while it
// launches writes nothing back (no launchFailed → PENDING) and declines nothing; the records stay
// LAUNCHING for the next leader to reconcile. A fenced launch intent is not a storage outage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultTaskController } from '../../src/task-manager/default-task.controller.js';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { ResourceManager } from '../../src/resource-manager/resource-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import type { StorageOperation } from '../../src/storage/storage.interface.js';
import { NotSubscribedError, StorageError } from '../../src/errors/index.js';
import { HaErrorCodes } from '../../src/ha/leader-election.interface.js';
import { MemoryLogger } from '../../src/logging/index.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { LeaderElection } from '../../src/ha/leader-election.interface.js';
import { makeOffer } from '../resource-manager/fixtures.js';

/** Storage that counts batches and refuses them (as etcd refuses a fenced writer's) while `fenced`. */
class FencedStorage extends InMemoryStorage {
  fenced = false;
  batches: string[][] = [];
  override async batch(ops: readonly StorageOperation[]): Promise<void> {
    this.batches.push(ops.map((o) => o.key));
    if (this.fenced) throw new StorageError(HaErrorCodes.FENCED, 'etcd batch refused: election key gone', { retryable: false });
    return super.batch(ops);
  }
}

/** The scheduler calls the controller makes; ACCEPT fails with `acceptError`. */
function fakeScheduler(acceptError: Error, onAccept: () => void) {
  const calls: string[] = [];
  const scheduler = {
    state: 'subscribed',
    accept: async () => {
      calls.push('accept');
      onAccept();
      throw acceptError;
    },
    decline: async () => void calls.push('decline'),
    suppress: async () => void calls.push('suppress'),
    revive: async () => void calls.push('revive'),
    reconcile: async () => void calls.push('reconcile'),
  };
  return { scheduler: scheduler as unknown as Scheduler, calls };
}

/** `leading`: at the start; `loseOnAccept`: the leadership goes while the ACCEPT is under way. */
async function setup(acceptError: Error, leading = true, loseOnAccept = false) {
  const election = { isLeader: leading };
  const storage = new FencedStorage();
  const tasks = new TaskManager(storage, { kill: async () => {} });
  await tasks.submit({ name: 'app', instances: 2, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } });
  storage.batches = []; // the submit's
  const logger = new MemoryLogger();
  const { scheduler, calls } = fakeScheduler(acceptError, () => {
    if (loseOnAccept) election.isLeader = false;
  });
  const controller = new DefaultTaskController(scheduler, tasks, new ResourceManager(), logger, { reconcileIntervalSeconds: 0 }, election as LeaderElection);
  return { storage, tasks, logger, calls, controller };
}

const states = (tasks: TaskManager) => tasks.list().map((r) => r.state).sort();
const storedState = async (storage: InMemoryStorage, id: string) => JSON.parse(Buffer.from((await storage.get(`tasks/${id}`))!).toString()).state as string;

describe('the task controller when the leadership is lost during an offer cycle', () => {
  for (const code of [HaErrorCodes.NOT_LEADER, 'ERR_FRAMEWORK_STOPPED']) {
    it(`an ACCEPT refused with NotSubscribedError ${code}: the records stay LAUNCHING (nothing written back), no offer declined`, async () => {
      const { storage, tasks, calls, controller } = await setup(new NotSubscribedError(code, 'not sent', { retryable: false }));
      try {
        await controller.offers([makeOffer({ agent: 'S1' })]);
        assert.deepEqual(calls, ['accept']);
        assert.deepEqual(states(tasks), ['LAUNCHING', 'LAUNCHING']);
        assert.equal(storage.batches.length, 2, 'the two launch intents only: no launchFailed write');
        assert.equal(await storedState(storage, 'app.0.0'), 'LAUNCHING');
      } finally {
        controller.dispose();
      }
    });
  }

  it('an ACCEPT that fails otherwise, the election no longer leading by then: the same', async () => {
    const { storage, tasks, calls, controller } = await setup(new Error('socket hang up'), true, true);
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.deepEqual(calls, ['accept']);
      assert.deepEqual(states(tasks), ['LAUNCHING', 'LAUNCHING']);
      assert.equal(storage.batches.length, 2);
    } finally {
      controller.dispose();
    }
  });

  it('(control) an ACCEPT that fails while leading: the tasks go back to PENDING and the offers are declined', async () => {
    const { tasks, calls, controller } = await setup(new Error('socket hang up'), true);
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.deepEqual(calls.slice(0, 2), ['accept', 'decline']);
      assert.deepEqual(states(tasks), ['PENDING', 'PENDING']);
    } finally {
      controller.dispose();
    }
  });

  it('a launch intent fenced off (ERR_FENCED): launches are not paused, no "storage unavailable", nothing sent or written after it', async () => {
    const { storage, tasks, logger, calls, controller } = await setup(new Error('unused'));
    storage.fenced = true;
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.equal(controller.launchesPaused, false);
      assert.deepEqual(logger.lines.filter((l) => /storage unavailable/.test(l.message)), []);
      assert.deepEqual(calls, [], 'no ACCEPT, no DECLINE');
      assert.equal(storage.batches.length, 1, 'the refused intent, and no launchFailed after it');
      assert.deepEqual(states(tasks), ['PENDING', 'PENDING']);
    } finally {
      controller.dispose();
    }
  });

  it('offers that arrive once the election no longer leads: nothing is placed, written or sent', async () => {
    const { storage, tasks, logger, calls, controller } = await setup(new Error('unused'), false);
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.deepEqual(calls, []);
      assert.equal(storage.batches.length, 0);
      assert.deepEqual(states(tasks), ['PENDING', 'PENDING']);
      assert.equal(controller.launchesPaused, false);
      assert.deepEqual(logger.lines.filter((l) => /storage unavailable/.test(l.message)), []);
    } finally {
      controller.dispose();
    }
  });

  it('(control) a launch intent that fails with a storage outage pauses launches', async () => {
    const { storage, logger, controller } = await setup(new Error('unused'));
    storage.batch = async () => {
      throw new StorageError('ERR_STORAGE_UNAVAILABLE', 'etcd down', { retryable: true });
    };
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.equal(controller.launchesPaused, true);
      assert.equal(logger.lines.filter((l) => /storage unavailable/.test(l.message)).length, 1);
    } finally {
      controller.dispose();
    }
  });
});
