import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { Storage } from '../storage/storage.interface.js';
import { fromBytes, toBytes } from '../storage/storage-keys.js';
import { MesosSdkError } from '../errors/index.js';
import type { TaskDefinition } from '../task-spec/task-definition.js';
import { validateTaskDefinitions } from '../task-spec/task-spec-validator.js';
import { toPlacementRequest, toTaskInfo } from '../task-spec/to-task-info.js';
import type { Assignment, PlacementContext, PlacementRequest } from '../resource-manager/placement/placement-types.js';
import { isRegression, isTerminal, type TaskRecord, type TaskRecordState } from './task-record.js';

/** Stable codes of the task manager's errors. */
export const TaskManagerErrorCodes = {
  /** No task with that id (kill, prepareLaunch). */
  NOT_FOUND: 'ERR_TASK_NOT_FOUND',
  /** No definition with that name (scale); submit it first. */
  UNKNOWN_DEFINITION: 'ERR_TASK_DEFINITION_UNKNOWN',
} as const;

const DEF_PREFIX = 'definitions';
/** Reconciliation answers meaning "Mesos does not know this task". */
const NEVER_LAUNCHED: ReadonlySet<string> = new Set(['TASK_GONE', 'TASK_LOST', 'TASK_UNKNOWN', 'TASK_DROPPED']);
/**
 * Reasons that, with one of those states, mean the launch never happened: a reconciliation answer,
 * or the master refusing an ACCEPT whose offers were no longer valid (rescinded, say).
 */
const NEVER_LAUNCHED_REASONS: ReadonlySet<string> = new Set(['REASON_RECONCILIATION', 'REASON_INVALID_OFFERS']);
const TASK_PREFIX = 'tasks';

/** What the task manager asks the scheduler to do (kept small so tests can fake it). */
export interface TaskManagerCalls {
  /** Sends KILL for the task (on its agent, when known). */
  kill(taskId: v1.TaskID, agentId?: v1.AgentID): Promise<void>;
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

/**
 * The lifecycle of every task: definitions and records live in Storage, and a task's record is
 * written (state LAUNCHING, with its agent) before the ACCEPT that launches it, so a restarted
 * framework knows every task it may have launched and reconciles it instead of launching it again.
 * Failed tasks are relaunched per their restart policy with exponential backoff, as a new attempt.
 */
export class TaskManager {
  private readonly definitions = new Map<string, TaskDefinition>();
  private readonly records = new Map<string, TaskRecord>();
  /** Records whose storage write is in flight, to keep writes in order per task. */
  private readonly writes = new Map<string, Promise<void>>();
  /** Records changed in memory whose last storage write failed (storage unavailable). */
  private readonly dirty = new Set<string>();

  constructor(
    private readonly storage: Storage,
    private readonly calls: TaskManagerCalls,
    private readonly now: () => number = Date.now,
  ) {}

  /** Loads definitions and records from storage (after a restart). */
  async load(): Promise<void> {
    for (const { key, value } of await this.storage.list(DEF_PREFIX)) {
      const def = fromBytes<TaskDefinition>(value, key);
      this.definitions.set(def.name, def);
    }
    for (const { key, value } of await this.storage.list(TASK_PREFIX)) {
      const rec = fromBytes<TaskRecord>(value, key);
      this.records.set(rec.id, rec);
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

  /** Validates and stores definitions, then creates the missing instances. */
  async submit(input: unknown): Promise<TaskRecord[]> {
    const defs = validateTaskDefinitions(input);
    const created: TaskRecord[] = [];
    try {
      for (const def of defs) {
        this.definitions.set(def.name, def);
        await this.storage.put(`${DEF_PREFIX}/${def.name}`, toBytes(def));
        created.push(...(await this.reconcileInstances(def.name)));
      }
    } finally {
      this.pendingWorkAdded(created);
    }
    return created;
  }

  /** Changes the number of instances: new ones become pending, extra ones (highest first) are killed. */
  async scale(name: string, instances: number): Promise<void> {
    const def = this.definitions.get(name);
    if (!def) throw new MesosSdkError(TaskManagerErrorCodes.UNKNOWN_DEFINITION, `no task definition named ${name}; submit it first`);
    const updated = { ...def, instances };
    this.definitions.set(name, updated);
    await this.storage.put(`${DEF_PREFIX}/${name}`, toBytes(updated));
    for (const rec of this.current(name).filter((r) => r.instance >= instances).sort((a, b) => b.instance - a.instance)) await this.kill(rec.id);
    this.pendingWorkAdded(await this.reconcileInstances(name));
  }

  /** Kills a task for good (no relaunch). */
  async kill(id: string): Promise<void> {
    const rec = this.records.get(id);
    if (!rec) throw new MesosSdkError(TaskManagerErrorCodes.NOT_FOUND, `no task ${id}`);
    if (rec.desired === 'killed' && isTerminal(rec.state)) return;
    rec.desired = 'killed';
    if (rec.state === 'PENDING') {
      rec.state = 'TASK_KILLED';
      await this.save(rec);
      return;
    }
    await this.save(rec);
    if (!isTerminal(rec.state)) await this.calls.kill({ value: rec.id }, rec.agentId ? { value: rec.agentId } : undefined);
  }

  /** Pending tasks whose backoff has passed, as placement requests. */
  placementRequests(): PlacementRequest[] {
    const now = this.now();
    return [...this.records.values()]
      .filter((r) => r.state === 'PENDING' && !r.superseded && (r.notBefore ?? 0) <= now)
      .map((r) => toPlacementRequest(this.definitions.get(r.name)!, r.id));
  }

  /** Number of pending tasks, including those still in backoff. */
  get pendingCount(): number {
    return [...this.records.values()].filter((r) => r.state === 'PENDING' && !r.superseded).length;
  }

  /** Earliest time a task in backoff becomes placeable, if any. */
  nextBackoffEnd(): number | undefined {
    const times = [...this.records.values()].filter((r) => r.state === 'PENDING' && (r.notBefore ?? 0) > this.now()).map((r) => r.notBefore!);
    return times.length ? Math.min(...times) : undefined;
  }

  /** Tasks holding resources, for the constraints of the next placement. */
  placementContext(): PlacementContext {
    return {
      running: [...this.records.values()]
        .filter((r) => !isTerminal(r.state) && r.state !== 'PENDING' && r.agentId)
        .map((r) => ({ group: r.name, agentId: r.agentId!, hostname: r.hostname ?? '', attributes: r.attributes ?? {} })),
    };
  }

  /**
   * Records the launch intent of an assignment (LAUNCHING, on its agent) in storage, then returns
   * the TaskInfo to send. Call before ACCEPT.
   */
  async prepareLaunch(a: Assignment, attributes: Record<string, string> = {}): Promise<v1.TaskInfo> {
    const rec = this.records.get(a.requestId);
    if (!rec) throw new MesosSdkError(TaskManagerErrorCodes.NOT_FOUND, `no task ${a.requestId}`);
    const before = { ...rec };
    rec.state = 'LAUNCHING';
    rec.agentId = a.agentId.value;
    rec.hostname = a.hostname;
    rec.attributes = attributes;
    try {
      await this.save(rec);
    } catch (err) {
      // No launch without its recorded intent: the task stays as it was (pending) and is not sent.
      Object.assign(rec, before);
      if (!('agentId' in before)) delete rec.agentId;
      this.dirty.delete(rec.id);
      throw err;
    }
    return toTaskInfo(this.definitions.get(rec.name)!, { taskId: rec.id, agentId: a.agentId, resources: a.resources, ports: a.ports, ...(a.executorResources ? { executorResources: a.executorResources } : {}) });
  }

  /** The ACCEPT carrying a launch did not go out: the tasks are pending again. */
  async launchFailed(ids: string[]): Promise<void> {
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec && rec.state === 'LAUNCHING') {
        rec.state = 'PENDING';
        await this.save(rec).catch(() => {}); // kept dirty and written by flush() when storage is back
      }
    }
  }

  /**
   * Applies a status update. Idempotent: duplicates, older updates and regressions (a late
   * STARTING after RUNNING, anything after a terminal state) change nothing.
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
    if (rec.state === status.state || isRegression(rec.state, status.state)) return false;
    if (rec.updatedAt !== undefined && ts > 0 && ts < rec.updatedAt && !isTerminal(status.state)) return false;
    const neverLaunched = rec.state === 'LAUNCHING' && NEVER_LAUNCHED_REASONS.has(status.reason ?? '') && NEVER_LAUNCHED.has(status.state);
    rec.state = status.state;
    if (ts > 0) rec.updatedAt = ts;
    if (status.message) rec.message = status.message;
    if (status.agent_id && !rec.agentId) rec.agentId = status.agent_id.value;
    await this.save(rec);
    if (neverLaunched) await this.relaunchUnlaunched(rec);
    else if (isTerminal(status.state)) await this.afterTerminal(rec);
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
        const [k, v] = q.label.split('=');
        const labels = this.definitions.get(r.name)?.labels ?? {};
        return k! in labels && (v === undefined || labels[k!] === v);
      })
      .map((r) => ({ ...r }));
  }

  /** Count of current tasks per state. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.records.values()) if (!r.superseded) out[r.state] = (out[r.state] ?? 0) + 1;
    return out;
  }

  /** True when no current task is pending, launching or running. */
  get idle(): boolean {
    return [...this.records.values()].every((r) => r.superseded || isTerminal(r.state));
  }

  private current(name: string): TaskRecord[] {
    return [...this.records.values()].filter((r) => r.name === name && !r.superseded && r.desired === 'running');
  }

  /**
   * Creates a PENDING record for every instance slot of a definition that has no live task. A slot
   * whose task ended on its own stays done; one whose task was killed (scale-down) gets a new attempt.
   */
  private async reconcileInstances(name: string): Promise<TaskRecord[]> {
    const def = this.definitions.get(name)!;
    const taken = new Set(this.current(name).map((r) => r.instance));
    const created: TaskRecord[] = [];
    for (let i = 0; i < (def.instances ?? 1); i++) {
      if (taken.has(i)) continue;
      const previous = [...this.records.values()].filter((r) => r.name === name && r.instance === i);
      for (const old of previous.filter((r) => !r.superseded)) {
        old.superseded = true;
        await this.save(old);
      }
      const attempt = previous.length ? Math.max(...previous.map((r) => r.attempt)) + 1 : 0;
      const rec: TaskRecord = { id: `${name}.${i}.${attempt}`, name, instance: i, attempt, state: 'PENDING', desired: 'running' };
      this.records.set(rec.id, rec);
      await this.save(rec);
      created.push(rec);
    }
    return created;
  }

  /**
   * A launch intent Mesos never received (the framework died between recording it and the ACCEPT,
   * or the ACCEPT was lost) or refused (its offers were rescinded before it arrived): the task never
   * ran, so it gets a new attempt at once, whatever its restart policy, and the lost attempt does not
   * count against `maxRetries`.
   */
  private async relaunchUnlaunched(rec: TaskRecord): Promise<void> {
    if (rec.desired === 'killed') return;
    rec.superseded = true;
    await this.save(rec);
    const next: TaskRecord = { id: `${rec.name}.${rec.instance}.${rec.attempt + 1}`, name: rec.name, instance: rec.instance, attempt: rec.attempt + 1, state: 'PENDING', desired: 'running', unlaunched: (rec.unlaunched ?? 0) + 1 };
    this.records.set(next.id, next);
    await this.save(next);
  }

  private async afterTerminal(rec: TaskRecord): Promise<void> {
    const def = this.definitions.get(rec.name);
    if (!def || rec.desired === 'killed' || rec.instance >= (def.instances ?? 1)) return;
    const policy = def.restartPolicy?.policy ?? 'on-failure';
    const failed = rec.state !== 'TASK_FINISHED';
    if (policy === 'never' || (policy === 'on-failure' && !failed)) return;
    const maxRetries = def.restartPolicy?.maxRetries ?? Infinity;
    if (rec.attempt - (rec.unlaunched ?? 0) >= maxRetries) return;
    const base = (def.restartPolicy?.backoffSeconds ?? 1) * 1000;
    const factor = def.restartPolicy?.backoffFactor ?? 2;
    const max = (def.restartPolicy?.maxBackoffSeconds ?? 300) * 1000;
    const delay = Math.min(max, base * factor ** (rec.attempt - (rec.unlaunched ?? 0)));
    rec.superseded = true;
    await this.save(rec);
    const next: TaskRecord = { id: `${rec.name}.${rec.instance}.${rec.attempt + 1}`, name: rec.name, instance: rec.instance, attempt: rec.attempt + 1, state: 'PENDING', desired: 'running', notBefore: this.now() + delay, ...(rec.unlaunched ? { unlaunched: rec.unlaunched } : {}) };
    this.records.set(next.id, next);
    await this.save(next);
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
    while (this.writes.size > 0) {
      const pending = [...this.writes.values()];
      await Promise.all(pending);
      // Writes chained meanwhile are awaited on the next round; finished ones are dropped.
      for (const [id, w] of this.writes) if (pending.includes(w)) this.writes.delete(id);
    }
  }

  private save(rec: TaskRecord): Promise<void> {
    const snapshot = toBytes(rec);
    const prev = this.writes.get(rec.id) ?? Promise.resolve();
    const write = prev.then(() => this.storage.put(`${TASK_PREFIX}/${rec.id}`, snapshot));
    this.writes.set(rec.id, write.catch(() => {}));
    return write.then(
      () => void this.dirty.delete(rec.id),
      (err: unknown) => {
        this.dirty.add(rec.id);
        throw err;
      },
    );
  }
}
