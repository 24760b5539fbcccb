import 'reflect-metadata';
import { inject, injectable, optional } from 'inversify';
import { TOKENS } from '../tokens.js';
import type { v1 } from './mesos-types.js';
import { OfferPool, systemClock, type ResourceClock } from './offer-pool.js';
import { BinPackStrategy } from './placement/bin-pack.strategy.js';
import { place } from './placement/placer.js';
import { ValidationError } from '../errors/families.js';
import type { Assignment, PlacementContext, PlacementRequest, PlacementResult, PlacementStrategy } from './placement/placement-types.js';

/** Service identifier of {@link ResourceManagerOptions} (optional binding). */
export const RESOURCE_MANAGER_OPTIONS = Symbol.for('mesos-sdk.ResourceManagerOptions');

/** Options of the {@link ResourceManager}; every field is optional. */
export interface ResourceManagerOptions {
  /** Longest time an offer is held before it is handed back for declining. Default 30 000 ms. */
  maxOfferHoldMs?: number;
  /** `refuse_seconds` when declining while tasks are pending (offers should come back soon). Default 5. */
  refuseSecondsWhilePending?: number;
  /** `refuse_seconds` when declining with nothing pending. Default 120. */
  refuseSecondsWhenIdle?: number;
  /** Minimum time between two REVIVE calls. Default 1 000 ms. */
  minReviveIntervalMs?: number;
}

/** The outcome of {@link ResourceManager.placePending}. */
export interface PendingPlacement extends PlacementResult {
  /** Accept these: per agent, the offers to pass to one ACCEPT call with the assignments' LAUNCH operations. */
  accept: Array<{
    /** The agent. */
    agentId: v1.AgentID;
    /** Every offer of the agent the assignments draw from. */
    offerIds: v1.OfferID[];
    /** The assignments to LAUNCH on it. */
    assignments: Assignment[];
  }>;
  /** Offers to DECLINE now (unused and expired), with {@link PendingPlacement.declineFilters}. */
  decline: v1.OfferID[];
  /** Filters for the DECLINE call. */
  declineFilters: v1.Filters;
  /**
   * Requests placement refused (a non-finite amount, a malformed constraint): left out of this
   * cycle, which placed the others. Report them (the task controller marks their tasks `TASK_ERROR`).
   */
  invalid: Array<{
    /** The request. */
    requestId: string;
    /** Why it cannot be placed (a `ValidationError`, or what placement threw on it alone). */
    error: Error;
  }>;
  /** Set when placement threw something other than a refused request (a failing strategy): nothing was placed, every offer is to be declined. */
  failed?: Error;
}

/**
 * Offer pool, placement and the suppress/revive policy as pure decisions: the framework glue turns
 * them into ACCEPT, DECLINE, SUPPRESS and REVIVE calls.
 *
 * ```ts
 * rm.onOffers(event.offers.offers);
 * const { accept, decline, declineFilters, unplaced } = rm.placePending(requests, { running });
 * if (rm.shouldSuppress(unplaced.length)) { await scheduler.suppress(); rm.recordSuppressed(); }
 * ```
 */
@injectable()
export class ResourceManager {
  /** The held offers. */
  readonly pool: OfferPool;
  private readonly cycleListeners = new Set<(seconds: number, placement: PendingPlacement) => void>();
  private readonly strategy: PlacementStrategy;
  private readonly clock: ResourceClock;
  private readonly opts: Required<ResourceManagerOptions>;
  private suppressed = false;
  private lastReviveAt = -Infinity;

  constructor(
    @inject(TOKENS.PlacementStrategy) @optional() strategy?: PlacementStrategy,
    @inject(TOKENS.Clock) @optional() clock?: ResourceClock,
    @inject(RESOURCE_MANAGER_OPTIONS) @optional() options?: ResourceManagerOptions,
  ) {
    this.strategy = strategy ?? new BinPackStrategy();
    this.clock = clock ?? systemClock;
    this.opts = {
      maxOfferHoldMs: options?.maxOfferHoldMs ?? 30_000,
      refuseSecondsWhilePending: options?.refuseSecondsWhilePending ?? 5,
      refuseSecondsWhenIdle: options?.refuseSecondsWhenIdle ?? 120,
      minReviveIntervalMs: options?.minReviveIntervalMs ?? 1_000,
    };
    this.pool = new OfferPool({ maxHoldMs: this.opts.maxOfferHoldMs, clock: this.clock });
  }

  /** The strategy in use. */
  get strategyName(): string {
    return this.strategy.name;
  }

  /** Holds offers from an OFFERS event. */
  onOffers(offers: readonly v1.Offer[]): void {
    this.pool.add(offers);
  }

  /** Drops a rescinded offer (RESCIND event). Returns whether it was held. */
  onRescind(offerId: v1.OfferID | string): boolean {
    return this.pool.rescind(offerId);
  }

  /** Removes and returns offers held too long; decline them with {@link declineFilter}. */
  expireOffers(): v1.OfferID[] {
    return this.pool.expire().map((o) => o.id);
  }

  /**
   * Places pending requests on every held offer. Used offers leave the pool (accept them);
   * unused and expired offers leave it too (decline them): with pending tasks unplaced they are
   * declined for a short time so the master offers other agents, otherwise for long.
   *
   * A request placement refuses (a `ValidationError`: a non-finite or missing amount, a malformed
   * constraint) does not stop the cycle: it is left out and named in `invalid`, and the others are
   * placed. Should placement throw anything else (a failing strategy), nothing is placed, `failed`
   * says why and every offer is to be declined: offers are always answered.
   */
  placePending(requests: readonly PlacementRequest[], context: PlacementContext = { running: [] }): PendingPlacement {
    const started = process.hrtime.bigint();
    const offers = this.pool.listFresh();
    const invalid: PendingPlacement['invalid'] = [];
    let failed: Error | undefined;
    let result: PlacementResult;
    if (requests.length === 0) result = { assignments: [], unplaced: [], unusedOfferIds: offers.map((o) => o.id) };
    else {
      try {
        result = place(offers, requests, context, this.strategy);
      } catch (whole) {
        // One bad request must not stop the others: find the requests placement refuses alone, place the rest.
        const good: PlacementRequest[] = [];
        let broken: unknown = whole instanceof ValidationError ? undefined : whole;
        for (const r of broken === undefined ? requests : []) {
          try {
            place(offers, [r], context, this.strategy);
            good.push(r);
          } catch (err) {
            if (!(err instanceof ValidationError)) {
              broken = err;
              break;
            }
            invalid.push({ requestId: typeof r?.id === 'string' ? r.id : String(r?.id), error: err });
          }
        }
        try {
          if (broken !== undefined || invalid.length === 0) throw broken ?? whole;
          result = place(offers, good, context, this.strategy);
        } catch (err) {
          // Not a bad request but a failing placement (a strategy that throws, say): nothing is placed this cycle, every offer is declined.
          const error = err instanceof Error ? err : new Error(String(err));
          failed = error;
          invalid.length = 0;
          result = { assignments: [], unplaced: requests.map((r) => ({ requestId: r.id, reasons: [`placement failed: ${error.message}`] })), unusedOfferIds: offers.map((o) => o.id) };
        }
      }
    }
    const expired = this.pool.expire();
    this.pool.takeAll();
    const byAgent = new Map<string, { agentId: v1.AgentID; offerIds: v1.OfferID[]; assignments: Assignment[] }>();
    for (const a of result.assignments) {
      let entry = byAgent.get(a.agentId.value);
      if (!entry) byAgent.set(a.agentId.value, (entry = { agentId: a.agentId, offerIds: [], assignments: [] }));
      for (const id of a.offerIds) if (!entry.offerIds.some((x) => x.value === id.value)) entry.offerIds.push(id);
      entry.assignments.push(a);
    }
    const placement: PendingPlacement = {
      ...result,
      accept: [...byAgent.values()],
      decline: [...expired.map((o) => o.id), ...result.unusedOfferIds],
      declineFilters: this.declineFilter(result.unplaced.length),
      invalid,
      ...(failed ? { failed } : {}),
    };
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const l of this.cycleListeners) l(seconds, placement);
    return placement;
  }

  /** Listens to every placement cycle (its duration and outcome), e.g. for metrics; returns a remover. */
  onPlacementCycle(listener: (seconds: number, placement: PendingPlacement) => void): () => void {
    this.cycleListeners.add(listener);
    return () => this.cycleListeners.delete(listener);
  }

  /** Filters for declining: `refuse_seconds` 5 while tasks are pending, 120 when nothing is (both configurable). */
  declineFilter(pendingCount: number): v1.Filters {
    return { refuse_seconds: pendingCount > 0 ? this.opts.refuseSecondsWhilePending : this.opts.refuseSecondsWhenIdle };
  }

  /** True when offers should be suppressed: nothing pending and not already suppressed. */
  shouldSuppress(pendingCount: number): boolean {
    return pendingCount === 0 && !this.suppressed;
  }

  /** Records that SUPPRESS was sent. */
  recordSuppressed(): void {
    this.suppressed = true;
  }

  /**
   * True when REVIVE should be sent: tasks are pending, offers are suppressed (or `force`, e.g. new
   * tasks arrived that declined agents may fit), and the last revive was at least
   * `minReviveIntervalMs` ago.
   */
  shouldRevive(pendingCount: number, force = false): boolean {
    if (pendingCount === 0 || (!this.suppressed && !force)) return false;
    return this.clock.now() - this.lastReviveAt >= this.opts.minReviveIntervalMs;
  }

  /** Records that REVIVE was sent (offers flow again; starts the rate-limit interval). */
  recordRevived(): void {
    this.suppressed = false;
    this.lastReviveAt = this.clock.now();
  }

  /** Whether offers are currently suppressed (as recorded). */
  get isSuppressed(): boolean {
    return this.suppressed;
  }
}
