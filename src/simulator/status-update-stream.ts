import type { v1 } from '../protocol/generated/index.js';

/**
 * The agent-side status update stream of one task: updates are forwarded oldest first, one at a
 * time; the head is retried with doubling intervals until the scheduler acknowledges it, then the
 * next one goes out (the agent's status update manager does the same).
 */
export class StatusUpdateStream {
  private readonly queue: v1.TaskStatus[] = [];
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  /** Updates forwarded (first sends and retries). */
  sent = 0;

  constructor(
    private readonly forward: (status: v1.TaskStatus) => boolean,
    private readonly retryMs: number,
    private readonly retryMaxMs: number,
  ) {
    this.interval = retryMs;
  }

  get pending(): readonly v1.TaskStatus[] {
    return this.queue;
  }

  push(status: v1.TaskStatus): void {
    this.queue.push(status);
    if (this.queue.length === 1) this.sendHead(true);
  }

  /** Handles an ACKNOWLEDGE; returns the acknowledged status or undefined if the uuid is not the head's. */
  acknowledge(uuid: Uint8Array): v1.TaskStatus | undefined {
    const head = this.queue[0];
    if (!head?.uuid || Buffer.compare(Buffer.from(head.uuid), Buffer.from(uuid)) !== 0) return undefined;
    this.queue.shift();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.interval = this.retryMs;
    if (this.queue.length > 0) this.sendHead(true);
    return head;
  }

  /** Sends the head again at once (the framework re-subscribed). */
  resend(): void {
    if (this.queue.length > 0) this.sendHead(true);
  }

  private sendHead(fresh: boolean): void {
    clearTimeout(this.timer);
    const head = this.queue[0];
    if (!head) return;
    if (fresh) this.interval = this.retryMs;
    if (this.forward(head)) this.sent++;
    this.timer = setTimeout(() => {
      this.interval = Math.min(this.interval * 2, this.retryMaxMs);
      this.sendHead(false);
    }, this.interval);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}
