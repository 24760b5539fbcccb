import { setMaxListeners } from 'node:events';
import { inject, injectable } from 'inversify';
import type { scheduler, v1 } from '../protocol/generated/index.js';
import { TOKENS } from '../tokens.js';
import { ApiError, ConfigurationError, ConnectionError, MesosSdkError, NotSubscribedError, SubscriptionError } from '../errors/index.js';
import { ErrorCodes } from '../errors/codes.js';
import { backoffDelay, type MesosHttpClient, type Subscription } from '../client/http-client.js';
import type { ClientLogger } from '../client/client-options.js';
import { ClientErrorCodes } from '../client/client-error-codes.js';
import { Calls } from './call-builders.js';
import { SchedulerErrorCodes } from './scheduler-error-codes.js';
import type { SchedulerEventHandler, LifecycleEvent, Scheduler, SchedulerObserver, SubscriptionState } from './scheduler.interface.js';
import type { SchedulerEvent } from './scheduler-event.js';

/** Options of {@link MesosScheduler}. */
export interface SchedulerOptions {
  /** The framework to register. Set `id` to fail over to an existing framework. */
  frameworkInfo: v1.FrameworkInfo;
  /** Roles to subscribe suppressed. */
  suppressedRoles?: string[];
  /** Offer constraints sent in SUBSCRIBE (attribute filters on the agents whose offers it gets). */
  offerConstraints?: scheduler.OfferConstraints;
  /** Heartbeat intervals without any event after which the connection is declared dead. @default 5 */
  heartbeatMissLimit?: number;
  /** Reconnect backoff: jittered exponential from `initialMs` up to `maxMs`. @default { initialMs: 500, maxMs: 30000 } */
  backoff?: {
    /** First wait before reconnecting, ms. */
    initialMs?: number;
    /** Longest wait between reconnection attempts, ms. */
    maxMs?: number;
  };
  /**
   * How long `start()` keeps trying to subscribe before it rejects with a `ConnectionError`
   * `ERR_MASTER_UNREACHABLE` whose message names every master tried and the last reason of each.
   * The scheduler is stopped then (no retry left running). `0` waits for ever. Later
   * re-subscriptions (a master lost mid-run) are not limited by it: they retry until `stop()`
   * (see {@link SchedulerOptions.misconfiguredGiveUpMs} for failures retrying cannot fix).
   * @default 30000
   */
  startTimeoutMs?: number;
  /**
   * After a subscription was lost: how long the scheduler keeps re-subscribing while every master
   * fails for a reason retrying cannot fix (`ERR_TLS` after a certificate change,
   * `ERR_WRONG_SCHEME`, `ERR_NOT_A_MESOS_MASTER`, `ERR_REDIRECT_NOT_ALLOWED`) before it stops with
   * that error (a `stopped` lifecycle event carrying it, an error line), so that a supervisor
   * sees it rather than a framework silently not subscribed until its failover timeout runs
   * out. Failures that retrying can fix (refused, reset, timeouts, 503) are retried until
   * `stop()`. Each such attempt is logged at error level. `0` retries for ever.
   * @default 300000 (5 min: time for an operator to finish a certificate rotation)
   */
  misconfiguredGiveUpMs?: number;
  /** Where the scheduler writes its lines (subscribing, subscription lost, re-subscribed). `createFramework` gives it `TOKENS.Logger.child('scheduler')`. */
  logger?: ClientLogger;
}

/** Heartbeat interval assumed until SUBSCRIBED says otherwise, and for an unusable value: Mesos's, 15 s. */
const DEFAULT_HEARTBEAT_SECONDS = 15;
/** Shortest heartbeat interval the watchdog accepts from a master (shorter ones are raised to it). */
export const MIN_HEARTBEAT_SECONDS = 0.05;
/** Longest heartbeat interval the watchdog accepts from a master (longer ones are lowered to it): 1 h. */
export const MAX_HEARTBEAT_SECONDS = 3600;
/** Longest delay a Node timer keeps (longer ones fire after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Events read ahead of the handler before the stream is no longer read (backpressure). */
const MAX_QUEUED_EVENTS = 1024;
/** A subscription that lasted this long (or one heartbeat interval, if longer) resets the reconnect backoff. */
const HEALTHY_AFTER_MS = 10_000;

/** Default of {@link SchedulerOptions.startTimeoutMs}: 30 s. */
export const DEFAULT_START_TIMEOUT_MS = 30_000;
/** Default of {@link SchedulerOptions.misconfiguredGiveUpMs}: 5 min. */
export const DEFAULT_MISCONFIGURED_GIVE_UP_MS = 300_000;

/** The last failure seen on one master while `start()` was trying to subscribe. */
interface MasterAttempt {
  reason: string;
  hint?: string;
  code: string;
  retryable: boolean;
  attempts: number;
}

/** The subscription-level HTTP statuses that retrying cannot fix. */
const FATAL_SUBSCRIBE_STATUSES = new Set([400, 401, 403, 405, 406, 415, 501]);

/**
 * The scheduler: every call of the V1 scheduler API as a method, and a subscription state machine
 * (disconnected → subscribing → subscribed) that keeps the subscription alive:
 *
 * - a heartbeat watchdog: no event at all for `heartbeatMissLimit` × the master's heartbeat
 *   interval means the connection is dead;
 * - reconnection with jittered exponential backoff, re-subscribing with the framework id
 *   (`framework_info.id` and `framework_id`), so the master fails the framework over;
 * - ERROR events: "Framework failed over" (another scheduler took over) and "Framework has been
 *   removed" stop it; an ERROR before SUBSCRIBED means the subscription was refused and stops it.
 *
 * Events go to one handler, strictly one at a time. Calls made while not subscribed fail at once
 * with {@link NotSubscribedError}.
 */
@injectable()
export class MesosScheduler implements Scheduler {
  private currentState: SubscriptionState = 'disconnected';
  private handler: SchedulerEventHandler = async () => {};
  private readonly observers = new Set<SchedulerObserver>();
  private readonly listeners = new Set<(e: LifecycleEvent) => void>();
  private subscription: Subscription | undefined;
  private id: string | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private everSubscribed = false;
  private frameworkInfo: v1.FrameworkInfo;
  private guard: () => void = () => {};
  /** Set while a TEARDOWN is in flight: resolves true once the master accepted it. */
  private teardownCall: Promise<boolean> | undefined;
  /** Aborts the SUBSCRIBE in flight (its connection or 503 backoff) on stop() or the start timeout. */
  private subscribeAbort: AbortController | undefined;
  /** Why start() gave up (start timeout, or every master misconfigured): the loop ends with it. */
  private startFailure: MesosSdkError | undefined;
  /** Per master, the last failure before the first SUBSCRIBED (for ERR_MASTER_UNREACHABLE). */
  private readonly startAttempts = new Map<string, MasterAttempt>();
  /** Per master, the last failure since the last subscription was lost. */
  private readonly resubscribeAttempts = new Map<string, MasterAttempt>();
  /** Since when every master has failed, mid-run, for a reason retrying cannot fix (0: not so). */
  private misconfiguredSince = 0;
  private startedAt = 0;
  /** When the last established subscription was lost (for the "re-subscribed after" line). */
  private lostAt = 0;
  /** The handler's work on the last subscription's events: the next subscription's events wait for it, and stop() too. */
  private handling: Promise<void> = Promise.resolve();
  /** Aborts the calls in flight on the current subscription once the watchdog declares it dead. */
  private callsAbort: AbortController | undefined;
  /** heartbeatMissLimit, validated. */
  private missLimit = 5;

  constructor(
    @inject(TOKENS.Client) private readonly client: MesosHttpClient,
    @inject(TOKENS.SchedulerOptions) private readonly options: SchedulerOptions,
  ) {
    this.frameworkInfo = { ...options.frameworkInfo };
    this.id = options.frameworkInfo.id?.value;
  }

  get state(): SubscriptionState {
    return this.currentState;
  }
  get frameworkId(): string | undefined {
    return this.id;
  }
  get streamId(): string | undefined {
    return this.currentState === 'subscribed' ? this.subscription?.streamId : undefined;
  }

  setEventHandler(handler: SchedulerEventHandler): void {
    this.handler = handler;
  }

  onLifecycle(listener: (e: LifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  observe(observer: SchedulerObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private notify(fn: (o: SchedulerObserver) => void): void {
    for (const o of this.observers) {
      try {
        fn(o);
      } catch {
        // observers never disturb the traffic
      }
    }
  }

  setCallGuard(guard: () => void): void {
    this.guard = guard;
  }

  resumeFramework(frameworkId: string): void {
    if (this.loop) throw new MesosSdkError(SchedulerErrorCodes.STOPPED, 'resumeFramework() must be called before start()');
    this.id = frameworkId;
  }

  start(): Promise<void> {
    if (this.loop) throw new MesosSdkError(SchedulerErrorCodes.STOPPED, 'the scheduler was already started; create a new one to subscribe again');
    const timeoutMs = this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `startTimeoutMs must be a number of milliseconds >= 0 (0 waits for ever), got ${String(timeoutMs)}`);
    }
    const missLimit = this.options.heartbeatMissLimit ?? 5;
    if (!Number.isInteger(missLimit) || missLimit < 1 || missLimit > 100) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `heartbeatMissLimit must be a whole number from 1 to 100, got ${String(missLimit)}`);
    }
    this.missLimit = missLimit;
    const giveUp = this.options.misconfiguredGiveUpMs ?? DEFAULT_MISCONFIGURED_GIVE_UP_MS;
    if (!Number.isFinite(giveUp) || giveUp < 0) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `misconfiguredGiveUpMs must be a number of milliseconds >= 0 (0 retries for ever), got ${String(giveUp)}`);
    }
    this.startedAt = Date.now();
    const promise = new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs > 0) {
        timer = setTimeout(() => this.giveUp(this.unreachableError(timeoutMs)), timeoutMs);
        timer.unref();
      }
      this.loop = this.run(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
    return promise;
  }

  async stop(options: { teardown?: boolean } = {}): Promise<void> {
    if (options.teardown && this.currentState === 'subscribed') await this.teardown();
    this.stopping = true;
    this.subscribeAbort?.abort();
    this.subscription?.close();
    this.wake?.();
    await this.loop;
    this.client.close();
  }

  /** Ends the subscription loop before the first SUBSCRIBED: start() rejects with `failure`. */
  private giveUp(failure: MesosSdkError): void {
    if (this.everSubscribed || this.stopping) return;
    this.startFailure = failure;
    this.stopping = true;
    this.subscribeAbort?.abort();
    this.subscription?.close();
    this.wake?.();
  }

  /** ERR_MASTER_UNREACHABLE naming every master and the last reason seen on each. */
  private unreachableError(timeoutMs: number | undefined, attempts: Map<string, MasterAttempt> = this.startAttempts, head?: string): ConnectionError {
    // The configured masters, then any other tried (a leader a redirect pointed at).
    const masters = [...new Set([...(this.client.options?.masters ?? [this.client.currentMaster]), ...attempts.keys()])];
    const current = this.client.currentMaster;
    const entries = masters.map((master) => {
      const a = attempts.get(master);
      if (a) return { master, reason: a.reason, ...(a.hint ? { hint: a.hint } : {}), code: a.code, attempts: a.attempts };
      const reason = this.currentState === 'subscribing' && master === current ? 'no answer yet (still connecting)' : 'not tried yet';
      return { master, reason, code: '', attempts: 0 };
    });
    const list = entries.map((e) => `${e.master}${e.attempts ? ` (${e.attempts} attempt${e.attempts > 1 ? 's' : ''})` : ''}: ${e.reason}${e.hint ? `; ${e.hint}` : ''}`).join(' | ');
    head ??=
      timeoutMs === undefined
        ? 'no Mesos master can take the subscription, and retrying will not help; tried'
        : `no Mesos master accepted the subscription within ${timeoutMs / 1000} s (startTimeoutMs); tried`;
    const tail = timeoutMs === undefined ? '' : ' Check the master URL(s) and that the master is up and reachable from here, or raise startTimeoutMs (0 waits for ever).';
    return new ConnectionError(SchedulerErrorCodes.MASTER_UNREACHABLE, `${head}: ${list}${/[.?!]$/.test(list) ? '' : '.'}${tail}`, {
      retryable: timeoutMs !== undefined,
      details: { masters: entries, ...(timeoutMs === undefined ? {} : { startTimeoutMs: timeoutMs }) },
    });
  }

  /** Records a failed attempt (in `attempts`); true when every master failed for a reason retrying cannot fix. */
  private recordStartFailure(error: MesosSdkError, attempts: Map<string, MasterAttempt> = this.startAttempts): boolean {
    const master = typeof error.details?.['master'] === 'string' ? error.details['master'] : this.client.currentMaster;
    const prev = attempts.get(master);
    attempts.set(master, {
      reason: typeof error.details?.['reason'] === 'string' ? error.details['reason'] : error.message,
      ...(typeof error.details?.['hint'] === 'string' ? { hint: error.details['hint'] } : {}),
      code: error.code,
      retryable: error.retryable,
      attempts: (prev?.attempts ?? 0) + 1,
    });
    const masters = this.client.options?.masters ?? [master];
    return masters.every((m) => attempts.get(m)?.retryable === false);
  }

  // ---- calls ----
  accept(offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters?: v1.Filters): Promise<void> {
    return this.send((fw) => Calls.accept(fw, offerIds, operations, filters));
  }
  decline(offerIds: v1.OfferID[], filters?: v1.Filters): Promise<void> {
    return this.send((fw) => Calls.decline(fw, offerIds, filters));
  }
  acceptInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void> {
    return this.send((fw) => Calls.acceptInverseOffers(fw, ids, filters));
  }
  declineInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void> {
    return this.send((fw) => Calls.declineInverseOffers(fw, ids, filters));
  }
  revive(roles?: string[]): Promise<void> {
    return this.send((fw) => Calls.revive(fw, roles));
  }
  suppress(roles?: string[]): Promise<void> {
    return this.send((fw) => Calls.suppress(fw, roles));
  }
  kill(taskId: v1.TaskID, agentId?: v1.AgentID, killPolicy?: v1.KillPolicy): Promise<void> {
    return this.send((fw) => Calls.kill(fw, taskId, agentId, killPolicy));
  }
  shutdown(executorId: v1.ExecutorID, agentId: v1.AgentID): Promise<void> {
    return this.send((fw) => Calls.shutdown(fw, executorId, agentId));
  }
  acknowledge(agentId: v1.AgentID, taskId: v1.TaskID, uuid: Uint8Array): Promise<void> {
    return this.send((fw) => Calls.acknowledge(fw, agentId, taskId, uuid));
  }
  acknowledgeOperationStatus(args: scheduler.Call.AcknowledgeOperationStatus): Promise<void> {
    return this.send((fw) => Calls.acknowledgeOperationStatus(fw, args));
  }
  reconcile(tasks?: scheduler.Call.Reconcile.Task[]): Promise<void> {
    return this.send((fw) => Calls.reconcile(fw, tasks));
  }
  async reconcileOperations(operations?: scheduler.Call.ReconcileOperations.Operation[]): Promise<scheduler.Response.ReconcileOperations | undefined> {
    const response = await this.sendFor((fw) => Calls.reconcileOperations(fw, operations));
    return response?.reconcile_operations;
  }
  message(agentId: v1.AgentID, executorId: v1.ExecutorID, data: Uint8Array): Promise<void> {
    return this.send((fw) => Calls.message(fw, agentId, executorId, data));
  }
  request(requests: v1.Request[]): Promise<void> {
    return this.send((fw) => Calls.request(fw, requests));
  }
  async updateFramework(frameworkInfo: v1.FrameworkInfo, offerConstraints?: scheduler.OfferConstraints, suppressedRoles?: string[]): Promise<void> {
    await this.send((fw) => Calls.updateFramework(fw, frameworkInfo, offerConstraints, suppressedRoles));
    // Later re-subscriptions carry the updated FrameworkInfo.
    this.frameworkInfo = { ...frameworkInfo, id: this.frameworkInfo.id };
  }
  /**
   * Removes the framework (its tasks are killed). Once the master accepted it the scheduler stops:
   * the master ends the stream and would answer a re-subscription with ERROR "Framework has been
   * removed", so none is attempted; lifecycle listeners see `stopped` without an error.
   */
  async teardown(): Promise<void> {
    const call = this.send((fw) => Calls.teardown(fw));
    this.teardownCall = call.then(
      () => true,
      () => false,
    );
    try {
      await call;
    } catch (err) {
      this.teardownCall = undefined;
      throw err;
    }
    this.stopping = true;
    this.subscription?.close();
    this.wake?.();
  }

  private async send(build: (fw: v1.FrameworkID) => scheduler.Call): Promise<void> {
    await this.sendFor(build);
  }

  private async sendFor(build: (fw: v1.FrameworkID) => scheduler.Call): Promise<scheduler.Response | undefined> {
    this.guard();
    const sub = this.subscription;
    if (this.currentState !== 'subscribed' || !sub || !this.id) {
      throw new NotSubscribedError(SchedulerErrorCodes.NOT_SUBSCRIBED, `cannot send a call while ${this.currentState}; wait for the subscription (OnSubscribed/OnConnected) and retry`, {
        retryable: this.currentState !== 'stopped',
      });
    }
    const call = build({ value: this.id });
    const started = this.observers.size ? process.hrtime.bigint() : 0n;
    try {
      // An ACKNOWLEDGE is not retried on 503: the agent resends the update anyway, and retrying
      // with backoff would hold up every event queued behind it.
      const res = await this.client.call(call, sub, { retry503: call.type !== 'ACKNOWLEDGE', ...(this.callsAbort ? { signal: this.callsAbort.signal } : {}) });
      if (started) this.notify((o) => o.onCall?.(call.type, Number(process.hrtime.bigint() - started) / 1e9, undefined, call));
      return res;
    } catch (err) {
      if (started) this.notify((o) => o.onCall?.(call.type, Number(process.hrtime.bigint() - started) / 1e9, err, call));
      if (err instanceof ApiError && (err.code === ClientErrorCodes.NOT_LEADER || err.status === 403)) {
        // The master no longer knows this subscription: drop it and re-subscribe.
        sub.close();
      }
      throw err;
    }
  }

  // ---- subscription state machine ----
  private emit(e: LifecycleEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.options.logger?.warn(`lifecycle listener failed: ${(err as Error).message}`);
      }
    }
  }

  private async run(resolve: () => void, reject: (err: Error) => void): Promise<void> {
    let attempt = 0;
    let fatal: MesosSdkError | undefined;
    let lostUrl: string | undefined;
    while (!this.stopping) {
      let error: MesosSdkError | undefined;
      let watchdog = false;
      let subscribedThisRound = false;
      this.currentState = 'subscribing';
      const abort = (this.subscribeAbort = new AbortController());
      try {
        const info = this.id ? { ...this.frameworkInfo, id: { value: this.id } } : this.frameworkInfo;
        if (attempt === 0) {
          this.options.logger?.info(`subscribing to ${this.client.currentMaster} as framework "${info.name}"${info.id ? ` (id ${info.id.value})` : ''}`);
        } else {
          this.options.logger?.debug(`subscribing to ${this.client.currentMaster} (attempt ${attempt + 1})`);
        }
        const sub = await this.client.subscribe(
          Calls.subscribe(info, { suppressedRoles: this.options.suppressedRoles, offerConstraints: this.options.offerConstraints }),
          { signal: abort.signal },
        );
        this.subscribeAbort = undefined;
        if (this.stopping) {
          sub.close();
          break;
        }
        this.subscription = sub;
        lostUrl = sub.masterUrl;
        const outcome = await this.consume(sub, resolve);
        error = outcome.error;
        fatal = outcome.fatal;
        subscribedThisRound = outcome.subscribed;
        if (outcome.subscribed) {
          this.resubscribeAttempts.clear();
          this.misconfiguredSince = 0;
        }
        // The backoff starts again only after a subscription that stayed up for a while: one
        // dropped right after SUBSCRIBED (a master failing each time) keeps backing off.
        if (outcome.healthy) attempt = 0;
        watchdog = outcome.watchdog;
      } catch (err) {
        error = err instanceof MesosSdkError ? err : new SubscriptionError(SchedulerErrorCodes.STREAM_ENDED, String((err as Error)?.message ?? err), { cause: err, retryable: true });
        if (err instanceof ApiError && FATAL_SUBSCRIBE_STATUSES.has(err.status)) fatal = err;
      }
      this.subscribeAbort = undefined;
      this.subscription = undefined;
      const lostMaster = this.client.currentMaster;
      // Before the first SUBSCRIBED, a configuration mistake on every master (not a master, wrong
      // scheme, TLS) ends start() at once: retrying would only hide it.
      if (!this.everSubscribed && error && !this.stopping && !fatal && this.recordStartFailure(error)) {
        const codes = new Set([...this.startAttempts.values()].map((a) => a.code));
        const reasons = this.unreachableError(undefined);
        fatal = codes.size === 1 ? new ConnectionError(error.code, reasons.message, { cause: error, details: reasons.details ?? {} }) : reasons;
      }
      // After a subscription was lost, failures retrying cannot fix on every master (a certificate
      // changed, say) stop the scheduler once they lasted misconfiguredGiveUpMs.
      let misconfigured = false;
      if (this.everSubscribed && !subscribedThisRound && error && !this.stopping && !fatal) {
        if (this.recordStartFailure(error, this.resubscribeAttempts)) {
          misconfigured = true;
          this.misconfiguredSince ||= Date.now();
          const grace = this.options.misconfiguredGiveUpMs ?? DEFAULT_MISCONFIGURED_GIVE_UP_MS;
          const lasted = Date.now() - this.misconfiguredSince;
          if (grace > 0 && lasted >= grace) {
            const codes = new Set([...this.resubscribeAttempts.values()].map((a) => a.code));
            const reasons = this.unreachableError(undefined, this.resubscribeAttempts, `the subscription was lost and no Mesos master could take it again for ${Math.round(lasted / 1000)} s (misconfiguredGiveUpMs), for reasons retrying cannot fix; tried`);
            fatal = codes.size === 1 ? new ConnectionError(error.code, reasons.message, { cause: error, details: reasons.details ?? {} }) : reasons;
          }
        } else {
          this.misconfiguredSince = 0;
        }
      }
      // The stream may end before the TEARDOWN's 202 arrives: that end is the teardown, not a loss.
      if (this.teardownCall && (await this.teardownCall)) break;
      if (this.stopping) break;
      if (fatal) break;
      this.currentState = 'disconnected';
      this.emit({ type: 'disconnected', ...(error ? { error } : {}) });
      const b = this.options.backoff ?? {};
      // After the watchdog's verdict on a healthy subscription, re-subscribe at once, on the next
      // master when there are several (the hung one may still hold leadership in ZooKeeper).
      const immediate = watchdog && attempt === 0;
      if (watchdog && (this.client.options?.masters.length ?? 1) > 1) this.client.rotateMaster();
      const delay = immediate ? (attempt++, 0) : backoffDelay(attempt++, b.initialMs ?? 500, b.maxMs ?? 30_000);
      const why = error ? `${error.message} [${error.code}]` : 'the stream ended';
      if (subscribedThisRound) {
        this.lostAt = Date.now();
        this.options.logger?.warn(`subscription to ${lostUrl ?? lostMaster} lost: ${why}; retrying in ${Math.round(delay)} ms`);
      } else if (this.everSubscribed && misconfigured) {
        const grace = this.options.misconfiguredGiveUpMs ?? DEFAULT_MISCONFIGURED_GIVE_UP_MS;
        this.options.logger?.error(
          `re-subscribing failed: ${why}; no master can take the subscription for a reason retrying cannot fix${grace > 0 ? `: the scheduler stops if this lasts ${grace / 1000} s (misconfiguredGiveUpMs)` : ''}; retrying in ${Math.round(delay)} ms (attempt ${attempt})`,
        );
      } else if (this.everSubscribed) {
        this.options.logger?.warn(`re-subscribing failed: ${why}; retrying in ${Math.round(delay)} ms (attempt ${attempt})`);
      } else {
        this.options.logger?.warn(`could not subscribe: ${why}; retrying in ${Math.round(delay)} ms (attempt ${attempt})`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
    // The handler finishes the event it holds (its calls fail fast now) before the scheduler is stopped.
    await this.handling;
    this.currentState = 'stopped';
    const failure = fatal ?? this.startFailure;
    if (failure) this.options.logger?.error(`scheduler stopped: ${failure.message} [${failure.code}]`);
    this.emit({ type: 'stopped', ...(failure ? { error: failure } : {}) });
    if (failure) reject(failure);
    else reject(new SubscriptionError(SchedulerErrorCodes.STOPPED, 'the scheduler was stopped before it subscribed'));
  }

  /**
   * Reads one subscription's events until it ends. A reader takes every event off the stream as
   * it arrives (so the watchdog measures the master, not the handler) and queues it; the handler
   * takes them from the queue one at a time. Once the subscription is over (the watchdog's
   * verdict, `close()`, `stop()`, the stream ending or failing), the events still queued are
   * dropped, never handled nor acknowledged (the master resends unacknowledged updates), and this
   * returns at once, without waiting for the event being handled: the re-subscription starts
   * while it finishes, and the next subscription's events wait for it ({@link handling}).
   * Only a fatal ERROR (failed over, removed, refused) is handled, with the events before it.
   */
  private async consume(sub: Subscription, onSubscribed: () => void): Promise<{ error?: MesosSdkError; fatal?: MesosSdkError; healthy: boolean; watchdog: boolean; subscribed: boolean }> {
    let intervalMs = DEFAULT_HEARTBEAT_SECONDS * 1000;
    const missLimit = this.missLimit;
    let subscribedAt = 0;
    let verdict: MesosSdkError | undefined;
    let fatal: MesosSdkError | undefined;
    let watchdog = false;
    const queue: scheduler.Event[] = [];
    let wakeHandler: (() => void) | undefined;
    let wakeReader: (() => void) | undefined;
    const callsAbort = new AbortController();
    // Every call in flight listens to it: with acknowledgements pipelined that is dozens at once
    // (each removes its listener when it settles), past Node's default warning threshold of 10.
    setMaxListeners(4096, callsAbort.signal);
    this.callsAbort = callsAbort;
    let timer: NodeJS.Timeout | undefined;
    /** The subscription is over: nothing queued is handled any more. */
    const declare = (error: MesosSdkError) => {
      if (verdict) return;
      verdict = error;
      clearTimeout(timer);
      const dropped = queue.length;
      queue.length = 0;
      if (dropped) this.options.logger?.debug(`dropped ${dropped} event(s) received but not handled before the subscription ended (the master resends unacknowledged updates)`);
      sub.close();
      wakeHandler?.();
      wakeReader?.();
    };
    const arm = () => {
      clearTimeout(timer);
      if (verdict) return;
      const ms = Math.min(intervalMs * missLimit, MAX_TIMER_MS);
      timer = setTimeout(() => {
        watchdog = true;
        // The master is hung: calls in flight on this subscription would wait for requestTimeoutMs.
        callsAbort.abort();
        declare(new SubscriptionError(SchedulerErrorCodes.HEARTBEAT_TIMEOUT, `no event from the master for ${missLimit} heartbeat intervals (${ms / 1000} s); reconnecting`, { retryable: true }));
      }, ms);
    };

    const previous = this.handling;
    const handleQueued = async () => {
      for (;;) {
        if (verdict || (this.stopping && !fatal)) return;
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((r) => (wakeHandler = r));
          wakeHandler = undefined;
          continue;
        }
        wakeReader?.();
        if (this.observers.size) this.notify((o) => o.onEvent?.(event));
        try {
          await this.handler(event as SchedulerEvent);
        } catch (error) {
          this.emit({ type: 'handler_error', error, event });
        }
        // start() resolves once the first SUBSCRIBED has been handled.
        if (event.type === 'SUBSCRIBED') onSubscribed();
        if (fatal && event.type === 'ERROR') return;
      }
    };
    const handlerLoop = (async () => {
      await previous;
      try {
        await handleQueued();
      } finally {
        wakeReader?.();
      }
    })();
    // Handler errors are caught per event; nothing else in the loop throws, but stop() must not reject if it did.
    this.handling = handlerLoop.catch((err: unknown) => this.options.logger?.error(`event loop failed: ${(err as Error)?.message ?? String(err)}`));

    let subscribedHere = false;
    arm();
    try {
      for await (const event of sub.events) {
        if (verdict || this.stopping) break;
        arm();
        if (event.type === 'SUBSCRIBED' && event.subscribed) {
          const resubscribed = this.everSubscribed;
          this.id = event.subscribed.framework_id.value;
          this.frameworkInfo = { ...this.frameworkInfo, id: { value: this.id } };
          intervalMs = this.heartbeatIntervalMs(event.subscribed.heartbeat_interval_seconds);
          arm();
          this.currentState = 'subscribed';
          this.everSubscribed = true;
          subscribedHere = true;
          subscribedAt = Date.now();
          if (resubscribed) {
            this.options.logger?.info(`re-subscribed to ${sub.masterUrl} as framework ${this.id}${this.lostAt ? ` after ${((Date.now() - this.lostAt) / 1000).toFixed(1)} s` : ''}`);
          } else {
            this.options.logger?.info(`subscribed to ${sub.masterUrl} as framework ${this.id} in ${((Date.now() - this.startedAt) / 1000).toFixed(1)} s (heartbeat every ${intervalMs / 1000} s)`);
          }
          this.emit({ type: 'connected', frameworkId: this.id, streamId: sub.streamId, resubscribed });
        }
        if (event.type === 'ERROR') {
          const message = event.error?.message ?? '';
          const code = /failed over/i.test(message)
            ? SchedulerErrorCodes.FRAMEWORK_FAILED_OVER
            : /removed|torn down|teardown/i.test(message)
              ? SchedulerErrorCodes.FRAMEWORK_REMOVED
              : subscribedHere
                ? SchedulerErrorCodes.MESOS_ERROR_EVENT
                : SchedulerErrorCodes.SUBSCRIPTION_REFUSED;
          const err = new SubscriptionError(code, `master sent ERROR: ${message}`, { retryable: code === SchedulerErrorCodes.MESOS_ERROR_EVENT });
          this.emit({ type: 'error_event', error: err });
          if (code !== SchedulerErrorCodes.MESOS_ERROR_EVENT) fatal = err;
        }
        queue.push(event);
        wakeHandler?.();
        if (fatal) break;
        if (queue.length >= MAX_QUEUED_EVENTS) {
          // The handler lags: stop reading (TCP backpressure reaches the master) and stop judging
          // the master while it is not read.
          clearTimeout(timer);
          while (queue.length >= MAX_QUEUED_EVENTS / 2 && !verdict && !this.stopping) {
            await new Promise<void>((r) => (wakeReader = r));
            wakeReader = undefined;
          }
          arm();
        }
      }
      if (fatal) {
        clearTimeout(timer);
        sub.close();
        // The ERROR and the events before it are handled; nothing can follow it.
        await handlerLoop;
        return { error: fatal, fatal, healthy: false, watchdog: false, subscribed: subscribedAt > 0 };
      }
      declare(new SubscriptionError(SchedulerErrorCodes.STREAM_ENDED, 'the master closed the subscription stream', { retryable: true }));
    } catch (err) {
      const e = err instanceof MesosSdkError ? err : new SubscriptionError(SchedulerErrorCodes.STREAM_ENDED, (err as Error).message, { cause: err, retryable: true });
      declare(e);
    } finally {
      clearTimeout(timer);
      sub.close();
      if (this.callsAbort === callsAbort) this.callsAbort = undefined;
    }
    const healthy = subscribedAt > 0 && Date.now() - subscribedAt >= Math.max(intervalMs, HEALTHY_AFTER_MS);
    return { ...(this.stopping ? {} : { error: verdict }), healthy, watchdog, subscribed: subscribedAt > 0 };
  }

  /**
   * The heartbeat interval a SUBSCRIBED announced, in ms, kept within
   * [{@link MIN_HEARTBEAT_SECONDS}, {@link MAX_HEARTBEAT_SECONDS}]: a value outside is clamped, and
   * one that is not a positive number (0, negative, NaN) gives the Mesos default, 15 s; both with
   * a warn line. Node fires a timer longer than 2^31-1 ms after 1 ms: an unchecked `1e9` would
   * declare every subscription dead at once.
   */
  private heartbeatIntervalMs(seconds: number | undefined): number {
    if (seconds === undefined || seconds === null) return DEFAULT_HEARTBEAT_SECONDS * 1000;
    const used =
      typeof seconds !== 'number' || Number.isNaN(seconds) || seconds <= 0
        ? DEFAULT_HEARTBEAT_SECONDS
        : Math.min(MAX_HEARTBEAT_SECONDS, Math.max(MIN_HEARTBEAT_SECONDS, seconds));
    if (used !== seconds) {
      this.options.logger?.warn(
        `the master announced heartbeat_interval_seconds ${String(seconds)}, not a number of seconds in [${MIN_HEARTBEAT_SECONDS}, ${MAX_HEARTBEAT_SECONDS}]; the heartbeat watchdog uses ${used} s`,
      );
    }
    return used * 1000;
  }
}
