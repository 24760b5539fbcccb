import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { StatusUpdateStream, type StatusUpdateRoute } from '../../src/simulator/status-update-stream.js';
import type { UpdateCarrier } from '../../src/simulator/event-outbox.js';
import type { v1 } from '../../src/protocol/generated/index.js';

/** A route recording every forward; `mode` says what the framework's outbox does with it. */
class FakeRoute implements StatusUpdateRoute {
  readonly retryMs = 10_000;
  readonly retryMaxMs = 600_000;
  retries = 0;
  readonly forwarded: Array<{ at: number; state: v1.TaskState }> = [];
  mode: 'write' | 'queue' | 'disconnected' = 'write';
  readonly queued: Array<{ carrier: UpdateCarrier; status: v1.TaskStatus }> = [];
  now = 0;

  forward(_fw: string, status: v1.TaskStatus, carrier: UpdateCarrier): boolean {
    if (this.mode === 'disconnected') return false;
    this.forwarded.push({ at: this.now, state: status.state });
    if (this.mode === 'write') carrier.written(status);
    else this.queued.push({ carrier, status });
    return true;
  }

  retried(): void {
    this.retries++;
  }

  delivered(): void {}
}

let seq = 0;
const status = (state: v1.TaskState): v1.TaskStatus => ({ task_id: { value: 't' }, state, uuid: Uint8Array.from([seq++, 1, 2, 3]) });

describe('simulated agent: status update retries (mocked clock)', () => {
  let route: FakeRoute;
  const tick = (ms: number) => {
    route.now += ms;
    mock.timers.tick(ms);
  };
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    route = new FakeRoute();
  });
  afterEach(() => mock.timers.reset());

  it('resends the unacknowledged head with exponential backoff from 10 s, capped at 10 min', () => {
    const stream = new StatusUpdateStream('fw', route);
    stream.push(status('TASK_STARTING'));
    // In 1 s steps, so each resend is stamped with the second it went out.
    for (let i = 0; i < 4_000; i++) tick(1_000);
    const times = route.forwarded.map((f) => f.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 10, 20, 40, 80, 160, 320, 600 (capped), 600...
    assert.deepEqual(gaps.slice(0, 7), [10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000]);
    assert.ok(gaps.slice(6).every((g) => g === 600_000), `capped at 10 min: ${gaps.join(',')}`);
    assert.equal(route.retries, gaps.length);
    stream.close();
  });

  it('only the head is pending: the next update goes out when the head is acknowledged, with the interval back at 10 s', () => {
    const stream = new StatusUpdateStream('fw', route);
    const starting = status('TASK_STARTING');
    stream.push(starting);
    stream.push(status('TASK_RUNNING'));
    tick(10_000);
    tick(20_000);
    assert.deepEqual(route.forwarded.map((f) => f.state), ['TASK_STARTING', 'TASK_STARTING', 'TASK_STARTING']);
    assert.equal(stream.acknowledge(Uint8Array.from([9, 9])), undefined, 'a uuid that is not the head changes nothing');
    assert.equal(stream.acknowledge(starting.uuid!), starting);
    assert.equal(route.forwarded.at(-1)!.state, 'TASK_RUNNING');
    const sentAt = route.now;
    tick(9_999);
    assert.equal(route.forwarded.length, 4);
    tick(1);
    assert.deepEqual(route.forwarded.slice(4).map((f) => [f.state, f.at - sentAt]), [['TASK_RUNNING', 10_000]]);
    stream.close();
  });

  it('is not resent on top of itself while its copy waits in the framework outbox; the retry timer starts once it is written', () => {
    route.mode = 'queue';
    const stream = new StatusUpdateStream('fw', route);
    const s = status('TASK_STARTING');
    stream.push(s);
    tick(3_600_000);
    assert.equal(route.forwarded.length, 1, 'one copy, however long it waits');
    stream.resend(); // the framework re-subscribed while it waited: the copy on the old connection is gone
    assert.equal(route.forwarded.length, 2);
    const { carrier, status: queued } = route.queued.at(-1)!;
    route.mode = 'write';
    carrier.written(queued);
    tick(9_999);
    assert.equal(route.forwarded.length, 2);
    tick(1);
    assert.equal(route.forwarded.length, 3, 'retried 10 s after it was written');
    assert.equal(stream.sent, 2);
    stream.close();
  });

  it('a held-back update goes out when the outbox has room, once', () => {
    route.mode = 'queue';
    const stream = new StatusUpdateStream('fw', route);
    stream.push(status('TASK_STARTING'));
    const { carrier } = route.queued[0]!;
    route.mode = 'write';
    carrier.room();
    carrier.room();
    assert.equal(route.forwarded.length, 2, 'the first copy was held back, the second went out');
    tick(10_000);
    assert.equal(route.forwarded.length, 3);
    stream.close();
  });

  it('keeps retrying while the framework is not connected', () => {
    route.mode = 'disconnected';
    const stream = new StatusUpdateStream('fw', route);
    stream.push(status('TASK_STARTING'));
    route.mode = 'write';
    tick(10_000);
    assert.equal(route.forwarded.length, 1);
    tick(20_000);
    assert.equal(route.forwarded.length, 2);
    stream.close();
  });
});
