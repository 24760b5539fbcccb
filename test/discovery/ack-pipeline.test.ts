// Issue 17: acknowledgements are pipelined: sent after the update's handlers ran, in the background,
// with bounded concurrency and in order per task, while the next events are handled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDispatcher, MAX_PENDING_ACKS, type DispatcherOptions } from '../../src/discovery/event-dispatcher.js';
import { CallPipeline } from '../../src/discovery/call-pipeline.js';
import { EventController, OnUpdate } from '../../src/decorators/event-controller.decorator.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { currentCorrelationId } from '../../src/logging/correlation.js';
import { StorageError, SubscriptionError, ValidationError } from '../../src/errors/index.js';
import { HaErrorCodes } from '../../src/ha/leader-election.interface.js';
import type { EventHandler, LifecycleEvent, Scheduler, SubscriptionState } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';

interface PendingAck {
  key: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A scheduler whose ACKNOWLEDGE calls block until the test settles them (or settle at once with `instant`). */
function blockingScheduler(instant = false) {
  let handler: EventHandler = async () => {};
  const started: string[] = [];
  const done: string[] = [];
  const inFlight: PendingAck[] = [];
  let maxInFlight = 0;
  const s = {
    state: 'subscribed' as SubscriptionState,
    setEventHandler: (h: EventHandler) => void (handler = h),
    onLifecycle: () => () => {},
    acknowledge: (_agent: v1.AgentID, task: v1.TaskID, uuid: Uint8Array) => {
      const key = `${task.value}:${uuid[0]}`;
      started.push(key);
      if (instant) {
        done.push(key);
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const entry: PendingAck = {
          key,
          resolve: () => {
            inFlight.splice(inFlight.indexOf(entry), 1);
            done.push(key);
            resolve();
          },
          reject: (err) => {
            inFlight.splice(inFlight.indexOf(entry), 1);
            reject(err);
          },
        };
        inFlight.push(entry);
        maxInFlight = Math.max(maxInFlight, inFlight.length);
      });
    },
  };
  return {
    s: s as typeof s & Scheduler,
    started,
    done,
    inFlight,
    get maxInFlight() {
      return maxInFlight;
    },
    push: (e: scheduler.Event) => handler(e),
    /** Settles the in-flight ACKNOWLEDGE of `key`. */
    release(key: string, err?: Error) {
      const a = inFlight.find((x) => x.key === key);
      assert.ok(a, `no ACKNOWLEDGE of ${key} in flight (in flight: ${inFlight.map((x) => x.key).join(', ')})`);
      if (err) a.reject(err);
      else a.resolve();
    },
  };
}

/** An UPDATE of `task`; `n` is the first uuid byte, so that acks of one task can be told apart. */
const update = (task: string, n = 1, state: v1.TaskState = 'TASK_RUNNING'): scheduler.Event => ({
  type: 'UPDATE',
  update: { status: { task_id: { value: task }, state, uuid: new Uint8Array([n, 2, 3]), agent_id: { value: 'a1' } } },
});

const tick = () => new Promise<void>((r) => setImmediate(r));
/** Resolves with `p`, or fails the test when it has not settled within 2 s (it should settle at once). */
async function settlesSoon<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle`)), 2000)))]);
  } finally {
    clearTimeout(timer);
  }
}
/** True when `p` is still pending after a few turns of the event loop. */
async function stillPending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await tick();
  return !settled;
}

function setUp(controllers: object[], options: DispatcherOptions = {}, instant = false) {
  const sched = blockingScheduler(instant);
  const logger = new MemoryLogger();
  const d = new EventDispatcher(sched.s, logger, options);
  d.register(controllers);
  d.attach();
  return Object.assign(sched, { d, logger });
}

describe('EventDispatcher: pipelined acknowledgements', () => {
  it('sends the ACKNOWLEDGE after every handler of the update ran (including an async one), not before', async () => {
    const log: string[] = [];
    let finish: () => void = () => {};
    @EventController()
    class Slow {
      @OnUpdate() async u(status: v1.TaskStatus) {
        log.push(`handler ${status.task_id.value} started`);
        await new Promise<void>((r) => (finish = r));
        log.push(`handler ${status.task_id.value} done`);
      }
    }
    @EventController()
    class Second {
      @OnUpdate() u(status: v1.TaskStatus) {
        log.push(`second ${status.task_id.value}`);
      }
    }
    const t = setUp([new Slow(), new Second()]);
    const handled = t.push(update('t1'));
    await tick();
    assert.deepEqual(t.started, [], 'no ACKNOWLEDGE while a handler is still running');
    finish();
    await settlesSoon(handled, 'dispatch');
    assert.deepEqual(log, ['handler t1 started', 'handler t1 done', 'second t1']);
    assert.deepEqual(t.started, ['t1:1']);
  });

  it("handles the next event while an ACKNOWLEDGE is still in flight (the queue does not wait for the master's answer)", async () => {
    const seen: string[] = [];
    @EventController()
    class Rec {
      @OnUpdate() u(status: v1.TaskStatus) {
        seen.push(status.task_id.value);
      }
    }
    const t = setUp([new Rec()]);
    await settlesSoon(t.push(update('t1')), 'the first UPDATE');
    await settlesSoon(t.push(update('t2')), 'the second UPDATE');
    assert.deepEqual(seen, ['t1', 't2']);
    assert.deepEqual(t.started, ['t1:1', 't2:1']);
    assert.deepEqual(t.done, [], 'both ACKNOWLEDGEs are still unanswered');
    assert.equal(t.d.pendingAcknowledgements, 2);
    t.release('t1:1');
    t.release('t2:1');
    await settlesSoon(t.d.drain(), 'drain');
    assert.equal(t.d.pendingAcknowledgements, 0);
  });

  it('keeps the order per task: the next ACKNOWLEDGE of a task starts only once the previous one settled; other tasks do not wait', async () => {
    const t = setUp([]);
    await t.push(update('t1', 1, 'TASK_STARTING'));
    await t.push(update('t1', 2, 'TASK_RUNNING'));
    await t.push(update('t2', 1));
    await t.push(update('t1', 3, 'TASK_FINISHED'));
    assert.deepEqual(t.started, ['t1:1', 't2:1']);
    t.release('t2:1');
    await tick();
    assert.deepEqual(t.started, ['t1:1', 't2:1'], 't1 still waits for its first ACKNOWLEDGE');
    t.release('t1:1');
    await tick();
    assert.deepEqual(t.started, ['t1:1', 't2:1', 't1:2']);
    // A failed ACKNOWLEDGE also lets the next one of its task go.
    t.release('t1:2', new Error('503'));
    await tick();
    assert.deepEqual(t.started, ['t1:1', 't2:1', 't1:2', 't1:3']);
    t.release('t1:3');
    await settlesSoon(t.d.drain(), 'drain');
    assert.deepEqual(t.done, ['t2:1', 't1:1', 't1:3']);
  });

  it('never has more than ackConcurrency ACKNOWLEDGEs in flight; each settled one lets the next go', async () => {
    const t = setUp([], { ackConcurrency: 3 });
    for (let i = 0; i < 10; i++) await settlesSoon(t.push(update(`t${i}`)), `UPDATE ${i}`);
    assert.equal(t.inFlight.length, 3);
    assert.deepEqual(t.started, ['t0:1', 't1:1', 't2:1']);
    assert.equal(t.d.pendingAcknowledgements, 10);
    t.release('t1:1');
    await tick();
    assert.deepEqual(t.started, ['t0:1', 't1:1', 't2:1', 't3:1'], 'the oldest waiting one goes next');
    while (t.inFlight.length) {
      t.inFlight[0]!.resolve();
      await tick();
    }
    await settlesSoon(t.d.drain(), 'drain');
    assert.equal(t.maxInFlight, 3);
    assert.equal(t.done.length, 10);
    assert.deepEqual([...t.started].sort(), Array.from({ length: 10 }, (_, i) => `t${i}:1`).sort());
  });

  it('defaults to 32 in flight', async () => {
    const t = setUp([]);
    for (let i = 0; i < 40; i++) await t.push(update(`t${i}`));
    assert.equal(t.inFlight.length, 32);
    while (t.inFlight.length) {
      t.inFlight[0]!.resolve();
      await tick();
    }
    await t.d.drain();
    assert.equal(t.done.length, 40);
  });

  it('still holds back the acknowledgement of an update whose handler failed with a retryable or fenced error, and acknowledges the next ones', async () => {
    let fail: unknown;
    @EventController()
    class Store {
      @OnUpdate() u() {
        const f = fail;
        fail = undefined;
        if (f) throw f;
      }
    }
    const t = setUp([new Store()], {}, true);
    fail = new StorageError('ERR_STORAGE_IO', 'disk gone', { retryable: true });
    await t.push(update('retryable'));
    fail = new StorageError(HaErrorCodes.FENCED, 'election key gone', { retryable: false });
    await t.push(update('fenced'));
    fail = new TypeError('a bug');
    await t.push(update('bug'));
    await t.push(update('fine'));
    await t.d.drain();
    assert.deepEqual(t.started, ['bug:1', 'fine:1']);
    assert.equal(t.logger.lines.filter((l) => /left unacknowledged/.test(l.message)).length, 2);
  });

  it('logs a failed ACKNOWLEDGE (the agent resends the update) and goes on: the later updates are handled and acknowledged', async () => {
    const seen: string[] = [];
    @EventController()
    class Rec {
      @OnUpdate() u(status: v1.TaskStatus) {
        seen.push(status.task_id.value);
      }
    }
    const t = setUp([new Rec()]);
    await t.push(update('t1'));
    await t.push(update('t2'));
    t.release('t1:1', new Error('connect ECONNREFUSED'));
    t.release('t2:1');
    await t.push(update('t3'));
    t.release('t3:1');
    await settlesSoon(t.d.drain(), 'drain');
    assert.deepEqual(seen, ['t1', 't2', 't3']);
    assert.deepEqual(t.done, ['t2:1', 't3:1']);
    const warns = t.logger.lines.filter((l) => l.level === 'warn' && /could not acknowledge the TASK_RUNNING update of t1; the agent will resend it: connect ECONNREFUSED/.test(l.message));
    assert.equal(warns.length, 1);
    assert.equal(t.d.failures, 0, 'an ACKNOWLEDGE failure is not a handler failure');
  });

  it("a failed ACKNOWLEDGE started after another one settled is logged with its own update's correlation id", async () => {
    const ids: Array<string | undefined> = [];
    class IdLogger extends MemoryLogger {
      override warn(message: string, ...args: unknown[]): void {
        ids.push(currentCorrelationId());
        super.warn(message, ...args);
      }
    }
    const sched = blockingScheduler();
    const d = new EventDispatcher(sched.s, new IdLogger(), { ackConcurrency: 1 });
    d.attach();
    await sched.push(update('t1'));
    await sched.push(update('t2'));
    sched.release('t1:1', new Error('503'));
    await tick();
    sched.release('t2:1', new Error('503'));
    await d.drain();
    assert.deepEqual(ids, ['update-1', 'update-2']);
  });

  it('drain() resolves only once every update was handled and its ACKNOWLEDGE settled', async () => {
    const t = setUp([]);
    await t.push(update('t1'));
    await t.push(update('t1', 2));
    const drained = t.d.drain();
    assert.equal(await stillPending(drained), true, 'an ACKNOWLEDGE is in flight');
    t.release('t1:1');
    assert.equal(await stillPending(drained), true, "the task's second ACKNOWLEDGE is in flight now");
    t.release('t1:2', new Error('gone'));
    await settlesSoon(drained, 'drain');
  });

  it('an ACKNOWLEDGE whose turn comes once the subscription is over is dropped (counted, not sent); the agent resends the update', async () => {
    const t = setUp([], { ackConcurrency: 1 });
    await t.push(update('t1'));
    await t.push(update('t2'));
    t.s.state = 'subscribing';
    t.release('t1:1');
    await settlesSoon(t.d.drain(), 'drain');
    assert.deepEqual(t.started, ['t1:1']);
    assert.equal(t.d.droppedAcknowledgements, 1);
    assert.ok(t.logger.lines.some((l) => l.level === 'debug' && /TASK_RUNNING update of t2 is not acknowledged: the subscription ended \(subscribing\)/.test(l.message)));
    // Subscribed again: acknowledgements go out on the new subscription.
    t.s.state = 'subscribed';
    await t.push(update('t3'));
    t.release('t3:1');
    await t.d.drain();
    assert.deepEqual(t.done, ['t1:1', 't3:1']);
  });

  it(`makes the event queue wait once ${MAX_PENDING_ACKS} acknowledgements are pending (backpressure, no unbounded pile)`, async () => {
    const t = setUp([], { ackConcurrency: 1 });
    for (let i = 1; i < MAX_PENDING_ACKS; i++) await t.push(update(`t${i}`));
    const last = t.push(update('last'));
    assert.equal(await stillPending(last), true, `the ${MAX_PENDING_ACKS}th pending acknowledgement holds the queue`);
    t.release('t1:1');
    await settlesSoon(last, 'the UPDATE once there is room');
    assert.equal(t.d.pendingAcknowledgements, MAX_PENDING_ACKS - 1);
    while (t.inFlight.length) {
      t.inFlight[0]!.resolve();
      await tick();
    }
    await t.d.drain();
    assert.equal(t.done.length, MAX_PENDING_ACKS);
  });

  it('flush(ms) (what stop() runs): waits for the pending acknowledgements, and after ms drops those not started (counted, logged); those in flight go on', async () => {
    const t = setUp([], { ackConcurrency: 2 });
    await t.push(update('t1'));
    await t.push(update('t2'));
    const quick = t.d.flush(10_000);
    t.release('t1:1');
    t.release('t2:1');
    assert.equal(await settlesSoon(quick, 'flush'), 0, 'all answered in time: nothing dropped');
    await t.push(update('t3'));
    await t.push(update('t3', 2)); // waits behind t3:1 (same task)
    await t.push(update('t4'));
    await t.push(update('t5'));
    assert.deepEqual(t.started.slice(2), ['t3:1', 't4:1']);
    assert.equal(await settlesSoon(t.d.flush(30), 'flush'), 2, 't3:2 and t5 never started');
    assert.equal(t.d.droppedAcknowledgements, 2);
    assert.equal(t.d.pendingAcknowledgements, 2, 'the two in flight');
    assert.ok(t.logger.lines.some((l) => l.level === 'info' && /2 acknowledgement\(s\) not sent: the master did not take them within 30 ms of stop\(\)/.test(l.message)));
    t.release('t3:1');
    t.release('t4:1');
    await settlesSoon(t.d.drain(), 'drain');
    assert.deepEqual(t.started.slice(2), ['t3:1', 't4:1'], 'nothing dropped is sent later');
  });

  it('flush(ms) keeps its deadline when the queue itself waits for room behind an ACKNOWLEDGE that never settles', async () => {
    const t = setUp([], { ackConcurrency: 1 });
    for (let i = 1; i < MAX_PENDING_ACKS; i++) await t.push(update(`t${i}`));
    const last = t.push(update('last'));
    assert.equal(await stillPending(last), true, 'the queue waits for room');
    // t1's ACKNOWLEDGE never settles: before, flush() awaited the queue first and so never ended.
    assert.equal(await settlesSoon(t.d.flush(30), 'flush'), MAX_PENDING_ACKS - 1, 'every ACKNOWLEDGE not started is dropped');
    await settlesSoon(last, 'the UPDATE that waited for room');
    assert.deepEqual(t.started, ['t1:1'], 'nothing dropped was sent');
    t.release('t1:1');
    await settlesSoon(t.d.drain(), 'drain');
  });

  it('a subscription that ends lets the queue waiting for room go on: the next events are handled while the old ACKNOWLEDGEs hang', async () => {
    const t = blockingScheduler();
    const listeners: Array<(e: LifecycleEvent) => void> = [];
    (t.s as { onLifecycle: Scheduler['onLifecycle'] }).onLifecycle = (l) => {
      listeners.push(l);
      return () => {};
    };
    const d = new EventDispatcher(t.s, new MemoryLogger(), { ackConcurrency: 1 });
    d.attach();
    for (let i = 1; i < MAX_PENDING_ACKS; i++) await t.push(update(`t${i}`));
    const last = t.push(update('last'));
    assert.equal(await stillPending(last), true, 'the queue waits for room');
    t.s.state = 'disconnected';
    for (const l of listeners) l({ type: 'disconnected', error: new SubscriptionError('ERR_STREAM_ENDED', 'the master closed the subscription stream') });
    await settlesSoon(last, 'the UPDATE that waited for room');
    await settlesSoon(t.push({ type: 'HEARTBEAT' }), "the next subscription's first event");
    t.release('t1:1');
    await settlesSoon(d.drain(), 'drain (the ACKNOWLEDGEs whose turn comes while disconnected are dropped)');
    assert.deepEqual(t.started, ['t1:1']);
  });

  it('awaitAcknowledgements: true keeps the previous behaviour: the queue waits for each ACKNOWLEDGE', async () => {
    const t = setUp([], { awaitAcknowledgements: true });
    const first = t.push(update('t1'));
    assert.equal(await stillPending(first), true);
    assert.deepEqual(t.started, ['t1:1']);
    t.release('t1:1');
    await settlesSoon(first, 'the UPDATE once acknowledged');
  });

  for (const bad of [0, -1, 1.5, Number.NaN, MAX_PENDING_ACKS + 1, '8' as unknown as number]) {
    it(`rejects ackConcurrency ${JSON.stringify(bad)} with ERR_DISPATCHER_OPTIONS_INVALID`, () => {
      assert.throws(
        () => new EventDispatcher(blockingScheduler().s, new MemoryLogger(), { ackConcurrency: bad }),
        (err: unknown) => err instanceof ValidationError && err.code === 'ERR_DISPATCHER_OPTIONS_INVALID' && /ackConcurrency must be an integer from 1 to 1024/.test(err.message) && err.problems[0]?.path === 'dispatcher.ackConcurrency',
      );
    });
  }
});

describe('CallPipeline', () => {
  it('reports a call that threw synchronously and goes on', async () => {
    const errors: unknown[] = [];
    const p = new CallPipeline(2, 10, (e) => errors.push(e));
    const ran: string[] = [];
    p.submit('a', () => {
      throw new Error('sync');
    });
    p.submit('a', async () => void ran.push('a2'));
    await p.idle();
    assert.deepEqual(ran, ['a2']);
    assert.equal((errors[0] as Error).message, 'sync');
    assert.equal(p.pending, 0);
  });
});
