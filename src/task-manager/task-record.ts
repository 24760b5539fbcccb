import type { v1 } from '../protocol/generated/index.js';

/** SDK-side states before Mesos knows the task. */
export type LocalState = 'PENDING' | 'LAUNCHING';
/** A task's state as the task manager records it: one of the SDK's own before the launch, then the Mesos state. */
export type TaskRecordState = LocalState | v1.TaskState;

/** What the framework remembers about one task (one attempt of one instance), persisted in Storage. */
export interface TaskRecord {
  /** Mesos task id: `<name>.<instance>.<attempt>`. */
  id: string;
  /** Name of the task definition this task runs. */
  name: string;
  /** Instance slot of the definition, 0 to `instances - 1`. */
  instance: number;
  /** 0 for the first launch, +1 per relaunch. */
  attempt: number;
  /** Its latest state (PENDING, LAUNCHING, then the Mesos state of the latest update). */
  state: TaskRecordState;
  /** `killed` once a kill or a scale-down asked for it: never relaunched. */
  desired: 'running' | 'killed';
  /** Agent it was launched on (once placed). */
  agentId?: string;
  /** Host name of that agent. */
  hostname?: string;
  /** Agent attributes rendered as strings, for constraints of later placements. */
  attributes?: Record<string, string>;
  /** Not placed before this time (ms since epoch): restart backoff. */
  notBefore?: number;
  /** Timestamp of the newest status applied (seconds, as Mesos sends it). */
  updatedAt?: number;
  /** Message of the latest update that had one (e.g. "Command exited with status 3"). */
  message?: string;
  /** Attempts before this one that never reached Mesos (launch intent recorded, ACCEPT lost); they do not count as retries. */
  unlaunched?: number;
  /** True once a newer attempt replaced this one. */
  superseded?: boolean;
  /** When it was replaced (ms since epoch): the age of an ended attempt, for pruning. */
  supersededAt?: number;
  /** Why the task cannot be placed (its definition makes placement fail): set with state `TASK_ERROR`; such a slot is not relaunched until the definition is submitted again. */
  invalid?: string;
}

/** Task states after which Mesos sends nothing more about the task. */
export const TERMINAL_STATES: ReadonlySet<TaskRecordState> = new Set<TaskRecordState>([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
]);

/** True for a terminal state (see {@link TERMINAL_STATES}). */
export const isTerminal = (s: TaskRecordState): boolean => TERMINAL_STATES.has(s);

/** Rank used to refuse regressions (a late STARTING after RUNNING). */
const RANK: Partial<Record<TaskRecordState, number>> = {
  PENDING: 0, LAUNCHING: 1, TASK_STAGING: 2, TASK_STARTING: 3, TASK_RUNNING: 4, TASK_KILLING: 5, TASK_UNREACHABLE: 4,
};
/** True when an update from `from` to `to` goes backwards (anything after a terminal state, STARTING after RUNNING): it is ignored. */
export function isRegression(from: TaskRecordState, to: TaskRecordState): boolean {
  if (isTerminal(from)) return true;
  if (isTerminal(to)) return false;
  if (from === 'TASK_UNREACHABLE' && to === 'TASK_RUNNING') return false;
  return (RANK[to] ?? 0) < (RANK[from] ?? 0);
}
