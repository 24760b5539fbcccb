// Issue 17: the task controller's DECLINEs do not hold up the offer cycle (nothing in it depends on
// their answer); stop() waits for them through settled().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultTaskController } from '../../src/task-manager/default-task.controller.js';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { ResourceManager } from '../../src/resource-manager/resource-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { MemoryLogger } from '../../src/logging/index.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import { makeOffer } from '../resource-manager/fixtures.js';

function blockingDeclines() {
  const calls: string[] = [];
  const pending: Array<{ ids: string[]; settle: (err?: Error) => void }> = [];
  const scheduler = {
    state: 'subscribed',
    accept: async () => void calls.push('accept'),
    decline: (ids: Array<{ value: string }>) =>
      new Promise<void>((resolve, reject) => {
        calls.push(`decline ${ids.map((i) => i.value).join(',')}`);
        pending.push({ ids: ids.map((i) => i.value), settle: (err) => (err ? reject(err) : resolve()) });
      }),
    suppress: async () => void calls.push('suppress'),
    revive: async () => void calls.push('revive'),
    reconcile: async () => void calls.push('reconcile'),
  };
  return { scheduler: scheduler as unknown as Scheduler, calls, pending };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('the task controller sends its DECLINEs without waiting for them', () => {
  it('an offer cycle with nothing to place ends while its DECLINE is unanswered; settled() waits for it', async () => {
    const { scheduler, calls, pending } = blockingDeclines();
    const tasks = new TaskManager(new InMemoryStorage(), { kill: async () => {} });
    const controller = new DefaultTaskController(scheduler, tasks, new ResourceManager(), new MemoryLogger(), { reconcileIntervalSeconds: 0 });
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      assert.equal(pending.length, 1, 'the DECLINE is in flight');
      assert.ok(calls.includes('suppress'), 'the cycle went on past the DECLINE (nothing pending: offers suppressed)');
      let settled = false;
      const s = controller.settled().then(() => (settled = true));
      await tick();
      assert.equal(settled, false);
      pending[0]!.settle();
      await s;
    } finally {
      controller.dispose();
    }
  });

  it('a DECLINE that fails is still retried in the background, and settled() waits for the first attempt only', async () => {
    const { scheduler, pending } = blockingDeclines();
    const tasks = new TaskManager(new InMemoryStorage(), { kill: async () => {} });
    const logger = new MemoryLogger();
    const controller = new DefaultTaskController(scheduler, tasks, new ResourceManager(), logger, { reconcileIntervalSeconds: 0 });
    try {
      await controller.offers([makeOffer({ agent: 'S1' })]);
      pending[0]!.settle(new Error('503 Service Unavailable'));
      await controller.settled();
      assert.ok(logger.lines.some((l) => l.level === 'warn' && /DECLINE of 1 offer\(s\) failed, retrying: 503/.test(l.message)));
      const deadline = Date.now() + 5000;
      while (pending.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(pending.length, 2, 'retried');
      pending[1]!.settle();
    } finally {
      controller.dispose();
    }
  });
});
