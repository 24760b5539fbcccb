import type { v1 } from './mesos-types.js';

/** The time source of the resource manager: milliseconds since the epoch. Swap it in tests. */
export interface ResourceClock {
  /** Current time in milliseconds (any origin; only differences are used). */
  now(): number;
}

/** The system clock (`Date.now()`). */
export const systemClock: ResourceClock = { now: () => Date.now() };

/** Options of the {@link OfferPool}. */
export interface OfferPoolOptions {
  /** How long an offer may be held before {@link OfferPool.expire} hands it back for declining. Default 30 000 ms. */
  maxHoldMs?: number;
  /** Time source. Default {@link systemClock}. */
  clock?: ResourceClock;
}

/** An offer held by the pool with the time it arrived. */
export interface HeldOffer {
  /** The offer as the master sent it. */
  readonly offer: v1.Offer;
  /** When the offer was added, in clock milliseconds. */
  readonly receivedAt: number;
}

/** Default maximum hold time of an offer: 30 s. */
export const DEFAULT_MAX_HOLD_MS = 30_000;

/**
 * Holds the offers received from the master until they are used, rescinded or expire. Iteration
 * order is arrival order, so placement over the pool is deterministic.
 *
 * ```ts
 * pool.add(event.offers.offers);                 // OFFERS
 * pool.rescind(event.rescind.offer_id);          // RESCIND
 * const stale = pool.expire();                   // periodically: decline these
 * ```
 */
export class OfferPool {
  private readonly offers = new Map<string, HeldOffer>();
  private readonly maxHoldMs: number;
  private readonly clock: ResourceClock;

  constructor(options: OfferPoolOptions = {}) {
    this.maxHoldMs = options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** Adds offers (an OFFERS event). An offer id already held is replaced, keeping its original arrival time. */
  add(offers: readonly v1.Offer[]): void {
    const now = this.clock.now();
    for (const offer of offers) {
      const prev = this.offers.get(offer.id.value);
      this.offers.set(offer.id.value, { offer, receivedAt: prev?.receivedAt ?? now });
    }
  }

  /** Removes a rescinded offer (a RESCIND event). Returns whether it was held. */
  rescind(offerId: v1.OfferID | string): boolean {
    return this.offers.delete(typeof offerId === 'string' ? offerId : offerId.value);
  }

  /** Removes every offer of an agent (e.g. the agent was lost). Returns the removed offers. */
  removeAgent(agentId: v1.AgentID | string): v1.Offer[] {
    const id = typeof agentId === 'string' ? agentId : agentId.value;
    const out: v1.Offer[] = [];
    for (const [k, h] of this.offers) {
      if (h.offer.agent_id.value === id) {
        out.push(h.offer);
        this.offers.delete(k);
      }
    }
    return out;
  }

  /** Removes and returns every offer held longer than `maxHoldMs`; the caller should decline them. */
  expire(): v1.Offer[] {
    const cutoff = this.clock.now() - this.maxHoldMs;
    const out: v1.Offer[] = [];
    for (const [k, h] of this.offers) {
      if (h.receivedAt <= cutoff) {
        out.push(h.offer);
        this.offers.delete(k);
      }
    }
    return out;
  }

  /** Removes and returns the given offers (those not held are skipped), e.g. to accept or decline them. */
  take(offerIds: ReadonlyArray<v1.OfferID | string>): v1.Offer[] {
    const out: v1.Offer[] = [];
    for (const id of offerIds) {
      const k = typeof id === 'string' ? id : id.value;
      const h = this.offers.get(k);
      if (h) {
        out.push(h.offer);
        this.offers.delete(k);
      }
    }
    return out;
  }

  /** Removes and returns every held offer. */
  takeAll(): v1.Offer[] {
    const out = [...this.offers.values()].map((h) => h.offer);
    this.offers.clear();
    return out;
  }

  /** The held offers in arrival order (not removed). */
  list(): v1.Offer[] {
    return [...this.offers.values()].map((h) => h.offer);
  }

  /** The held offers that have not expired yet, in arrival order (not removed). */
  listFresh(): v1.Offer[] {
    const cutoff = this.clock.now() - this.maxHoldMs;
    const out: v1.Offer[] = [];
    for (const h of this.offers.values()) if (h.receivedAt > cutoff) out.push(h.offer);
    return out;
  }

  /** The held offers with their arrival times. */
  held(): HeldOffer[] {
    return [...this.offers.values()];
  }

  /** Whether the offer is held. */
  has(offerId: v1.OfferID | string): boolean {
    return this.offers.has(typeof offerId === 'string' ? offerId : offerId.value);
  }

  /** Number of held offers. */
  get size(): number {
    return this.offers.size;
  }

  /** Milliseconds until the oldest offer expires (0 when already due), or `undefined` when empty. */
  nextExpiryInMs(): number | undefined {
    let oldest: number | undefined;
    for (const h of this.offers.values()) if (oldest === undefined || h.receivedAt < oldest) oldest = h.receivedAt;
    return oldest === undefined ? undefined : Math.max(0, oldest + this.maxHoldMs - this.clock.now());
  }
}
