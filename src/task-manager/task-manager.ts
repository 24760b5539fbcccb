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
import { BackoffHeap } from './backoff-heap.js';

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

const slotKey = (r: Pick<TaskRecord, 'name' | 'instance'>): string => `${r.name}\u0000${r.instance}`;

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
  private readonly records = new Map<string, TaskRecord>();
  /** Record ids per instance slot (`name`, `instance`): a transition looks at its slot only. */
  private readonly slots = new Map<string, Set<string>>();
  /** Ids of the current (not superseded) PENDING records, kept by `index()`: placement and revive look at these only. */
  private readonly pending = new Set<string>();
  /** Ids of the records Mesos may be running (launching or launched, not terminal): the placement context reads these only. */
  private readonly active = new Set<string>();
  /** True when a record went back to PENDING (`launchFailed`): `pending` is no longer in record order and is rebuilt before placement. */
  private pendingReordered = false;
  /** Restart-backoff ends of PENDING records, earliest first (stale entries dropped lazily). */
  private readonly backoff = new BackoffHeap();
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
      this.apply([fromBytes<TaskRecord>(value, key)]);
    }
    for (const { key, value } of await this.storage.list(TOTALS_PREFIX)) {
      this.prunedTotals.set(key.slice(TOTALS_PREFIX.length + 1), fromBytes<TaskTotals>(value, key));
    }
    try {
      for (const rec of [...this.records.values()]) {
        if (rec.superseded || !isTerminal(rec.state) || rec.desired !== 'running') continue;
        const updated = { ...rec };
        const next = this.restartSuccessor(updated);
        if (updated.superseded) await this.transition(updated, next);
      }
      for (const ids of [...this.slots.values()]) {
        const [first] = ids;
        if (first !== undefined) await this.transition(undefined, undefined, this.records.get(first));
      }
    } catch (err) {
      // Not fatal: the relaunch is made when the agent resends the update, the pruning at the next transition.
      this.logger?.warn(`could not finish the relaunches or the pruning of the stored history: ${(err as Error).message}`);
    }
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
    for (const rec of this.current(name).filter((r) => r.instance >= instances).sort((a, b) => b.instance - a.instance)) await this.kill(rec.id);
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
   * Pending tasks whose backoff has passed, as placement requests. A task whose definition cannot
   * be turned into a request is left out (and marked by the next {@link TaskManager.markInvalid}).
   */
  placementRequests(): PlacementRequest[] {
    const out: PlacementRequest[] = [];
    this.eachPlaceable((req) => {
      out.push(req);
      return true;
    });
    return out;
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
    if (this.pendingReordered) {
      this.pendingReordered = false;
      this.pending.clear();
      for (const r of this.records.values()) if (r.state === 'PENDING' && !r.superseded) this.pending.add(r.id);
    }
    const now = this.now();
    for (const id of this.pending) {
      const r = this.records.get(id)!;
      if ((r.notBefore ?? 0) > now || this.unplaceable.has(r.id)) continue;
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
    }
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
    let n = this.pending.size;
    for (const id of this.unplaceable.keys()) if (this.pending.has(id)) n--;
    return n;
  }

  /** Earliest time a task in backoff becomes placeable, if any (O(log n): a heap of backoff ends). */
  nextBackoffEnd(): number | undefined {
    const now = this.now();
    // Compacted when stale entries outnumber the records (churn of tasks placed before their end came up).
    if (this.backoff.size > 64 && this.backoff.size > 2 * this.records.size) this.backoff.retain((t, id) => this.backoffValid(t, id, now));
    return this.backoff.earliest((t, id) => this.backoffValid(t, id, now));
  }

  private backoffValid(time: number, id: string, now: number): boolean {
    const r = this.records.get(id);
    return r !== undefined && r.state === 'PENDING' && r.notBefore === time && time > now;
  }

  /** Tasks holding resources, for the constraints of the next placement. */
  placementContext(): PlacementContext {
    return {
      running: [...this.active]
        .map((id) => this.records.get(id)!)
        .filter((r) => r.agentId)
        .map((r) => ({ group: r.name, agentId: r.agentId!, hostname: r.hostname ?? '', attributes: r.attributes ?? {} })),
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
    const updated: TaskRecord = { ...rec, state: 'LAUNCHING', agentId: a.agentId.value, hostname: a.hostname, attributes };
    await this.commit([updated]);
    this.apply([updated]);
    return info;
  }

  /** The ACCEPT carrying a launch did not go out: the tasks are pending again. */
  async launchFailed(ids: string[]): Promise<void> {
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec && rec.state === 'LAUNCHING') {
        rec.state = 'PENDING';
        this.index(rec);
        this.pendingReordered = true;
        await this.save(rec).catch(() => {}); // kept dirty and written by flush() when storage is back
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
    const updated: TaskRecord = { ...rec, state: status.state };
    if (ts > 0) updated.updatedAt = ts;
    if (status.message) updated.message = status.message;
    if (status.agent_id && !rec.agentId) updated.agentId = status.agent_id.value;
    const next = neverLaunched ? this.unlaunchedSuccessor(updated) : isTerminal(status.state) ? this.restartSuccessor(updated) : undefined;
    await this.transition(updated, next);
    return true;
  }

  /** Non-terminal tasks Mesos may know (launching or launched), for explicit reconciliation. */
  toReconcile(): scheduler.Call.Reconcile.Task[] {
    return [...this.records.values()]
      .filter((r) => !isTerminal(r.state) && r.state !== 'PENDING')
      .map((r) => ({ task_id: { value: r.id }, ...(r.agentId ? { agent_id: { value: r.agentId } } : {}) }));
  }

  /** A copy of the record of task `id`, if any. */
  get(id: string): TaskRecord | undefined {
    const r = this.records.get(id);
    return r && { ...r };
  }

  /** Copies of the records matching `q` (current attempts only unless `history`). */
  list(q: TaskQuery = {}): TaskRecord[] {
    return [...this.records.values()]
      .filter((r) => q.history || !r.superseded)
      .filter((r) => !q.name || r.name === q.name)
      .filter((r) => !q.state || r.state === q.state)
      .filter((r) => {
        if (!q.label) return true;
        // Own labels only (`?label=constructor` matched every task through Object.prototype);
        // the value is everything after the first `=`.
        const at = q.label.indexOf('=');
        const key = at < 0 ? q.label : q.label.slice(0, at);
        const labels = this.definitions.get(r.name)?.labels;
        if (!labels || !Object.hasOwn(labels, key)) return false;
        return at < 0 || labels[key] === q.label.slice(at + 1);
      })
      .map((r) => ({ ...r }));
  }

  /** Count of current tasks per state. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records.values()) if (!r.superseded) out[r.state] = (out[r.state] ?? 0) + 1;
    return out;
  }

  /**
   * Per state, how many attempts of definition `name` ended in it, since its first submit: the
   * attempts pruned from the history (see {@link TaskManagerOptions.history}) are counted too.
   */
  totals(name: string): TaskTotals {
    const out: TaskTotals = { ...this.prunedTotals.get(name) };
    for (const r of this.records.values()) if (r.name === name && isTerminal(r.state)) out[r.state] = (out[r.state] ?? 0) + 1;
    return out;
  }

  /** Number of records held (every attempt still in the history), in memory as in storage. */
  get recordCount(): number {
    return this.records.size;
  }

  /** True when no current task is pending, launching or running. */
  get idle(): boolean {
    return [...this.records.values()].every((r) => r.superseded || isTerminal(r.state));
  }

  private current(name: string): TaskRecord[] {
    return [...this.records.values()].filter((r) => r.name === name && !r.superseded && r.desired === 'running');
  }

  /** Forgets the "unplaceable" verdicts of definitions submitted again. */
  private forget(names: string[]): void {
    for (const name of names) this.reported.delete(name);
    for (const [id] of this.unplaceable) if (names.includes(this.records.get(id)?.name ?? '')) this.unplaceable.delete(id);
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
        const ids = this.slots.get(slotKey({ name, instance: i }));
        const previous = ids ? [...ids].map((id) => this.records.get(id)!) : [];
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
    for (const id of this.slots.get(slotKey(anchor)) ?? []) changed.set(id, this.records.get(id)!);
    if (updated) changed.set(updated.id, updated);
    if (next) changed.set(next.id, next);
    const pruned = toPrune([...changed.values()], this.retention, this.now());
    const prunedIds = new Set(pruned.map((r) => r.id));
    // The next attempt first: a backend without batches writes one by one, and a crash after it is recovered from.
    const puts = [next, updated].filter((r): r is TaskRecord => r !== undefined && !prunedIds.has(r.id));
    if (puts.length === 0 && pruned.length === 0) return;
    const totals: TaskTotals = { ...this.prunedTotals.get(anchor.name) };
    for (const r of pruned) totals[r.state] = (totals[r.state] ?? 0) + 1;
    const after: StorageOperation[] = pruned.length ? [{ type: 'put', key: `${TOTALS_PREFIX}/${anchor.name}`, value: toBytes(totals) }] : [];
    await this.commit(puts, [...prunedIds].filter((id) => this.records.has(id)), [], after);
    this.apply(puts);
    for (const id of prunedIds) {
      const gone = this.records.get(id);
      this.records.delete(id);
      this.pending.delete(id);
      this.active.delete(id);
      if (gone) this.slots.get(slotKey(gone))?.delete(id);
      this.dirty.delete(id);
    }
    if (pruned.length) this.prunedTotals.set(anchor.name, totals);
  }

  private apply(records: readonly TaskRecord[]): void {
    for (const r of records) {
      this.records.set(r.id, r);
      const key = slotKey(r);
      let ids = this.slots.get(key);
      if (!ids) this.slots.set(key, (ids = new Set()));
      ids.add(r.id);
      this.index(r);
    }
  }

  /** Keeps the pending set, the active set and the backoff heap right for a record just stored or changed in memory. */
  private index(r: TaskRecord): void {
    if (r.state === 'PENDING' && !r.superseded) this.pending.add(r.id);
    else this.pending.delete(r.id);
    if (r.state !== 'PENDING' && !isTerminal(r.state)) this.active.add(r.id);
    else this.active.delete(r.id);
    if (r.state === 'PENDING' && r.notBefore !== undefined) this.backoff.push(r.notBefore, r.id);
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
