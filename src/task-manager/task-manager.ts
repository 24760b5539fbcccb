import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { Storage, StorageOperation } from '../storage/storage.interface.js';
import { fromBytes, toBytes } from '../storage/storage-keys.js';
import { toStorageError } from '../storage/storage-errors.js';
import { writeOperations } from '../storage/storage-batch.js';
import { MesosSdkError, ValidationError } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { TaskDefinition } from '../task-spec/task-definition.js';
import { validateTaskDefinitions } from '../task-spec/task-spec-validator.js';
import { toPlacementRequest, toTaskInfo } from '../task-spec/to-task-info.js';
import type { Assignment, PlacementContext, PlacementRequest } from '../resource-manager/placement/placement-types.js';
import { isRegression, isTerminal, type TaskRecord, type TaskRecordState } from './task-record.js';
import { retentionOf, toPrune, type Retention, type TaskHistoryOptions, type TaskTotals } from './task-history.js';
import { Interner, TaskIndex, canonicalState, isActive } from './task-index.js';

/** Stable codes of the task manager's errors. */
export const TaskManagerErrorCodes = {
  /** No task with that id (kill, prepareLaunch). */
  NOT_FOUND: 'ERR_TASK_NOT_FOUND',
  /** No definition with that name (scale); submit it first. */
  UNKNOWN_DEFINITION: 'ERR_TASK_DEFINITION_UNKNOWN',
  /** `scale()` was given a number of instances that is not an integer from 0 to 10 000. */
  BAD_INSTANCES: 'ERR_TASK_INSTANCES_INVALID',
  /**
   * A stored definition cannot be placed or turned into a TaskInfo (a value that makes placement
   * throw, such as a non-finite number written to storage by other means): its tasks are marked
   * `TASK_ERROR` with this code in their `invalid` field, logged once, and skipped; the others are
   * placed as usual. Submitting the definition again (fixed) relaunches them.
   */
  UNPLACEABLE: 'ERR_TASK_DEFINITION_UNPLACEABLE',
} as const;

const DEF_PREFIX = 'definitions';
const TASK_PREFIX = 'tasks';
/** Per definition, the counts of ended attempts pruned from the history. */
const TOTALS_PREFIX = 'task-totals';
/** Reconciliation answers meaning "Mesos does not know this task". */
const NEVER_LAUNCHED: ReadonlySet<string> = new Set(['TASK_GONE', 'TASK_LOST', 'TASK_UNKNOWN', 'TASK_DROPPED']);
/**
 * Reasons that, with one of those states, mean the launch never happened: a reconciliation answer,
 * or the master refusing an ACCEPT whose offers were no longer valid (rescinded, say).
 */
const NEVER_LAUNCHED_REASONS: ReadonlySet<string> = new Set(['REASON_RECONCILIATION', 'REASON_INVALID_OFFERS']);
const MAX_INSTANCES = 10_000;

/** What the task manager asks the scheduler to do (kept small so tests can fake it). */
export interface TaskManagerCalls {
  /** Sends KILL for the task (on its agent, when known). */
  kill(taskId: v1.TaskID, agentId?: v1.AgentID): Promise<void>;
}

/** Options of the {@link TaskManager}; every field is optional. */
export interface TaskManagerOptions {
  /** Where it reports definitions it cannot place and records it could not repair. Default: nowhere. */
  logger?: Logger;
  /**
   * How many ended attempts are kept in memory and storage: ended, replaced attempts beyond it are
   * deleted (the counts per state stay in {@link TaskManager.totals}), so records stay bounded
   * under restart churn. Default: 5 per slot, for at most a day.
   */
  history?: TaskHistoryOptions;
}

/** A filter of {@link TaskManager.list}: every field given must match. */
export interface TaskQuery {
  /** Tasks of this definition. */
  name?: string;
  /** Tasks in this state. */
  state?: TaskRecordState;
  /** `key` or `key=value` against the definition's labels. */
  label?: string;
  /** Include attempts replaced by a relaunch. @default false */
  history?: boolean;
}

/** States in which a task given up on is running again (and must be killed). */
const ZOMBIE_STATES: ReadonlySet<string> = new Set(['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING']);

/** Most operations of one storage batch written by `load()` (etcd's limit per transaction: such a batch is one transaction there). */
const LOAD_BATCH_OPS = 128;

/**
 * The lifecycle of every task (bound to `TOKENS.TaskManager`): definitions and records live in
 * Storage, and a task's record is written (state LAUNCHING, with its agent) before the ACCEPT that
 * launches it, so a restarted framework knows every task it may have launched and reconciles it
 * instead of launching it again. Failed tasks are relaunched per their restart policy with
 * exponential backoff, as a new attempt.
 *
 * Every change is written before it is applied in memory, in one storage write: a task's new
 * state, its supersede mark and its next attempt go together (a {@link Storage.batch}), so a crash
 * at any point leaves either the old state (the agent resends the unacknowledged update) or the
 * whole new one. A write that fails throws a retryable `StorageError` and changes nothing, so the
 * update is not acknowledged and a submit is not half-applied.
 */
export class TaskManager {
  private readonly definitions = new Map<string, TaskDefinition>();
  /** The records and their indexes (by id, slot, definition, state; pending set, backoff heap, counts). */
  private readonly index = new TaskIndex();
  /** Every record held, by id (the index's map). */
  private readonly records = this.index.records;
  /** One copy of the agent ids, host names, attributes and messages records repeat. */
  private readonly interner = new Interner();
  /**
   * What the last scan for placeable tasks found when it found none: nothing is placeable before
   * `until` (the earliest backoff end seen) while no task became pending (`pendingAdded`) and no
   * unplaceable verdict was forgotten (`forgotten`). Lets `hasPlaceable()`, asked after every
   * update, answer in O(1) while every pending task waits.
   */
  private noneUntil: { until: number; pendingAdded: number; forgotten: number } | undefined;
  /** Bumped when unplaceable verdicts are forgotten (a definition submitted again). */
  private forgotten = 0;
  /** Per definition, counts of ended attempts pruned from the history. */
  private readonly prunedTotals = new Map<string, TaskTotals>();
  /** The storage writes, one after the other (a transition's batch is ordered after the previous one). */
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  /** Records changed in memory whose last storage write failed (storage unavailable). */
  private readonly dirty = new Set<string>();
  /** Pending tasks whose definition cannot be placed, found by `placementRequests()`, to be marked by `markInvalid()`. */
  private readonly unplaceable = new Map<string, Error>();
  /** Definitions already reported as unplaceable (logged once). */
  private readonly reported = new Set<string>();
  private readonly retention: Retention;
  private readonly logger: Logger | undefined;

  /**
   * @param storage - Where definitions and records live.
   * @param calls - The KILL call (the scheduler).
   * @param now - The clock, ms since epoch (tests pass their own).
   * @param options - Logger and history retention.
   */
  constructor(
    private readonly storage: Storage,
    private readonly calls: TaskManagerCalls,
    private readonly now: () => number = Date.now,
    options: TaskManagerOptions = {},
  ) {
    this.retention = retentionOf(options.history);
    this.logger = options.logger;
  }

  /**
   * Loads definitions and records from storage (after a restart), then finishes what a crash of
   * an older SDK version may have left half done (an ended attempt whose relaunch was never written)
   * and prunes the history beyond the retention.
   */
  async load(): Promise<void> {
    for (const { key, value } of await this.storage.list(DEF_PREFIX)) {
      const def = fromBytes<TaskDefinition>(value, key);
      this.definitions.set(def.name, def);
    }
    for (const { key, value } of await this.storage.list(TASK_PREFIX)) {
      this.index.put(this.interner.record(fromBytes<TaskRecord>(value, key)));
    }
    for (const { key, value } of await this.storage.list(TOTALS_PREFIX)) {
      this.prunedTotals.set(key.slice(TOTALS_PREFIX.length + 1), fromBytes<TaskTotals>(value, key));
    }
    try {
      await this.repairAndPrune();
    } catch (err) {
      // Not fatal: the relaunch is made when the agent resends the update, the pruning at the next transition.
      this.logger?.warn(`could not finish the relaunches or the pruning of the stored history: ${(err as Error).message}`);
    }
  }

  /**
   * One pass over every slot after `load()`: the relaunch an older SDK may have left unwritten,
   * and the pruning of the history beyond the retention. A slot's writes (its new attempt, its
   * supersede mark, its deletions) and the pruned totals they change go in one batch of at most
   * {@link LOAD_BATCH_OPS} operations with other slots' (one etcd transaction), each batch applied
   * in memory once written; a batch that fails throws, and what it held is left as it was.
   */
  private async repairAndPrune(): Promise<void> {
    const now = this.now();
    let puts: TaskRecord[] = [];
    let deletes: string[] = [];
    /** Pruned totals as they will be once the batch is written, per definition it changes. */
    let totals = new Map<string, TaskTotals>();
    const write = async (): Promise<void> => {
      if (puts.length === 0 && deletes.length === 0) return;
      const after = [...totals].map(([name, t]): StorageOperation => ({ type: 'put', key: `${TOTALS_PREFIX}/${name}`, value: toBytes(t) }));
      await this.commit(puts, deletes, [], after);
      for (const r of puts) this.index.put(r);
      for (const id of deletes) this.forgetRecord(id);
      for (const [name, t] of totals) this.prunedTotals.set(name, t);
      puts = [];
      deletes = [];
      totals = new Map();
    };
    for (const slot of [...this.index.allSlots()]) {
      const changed = new Map<string, TaskRecord>();
      for (const r of slot) changed.set(r.id, r);
      const slotPuts: TaskRecord[] = [];
      for (const rec of slot) {
        if (rec.superseded || !isTerminal(rec.state) || rec.desired !== 'running') continue;
        const updated = { ...rec };
        const next = this.restartSuccessor(updated);
        if (!updated.superseded) continue;
        changed.set(updated.id, updated);
        if (next) changed.set(next.id, next);
        // The next attempt first: a backend without batches writes one by one, and a crash after it is recovered from.
        slotPuts.push(...(next ? [next, updated] : [updated]));
      }
      const pruned = toPrune([...changed.values()], this.retention, now);
      if (slotPuts.length === 0 && pruned.length === 0) continue;
      const prunedIds = new Set(pruned.map((r) => r.id));
      const slotDeletes = [...prunedIds].filter((id) => this.records.has(id));
      const name = slot[0]!.name;
      const ops = slotPuts.length + slotDeletes.length + (pruned.length && !totals.has(name) ? 1 : 0);
      if (puts.length + deletes.length + totals.size + ops > LOAD_BATCH_OPS) await write();
      puts.push(...slotPuts.filter((r) => !prunedIds.has(r.id)));
      deletes.push(...slotDeletes);
      if (pruned.length) {
        const t: TaskTotals = { ...(totals.get(name) ?? this.prunedTotals.get(name)) };
        for (const r of pruned) t[r.state] = (t[r.state] ?? 0) + 1;
        totals.set(name, t);
      }
    }
    await write();
  }

  private readonly workListeners = new Set<() => void>();
  /** Kills sent to tasks that came back after being given up on (see `onStatus`). */
  zombieKills = 0;

  /**
   * Calls `listener` whenever a submit or a scale-up made new tasks pending (the task controller
   * revives offers then: they may be suppressed while nothing was waiting). Returns an unsubscribe.
   */
  onPendingWork(listener: () => void): () => void {
    this.workListeners.add(listener);
    return () => this.workListeners.delete(listener);
  }

  private pendingWorkAdded(created: TaskRecord[]): void {
    if (created.length === 0) return;
    for (const l of this.workListeners) l();
  }

  /**
   * Validates and stores definitions, then creates the missing instances. All or nothing: the
   * input is validated before anything changes, and the definitions with their new records are
   * written in one storage write before they are applied in memory; when that write fails the
   * call throws (a retryable `StorageError`) and nothing changed.
   * @throws ValidationError `ERR_TASK_DEFINITION_INVALID` (nothing stored).
   */
  async submit(input: unknown): Promise<TaskRecord[]> {
    const defs = validateTaskDefinitions(input);
    const definitions = new Map(this.definitions);
    for (const def of defs) definitions.set(def.name, def);
    const plan = this.planInstances([...new Set(defs.map((d) => d.name))], definitions);
    await this.commit(plan.puts, [], defs.map((def) => ({ type: 'put', key: `${DEF_PREFIX}/${def.name}`, value: toBytes(def) })));
    for (const def of defs) this.definitions.set(def.name, def);
    this.apply(plan.puts);
    this.forget(defs.map((d) => d.name));
    this.pendingWorkAdded(plan.created);
    return plan.created.map((r) => ({ ...r }));
  }

  /**
   * Changes the number of instances: new ones become pending, extra ones (highest first) are killed.
   * @throws MesosSdkError `ERR_TASK_DEFINITION_UNKNOWN`, `ERR_TASK_INSTANCES_INVALID` (nothing changed).
   */
  async scale(name: string, instances: number): Promise<void> {
    const def = this.definitions.get(name);
    if (!def) throw new MesosSdkError(TaskManagerErrorCodes.UNKNOWN_DEFINITION, `no task definition named ${name}; submit it first`);
    if (!Number.isInteger(instances) || instances < 0 || instances > MAX_INSTANCES) {
      throw new ValidationError(TaskManagerErrorCodes.BAD_INSTANCES, `instances must be an integer from 0 to ${MAX_INSTANCES}, not ${String(instances)}`, [{ path: 'instances', message: `an integer from 0 to ${MAX_INSTANCES}` }]);
    }
    const updated = { ...def, instances };
    await this.commit([], [], [{ type: 'put', key: `${DEF_PREFIX}/${name}`, value: toBytes(updated) }]);
    this.definitions.set(name, updated);
    this.forget([name]);
    // The slots from `instances` up only (the definition's slot index), highest first.
    const extra = this.index.recordsFrom(name, instances).filter((r) => !r.superseded && r.desired === 'running');
    for (const rec of extra) await this.kill(rec.id);
    const plan = this.planInstances([name], this.definitions);
    await this.commit(plan.puts);
    this.apply(plan.puts);
    this.pendingWorkAdded(plan.created);
  }

  /** Kills a task for good (no relaunch): the wish is written first, then KILL is sent. */
  async kill(id: string): Promise<void> {
    const rec = this.records.get(id);
    if (!rec) throw new MesosSdkError(TaskManagerErrorCodes.NOT_FOUND, `no task ${id}`);
    if (rec.desired === 'killed' && isTerminal(rec.state)) return;
    const updated: TaskRecord = { ...rec, desired: 'killed', ...(rec.state === 'PENDING' ? { state: 'TASK_KILLED' as const } : {}) };
    await this.commit([updated]);
    this.apply([updated]);
    if (!isTerminal(updated.state)) await this.calls.kill({ value: updated.id }, updated.agentId ? { value: updated.agentId } : undefined);
  }

  /**
   * Pending tasks whose backoff has passed, as placement requests, in record order. A task whose
   * definition cannot be turned into a request is left out (and marked by the next
   * {@link TaskManager.markInvalid}).
   * @param limit - At most this many (the scan stops there). Default: all.
   */
  placementRequests(limit = Infinity): PlacementRequest[] {
    const out: PlacementRequest[] = [];
    if (limit <= 0) return out;
    this.eachPlaceable((req) => {
      out.push(req);
      return out.length < limit;
    });
    return out;
  }

  /**
   * Tasks launched and not yet settled: their launch intent recorded (`LAUNCHING`) or Mesos
   * reporting them `TASK_STAGING` or `TASK_STARTING` (not yet running, not ended). O(1), from the
   * counts per state. The task controller bounds it (`maxLaunchingTasks`).
   */
  get launchingCount(): number {
    const index = this.index;
    return index.count('LAUNCHING') + index.count('TASK_STAGING') + index.count('TASK_STARTING');
  }

  /**
   * True when some pending task is placeable now (its backoff passed, its definition placeable):
   * what {@link TaskManager.placementRequests} would return is not empty. Stops at the first one.
   */
  hasPlaceable(): boolean {
    let found = false;
    this.eachPlaceable(() => {
      found = true;
      return false;
    });
    return found;
  }

  /** Calls `visit` with the request of every placeable pending task, in record order, while it returns true. */
  private eachPlaceable(visit: (req: PlacementRequest) => boolean): void {
    this.index.reorderPending();
    const now = this.now();
    const none = this.noneUntil;
    if (none && now < none.until && none.pendingAdded === this.index.pendingAdded && none.forgotten === this.forgotten) return;
    /** The earliest backoff end of the tasks skipped for it. */
    let until = Infinity;
    for (const id of this.index.pending) {
      const r = this.records.get(id)!;
      if ((r.notBefore ?? 0) > now) {
        if (r.notBefore! < until) until = r.notBefore!;
        continue;
      }
      if (this.unplaceable.has(r.id)) continue;
      let req: PlacementRequest;
      try {
        const def = this.definitions.get(r.name);
        if (!def) throw new Error(`no definition named ${r.name} is stored`);
        req = toPlacementRequest(def, r.id);
      } catch (err) {
        this.unplaceable.set(r.id, err as Error);
        continue;
      }
      if (!visit(req)) return;
      until = -Infinity;
    }
    // Nothing placeable: until the earliest backoff end, or a change, the answer stays the same.
    this.noneUntil = until === -Infinity ? undefined : { until, pendingAdded: this.index.pendingAdded, forgotten: this.forgotten };
  }

  /**
   * Marks tasks whose definition makes placement (or the TaskInfo) fail as `TASK_ERROR`, with
   * the reason in `invalid`, and logs it once per definition: they are skipped from now on, and the
   * placement of the others goes on. Takes those `placementRequests()` found too.
   * @param found - Request ids the placement refused, with its error.
   */
  async markInvalid(found: ReadonlyArray<{ requestId: string; error: Error }> = []): Promise<void> {
    const all = new Map(this.unplaceable);
    for (const f of found) all.set(f.requestId, f.error);
    const updates: TaskRecord[] = [];
    for (const [id, error] of all) {
      const rec = this.records.get(id);
      if (!rec || rec.state !== 'PENDING') {
        this.unplaceable.delete(id);
        continue;
      }
      this.unplaceable.set(id, error);
      const problems = error instanceof ValidationError && error.problems.length ? ` (${error.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})` : '';
      const reason = `${TaskManagerErrorCodes.UNPLACEABLE}: definition ${rec.name} cannot be placed: ${error.message}${problems}`;
      if (!this.reported.has(rec.name)) {
        this.reported.add(rec.name);
        this.logger?.error(`${reason}; its tasks are marked TASK_ERROR and skipped, the others are placed as usual; submit the definition again, fixed, to relaunch them`);
      }
      updates.push({ ...rec, state: 'TASK_ERROR', invalid: reason, message: reason });
    }
    if (updates.length === 0) return;
    // When this write fails the tasks stay pending, skipped (they are in `unplaceable`), and are marked at the next cycle.
    await this.commit(updates);
    this.apply(updates);
    for (const u of updates) this.unplaceable.delete(u.id);
  }

  /** Number of pending tasks, including those still in backoff. */
  get pendingCount(): number {
    let n = this.index.pending.size;
    for (const id of this.unplaceable.keys()) if (this.index.pending.has(id)) n--;
    return n;
  }

  /** Earliest time a task in backoff becomes placeable, if any (O(log n): a heap of backoff ends). */
  nextBackoffEnd(): number | undefined {
    const now = this.now();
    // Compacted when stale entries outnumber the records (churn of tasks placed before their end came up).
    const { backoff } = this.index;
    if (backoff.size > 64 && backoff.size > 2 * this.records.size) backoff.retain((t, id) => this.backoffValid(t, id, now));
    return backoff.earliest((t, id) => this.backoffValid(t, id, now));
  }

  private backoffValid(time: number, id: string, now: number): boolean {
    const r = this.records.get(id);
    return r !== undefined && r.state === 'PENDING' && r.notBefore === time && time > now;
  }

  /**
   * Tasks holding resources, for the constraints of the next placement. `running` is built when
   * first read, then shared and kept until a launched task's agent or membership changes (most
   * updates, RUNNING after STAGING, keep it): do not change it.
   */
  placementContext(): PlacementContext {
    const index = this.index;
    // Built when read: placement reads it only for counted constraints (UNIQUE, MAX_PER, GROUP_BY, CLUSTER).
    return {
      get running() {
        return index.runningTasks();
      },
    };
  }

  /**
   * Records the launch intent of an assignment (LAUNCHING, on its agent) in storage, then returns
   * the TaskInfo to send. Call before ACCEPT.
   * @throws StorageError when the intent could not be written (the task stays pending); ValidationError
   * `ERR_TASK_DEFINITION_UNPLACEABLE` when its definition cannot be turned into a TaskInfo (the task is
   * marked `TASK_ERROR`).
   */
  async prepareLaunch(a: Assignment, attributes: Record<string, string> = {}): Promise<v1.TaskInfo> {
    const rec = this.records.get(a.requestId);
    if (!rec) throw new MesosSdkError(TaskManagerErrorCodes.NOT_FOUND, `no task ${a.requestId}`);
    let info: v1.TaskInfo;
    try {
      const def = this.definitions.get(rec.name);
      if (!def) throw new Error(`no definition named ${rec.name} is stored`);
      info = toTaskInfo(def, { taskId: rec.id, agentId: a.agentId, resources: a.resources, ports: a.ports, ...(a.executorResources ? { executorResources: a.executorResources } : {}) });
    } catch (cause) {
      await this.markInvalid([{ requestId: rec.id, error: cause as Error }]);
      throw new ValidationError(TaskManagerErrorCodes.UNPLACEABLE, `task ${rec.id} cannot be launched: ${(cause as Error).message}`, [], { cause });
    }
    // No launch without its recorded intent: when the write fails the task stays as it was (pending) and is not sent.
    const agentId = this.interner.string(a.agentId.value);
    const updated: TaskRecord = { ...rec, state: 'LAUNCHING', agentId, hostname: this.interner.string(a.hostname), attributes: this.interner.attributeSet(agentId, attributes) };
    await this.commit([updated]);
    this.apply([updated]);
    return info;
  }

  /** The ACCEPT carrying a launch did not go out: the tasks are pending again. */
  async launchFailed(ids: string[]): Promise<void> {
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec && rec.state === 'LAUNCHING') {
        const updated: TaskRecord = { ...rec, state: 'PENDING' };
        this.apply([updated]);
        this.index.pendingReordered = true;
        await this.save(updated).catch(() => {}); // kept dirty and written by flush() when storage is back
      }
    }
  }

  /**
   * Applies a status update. Idempotent: duplicates, older updates and regressions (a late
   * STARTING after RUNNING, anything after a terminal state) change nothing. The new state, the
   * supersede mark and the next attempt (when the task is relaunched) are written in one storage
   * write before anything changes in memory: when it fails, this throws a retryable `StorageError`,
   * the update is not acknowledged, and its resending finds the task as it was.
   * @returns true when the update changed the record.
   */
  async onStatus(status: v1.TaskStatus): Promise<boolean> {
    const rec = this.records.get(status.task_id.value);
    if (!rec) return false;
    // A resent update of a record not yet persisted: persist it now, or fail again (unacknowledged).
    if (this.dirty.has(rec.id)) await this.save(rec);
    const ts = status.timestamp ?? 0;
    if (ZOMBIE_STATES.has(status.state) && (rec.superseded || isTerminal(rec.state))) {
      // A task given up on (LOST, then replaced, or killed) reports it runs: its agent came back.
      // It must not run beside its replacement, so it is killed (again).
      this.zombieKills++;
      await this.calls.kill(status.task_id, status.agent_id ?? (rec.agentId ? { value: rec.agentId } : undefined));
      return false;
    }
    if (rec.state === status.state || isRegression(rec.state, status.state)) {
      // The resent terminal update of an attempt whose relaunch was never written (stored by an SDK
      // before transitions were atomic): the relaunch is made now rather than lost.
      if (rec.state === status.state && isTerminal(rec.state) && !rec.superseded && rec.desired === 'running') {
        const updated = { ...rec };
        const next = this.restartSuccessor(updated);
        if (updated.superseded) await this.transition(updated, next);
      }
      return false;
    }
    if (rec.updatedAt !== undefined && ts > 0 && ts < rec.updatedAt && !isTerminal(status.state)) return false;
    const neverLaunched = rec.state === 'LAUNCHING' && NEVER_LAUNCHED_REASONS.has(status.reason ?? '') && NEVER_LAUNCHED.has(status.state);
    const updated: TaskRecord = { ...rec, state: canonicalState(status.state) };
    if (ts > 0) updated.updatedAt = ts;
    if (status.message) updated.message = this.interner.string(status.message);
    if (status.agent_id && !rec.agentId) updated.agentId = this.interner.string(status.agent_id.value);
    const next = neverLaunched ? this.unlaunchedSuccessor(updated) : isTerminal(status.state) ? this.restartSuccessor(updated) : undefined;
    await this.transition(updated, next);
    return true;
  }

  /**
   * Non-terminal tasks Mesos may know (launching or launched), for explicit reconciliation:
   * O(tasks launched), from the state index. With `only`, those of these ids alone, O(ids) (a
   * reconciliation retry asks again for the tasks not answered yet).
   */
  toReconcile(only?: Iterable<string>): scheduler.Call.Reconcile.Task[] {
    const out: scheduler.Call.Reconcile.Task[] = [];
    const add = (r: TaskRecord): void => {
      out.push(r.agentId ? { task_id: { value: r.id }, agent_id: { value: r.agentId } } : { task_id: { value: r.id } });
    };
    if (only === undefined) {
      this.index.eachActive(add);
      return out;
    }
    for (const id of only) {
      const r = this.records.get(id);
      if (r && isActive(r)) add(r);
    }
    return out;
  }

  /** A copy of the record of task `id`, if any. */
  get(id: string): TaskRecord | undefined {
    const r = this.records.get(id);
    return r && { ...r };
  }

  /**
   * Copies of the records matching `q` (current attempts only unless `history`). Reads the
   * smallest index that applies (a definition's records, a state's, the definitions a label
   * matches): O(the records of that index), not of every record held. Order: by record when
   * nothing is filtered, by instance slot when `name` or `label` is, by latest change when
   * `state` is.
   */
  list(q: TaskQuery = {}): TaskRecord[] {
    let label: ((name: string) => boolean) | undefined;
    if (q.label) {
      // Own labels only (`?label=constructor` matched every task through Object.prototype);
      // the value is everything after the first `=`.
      const at = q.label.indexOf('=');
      const key = at < 0 ? q.label : q.label.slice(0, at);
      const value = q.label.slice(at + 1);
      label = (name) => {
        const labels = this.definitions.get(name)?.labels;
        if (!labels || !Object.hasOwn(labels, key)) return false;
        return at < 0 || labels[key] === value;
      };
    }
    const keep = (r: TaskRecord): boolean => (q.history || !r.superseded) && (!q.name || r.name === q.name) && (!q.state || r.state === q.state) && (!label || label(r.name));
    const out: TaskRecord[] = [];
    const visit = (r: TaskRecord): void => {
      if (keep(r)) out.push({ ...r });
    };
    const inState = q.state ? this.index.inState(q.state) : undefined;
    if (q.state && !inState) return out;
    // Candidates: the smaller of the definition's records and the state's.
    const byName = q.name !== undefined && q.name !== '' ? this.index.definitionSize(q.name) : Infinity;
    if (inState && inState.size <= byName) {
      for (const r of inState) visit(r);
    } else if (byName !== Infinity) {
      this.index.eachOfDefinition(q.name!, visit);
    } else if (label) {
      // A label matches a stored definition's labels only: the records of those definitions.
      for (const name of this.definitions.keys()) if (label(name)) this.index.eachOfDefinition(name, visit);
    } else {
      for (const r of this.records.values()) visit(r);
    }
    return out;
  }

  /** Count of current tasks per state. O(states): counts kept with the records. */
  counts(): Record<string, number> {
    return this.index.counts();
  }

  /**
   * Per state, how many attempts of definition `name` ended in it, since its first submit: the
   * attempts pruned from the history (see {@link TaskManagerOptions.history}) are counted too.
   * O(states): the counts are kept as records change.
   */
  totals(name: string): TaskTotals {
    const out: TaskTotals = { ...this.prunedTotals.get(name) };
    for (const [state, n] of Object.entries(this.index.ended(name))) out[state] = (out[state] ?? 0) + n;
    return out;
  }

  /** Number of records held (every attempt still in the history), in memory as in storage. */
  get recordCount(): number {
    return this.records.size;
  }

  /** True when no current task is pending, launching or running. */
  get idle(): boolean {
    return this.index.idle;
  }

  /** Forgets the "unplaceable" verdicts of definitions submitted again. */
  private forget(names: string[]): void {
    for (const name of names) this.reported.delete(name);
    for (const [id] of this.unplaceable) if (names.includes(this.records.get(id)?.name ?? '')) this.unplaceable.delete(id);
    this.forgotten++;
  }

  /**
   * The records that give every instance slot of the definitions a live task (new PENDING ones,
   * and the old attempts they supersede), without changing anything. A slot whose task ended on
   * its own stays done; one whose task was killed (scale-down) or found unplaceable gets a new attempt.
   */
  private planInstances(names: string[], definitions: ReadonlyMap<string, TaskDefinition>): { puts: TaskRecord[]; created: TaskRecord[] } {
    const puts: TaskRecord[] = [];
    const created: TaskRecord[] = [];
    for (const name of names) {
      const def = definitions.get(name)!;
      for (let i = 0; i < (def.instances ?? 1); i++) {
        // The slot's own records only (the slot index): linear in the instances, not in the records held.
        const previous = this.index.slot(name, i);
        if (previous.some((r) => !r.superseded && r.desired === 'running' && r.invalid === undefined)) continue;
        for (const old of previous.filter((r) => !r.superseded)) puts.push({ ...old, superseded: true, supersededAt: this.now() });
        const attempt = previous.reduce((max, r) => Math.max(max, r.attempt + 1), 0);
        const rec: TaskRecord = { id: `${name}.${i}.${attempt}`, name, instance: i, attempt, state: 'PENDING', desired: 'running' };
        puts.push(rec);
        created.push(rec);
      }
    }
    return { puts, created };
  }

  /**
   * A launch intent Mesos never received (the framework died between recording it and the ACCEPT,
   * or the ACCEPT was lost) or refused (its offers were rescinded before it arrived): the task never
   * ran, so it gets a new attempt at once, whatever its restart policy, and the lost attempt does not
   * count against `maxRetries`. Marks `rec` superseded; returns the new attempt (undefined when
   * killed, or when it exists already).
   */
  private unlaunchedSuccessor(rec: TaskRecord): TaskRecord | undefined {
    if (rec.desired === 'killed') return undefined;
    return this.supersede(rec, { unlaunched: (rec.unlaunched ?? 0) + 1 });
  }

  /**
   * The next attempt of an ended task per its restart policy (with its backoff), marking `rec`
   * superseded; undefined (and `rec` untouched) when it is not relaunched.
   */
  private restartSuccessor(rec: TaskRecord): TaskRecord | undefined {
    const def = this.definitions.get(rec.name);
    if (!def || rec.desired === 'killed' || rec.invalid !== undefined || rec.instance >= (def.instances ?? 1)) return undefined;
    const policy = def.restartPolicy?.policy ?? 'on-failure';
    const failed = rec.state !== 'TASK_FINISHED';
    if (policy === 'never' || (policy === 'on-failure' && !failed)) return undefined;
    const maxRetries = def.restartPolicy?.maxRetries ?? Infinity;
    if (rec.attempt - (rec.unlaunched ?? 0) >= maxRetries) return undefined;
    const base = (def.restartPolicy?.backoffSeconds ?? 1) * 1000;
    const factor = def.restartPolicy?.backoffFactor ?? 2;
    const max = (def.restartPolicy?.maxBackoffSeconds ?? 300) * 1000;
    const delay = Math.min(max, base * factor ** (rec.attempt - (rec.unlaunched ?? 0)));
    return this.supersede(rec, { notBefore: this.now() + delay, ...(rec.unlaunched ? { unlaunched: rec.unlaunched } : {}) });
  }

  private supersede(rec: TaskRecord, extra: Partial<TaskRecord>): TaskRecord | undefined {
    rec.superseded = true;
    rec.supersededAt = this.now();
    const id = `${rec.name}.${rec.instance}.${rec.attempt + 1}`;
    // Written already (by a storage without batches, before a crash): it is kept, not reset.
    if (this.records.has(id)) return undefined;
    return { id, name: rec.name, instance: rec.instance, attempt: rec.attempt + 1, state: 'PENDING', desired: 'running', ...extra };
  }

  /**
   * Writes a task's new record, its next attempt and the pruning of its slot's history in one
   * storage write, then applies them in memory. `slotOf` names the slot to prune when there is no update.
   */
  private async transition(updated: TaskRecord | undefined, next: TaskRecord | undefined, slotOf?: TaskRecord): Promise<void> {
    const anchor = updated ?? slotOf!;
    const changed = new Map<string, TaskRecord>();
    for (const r of this.index.slot(anchor.name, anchor.instance)) changed.set(r.id, r);
    if (updated) changed.set(updated.id, updated);
    if (next) changed.set(next.id, next);
    const pruned = toPrune([...changed.values()], this.retention, this.now());
    const prunedIds = new Set(pruned.map((r) => r.id));
    // The next attempt first: a backend without batches writes one by one, and a crash after it is recovered from.
    const puts = [next, updated].filter((r): r is TaskRecord => r !== undefined && !prunedIds.has(r.id));
    if (puts.length === 0 && pruned.length === 0) return;
    let totals: TaskTotals | undefined;
    if (pruned.length) {
      totals = { ...this.prunedTotals.get(anchor.name) };
      for (const r of pruned) totals[r.state] = (totals[r.state] ?? 0) + 1;
    }
    const after: StorageOperation[] = totals ? [{ type: 'put', key: `${TOTALS_PREFIX}/${anchor.name}`, value: toBytes(totals) }] : [];
    await this.commit(puts, [...prunedIds].filter((id) => this.records.has(id)), [], after);
    this.apply(puts);
    for (const id of prunedIds) this.forgetRecord(id);
    if (totals) this.prunedTotals.set(anchor.name, totals);
  }

  /** Stores records (new, or copies replacing the held ones) in memory, with every index. */
  private apply(records: readonly TaskRecord[]): void {
    for (const r of records) this.index.put(r);
  }

  /** Drops a pruned record from memory and every index. */
  private forgetRecord(id: string): void {
    this.index.remove(id);
    this.dirty.delete(id);
  }

  /**
   * False while some record could not be written (storage unavailable). The task controller
   * launches nothing then: a launch needs its intent persisted first.
   */
  get storageHealthy(): boolean {
    return this.dirty.size === 0;
  }

  /** Writes the records whose last write failed; resolves true when none is left. */
  async flush(): Promise<boolean> {
    for (const id of [...this.dirty]) {
      const rec = this.records.get(id);
      if (!rec) {
        this.dirty.delete(id);
        continue;
      }
      try {
        await this.save(rec);
      } catch {
        return false;
      }
    }
    return this.dirty.size === 0;
  }

  /** Resolves once every storage write in flight has ended (failed or not): call before closing storage. */
  async settled(): Promise<void> {
    while (this.inFlight > 0) await this.tail;
  }

  /** Writes a record changed in memory already; a failure leaves it dirty (written by `flush()`). */
  private save(rec: TaskRecord): Promise<void> {
    return this.commit([rec]).catch((err: unknown) => {
      this.dirty.add(rec.id);
      throw err;
    });
  }

  /**
   * One storage write, after the previous ones: `before`, the records, the deletions, `after`, as
   * one batch when the storage has batches. Any failure is a retryable `StorageError`.
   */
  private commit(records: readonly TaskRecord[], deleteIds: readonly string[] = [], before: readonly StorageOperation[] = [], after: readonly StorageOperation[] = []): Promise<void> {
    const ops: StorageOperation[] = [
      ...before,
      ...records.map((r): StorageOperation => ({ type: 'put', key: `${TASK_PREFIX}/${r.id}`, value: toBytes(r) })),
      ...deleteIds.map((id): StorageOperation => ({ type: 'del', key: `${TASK_PREFIX}/${id}` })),
      ...after,
    ];
    if (ops.length === 0) return Promise.resolve();
    this.inFlight++;
    const write = this.tail.then(() => writeOperations(this.storage, ops));
    this.tail = write.then(
      () => void this.inFlight--,
      () => void this.inFlight--,
    );
    return write.then(
      () => {
        for (const r of records) this.dirty.delete(r.id);
      },
      (err: unknown) => {
        // A backend that throws plain errors (a user's own) is typed here too: the update is then not acknowledged.
        throw err instanceof MesosSdkError ? err : toStorageError('storage', `write of ${ops.map((o) => o.key).join(', ').slice(0, 200)}`, err);
      },
    );
  }
}
