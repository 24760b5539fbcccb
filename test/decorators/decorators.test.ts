import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventController, OnEvent, OnHeartbeat, OnOffer, OnOffers, OnUpdate, OnError, MetadataAccessor,
} from '../../src/decorators/index.js';
import { EventDispatcher } from '../../src/discovery/event-dispatcher.js';
import type { ControllerEvent } from '../../src/decorators/events.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { Scheduler, EventHandler, LifecycleEvent } from '../../src/scheduler/scheduler.interface.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import { ConfigurationError, MesosSdkError } from '../../src/errors/index.js';

/** A scheduler stand-in that records acknowledgements and lets the test push events. */
function fakeScheduler() {
  const acks: string[] = [];
  let handler: EventHandler = async () => {};
  const listeners: Array<(e: LifecycleEvent) => void> = [];
  const s = {
    acks,
    push: (e: Parameters<EventHandler>[0]) => handler(e),
    emit: (e: LifecycleEvent) => listeners.forEach((l) => l(e)),
    setEventHandler: (h: EventHandler) => void (handler = h),
    onLifecycle: (l: (e: LifecycleEvent) => void) => {
      listeners.push(l);
      return () => {};
    },
    acknowledge: async (_a: v1.AgentID, t: v1.TaskID) => void acks.push(t.value),
  };
  return s as typeof s & Scheduler;
}

const offer = (id: string): v1.Offer => ({ id: { value: id }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, hostname: 'h' });

describe('decorators', () => {
  it('record stacked handlers in declaration order', () => {
    @EventController({ order: 2 })
    class C {
      @OnUpdate() @OnEvent('HEARTBEAT') a() {}
      @OnUpdate() b() {}
    }
    assert.deepEqual(MetadataAccessor.controller(C), { order: 2 });
    assert.deepEqual(MetadataAccessor.handlers(C).map((h) => `${h.event}:${String(h.method)}`), ['HEARTBEAT:a', 'UPDATE:a', 'UPDATE:b']);
  });

  it('fail at once on a property', () => {
    assert.throws(() => {
      class C {
        value = 1;
      }
      OnUpdate()(C.prototype, 'value', undefined as unknown as PropertyDescriptor);
    }, (err: unknown) => err instanceof ConfigurationError && err.code === 'ERR_DECORATOR_NOT_A_METHOD' && /instance method/.test(err.message));
  });

  it('fail at once on a static method', () => {
    assert.throws(() => {
      class C {
        @OnHeartbeat() static tick() {}
      }
      void C;
    }, { code: 'ERR_DECORATOR_NOT_A_METHOD' });
  });

  it('fail at once when @EventController is applied twice', () => {
    assert.throws(() => {
      @EventController()
      @EventController()
      class C {}
      void C;
    }, { code: 'ERR_DECORATOR_DUPLICATE_CONTROLLER' });
  });

  it('fail at once with ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS when called as standard (TC39) decorators', () => {
    const needsOptions = (err: unknown) =>
      err instanceof ConfigurationError && err.code === 'ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS' &&
      err.message.includes('"experimentalDecorators": true and "emitDecoratorMetadata": true');
    // The call shapes a standard-decorators build makes: (value, context).
    const method = OnUpdate() as unknown as (value: unknown, context: object) => void;
    assert.throws(() => method(function update() {}, { kind: 'method', name: 'update', static: false, private: false }), (err: unknown) => needsOptions(err) && /@OnUpdate\(\) on method update/.test((err as Error).message));
    const cls = EventController() as unknown as (value: unknown, context: object) => void;
    assert.throws(() => cls(class Handlers {}, { kind: 'class', name: 'Handlers' }), (err: unknown) => needsOptions(err) && /@EventController\(\) on class Handlers/.test((err as Error).message));
  });

  it('fail at once on an unknown event name', () => {
    assert.throws(() => {
      class C {
        @OnEvent('OFFERZ' as ControllerEvent) m() {}
      }
      void C;
    }, (err: unknown) => err instanceof ConfigurationError && err.code === 'ERR_DECORATOR_UNKNOWN_EVENT' && /use one of/.test(err.message));
  });
});

describe('EventDispatcher', () => {
  it('runs every handler of an event, controllers by order then registration, and OnOffer once per offer', async () => {
    const calls: string[] = [];
    @EventController({ order: 1 })
    class Second {
      @OnOffers() batch(offers: v1.Offer[]) { calls.push(`second.batch:${offers.length}`); }
    }
    @EventController()
    class First {
      @OnOffers() batch(offers: v1.Offer[]) { calls.push(`first.batch:${offers.length}`); }
      @OnOffer() one(o: v1.Offer) { calls.push(`first.one:${o.id.value}`); }
    }
    const s = fakeScheduler();
    const d = new EventDispatcher(s, new MemoryLogger());
    d.register([new Second(), new First()]);
    d.attach();
    await s.push({ type: 'OFFERS', offers: { offers: [offer('o1'), offer('o2')] } });
    assert.deepEqual(calls, ['first.batch:2', 'second.batch:2', 'first.one:o1', 'first.one:o2']);
  });

  it('reports a failing handler to @OnError, still runs the others, and still acknowledges', async () => {
    const seen: string[] = [];
    @EventController()
    class C {
      @OnUpdate() fails() { throw new Error('boom'); }
      @OnUpdate() works(s: v1.TaskStatus) { seen.push(s.state); }
      @OnError() err(e: MesosSdkError) { seen.push(e.code); }
    }
    const s = fakeScheduler();
    const logger = new MemoryLogger();
    const d = new EventDispatcher(s, logger);
    d.register([new C()]);
    d.attach();
    await s.push({ type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', agent_id: { value: 'a' }, uuid: new Uint8Array(16) } } });
    assert.deepEqual(seen, ['ERR_HANDLER_FAILED', 'TASK_RUNNING']);
    assert.deepEqual(s.acks, ['t1']);
    assert.ok(logger.lines.some((l) => l.level === 'error' && /C.fails failed on UPDATE: boom/.test(l.message)));
  });

  it('does not acknowledge updates without a uuid, nor when auto-acknowledge is off', async () => {
    const s = fakeScheduler();
    const d = new EventDispatcher(s, new MemoryLogger());
    d.attach();
    await s.push({ type: 'UPDATE', update: { status: { task_id: { value: 'm' }, state: 'TASK_LOST', source: 'SOURCE_MASTER' } } });
    const s2 = fakeScheduler();
    new EventDispatcher(s2, new MemoryLogger(), { autoAcknowledge: false }).attach();
    await s2.push({ type: 'UPDATE', update: { status: { task_id: { value: 'x' }, state: 'TASK_RUNNING', agent_id: { value: 'a' }, uuid: new Uint8Array(16) } } });
    assert.deepEqual(s.acks, []);
    assert.deepEqual(s2.acks, []);
  });

  it('turns ERROR events into typed errors, or passes them raw when that rule is off', async () => {
    const got: unknown[] = [];
    @EventController()
    class C {
      @OnError() e(x: unknown) { got.push(x); }
    }
    for (const errorEventsAsErrors of [true, false]) {
      const s = fakeScheduler();
      const d = new EventDispatcher(s, new MemoryLogger(), { errorEventsAsErrors });
      d.register([new C()]);
      d.attach();
      await s.push({ type: 'ERROR', error: { message: 'Framework failed over' } });
    }
    assert.ok(got[0] instanceof MesosSdkError && (got[0] as MesosSdkError).code === 'ERR_MESOS_ERROR_EVENT');
    assert.deepEqual(got[1], { message: 'Framework failed over' });
  });

  it('handles events one at a time', async () => {
    let inFlight = 0;
    let max = 0;
    @EventController()
    class Slow {
      @OnHeartbeat() async beat() {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      }
    }
    const s = fakeScheduler();
    const d = new EventDispatcher(s, new MemoryLogger());
    d.register([new Slow()]);
    d.attach();
    await Promise.all(Array.from({ length: 5 }, () => s.push({ type: 'HEARTBEAT' })));
    assert.equal(max, 1);
  });
});
