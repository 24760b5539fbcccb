import type { v1 } from '../protocol/generated/index.js';
import type { UpdateCarrier } from './event-outbox.js';

/** @internal What every task's status update stream shares: where updates go, the retry intervals, the counters. */
export interface StatusUpdateRoute {
  /** Sends the update towards the framework; false when the framework is not connected. */
  forward(frameworkId: string, status: v1.TaskStatus, carrier: UpdateCarrier): boolean;
  /** First retry interval, ms (Mesos: `STATUS_UPDATE_RETRY_INTERVAL_MIN`, 10 s). */
  readonly retryMs: number;
  /** Cap of the retry interval, ms (Mesos: `STATUS_UPDATE_RETRY_INTERVAL_MAX`, 10 min). */
  readonly retryMaxMs: number;
  /** Counts the retries (an update forwarded again because its retry timer fired). */
  retried(): void;
  /** Counts an update written to the framework's connection (any copy). */
  delivered(): void;
}

/**
 * The agent-side status update stream of one task, as a Mesos 1.11 agent's status update manager
 * keeps it: updates are forwarded oldest first, one at a time; only the head is pending, and it is
 * resent with bounded exponential backoff (10 s, 20 s, 40 s... up to 10 min) until the scheduler
 * acknowledges it; then the next one goes out, its interval back at the minimum.
 *
 * Unlike a real agent, which cannot see the master's per-connection queue, the stream knows when
 * its update is still waiting in the framework's event outbox: a retry that falls due then is not
 * sent on top of the waiting copy, and the retry timer starts only once the update has been
 * written to the framework's connection.
 */
export class StatusUpdateStream implements UpdateCarrier {
  private readonly queue: v1.TaskStatus[] = [];
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  /** The head, while a copy of it is in the framework's outbox (or held back there) and not yet written. */
  private outstanding: v1.TaskStatus | undefined;
  /** Updates written to the framework's connection (first sends and retries). */
  sent = 0;

  constructor(
    private readonly frameworkId: string,
    private readonly route: StatusUpdateRoute,
  ) {
    this.interval = route.retryMs;
  }

  get pending(): readonly v1.TaskStatus[] {
    return this.queue;
  }

  push(status: v1.TaskStatus): void {
    this.queue.push(status);
    if (this.queue.length === 1) this.sendHead(true, false);
  }

  /** Handles an ACKNOWLEDGE; returns the acknowledged status or undefined if the uuid is not the head's. */
  acknowledge(uuid: Uint8Array): v1.TaskStatus | undefined {
    const head = this.queue[0];
    if (!head?.uuid || Buffer.compare(head.uuid, uuid) !== 0) return undefined;
    this.queue.shift();
    clearTimeout(this.timer);
    this.timer = undefined;
    // A copy still waiting in the outbox goes out as a duplicate (the framework acknowledges it in vain, as after a retry).
    this.outstanding = undefined;
    if (this.queue.length > 0) this.sendHead(true, false);
    return head;
  }

  /** Sends the head again at once (the framework re-subscribed: whatever waited on its old connection is gone). */
  resend(): void {
    this.outstanding = undefined;
    if (this.queue.length > 0) this.sendHead(true, false);
  }

  /** @internal {@link UpdateCarrier}: the head reached the framework's connection; the retry timer starts. */
  written(status: v1.TaskStatus): void {
    this.route.delivered();
    const head = this.queue[0];
    if (!head || this.outstanding !== head || status.uuid !== head.uuid) return;
    this.outstanding = undefined;
    this.sent++;
    this.arm();
  }

  /** @internal {@link UpdateCarrier}: the outbox has room again for the head it held back. */
  room(): void {
    const head = this.queue[0];
    if (!head || this.outstanding !== head) return;
    this.outstanding = undefined;
    this.sendHead(false, false);
  }

  private sendHead(fresh: boolean, retry: boolean): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const head = this.queue[0];
    if (!head) return;
    if (fresh) this.interval = this.route.retryMs;
    if (this.outstanding === head) return;
    this.outstanding = head;
    if (retry) this.route.retried();
    if (!this.route.forward(this.frameworkId, head, this)) {
      // Not connected: the agent keeps retrying, as it would towards a master that drops the update.
      this.outstanding = undefined;
      this.arm();
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(retryDue, this.interval, this);
    this.timer.unref();
  }

  /** @internal the retry timer fired: the interval doubles (bounded) and the head goes out again. */
  retryDue(): void {
    this.timer = undefined;
    this.interval = Math.min(this.interval * 2, this.route.retryMaxMs);
    this.sendHead(false, true);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.outstanding = undefined;
    this.queue.length = 0;
  }
}

function retryDue(stream: StatusUpdateStream): void {
  stream.retryDue();
}
