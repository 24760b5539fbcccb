import { MesosSdkError, ValidationError } from '../../errors/index.js';
import type { v1 } from '../mesos-types.js';
import { ResourceManagerErrorCodes } from '../resource-manager-error-codes.js';
import { fromMillis, toMillis } from './fixed-point.js';
import { addRanges, containsRanges, normalizeRanges, rangesSize, subtractRanges, type Range, type RangeSet } from './ranges.js';
import { addSets, containsSet, normalizeSet, subtractSets } from './value-sets.js';

/** Everything about a `v1.Resource` except its quantity: what makes two resources interchangeable. */
export type ResourceIdentity = Omit<v1.Resource, 'scalar' | 'ranges' | 'set'>;

/** One kind of resource in a {@link Resources} value with its quantity. */
export interface ResourceEntry {
  /** Canonical identity key (name, type, role, allocation role, reservations, disk, provider, revocable, shared). */
  readonly key: string;
  /** The resource without its quantity: what makes two resources addable. */
  readonly identity: ResourceIdentity;
  /** SCALAR quantity in integer thousandths. */
  readonly millis: number;
  /** RANGES quantity, normalised. */
  readonly ranges: RangeSet;
  /** SET quantity, sorted and unique. */
  readonly set: readonly string[];
}

const IDENTITY_FIELDS = ['name', 'type', 'role', 'allocation_info', 'reservation', 'reservations', 'disk', 'provider_id', 'revocable', 'shared'] as const;

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const keys = Object.keys(value as Record<string, unknown>).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The identity of a resource (everything except its quantity) and its canonical key. */
export function resourceIdentity(resource: v1.Resource): {
  /** Canonical text of `identity`: equal keys mean the same kind of resource. */
  key: string;
  /** The resource's fields except `scalar`, `ranges` and `set` (empty arrays dropped). */
  identity: ResourceIdentity;
} {
  const identity: Record<string, unknown> = {};
  for (const f of IDENTITY_FIELDS) {
    const v = (resource as unknown as Record<string, unknown>)[f];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) identity[f] = v;
  }
  return { key: canonical(identity), identity: identity as unknown as ResourceIdentity };
}

function isZero(e: { identity: ResourceIdentity; millis: number; ranges: RangeSet; set: readonly string[] }): boolean {
  switch (e.identity.type) {
    case 'SCALAR':
      return e.millis === 0;
    case 'RANGES':
      return e.ranges.length === 0;
    case 'SET':
      return e.set.length === 0;
    default:
      return true;
  }
}

/**
 * An immutable bag of Mesos resources. Resources are keyed by their full identity (name, type,
 * legacy role, `allocation_info.role`, reservation stack, disk info, provider id, revocable, shared),
 * so reserved and unreserved resources, or resources allocated to different roles, never mix.
 * Scalars are exact to three decimals (see {@link toMillis}).
 *
 * ```ts
 * const offered = Resources.fromProto(offer.resources ?? []);
 * const task = Resources.fromProto([{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }]);
 * if (offered.contains(task)) offered.minus(task).toProto();
 * ```
 */
export class Resources {
  private constructor(private readonly map: ReadonlyMap<string, ResourceEntry>) {}

  /** The empty bag. */
  static readonly EMPTY = new Resources(new Map());

  /**
   * Builds a bag from `v1.Resource` messages, merging equal identities.
   * @throws ValidationError `ERR_RESOURCE_INVALID` listing every malformed resource.
   */
  static fromProto(resources: readonly v1.Resource[]): Resources {
    const problems: Array<{ path: string; message: string }> = [];
    const map = new Map<string, ResourceEntry>();
    resources.forEach((r, i) => {
      const path = `resources[${i}]`;
      if (typeof r.name !== 'string' || r.name === '') {
        problems.push({ path: `${path}.name`, message: 'resource name must be a non-empty string' });
        return;
      }
      const { key, identity } = resourceIdentity(r);
      let millis = 0;
      let ranges: Range[] = [];
      let set: string[] = [];
      if (r.type === 'SCALAR') {
        const v = r.scalar?.value;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          problems.push({ path: `${path}.scalar.value`, message: 'SCALAR resource needs a finite, non-negative scalar.value' });
          return;
        }
        millis = toMillis(v);
      } else if (r.type === 'RANGES') {
        const raw = r.ranges?.range ?? [];
        const bad = raw.findIndex((x) => !Number.isInteger(x.begin) || !Number.isInteger(x.end) || x.begin > x.end);
        if (bad >= 0) {
          problems.push({ path: `${path}.ranges.range[${bad}]`, message: 'range needs integer begin <= end' });
          return;
        }
        ranges = normalizeRanges(raw);
      } else if (r.type === 'SET') {
        set = normalizeSet(r.set?.item ?? []);
      } else {
        problems.push({ path: `${path}.type`, message: `resource type must be SCALAR, RANGES or SET, got ${String(r.type)}` });
        return;
      }
      const prev = map.get(key);
      map.set(key, prev ? Resources.sum(prev, { key, identity, millis, ranges, set }) : { key, identity, millis, ranges, set });
    });
    if (problems.length > 0) {
      throw new ValidationError(ResourceManagerErrorCodes.RESOURCE_INVALID, `${problems.length} malformed resource(s): ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
    }
    for (const [k, e] of map) if (isZero(e)) map.delete(k);
    return new Resources(map);
  }

  private static sum(a: ResourceEntry, b: ResourceEntry): ResourceEntry {
    return { key: a.key, identity: a.identity, millis: a.millis + b.millis, ranges: addRanges(a.ranges, b.ranges), set: addSets(a.set, b.set) };
  }

  /** Converts back to `v1.Resource` messages (one per identity, in insertion order), keeping every identity field. */
  toProto(): v1.Resource[] {
    const out: v1.Resource[] = [];
    for (const e of this.map.values()) {
      const r: v1.Resource = { ...structuredClone(e.identity) } as v1.Resource;
      if (e.identity.type === 'SCALAR') r.scalar = { value: fromMillis(e.millis) };
      else if (e.identity.type === 'RANGES') r.ranges = { range: e.ranges.map((x) => ({ begin: x.begin, end: x.end })) };
      else r.set = { item: [...e.set] };
      out.push(r);
    }
    return out;
  }

  /** Every entry (one per identity). */
  entries(): IterableIterator<ResourceEntry> {
    return this.map.values();
  }

  /** True when the bag holds nothing. */
  isEmpty(): boolean {
    return this.map.size === 0;
  }

  /** Sum of both bags. */
  plus(other: Resources): Resources {
    const map = new Map(this.map);
    for (const [k, e] of other.map) {
      const prev = map.get(k);
      map.set(k, prev ? Resources.sum(prev, e) : e);
    }
    return new Resources(map);
  }

  /** True when every resource of `other` is in this bag (same identity, at least the same quantity). */
  contains(other: Resources): boolean {
    for (const [k, e] of other.map) {
      const mine = this.map.get(k);
      if (!mine) return false;
      if (e.identity.type === 'SCALAR' && mine.millis < e.millis) return false;
      if (e.identity.type === 'RANGES' && !containsRanges(mine.ranges, e.ranges)) return false;
      if (e.identity.type === 'SET' && !containsSet(mine.set, e.set)) return false;
    }
    return true;
  }

  /**
   * This bag minus `other`. Never produces negative quantities.
   * @throws MesosSdkError `ERR_RESOURCES_INSUFFICIENT` when `other` is not contained in this bag.
   */
  minus(other: Resources): Resources {
    if (!this.contains(other)) {
      throw new MesosSdkError(ResourceManagerErrorCodes.RESOURCES_INSUFFICIENT, 'cannot subtract resources that are not contained; check contains() first');
    }
    const map = new Map(this.map);
    for (const [k, e] of other.map) {
      const mine = map.get(k)!;
      const next: ResourceEntry = {
        key: k,
        identity: mine.identity,
        millis: mine.millis - e.millis,
        ranges: subtractRanges(mine.ranges, e.ranges),
        set: subtractSets(mine.set, e.set),
      };
      if (isZero(next)) map.delete(k);
      else map.set(k, next);
    }
    return new Resources(map);
  }

  /** True when both bags hold exactly the same resources. */
  equals(other: Resources): boolean {
    return this.map.size === other.map.size && this.contains(other) && other.contains(this);
  }

  /** Only the entries accepted by `predicate`. */
  filter(predicate: (entry: ResourceEntry) => boolean): Resources {
    const map = new Map<string, ResourceEntry>();
    for (const [k, e] of this.map) if (predicate(e)) map.set(k, e);
    return new Resources(map);
  }

  /** Total scalar amount of `name` across every identity (e.g. reserved plus unreserved cpus), exact to 3 decimals. */
  scalar(name: string): number {
    let millis = 0;
    for (const e of this.map.values()) if (e.identity.name === name && e.identity.type === 'SCALAR') millis += e.millis;
    return fromMillis(millis);
  }

  /** Union of the ranges named `name` across every identity. */
  ranges(name: string): Range[] {
    let out: Range[] = [];
    for (const e of this.map.values()) if (e.identity.name === name && e.identity.type === 'RANGES') out = addRanges(out, e.ranges);
    return out;
  }

  /** Number of values in the ranges named `name` (e.g. free ports). */
  rangeCount(name: string): number {
    return rangesSize(this.ranges(name));
  }
}

/** True when the resource is reserved (legacy `role` other than `*`, or a non-empty reservation stack). */
export function isReserved(r: Pick<v1.Resource, 'role' | 'reservation' | 'reservations'>): boolean {
  return (r.reservations !== undefined && r.reservations.length > 0) || r.reservation !== undefined || (r.role !== undefined && r.role !== '*');
}

/** The role a resource is reserved for (top of the reservation stack), or `undefined` when unreserved. */
export function reservationRole(r: Pick<v1.Resource, 'role' | 'reservation' | 'reservations'>): string | undefined {
  const stack = r.reservations;
  if (stack !== undefined && stack.length > 0) return stack[stack.length - 1]!.role;
  if (r.reservation !== undefined) return r.role;
  return r.role !== undefined && r.role !== '*' ? r.role : undefined;
}
