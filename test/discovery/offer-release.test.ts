import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDispatcher } from '../../src/discovery/event-dispatcher.js';
import { stackOf } from '../../src/discovery/handler-table.js';
import { EventController, OnOffer, OnOffers } from '../../src/decorators/event-controller.decorator.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { EventHandler, LifecycleEvent, Scheduler, SchedulerObserver } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';
import { inject } from 'inversify';
import { createTestingFramework } from '../../src/testing.js';
import { TOKENS } from '../../src/tokens.js';
import type { ResourceManager } from '../../src/resource-manager/resource-manager.js';

/** A scheduler that records ACCEPT/DECLINE and tells its observers, as MesosScheduler does. */
function recordingScheduler(options: { failDeclines?: number } = {}) {
  let handler: EventHandler = async () => {};
  const observers = new Set<SchedulerObserver>();
  const declines: Array<{ ids: string[]; filters?: v1.Filters }> = [];
  const accepts: string[][] = [];
  let failDeclines = options.failDeclines ?? 0;
  const tell = (call: scheduler.Call, error?: unknown) => observers.forEach((o) => o.onCall?.(call.type, 0, error, call));
  const s = {
    state: 'subscribed' as const,
    declines,
    accepts,
    push: (e: scheduler.Event) => handler(e),
    setEventHandler: (h: EventHandler) => void (handler = h),
    onLifecycle: (_l: (e: LifecycleEvent) => void) => () => {},
    observe: (o: SchedulerObserver) => {
      observers.add(o);
      return () => observers.delete(o);
    },
    accept: async (ids: v1.OfferID[]) => {
      accepts.push(ids.map((i) => i.value));
      tell({ type: 'ACCEPT', accept: { offer_ids: ids, operations: [] } });
    },
    decline: async (ids: v1.OfferID[], filters?: v1.Filters) => {
      const call: scheduler.Call = { type: 'DECLINE', decline: { offer_ids: ids, ...(filters ? { filters } : {}) } };
      if (failDeclines-- > 0) {
        const err = new Error('503 Service Unavailable');
        tell(call, err);
        throw err;
      }
      declines.push({ ids: ids.map((i) => i.value), ...(filters ? { filters } : {}) });
      tell(call);
    },
  };
  return s as typeof s & Scheduler;
}

const offer = (id: string, agent = 'a1'): v1.Offer =>
  ({ id: { value: id }, framework_id: { value: 'fw' }, agent_id: { value: agent }, hostname: 'h', resources: [] }) as v1.Offer;
const offersEvent = (...ids: string[]): scheduler.Event => ({ type: 'OFFERS', offers: { offers: ids.map((id) => offer(id)) } });

function setUp(controllers: object[], options: ConstructorParameters<typeof EventDispatcher>[2] = {}, schedOptions: { failDeclines?: number } = {}) {
  const s = recordingScheduler(schedOptions);
  const logger = new MemoryLogger();
  const released: string[] = [];
  const d = new EventDispatcher(s, logger, options, { release: (ids) => void released.push(...ids.map((i) => i.value)) });
  d.register(controllers);
  d.attach();
  return { s, logger, released, d };
}

describe('EventDispatcher: a handler that throws', () => {
  it('logs the stack of what was thrown, not only its message', async () => {
    @EventController()
    class Broken {
      @OnOffers() offers() {
        throw new TypeError('cannot read properties of undefined');
      }
    }
    const { s, logger } = setUp([new Broken()]);
    await s.push(offersEvent('o1'));
    const line = logger.lines.find((l) => l.level === 'error');
    assert.ok(line, 'an error line');
    assert.match(line.message, /^Broken\.offers failed on OFFERS: cannot read properties of undefined\nTypeError: cannot read properties of undefined\n\s+at /);
    assert.match(line.message, /offer-release\.test\.js/, 'the stack names the file that threw');
  });

  it('@OnOffers throws before using its offers: every offer of the event is declined once, with a short filter, and leaves the pool', async () => {
    @EventController()
    class Broken {
      @OnOffers() offers() {
        throw new Error('bug');
      }
    }
    const { s, logger, released } = setUp([new Broken()]);
    await s.push(offersEvent('o1', 'o2'));
    assert.deepEqual(s.declines, [{ ids: ['o1', 'o2'], filters: { refuse_seconds: 5 } }]);
    assert.deepEqual(released, ['o1', 'o2']);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /declined 2 offer\(s\) a failed handler held \(o1, o2\), refused for 5 s/.test(l.message)));
  });

  it('the offers the handler accepted or declined before throwing are not declined again', async () => {
    @EventController()
    class Partial {
      constructor(private readonly sched: Scheduler) {}
      @OnOffers() async offers(offers: v1.Offer[]) {
        await this.sched.accept([offers[0]!.id], []);
        await this.sched.decline([offers[1]!.id]);
        throw new Error('bug after two calls');
      }
    }
    const s0 = setUp([]);
    const { s } = s0;
    s0.d.register([new Partial(s)]);
    await s.push(offersEvent('o1', 'o2', 'o3'));
    assert.deepEqual(s.accepts, [['o1']]);
    assert.deepEqual(s.declines, [{ ids: ['o2'] }, { ids: ['o3'], filters: { refuse_seconds: 5 } }]);
  });

  it('a later handler of the same event that uses the offers keeps them: nothing is declined', async () => {
    @EventController({ order: 1 })
    class Broken {
      @OnOffers() offers() {
        throw new Error('bug');
      }
    }
    @EventController({ order: 2 })
    class Taker {
      constructor(private readonly sched: Scheduler) {}
      @OnOffers() async offers(offers: v1.Offer[]) {
        await this.sched.accept(offers.map((o) => o.id), []);
      }
    }
    const ctx = setUp([new Broken()]);
    ctx.d.register([new Taker(ctx.s)]);
    await ctx.s.push(offersEvent('o1', 'o2'));
    assert.deepEqual(ctx.s.accepts, [['o1', 'o2']]);
    assert.deepEqual(ctx.s.declines, []);
  });

  it('@OnOffer throws for one offer: only that offer is declined', async () => {
    @EventController()
    class PerOffer {
      @OnOffer() one(o: v1.Offer) {
        if (o.id.value === 'o2') throw new Error('cannot place on o2');
      }
    }
    const { s } = setUp([new PerOffer()]);
    await s.push(offersEvent('o1', 'o2', 'o3'));
    assert.deepEqual(s.declines, [{ ids: ['o2'], filters: { refuse_seconds: 5 } }]);
  });

  it('no handler failed: offers a handler keeps are left alone', async () => {
    @EventController()
    class Holder {
      @OnOffers() offers() {}
    }
    const { s } = setUp([new Holder()]);
    await s.push(offersEvent('o1'));
    assert.deepEqual(s.declines, []);
  });

  it('declineOnHandlerFailure: false keeps them; refuseSeconds sets the filter', async () => {
    @EventController()
    class Broken {
      @OnOffers() offers() {
        throw new Error('bug');
      }
    }
    const off = setUp([new Broken()], { declineOnHandlerFailure: false });
    await off.s.push(offersEvent('o1'));
    assert.deepEqual(off.s.declines, []);
    const one = setUp([new Broken()], { declineOnHandlerFailure: { refuseSeconds: 1 } });
    await one.s.push(offersEvent('o1'));
    assert.deepEqual(one.s.declines, [{ ids: ['o1'], filters: { refuse_seconds: 1 } }]);
  });

  it('a DECLINE that fails is retried (in the background: drain() waits for it); after three failures a warn line says the offers stay outstanding', async () => {
    @EventController()
    class Broken {
      @OnOffers() offers() {
        throw new Error('bug');
      }
    }
    const retried = setUp([new Broken()], {}, { failDeclines: 1 });
    await retried.s.push(offersEvent('o1'));
    // The event is handled before the retry (100 ms later): the DECLINE does not hold up the queue.
    assert.deepEqual(retried.s.declines, []);
    await retried.d.drain();
    assert.deepEqual(retried.s.declines, [{ ids: ['o1'], filters: { refuse_seconds: 5 } }]);
    const failed = setUp([new Broken()], {}, { failDeclines: 3 });
    await failed.s.push(offersEvent('o1'));
    await failed.d.drain();
    assert.deepEqual(failed.s.declines, []);
    assert.ok(failed.logger.lines.some((l) => l.level === 'warn' && /could not decline 1 offer\(s\).*stay outstanding.*503/.test(l.message)));
  });
});

describe('stackOf', () => {
  it('follows the cause chain', () => {
    const inner = new RangeError('inner');
    const text = stackOf(new Error('outer', { cause: inner }));
    assert.match(text, /^Error: outer\n/);
    assert.match(text, /\ncaused by: RangeError: inner\n/);
  });

  it('shows a thrown non-Error as it is', () => {
    assert.equal(stackOf('just a string'), 'thrown: "just a string"');
    assert.equal(stackOf(42), 'thrown: 42');
  });
});

describe('createFramework: offers declined for a failed handler leave the resource manager pool', () => {
  it('a handler that put the offers in the pool and threw: they are declined and no longer held', async () => {
    let held: string[] = [];
    @EventController()
    class PoolsThenThrows {
      constructor(@inject(TOKENS.ResourceManager) private readonly rm: ResourceManager) {}
      @OnOffers() offers(offers: v1.Offer[]) {
        this.rm.onOffers(offers);
        held = offers.map((o) => o.id.value);
        throw new Error('bug after pooling');
      }
    }
    const logger = new MemoryLogger();
    const t = await createTestingFramework({ controllers: [PoolsThenThrows], simulator: { agents: 1 } })
      .overrideProvider(TOKENS.Logger)
      .useValue(logger)
      .compile();
    try {
      await t.framework.start();
      const deadline = Date.now() + 10_000;
      while (!logger.lines.some((l) => /a failed handler held/.test(l.message)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(held.length > 0);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message.startsWith(`declined ${held.length} offer(s) a failed handler held (${held.join(', ')})`)));
      const pool = t.framework.get<ResourceManager>(TOKENS.ResourceManager).pool;
      for (const id of held) assert.equal(pool.has(id), false, `${id} left the pool`);
    } finally {
      await t.close();
    }
  });
});
