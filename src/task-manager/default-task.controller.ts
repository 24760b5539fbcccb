import { inject, optional } from 'inversify';
import { TOKENS } from '../tokens.js';
import type { v1 } from '../protocol/generated/index.js';
import type { Scheduler } from '../scheduler/scheduler.interface.js';
import type { Logger } from '../logging/logger.js';
import type { ResourceManager } from '../resource-manager/resource-manager.js';
import { renderAttributes } from '../resource-manager/placement/attributes.js';
import { EventController, OnOffers, OnRescind, OnSubscribed, OnUpdate } from '../decorators/event-controller.decorator.js';
import { TaskManagerErrorCodes, type TaskManager } from './task-manager.js';
import type { PendingPlacement } from '../resource-manager/resource-manager.js';
import type { PlacementRequest } from '../resource-manager/placement/placement-types.js';
import { ValidationError, type MesosSdkError } from '../errors/index.js';
import type { LeaderElection } from '../ha/leader-election.interface.js';
import { isFencedError, leadershipGone } from '../ha/fenced.js';

/** Reconciliation retry: 1 s doubling to 30 s. */
const RECONCILE_BASE_MS = 1000;
const RECONCILE_MAX_MS = 30_000;
/** A failed DECLINE is retried after 100 ms, doubling to 5 s. */
const DECLINE_RETRY_BASE_MS = 100;
const DECLINE_RETRY_MAX_MS = 5000;
/** Offers are declined for this long while storage is down. */
const STORAGE_RETRY_SECONDS = 2;

/**
 * Default of `maxLaunchingTasks`. Each task launched sends about two updates before it runs
 * (STARTING, RUNNING; STAGING too on some executors), and the framework applies them at a rate
 * measured around 2,000 updates/s on a small machine (2 cores, storage in memory): 2,000 tasks in
 * flight queue at most ~4,000-6,000 updates, 2-3 s of work, well under the 10 s after which an agent
 * first resends an update not yet acknowledged (a duplicate the framework then handles too). It
 * still keeps more tasks starting than the framework can take per second, so launches are not
 * slowed by it.
 */
export const DEFAULT_MAX_LAUNCHING_TASKS = 2000;

/** Stable codes of the task controller's errors. */
export const TaskControllerErrorCodes = {
  /** `maxLaunchingTasks` is not a positive integer (or `Infinity`). */
  MAX_LAUNCHING_INVALID: 'ERR_MAX_LAUNCHING_TASKS_INVALID',
} as const;

/**
 * Why `value` is not a valid `maxLaunchingTasks` (a positive integer, or `Infinity` for no bound),
 * or undefined when it is (or is not given).
 */
export function maxLaunchingTasksProblem(value: unknown): string | undefined {
  if (value === undefined || value === Infinity) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return undefined;
  return `must be a positive integer (the most tasks launched and not yet running at once; Infinity for no bound), not ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`;
}

/** Options of the {@link DefaultTaskController} (fields of `FrameworkOptions`). */
export interface TaskControllerOptions {
  /** Period of the implicit reconciliation while subscribed, in seconds; 0 turns it off. @defaultValue 900 */
  reconcileIntervalSeconds?: number;
  /**
   * The most tasks launched and not yet settled at once: their launch recorded (`LAUNCHING`) or
   * reported `TASK_STAGING`/`TASK_STARTING`, not yet `TASK_RUNNING` nor ended. While that many are,
   * offers are declined (refused as while tasks are pending); once a tenth of the window is free, offers are revived and
   * launches go on. A positive integer, or `Infinity` for no bound (every placeable task is
   * launched in the first offers). See {@link DEFAULT_MAX_LAUNCHING_TASKS}.
   *
   * A task holds its place until Mesos reports it running or ended; one that stays STAGING is
   * ended by Mesos itself: the agent fails a task whose executor does not register in time
   * (`--executor_registration_timeout`, 1 min by default), the master reports the tasks of an agent
   * it loses (`TASK_UNREACHABLE`, `TASK_LOST`) and answers an ACCEPT of invalid offers with
   * `TASK_DROPPED`/`TASK_LOST`; a record left `LAUNCHING` by a lost ACCEPT or a master failover is
   * answered by the reconciliation of the next subscription.
   * @defaultValue 2000
   */
  maxLaunchingTasks?: number;
}

/**
 * The built-in controller that runs the task manager's tasks: on every (re)subscription it
 * reconciles (explicitly, with backoff until every task is answered, then implicitly) and holds
 * launches until that is done; on offers it places pending tasks, records each launch intent
 * before the ACCEPT, and declines the rest with a filter; it suppresses offers when nothing is
 * pending and revives (rate-limited) when work appears.
 */
@EventController({ order: -1000 })
export class DefaultTaskController {
  private reconciling = false;
  private storagePaused = false;
  private unanswered = new Set<string>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private backoffTimer: NodeJS.Timeout | undefined;
  /** The backoff end `backoffTimer` is armed for. */
  private backoffAt: number | undefined;
  private reviveRetry: NodeJS.Timeout | undefined;
  private readonly declineRetries = new Set<NodeJS.Timeout>();
  /** DECLINEs sent and not yet answered (the offer cycle does not wait for them). */
  private readonly declinesInFlight = new Set<Promise<void>>();
  private disposed = false;
  private readonly attributes = new Map<string, Record<string, string>>();
  /** The launch window: at most this many tasks launched and not yet settled (`maxLaunchingTasks`). */
  private readonly maxLaunching: number;
  /**
   * Free places in the window from which offers are revived after it was full: a tenth of it (at
   * least one). Not half: the offers a REVIVE brings are handled after the updates already received,
   * by when more places are free, and waiting longer leaves the framework idle between batches
   * (measured: 20,000 tasks RUNNING in 32 s instead of 36 s); REVIVE is rate-limited besides
   * (`minReviveIntervalMs`).
   */
  private readonly reopenAt: number;
  /** True when the window left placeable tasks out of an offer cycle (their offers declined): offers are revived once it has room again. */
  private windowFull = false;

  constructor(
    @inject(TOKENS.Scheduler) private readonly scheduler: Scheduler,
    @inject(TOKENS.TaskManager) private readonly tasks: TaskManager,
    @inject(TOKENS.ResourceManager) private readonly resources: ResourceManager,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.FrameworkOptions) @optional() options?: TaskControllerOptions,
    @inject(TOKENS.LeaderElection) @optional() private readonly election?: LeaderElection,
  ) {
    this.periodicMs = (options?.reconcileIntervalSeconds ?? 900) * 1000;
    const problem = maxLaunchingTasksProblem(options?.maxLaunchingTasks);
    if (problem) throw new ValidationError(TaskControllerErrorCodes.MAX_LAUNCHING_INVALID, `maxLaunchingTasks ${problem}`, [{ path: 'maxLaunchingTasks', message: problem }]);
    this.maxLaunching = options?.maxLaunchingTasks ?? DEFAULT_MAX_LAUNCHING_TASKS;
    this.reopenAt = Math.max(1, Math.ceil(this.maxLaunching / 10));
    // Work submitted while offers are suppressed (through the API, or by user code) revives them.
    this.stopWatchingWork = tasks.onPendingWork(() => {
      if (this.scheduler.state !== 'subscribed') return; // SUBSCRIBED revives on its own
      this.reviveIfPending(true).catch((err: Error) => this.logger.warn(`revive failed: ${err.message}`));
    });
  }

  private readonly stopWatchingWork: () => void;

  private readonly periodicMs: number;
  private periodicTimer: NodeJS.Timeout | undefined;

  /** Free places in the launch window: `maxLaunchingTasks` less the tasks launched and not yet settled. */
  private get windowRoom(): number {
    return Math.max(0, this.maxLaunching - this.tasks.launchingCount);
  }

  /** True while the reconciliation after a subscription is still waiting for answers. */
  get isReconciling(): boolean {
    return this.reconciling;
  }

  /** On every (re)subscription: drops the offers held before it and reconciles, explicitly when tasks may be running. */
  @OnSubscribed()
  async subscribed(): Promise<void> {
    // Offers held from before the (re)subscription are invalid now.
    this.resources.pool.takeAll();
    const open = this.tasks.toReconcile();
    this.unanswered = new Set(open.map((t) => t.task_id.value));
    this.reconciling = this.unanswered.size > 0;
    if (this.reconciling) {
      this.logger.info(`reconciling ${open.length} task(s) before launching anything`);
      // Armed first: if this RECONCILE fails (a 503), the retry sends it again rather than launches waiting for ever.
      this.scheduleReconcileRetry(0);
      await this.scheduler.reconcile(open);
    } else {
      await this.scheduler.reconcile();
      await this.reviveIfPending(true);
    }
    this.armPeriodicReconcile();
  }

  /** An implicit reconciliation every `reconcileIntervalSeconds` (default 15 min) while subscribed. */
  private armPeriodicReconcile(): void {
    clearInterval(this.periodicTimer);
    if (this.periodicMs <= 0) return;
    this.periodicTimer = setInterval(() => {
      if (this.reconciling) return;
      this.scheduler.reconcile().catch((err: Error) => this.logger.debug(`periodic reconcile skipped: ${err.message}`));
    }, this.periodicMs);
    this.periodicTimer.unref();
  }

  /**
   * OFFERS: places pending tasks (none while reconciling or while storage is down) and launches
   * them with ACCEPT, the launch intent recorded before each; offers it neither uses nor keeps are
   * declined, and suppresses when nothing is pending. A definition that makes placement fail is
   * reported (its tasks marked `TASK_ERROR`, logged once) and skipped; the others are placed; and
   * whatever throws, every offer of the event is answered.
   */
  @OnOffers()
  async offers(offers: v1.Offer[]): Promise<void> {
    for (const o of offers) this.attributes.set(o.agent_id.value, Object.fromEntries(renderAttributes(o.attributes ?? [])));
    this.resources.onOffers(offers);
    // Offers buffered before the leadership was lost: nothing is written or sent for them (and a record a fenced write left unsaved is not a storage outage).
    if (this.election && !this.election.isLeader) return this.leadershipLost(`${offers.length} offer(s) arrived after it`);
    if (!(await this.storageReady())) {
      // Launches pause while storage is down (a launch needs its intent written first); offers go back.
      this.declineInBackground(this.resources.pool.takeAll().map((o) => o.id), { refuse_seconds: STORAGE_RETRY_SECONDS });
      return;
    }
    let placement: PendingPlacement;
    /** True when the launch window left placeable tasks out of this cycle. */
    let limited = false;
    try {
      let requests: PlacementRequest[] = [];
      if (!this.reconciling) {
        const room = this.windowRoom;
        // One more than fits: tells whether the window leaves any out.
        requests = room === Infinity ? this.tasks.placementRequests() : room > 0 ? this.tasks.placementRequests(room + 1) : [];
        limited = room === 0 ? this.tasks.hasPlaceable() : requests.length > room;
        if (limited) requests.length = Math.min(requests.length, room);
      }
      this.windowFull = limited;
      placement = this.resources.placePending(requests, this.tasks.placementContext());
      if (placement.failed) this.logOnce(`placement failed, every offer of this cycle is declined: ${placement.failed.message}`);
    } catch (err) {
      // Defence in depth: placement must never keep offers. They go back, and the next cycle tries again.
      this.logOnce(`placement failed, every offer of this cycle is declined: ${(err as Error).message}`);
      this.declineInBackground(this.resources.pool.takeAll().map((o) => o.id), { refuse_seconds: 1 });
      return;
    }
    const decline = [...placement.decline];
    /** Offers of ACCEPTs that failed: the master still counts them as ours, so they go back. */
    const unused: v1.OfferID[] = [];
    let storageDown = false;
    const invalid = [...placement.invalid];
    for (const { offerIds, assignments } of placement.accept) {
      if (storageDown) {
        decline.push(...offerIds);
        continue;
      }
      const infos: v1.TaskInfo[] = [];
      for (const a of assignments) {
        try {
          infos.push(await this.tasks.prepareLaunch(a, this.attributes.get(a.agentId.value)));
        } catch (err) {
          // A definition that cannot become a TaskInfo: prepareLaunch marked it; the others go on.
          if ((err as MesosSdkError).code === TaskManagerErrorCodes.UNPLACEABLE) continue;
          // Fenced: not an outage, the leadership is lost and the framework is stopping. Nothing more is written or sent.
          if (isFencedError(err)) return this.leadershipLost(`a launch intent was fenced off: ${(err as Error).message}`);
          storageDown = true;
          this.pauseLaunches(err as Error);
          break;
        }
      }
      if (storageDown) {
        await this.tasks.launchFailed(infos.map((t) => t.task_id.value));
        decline.push(...offerIds);
        continue;
      }
      if (infos.length === 0) {
        decline.push(...offerIds);
        continue;
      }
      try {
        await this.scheduler.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: infos } }], { refuse_seconds: 1 });
      } catch (err) {
        // No longer the leader: the records stay LAUNCHING for the next leader to reconcile (a task
        // that was sent reports its state; one never sent comes back GONE or LOST and is relaunched).
        // Writing them back to PENDING would be a write of a non-leader; the offers are not ours to decline.
        if (leadershipGone(err, this.election)) return this.leadershipLost(`ACCEPT of ${infos.length} task(s) not sent: ${(err as Error).message}`);
        this.logger.warn(`ACCEPT failed, ${infos.length} task(s) go back to pending: ${(err as Error).message}`);
        await this.tasks.launchFailed(infos.map((t) => t.task_id.value));
        unused.push(...offerIds);
      }
    }
    // Left out by the window: refused as while tasks are pending (placement saw only those that fit); revived when the window opens.
    const filters = limited ? this.resources.declineFilter(this.tasks.pendingCount) : placement.declineFilters;
    if (decline.length) this.declineInBackground(decline, this.reconciling || storageDown ? { refuse_seconds: storageDown ? STORAGE_RETRY_SECONDS : 1 } : filters);
    if (unused.length) this.declineInBackground(unused, { refuse_seconds: 1 });
    // After the offers are answered: the tasks of definitions placement refused are marked (logged once) and skipped from now on.
    try {
      await this.tasks.markInvalid(invalid);
    } catch (err) {
      this.logger.warn(`could not record the tasks whose definition cannot be placed (they stay skipped): ${(err as Error).message}`);
    }
    if (!storageDown && this.storagePaused && this.tasks.storageHealthy) {
      this.storagePaused = false;
      this.logger.info('storage is back; launches resume');
    }
    if (!this.reconciling && !storageDown && this.resources.shouldSuppress(this.tasks.pendingCount)) {
      await this.scheduler.suppress();
      this.resources.recordSuppressed();
    }
    this.armBackoffRevive();
  }

  /** An offer cycle ends without writing or sending anything more: this instance no longer leads. */
  private leadershipLost(why: string): void {
    this.logger.info(`offer cycle ended, this instance no longer leads; the next leader reconciles the tasks being launched (${why})`);
  }

  private lastPlacementError: string | undefined;
  /** Logs a placement failure once (until a different one occurs): every cycle would repeat it. */
  private logOnce(message: string): void {
    if (message === this.lastPlacementError) return;
    this.lastPlacementError = message;
    this.logger.error(message);
  }

  /**
   * DECLINE without waiting for the answer: nothing in the offer cycle depends on it (a failure is
   * retried in the background, see {@link declineOffers}), so the next event is handled meanwhile.
   * {@link settled} waits for those in flight.
   */
  private declineInBackground(offerIds: v1.OfferID[], filters: v1.Filters | undefined): void {
    const p = this.declineOffers(offerIds, filters).finally(() => this.declinesInFlight.delete(p));
    this.declinesInFlight.add(p);
  }

  /** Resolves once the DECLINEs sent without waiting (by the offer cycles so far) were answered or failed. */
  async settled(): Promise<void> {
    while (this.declinesInFlight.size) await Promise.all([...this.declinesInFlight]);
  }

  /**
   * DECLINE, retried in the background (with backoff) while it fails and the subscription lasts:
   * until the master hears it, the offers stay outstanding and their resources are offered to no
   * one (Mesos has no offer timeout by default). A re-subscription discards outstanding offers, so
   * the retries end when the subscription does.
   */
  private async declineOffers(offerIds: v1.OfferID[], filters: v1.Filters | undefined, attempt = 0): Promise<void> {
    try {
      await this.scheduler.decline(offerIds, filters);
    } catch (err) {
      if (this.disposed || this.scheduler.state !== 'subscribed') return;
      this.logger.warn(`DECLINE of ${offerIds.length} offer(s) failed, retrying: ${(err as Error).message}`);
      const timer = setTimeout(() => {
        this.declineRetries.delete(timer);
        void this.declineOffers(offerIds, filters, attempt + 1);
      }, Math.min(DECLINE_RETRY_MAX_MS, DECLINE_RETRY_BASE_MS * 2 ** attempt));
      timer.unref();
      this.declineRetries.add(timer);
    }
  }

  /** True when storage takes writes: records left unwritten by an outage are written first. */
  private async storageReady(): Promise<boolean> {
    if (this.tasks.storageHealthy) return true;
    if (await this.tasks.flush()) return true;
    this.pauseLaunches(new Error('records are still waiting to be written'));
    return false;
  }

  private pauseLaunches(err: Error): void {
    if (this.storagePaused) return;
    this.storagePaused = true;
    this.logger.warn(`storage unavailable, launches paused until it is back: ${err.message}`);
  }

  /** True while launches wait for storage to come back. */
  get launchesPaused(): boolean {
    return this.storagePaused;
  }

  /** Forgets a rescinded offer. */
  @OnRescind()
  rescind(offerId: v1.OfferID): void {
    this.resources.onRescind(offerId);
  }

  /** Applies a status update to the task's record (relaunching per its restart policy) and ends the reconciliation when every task answered. */
  @OnUpdate()
  async update(status: v1.TaskStatus): Promise<void> {
    await this.tasks.onStatus(status);
    if (this.unanswered.delete(status.task_id.value) && this.unanswered.size === 0 && this.reconciling) await this.finishReconciliation();
    // The window had left tasks out and has room again: offers back (their filters cleared).
    await this.reviveIfPending(this.windowFull && this.windowRoom >= this.reopenAt);
    this.armBackoffRevive();
  }

  private scheduleReconcileRetry(attempt: number): void {
    clearTimeout(this.reconcileTimer);
    const delay = Math.min(RECONCILE_MAX_MS, RECONCILE_BASE_MS * 2 ** attempt);
    this.reconcileTimer = setTimeout(() => {
      if (!this.reconciling || this.unanswered.size === 0) return;
      const again = this.tasks.toReconcile(this.unanswered);
      this.scheduler.reconcile(again).catch((err: Error) => this.logger.warn(`reconcile retry failed: ${err.message}`));
      this.scheduleReconcileRetry(attempt + 1);
    }, delay);
    this.reconcileTimer.unref();
  }

  private async finishReconciliation(): Promise<void> {
    clearTimeout(this.reconcileTimer);
    this.reconciling = false;
    this.logger.info('reconciliation complete; launches resume');
    await this.scheduler.reconcile();
    await this.reviveIfPending(true);
  }

  private async reviveIfPending(force: boolean): Promise<void> {
    if (this.reconciling || !this.tasks.hasPlaceable()) return;
    // The window is full: nothing could be launched from the offers; the update that opens it revives.
    if (this.windowRoom === 0) {
      this.windowFull = true;
      return;
    }
    if (this.resources.shouldRevive(this.tasks.pendingCount, force)) {
      this.windowFull = false;
      await this.scheduler.revive();
      this.resources.recordRevived();
    } else if ((this.resources.isSuppressed || (force && this.windowFull)) && !this.reviveRetry) {
      // Rate-limited: try again shortly rather than leaving placeable work without offers.
      this.reviveRetry = setTimeout(() => {
        this.reviveRetry = undefined;
        this.reviveIfPending(true).catch((err: Error) => this.logger.warn(`revive failed: ${err.message}`));
      }, 250);
      this.reviveRetry.unref();
    }
  }

  /** Wakes the offers up again when a task in restart backoff becomes placeable. */
  private armBackoffRevive(): void {
    const at = this.tasks.nextBackoffEnd();
    // Armed for that time already (most updates change nothing here): the timer is kept.
    if (at !== undefined && at === this.backoffAt && this.backoffTimer) return;
    clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.backoffAt = at;
    if (at === undefined) return;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffAt = undefined;
      this.reviveIfPending(true).catch((err: Error) => this.logger.warn(`revive failed: ${err.message}`));
    }, Math.max(0, at - Date.now()) + 5);
    this.backoffTimer.unref();
  }

  /** Stops the timers (the framework is stopping). */
  dispose(): void {
    this.disposed = true;
    for (const t of this.declineRetries) clearTimeout(t);
    this.declineRetries.clear();
    this.stopWatchingWork();
    clearTimeout(this.reconcileTimer);
    clearTimeout(this.backoffTimer);
    clearTimeout(this.reviveRetry);
    clearInterval(this.periodicTimer);
  }
}
