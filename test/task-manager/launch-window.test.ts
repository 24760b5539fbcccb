// Issue 17: the task controller's launch window (`maxLaunchingTasks`). Launching every placeable
// task in the first offers hands the framework more updates at once than it acknowledges before the
// agents' first retry (10 s); the controller keeps at most `maxLaunchingTasks` tasks launched and not
// yet RUNNING (LAUNCHING, TASK_STAGING, TASK_STARTING), declines the offers it cannot use meanwhile,
// and revives them once a tenth of the window is free again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MAX_LAUNCHING_TASKS, DefaultTaskController, TaskControllerErrorCodes, type TaskControllerOptions } from '../../src/task-manager/default-task.controller.js';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { ResourceManager } from '../../src/resource-manager/resource-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { checkFrameworkOptions } from '../../src/bootstrap/check-framework-options.js';
import { LifecycleErrorCodes } from '../../src/bootstrap/framework-lifecycle.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import { makeOffer } from '../resource-manager/fixtures.js';

/** The calls the controller makes: the task ids of each ACCEPT, the filters of each DECLINE, the REVIVEs. */
function recordingScheduler() {
  const accepted: string[][] = [];
  const declined: Array<v1.Filters | undefined> = [];
  const calls: string[] = [];
  const scheduler = {
    state: 'subscribed',
    accept: async (_ids: v1.OfferID[], ops: v1.Offer.Operation[]) => {
      calls.push('accept');
      accepted.push(ops.flatMap((o) => o.launch?.task_infos ?? []).map((t) => t.task_id.value));
    },
    decline: async (_ids: v1.OfferID[], filters?: v1.Filters) => {
      calls.push('decline');
      declined.push(filters);
    },
    suppress: async () => void calls.push('suppress'),
    revive: async () => void calls.push('revive'),
    reconcile: async () => void calls.push('reconcile'),
  };
  return { scheduler: scheduler as unknown as Scheduler, accepted, declined, calls };
}

const status = (id: string, state: v1.TaskState): v1.TaskStatus => ({ task_id: { value: id }, state, timestamp: Date.now() / 1000, agent_id: { value: 'S1' } });

async function setup(instances: number, options: TaskControllerOptions) {
  const tasks = new TaskManager(new InMemoryStorage(), { kill: async () => {} });
  await tasks.submit({ name: 'app', instances, resources: { cpus: 0.01, mem: 1 }, command: { shell: 'x' } });
  const rec = recordingScheduler();
  // No revive rate limit: each revive the window asks for is sent at once.
  const resources = new ResourceManager(undefined, undefined, { minReviveIntervalMs: 0 });
  const controller = new DefaultTaskController(rec.scheduler, tasks, resources, new MemoryLogger(), { reconcileIntervalSeconds: 0, ...options });
  return { tasks, controller, ...rec };
}

const bigOffer = () => makeOffer({ agent: 'S1', cpus: 100, mem: 100_000 });

describe('the task controller launch window (maxLaunchingTasks)', () => {
  it('launches only as many as the window holds, declines the rest of the offers refused as while tasks are pending, and does not suppress', async () => {
    const { tasks, controller, accepted, declined, calls } = await setup(10, { maxLaunchingTasks: 3 });
    try {
      await controller.offers([bigOffer(), makeOffer({ agent: 'S2', cpus: 100, mem: 100_000 })]);
      await controller.settled();
      assert.deepEqual(accepted, [['app.0.0', 'app.1.0', 'app.2.0']]);
      assert.equal(tasks.launchingCount, 3);
      assert.equal(tasks.pendingCount, 7);
      assert.deepEqual(declined, [{ refuse_seconds: 5 }], 'the unused offer goes back for a short while (placement saw 3 requests only: not the 120 s of an idle framework)');
      assert.ok(!calls.includes('suppress'), 'tasks are pending: offers are not suppressed');

      // Window full: the next offers launch nothing.
      await controller.offers([bigOffer()]);
      await controller.settled();
      assert.equal(accepted.length, 1, 'nothing launched while the window is full');
      assert.equal(declined.length, 2);
    } finally {
      controller.dispose();
    }
  });

  it('counts STAGING and STARTING as unsettled, revives once a tenth of the window is free, and launches again up to it', async () => {
    const { tasks, controller, accepted, calls } = await setup(30, { maxLaunchingTasks: 20 });
    try {
      await controller.offers([bigOffer()]);
      assert.equal(accepted[0]!.length, 20);
      await controller.update(status('app.0.0', 'TASK_STAGING'));
      await controller.update(status('app.0.0', 'TASK_STARTING'));
      assert.equal(tasks.launchingCount, 20, 'STAGING and STARTING still hold their place');
      await controller.update(status('app.0.0', 'TASK_RUNNING'));
      assert.equal(tasks.launchingCount, 19);
      assert.ok(!calls.includes('revive'), 'one place free, less than a tenth of the window: no revive yet');
      await controller.update(status('app.1.0', 'TASK_FAILED'));
      assert.deepEqual(calls.filter((c) => c === 'revive'), ['revive'], 'an ended task frees its place too: a tenth of the window free, offers revived');
      await controller.update(status('app.2.0', 'TASK_RUNNING'));
      assert.equal(calls.filter((c) => c === 'revive').length, 1, 'revived once (until the window is full again)');

      await controller.offers([bigOffer()]);
      assert.equal(accepted.length, 2);
      assert.equal(accepted[1]!.length, 3, 'as many as fit: 3 places free');
      assert.equal(tasks.launchingCount, 20);
    } finally {
      controller.dispose();
    }
  });

  it('runs every task in the end, never more than the window unsettled', async () => {
    const { tasks, controller, accepted } = await setup(25, { maxLaunchingTasks: 3 });
    try {
      let most = 0;
      for (let cycle = 0; cycle < 50 && (tasks.counts()['TASK_RUNNING'] ?? 0) < 25; cycle++) {
        await controller.offers([bigOffer()]);
        most = Math.max(most, tasks.launchingCount);
        for (const id of accepted[accepted.length - 1] ?? []) {
          if (tasks.get(id)?.state === 'LAUNCHING') await controller.update(status(id, 'TASK_RUNNING'));
        }
      }
      assert.equal(tasks.counts()['TASK_RUNNING'], 25);
      assert.equal(most, 3);
      assert.ok(accepted.every((a) => a.length <= 3));
      assert.equal(new Set(accepted.flat()).size, 25, 'each launched once');
    } finally {
      controller.dispose();
    }
  });

  it('the default window is DEFAULT_MAX_LAUNCHING_TASKS; Infinity launches every placeable task at once', async () => {
    const many = DEFAULT_MAX_LAUNCHING_TASKS + 100;
    const offers = () => Array.from({ length: 3 }, (_, i) => makeOffer({ agent: `S${i}`, cpus: 1000, mem: 1_000_000 }));
    const bounded = await setup(many, {});
    try {
      await bounded.controller.offers(offers());
      assert.equal(bounded.accepted.flat().length, DEFAULT_MAX_LAUNCHING_TASKS);
    } finally {
      bounded.controller.dispose();
    }
    const unbounded = await setup(many, { maxLaunchingTasks: Infinity });
    try {
      await unbounded.controller.offers(offers());
      assert.equal(unbounded.accepted.flat().length, many);
    } finally {
      unbounded.controller.dispose();
    }
  });

  it('refuses a window that is not a positive integer (or Infinity), with a typed error naming the option', async () => {
    const tasks = new TaskManager(new InMemoryStorage(), { kill: async () => {} });
    for (const bad of [0, -1, 2.5, NaN, '3', null]) {
      assert.throws(
        () => new DefaultTaskController(recordingScheduler().scheduler, tasks, new ResourceManager(), new MemoryLogger(), { maxLaunchingTasks: bad as number }),
        (err: unknown) => err instanceof ValidationError && err.code === TaskControllerErrorCodes.MAX_LAUNCHING_INVALID && err.problems[0]?.path === 'maxLaunchingTasks' && /positive integer/.test(err.message),
        `maxLaunchingTasks ${String(bad)}`,
      );
      assert.throws(
        () => checkFrameworkOptions({ master: 'http://127.0.0.1:5050', framework: { name: 'x' }, maxLaunchingTasks: bad }),
        (err: unknown) => err instanceof ValidationError && err.code === LifecycleErrorCodes.OPTIONS_INVALID && err.problems.some((p) => p.path === 'maxLaunchingTasks'),
      );
    }
    for (const good of [1, 200, Infinity]) {
      checkFrameworkOptions({ master: 'http://127.0.0.1:5050', framework: { name: 'x' }, maxLaunchingTasks: good });
      new DefaultTaskController(recordingScheduler().scheduler, tasks, new ResourceManager(), new MemoryLogger(), { reconcileIntervalSeconds: 0, maxLaunchingTasks: good }).dispose();
    }
  });
});
