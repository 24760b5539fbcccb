// A handler that throws, through createFramework's dispatcher: its stack is logged, and the offers
// it held are declined (with a short filter) so that they come back; and what the master does with
// a DECLINE naming an offer already used (the reason the dispatcher only declines unused offers).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { ENCODINGS, commandTask, frameworkState, launchOp, sleep, taskId, uniqueName, withSdkFramework } from './support/sdk-framework.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { EventController, OnOffers } from '../../src/decorators/event-controller.decorator.js';
import { inject } from 'inversify';
import { TOKENS } from '../../src/tokens.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';

/** Throws on its first OFFERS event; afterwards records the offers and declines them at once. */
@EventController()
class ThrowsOnFirstOffers {
  static seen: v1.Offer[][] = [];
  constructor(@inject(TOKENS.Scheduler) private readonly sched: Scheduler) {}
  @OnOffers()
  async offers(offers: v1.Offer[]): Promise<void> {
    ThrowsOnFirstOffers.seen.push(offers);
    if (ThrowsOnFirstOffers.seen.length === 1) throw new Error('handler bug on the first offers');
    await this.sched.decline(offers.map((o) => o.id), { refuse_seconds: 0 });
  }
}

async function waitUntil(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

conformance('a handler that throws', (target) => {
  for (const encoding of ENCODINGS) {
    it(`@OnOffers throws: its stack is logged, its offers are declined for 5 s and come back in later OFFERS (${encoding})`, async () => {
      ThrowsOnFirstOffers.seen = [];
      const logger = new MemoryLogger();
      const fw = createFramework({
        master: target().url,
        framework: { name: uniqueName('handler-throws'), user: 'root' },
        encoding,
        controllers: [ThrowsOnFirstOffers],
        overrides: [{ token: TOKENS.Logger, useValue: logger }],
      });
      try {
        await fw.start();
        await waitUntil(() => logger.lines.some((l) => /declined \d+ offer\(s\) a failed handler held/.test(l.message)), 20_000, 'the decline of the failed handler');
        const first = ThrowsOnFirstOffers.seen[0]!;
        const failed = logger.lines.find((l) => l.level === 'error' && /ThrowsOnFirstOffers\.offers failed on OFFERS/.test(l.message))!;
        assert.match(failed.message, /^ThrowsOnFirstOffers\.offers failed on OFFERS: handler bug on the first offers\nError: handler bug on the first offers\n\s+at ThrowsOnFirstOffers\.offers \(.*handler-failure\.scenario\.js:\d+:\d+\)/);
        const declined = logger.lines.find((l) => /declined \d+ offer\(s\) a failed handler held/.test(l.message))!;
        assert.equal(declined.level, 'warn');
        assert.equal(declined.message, `declined ${first.length} offer(s) a failed handler held (${first.map((o) => o.id.value).join(', ')}), refused for 5 s`);
        // The master no longer counts them as outstanding offers of this framework.
        const state = await frameworkState(target().url, fw.frameworkId!);
        const outstanding = new Set(((state?.['offers'] ?? []) as Array<{ id: string }>).map((o) => o.id));
        for (const o of first) assert.equal(outstanding.has(o.id.value), false, `offer ${o.id.value} is no longer outstanding`);
        // The same agents are offered again once the 5 s filter has passed: new offer ids.
        const agents = new Set(first.map((o) => o.agent_id.value));
        const firstIds = new Set(first.map((o) => o.id.value));
        const again = () => ThrowsOnFirstOffers.seen.slice(1).flat().filter((o) => agents.has(o.agent_id.value) && !firstIds.has(o.id.value));
        await waitUntil(() => again().length > 0, 30_000, 'the declined agents to be offered again');
      } finally {
        await fw.stop({ teardown: true });
      }
    });

    it(`a DECLINE naming an offer already accepted is answered 202 and ignored: the subscription and the task go on (${encoding})`, async () => {
      await withSdkFramework(target().url, 'decline-used', { encoding }, async (f) => {
        const [o] = await f.freshOffers(1);
        const id = taskId('decline-used');
        await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 5'))], { refuse_seconds: 0 });
        f.spend(o!);
        const from = f.events.length;
        assert.equal(await f.sched.decline([o!.id], { refuse_seconds: 5 }), undefined);
        await f.waitForUpdate(id, 'TASK_RUNNING');
        const errors = f.events.slice(from).filter((e: scheduler.Event) => e.type === 'ERROR');
        assert.deepEqual(errors, []);
        assert.equal(f.sched.state, 'subscribed');
        await f.sched.kill({ value: id }, o!.agent_id);
        await f.waitForUpdate(id, 'TASK_KILLED');
      });
    });
  }
});
