import type { RunningTask } from '../resource-manager/placement/placement-types.js';
import { isTerminal, type TaskRecord, type TaskRecordState } from './task-record.js';
import { BackoffHeap } from './backoff-heap.js';

/**
 * The attempts of one instance slot, in the order they were added: the record itself while the
 * slot has one (most slots: no array per task), else an array exactly as long as the slot.
 */
type Slot = TaskRecord | TaskRecord[];
const recordsOf = (slot: Slot): TaskRecord[] => (Array.isArray(slot) ? slot : [slot]);

/** The records of one definition name, by instance slot. */
interface DefinitionRecords {
  /** `slots[instance]`, for non-negative integer instances below {@link MAX_SLOT}. */
  slots: Array<Slot | undefined>;
  /** Slots of any other `instance` value (only a record written to storage by other means has one). */
  odd: Map<unknown, Slot> | undefined;
  /** Terminal records held, per state (the pruned ones are counted by the task manager's pruned totals). */
  ended: Map<string, number>;
  /** Records held. */
  size: number;
}

/** Instances from 0 to this (excluded) are array slots; `scale()` allows 10,000. */
const MAX_SLOT = 1 << 16;
const isSlotIndex = (i: unknown): i is number => typeof i === 'number' && Number.isInteger(i) && i >= 0 && i < MAX_SLOT;

/** True for a record Mesos may be running (launching or launched, not terminal): reconciled, counted by placement constraints. */
export const isActive = (r: TaskRecord): boolean => r.state !== 'PENDING' && !isTerminal(r.state);
const isPending = (r: TaskRecord): boolean => r.state === 'PENDING' && !r.superseded;

/** The canonical copy of each known state and desire string: records parsed from storage or built from decoded updates share them. */
const CANONICAL = new Map<string, string>(
  ['PENDING', 'LAUNCHING', 'running', 'killed', 'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN'].map((s) => [s, s]),
);
/** `s` as the shared constant when it is a known state (or `running`/`killed`), else `s`. */
export const canonicalState = <T extends string>(s: T): T => (CANONICAL.get(s) as T | undefined) ?? s;

/** Most distinct strings (agent ids, host names, messages) and attribute sets {@link Interner} shares. */
const MAX_INTERNED = 8192;
/** Longest string interned: longer ones (a long failure message) are kept as they are. */
const MAX_INTERNED_LENGTH = 256;

/**
 * Shares one copy of the strings and attribute objects that repeat across records (an agent's id,
 * host name and attributes are the same for every task on it; most messages repeat too): records
 * parsed from storage, or changed by decoded updates, would otherwise each hold their own. Bounded:
 * past {@link MAX_INTERNED} distinct values, new ones are kept as they are. @internal
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  /** Per agent id, the attribute set last seen on it. */
  private readonly attributes = new Map<string, Record<string, string>>();

  /** The shared copy of `s`. */
  string(s: string): string {
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen;
    if (this.strings.size < MAX_INTERNED && s.length <= MAX_INTERNED_LENGTH) this.strings.set(s, s);
    return s;
  }

  /** A shared object equal to `a` (same keys and values, in the same order), the attributes of agent `agentId`: an agent's tasks share its set. */
  attributeSet(agentId: string, a: Record<string, string>): Record<string, string> {
    const seen = this.attributes.get(agentId);
    if (seen === a) return a;
    if (seen !== undefined && sameAttributes(seen, a)) return seen;
    if (this.attributes.size < MAX_INTERNED || seen !== undefined) this.attributes.set(agentId, a);
    return a;
  }

  /** `r` with its repeated strings and attributes shared (changed in place: call on a record not yet held). */
  record(r: TaskRecord): TaskRecord {
    if (typeof r.state === 'string') r.state = canonicalState(r.state);
    if (typeof r.desired === 'string') r.desired = canonicalState(r.desired);
    if (typeof r.agentId === 'string') r.agentId = this.string(r.agentId);
    if (typeof r.hostname === 'string') r.hostname = this.string(r.hostname);
    if (typeof r.message === 'string') r.message = this.string(r.message);
    if (r.attributes && typeof r.attributes === 'object' && typeof r.agentId === 'string') r.attributes = this.attributeSet(r.agentId, r.attributes);
    return r;
  }
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || a[ka[i]!] !== b[kb[i]!]) return false;
  return true;
}

/**
 * Every task record held in memory and the indexes the task manager's queries read, kept right by
 * {@link TaskIndex.put} and {@link TaskIndex.remove} (the only ways records change here), each O(1)
 * (O(slot size) for the slot arrays, a handful of attempts):
 * - by id;
 * - by definition name and instance slot (a transition looks at its slot only; `scale()` at the
 *   slots it removes; `list({ name })` at one definition);
 * - by state (every record: `list({ state })`, and the launched ones for reconciliation and the
 *   placement context);
 * - counts of the current records per state (`counts()`, `idle`) and of the terminal records per
 *   definition and state (`totals()`);
 * - the current PENDING records, in record order (placement), and the restart-backoff ends.
 * @internal
 */
export class TaskIndex {
  /** Every record held, by id. */
  readonly records = new Map<string, TaskRecord>();
  private readonly byDefinition = new Map<string, DefinitionRecords>();
  /** The records in each state (the objects held: reading them needs no lookup by id). */
  private readonly byState = new Map<string, Set<TaskRecord>>();
  /** Current (not superseded) records per state. */
  private readonly currentCounts = new Map<string, number>();
  /** Ids of the current PENDING records, in record order: placement and revive look at these only. */
  readonly pending = new Set<string>();
  /** True when a record went back to PENDING: `pending` is no longer in record order and is rebuilt before placement. */
  pendingReordered = false;
  /** Bumped whenever a record becomes pending: an answer "nothing is placeable until T" holds while it stays. */
  pendingAdded = 0;
  /** Restart-backoff ends of PENDING records, earliest first (stale entries dropped lazily). */
  readonly backoff = new BackoffHeap();
  /** The placement context's running tasks, built on demand and kept until a launched record's agent or membership changes. */
  private running: RunningTask[] | undefined;

  /** Number of records held. */
  get size(): number {
    return this.records.size;
  }

  /** Adds `r`, or replaces the record of the same id (which must not be changed in place: pass a copy). */
  put(r: TaskRecord): void {
    const old = this.records.get(r.id);
    this.records.set(r.id, r);
    if (old) {
      this.unindex(old, r);
      if (old.name === r.name && old.instance === r.instance) {
        const slot = this.slotOf(old.name, old.instance, false)!;
        if (Array.isArray(slot)) slot[slot.indexOf(old)] = r;
        else this.setSlot(r.name, r.instance, r);
      } else {
        this.leaveSlot(old);
        this.joinSlot(r);
      }
    } else {
      this.joinSlot(r);
    }
    this.definitionOf(r.name).size++;
    if (isTerminal(r.state)) bump(this.definitionOf(r.name).ended, r.state, 1);
    this.setOf(r.state).add(r);
    if (!r.superseded) bump(this.currentCounts, r.state, 1);
    if (isPending(r)) {
      if (!this.pending.has(r.id)) {
        this.pending.add(r.id);
        this.pendingAdded++;
      }
    } else {
      this.pending.delete(r.id);
    }
    if (r.state === 'PENDING' && r.notBefore !== undefined) this.backoff.push(r.notBefore, r.id);
    if (isActive(r) && (!old || !isActive(old) || old.agentId !== r.agentId || old.hostname !== r.hostname || old.attributes !== r.attributes || old.name !== r.name)) this.running = undefined;
  }

  /** Removes the record `id`; returns it (undefined when absent). */
  remove(id: string): TaskRecord | undefined {
    const old = this.records.get(id);
    if (!old) return undefined;
    this.records.delete(id);
    this.unindex(old, undefined);
    this.leaveSlot(old);
    this.pending.delete(id);
    const def = this.byDefinition.get(old.name);
    if (def && def.size === 0) this.byDefinition.delete(old.name);
    return old;
  }

  /** Takes `old` out of the counts and the state index (its slot is the caller's). */
  private unindex(old: TaskRecord, next: TaskRecord | undefined): void {
    const def = this.definitionOf(old.name);
    def.size--;
    if (isTerminal(old.state)) bump(def.ended, old.state, -1);
    const set = this.byState.get(old.state);
    set?.delete(old);
    if (set?.size === 0 && next?.state !== old.state) this.byState.delete(old.state);
    if (!old.superseded) bump(this.currentCounts, old.state, -1);
    if (isActive(old) && (!next || !isActive(next))) this.running = undefined;
  }

  private definitionOf(name: string): DefinitionRecords {
    let def = this.byDefinition.get(name);
    if (!def) this.byDefinition.set(name, (def = { slots: [], odd: undefined, ended: new Map(), size: 0 }));
    return def;
  }

  private setOf(state: string): Set<TaskRecord> {
    let set = this.byState.get(state);
    if (!set) this.byState.set(state, (set = new Set()));
    return set;
  }

  private slotOf(name: string, instance: unknown, create: boolean): Slot | undefined {
    const def = create ? this.definitionOf(name) : this.byDefinition.get(name);
    if (!def) return undefined;
    if (isSlotIndex(instance)) return def.slots[instance];
    return def.odd?.get(instance);
  }

  /** Slot arrays are replaced, not grown, when a record joins or leaves: each is exactly as long as its slot (no spare capacity per slot). */
  private setSlot(name: string, instance: unknown, records: Slot | undefined): void {
    const def = this.definitionOf(name);
    if (isSlotIndex(instance)) {
      // Filled up to it first: a write past the end of a JavaScript array leaves a hole, and many holes (records loaded in key order: 0, 1, 10, 100, 1000...) turn it into a slow dictionary.
      if (records) {
        while (def.slots.length < instance) def.slots.push(undefined);
        def.slots[instance] = records;
      }
      else if (instance === def.slots.length - 1) {
        def.slots.length--;
        while (def.slots.length > 0 && def.slots[def.slots.length - 1] === undefined) def.slots.length--;
      } else def.slots[instance] = undefined;
      return;
    }
    if (records) (def.odd ??= new Map()).set(instance, records);
    else def.odd?.delete(instance);
  }

  private joinSlot(r: TaskRecord): void {
    const slot = this.slotOf(r.name, r.instance, true);
    this.setSlot(r.name, r.instance, slot ? [...recordsOf(slot), r] : r);
  }

  private leaveSlot(r: TaskRecord): void {
    const slot = this.slotOf(r.name, r.instance, false);
    if (!slot) return;
    const rest = recordsOf(slot).filter((x) => x !== r);
    this.setSlot(r.name, r.instance, rest.length > 1 ? rest : rest[0]);
  }

  /** The records of slot (`name`, `instance`), oldest added first (do not change the array). */
  slot(name: string, instance: unknown): readonly TaskRecord[] {
    const slot = this.slotOf(name, instance, false);
    return slot ? recordsOf(slot) : [];
  }

  /** Every slot of definition `name` (array slots by instance, then the odd ones). */
  *slots(name: string): Generator<readonly TaskRecord[]> {
    const def = this.byDefinition.get(name);
    if (!def) return;
    for (const slot of def.slots) if (slot) yield recordsOf(slot);
    if (def.odd) for (const slot of def.odd.values()) yield recordsOf(slot);
  }

  /** Calls `visit` with every record of definition `name`, by instance slot. */
  eachOfDefinition(name: string, visit: (r: TaskRecord) => void): void {
    const def = this.byDefinition.get(name);
    if (!def) return;
    for (const slot of def.slots) {
      if (slot === undefined) continue;
      if (Array.isArray(slot)) for (const r of slot) visit(r);
      else visit(slot);
    }
    if (def.odd) for (const slot of def.odd.values()) for (const r of recordsOf(slot)) visit(r);
  }

  /** Every slot of every definition. */
  *allSlots(): Generator<readonly TaskRecord[]> {
    for (const name of [...this.byDefinition.keys()]) yield* this.slots(name);
  }

  /** The records of definition `name` whose instance is `from` or more, highest instance first (array slots: O(the slots from `from` up)). */
  recordsFrom(name: string, from: number): TaskRecord[] {
    const def = this.byDefinition.get(name);
    if (!def) return [];
    const out: TaskRecord[] = [];
    if (def.odd) {
      for (const [instance, slot] of def.odd) if ((instance as number) >= from) out.push(...recordsOf(slot));
    }
    for (let i = def.slots.length - 1; i >= Math.max(0, Math.ceil(from)); i--) {
      const slot = def.slots[i];
      if (slot) out.push(...recordsOf(slot));
    }
    return def.odd ? out.sort((a, b) => (b.instance as number) - (a.instance as number)) : out;
  }

  /** How many records definition `name` has (its history included). */
  definitionSize(name: string): number {
    return this.byDefinition.get(name)?.size ?? 0;
  }

  /** Ids of every record in `state` (superseded ones too), or undefined when none. */
  inState(state: string): ReadonlySet<TaskRecord> | undefined {
    return this.byState.get(state);
  }

  /** Calls `visit` with every record Mesos may be running (launching or launched, not terminal; superseded ones too). */
  eachActive(visit: (r: TaskRecord) => void): void {
    for (const [state, records] of this.byState) {
      if (state === 'PENDING' || isTerminal(state as TaskRecordState)) continue;
      for (const r of records) visit(r);
    }
  }

  /** Count of current records per state (states with none left out). O(states). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [state, n] of this.currentCounts) if (n > 0) out[state] = n;
    return out;
  }

  /** Count of current records in `state`. O(1). */
  count(state: TaskRecordState): number {
    return this.currentCounts.get(state) ?? 0;
  }

  /** True when no current record is pending, launching or running. O(states). */
  get idle(): boolean {
    for (const [state, n] of this.currentCounts) if (n > 0 && !isTerminal(state as TaskRecordState)) return false;
    return true;
  }

  /** Per terminal state, the records of definition `name` held that ended in it. O(states). */
  ended(name: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [state, n] of this.byDefinition.get(name)?.ended ?? []) if (n > 0) out[state] = n;
    return out;
  }

  /** The running tasks of the placement context (shared: do not change it). O(active) when a launched record's agent changed since the last call, else O(1). */
  runningTasks(): readonly RunningTask[] {
    if (!this.running) {
      const out: RunningTask[] = [];
      this.eachActive((r) => {
        if (r.agentId) out.push({ group: r.name, agentId: r.agentId, hostname: r.hostname ?? '', attributes: r.attributes ?? {} });
      });
      this.running = out;
    }
    return this.running;
  }

  /** Rebuilds `pending` in record order (after a record went back to PENDING). */
  reorderPending(): void {
    if (!this.pendingReordered) return;
    this.pendingReordered = false;
    this.pending.clear();
    for (const r of this.records.values()) if (isPending(r)) this.pending.add(r.id);
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n === 0) counts.delete(key);
  else counts.set(key, n);
}
