/**
 * Calls sent in the background with bounded concurrency, in order per key: at most `concurrency`
 * calls are in flight at once, and a call waits for the one before it with the same key (the
 * acknowledgements of one task go out in the order the updates were handled). The dispatcher
 * hands its acknowledgements here so that the next event is handled while they travel.
 */
interface Job {
  run: () => Promise<void>;
  onDrop?: () => void;
}

export class CallPipeline {
  private active = 0;
  private pendingCount = 0;
  /** Keys with a call in flight or waiting, each with the calls still to start (the first may be running). */
  private readonly byKey = new Map<string, Job[]>();
  /** Keys whose first call is in flight. */
  private readonly running = new Set<string>();
  /** Calls ready to start (no earlier call of their key is pending), oldest first. */
  private ready: Array<{ key: string; job: Job }> = [];
  private readyHead = 0;
  private idleWaiters: Array<() => void> = [];
  private roomWaiters: Array<() => void> = [];

  /**
   * @param concurrency - calls in flight at most.
   * @param backlog - calls pending (in flight or waiting) above which {@link room} waits.
   * @param onError - what a call that rejected is reported to (it is not retried).
   */
  constructor(
    readonly concurrency: number,
    readonly backlog: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Calls submitted and not yet settled (in flight or waiting). */
  get pending(): number {
    return this.pendingCount;
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Queues a call; it starts at once when a slot is free and no earlier call of `key` is pending.
   * `onDrop` is called instead of `run` if {@link dropWaiting} drops it before it started.
   */
  submit(key: string, run: () => Promise<void>, onDrop?: () => void): void {
    this.pendingCount++;
    const job: Job = { run, ...(onDrop ? { onDrop } : {}) };
    const waiting = this.byKey.get(key);
    if (waiting) {
      waiting.push(job);
      return;
    }
    this.byKey.set(key, [job]);
    this.ready.push({ key, job });
    this.pump();
  }

  /**
   * Drops every call not started yet (their `onDrop` is called); the calls in flight go on.
   * Returns how many were dropped.
   */
  dropWaiting(): number {
    let dropped = 0;
    for (const [key, jobs] of this.byKey) {
      const keep = this.running.has(key) ? 1 : 0;
      for (const job of jobs.splice(keep)) {
        dropped++;
        job.onDrop?.();
      }
      if (jobs.length === 0) this.byKey.delete(key);
    }
    this.ready = [];
    this.readyHead = 0;
    this.pendingCount -= dropped;
    this.wakeWaiters();
    return dropped;
  }

  /** Resolves once no call is pending. */
  idle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Resolves once fewer than `backlog` calls are pending (at once when that is so already). */
  room(): Promise<void> | undefined {
    if (this.pendingCount < this.backlog) return undefined;
    return new Promise((r) => this.roomWaiters.push(r));
  }

  /**
   * Lets whoever waits in {@link room} go on now, however many calls are pending (once: later
   * calls to `room()` wait again). For when the calls pending can no longer matter, as when the
   * subscription they were made for ended.
   */
  releaseRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.readyHead < this.ready.length) {
      const { key, job } = this.ready[this.readyHead++]!;
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
      this.active++;
      this.running.add(key);
      let started: Promise<void>;
      try {
        started = job.run();
      } catch (err) {
        started = Promise.reject(err);
      }
      started.then(
        () => this.settle(key),
        (err: unknown) => {
          this.onError(err);
          this.settle(key);
        },
      );
    }
  }

  private settle(key: string): void {
    this.active--;
    this.pendingCount--;
    this.running.delete(key);
    const waiting = this.byKey.get(key)!;
    waiting.shift();
    if (waiting.length > 0) this.ready.push({ key, job: waiting[0]! });
    else this.byKey.delete(key);
    this.pump();
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.pendingCount < this.backlog && this.roomWaiters.length) {
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of waiters) w();
    }
    if (this.pendingCount === 0 && this.idleWaiters.length) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
