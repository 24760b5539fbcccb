import type { v1 } from '../protocol/generated/index.js';

/** SDK-side states before Mesos knows the task. */
export type LocalState = 'PENDING' | 'LAUNCHING';
export type TaskRecordState = LocalState | v1.TaskState;

/** What the framework remembers about one task (one attempt of one instance), persisted in Storage. */
export interface TaskRecord {
  /** Mesos task id: `<name>.<instance>.<attempt>`. */
  id: string;
  name: string;
  instance: number;
  /** 0 for the first launch, +1 per relaunch. */
  attempt: number;
  state: TaskRecordState;
  /** `killed` once a kill or a scale-down asked for it: never relaunched. */
  desired: 'running' | 'killed';
  agentId?: string;
  hostname?: string;
  /** Agent attributes rendered as strings, for constraints of later placements. */
  attributes?: Record<string, string>;
  /** Not placed before this time (ms since epoch): restart backoff. */
  notBefore?: number;
  /** Timestamp of the newest status applied (seconds, as Mesos sends it). */
  updatedAt?: number;
  message?: string;
  /** Attempts before this one that never reached Mesos (launch intent recorded, ACCEPT lost); they do not count as retries. */
  unlaunched?: number;
  /** True once a newer attempt replaced this one. */
  superseded?: boolean;
}

export const TERMINAL_STATES: ReadonlySet<TaskRecordState> = new Set<TaskRecordState>([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
]);

export const isTerminal = (s: TaskRecordState): boolean => TERMINAL_STATES.has(s);

/** Rank used to refuse regressions (a late STARTING after RUNNING). */
const RANK: Partial<Record<TaskRecordState, number>> = {
  PENDING: 0, LAUNCHING: 1, TASK_STAGING: 2, TASK_STARTING: 3, TASK_RUNNING: 4, TASK_KILLING: 5, TASK_UNREACHABLE: 4,
};
export function isRegression(from: TaskRecordState, to: TaskRecordState): boolean {
  if (isTerminal(from)) return true;
  if (isTerminal(to)) return false;
  if (from === 'TASK_UNREACHABLE' && to === 'TASK_RUNNING') return false;
  return (RANK[to] ?? 0) < (RANK[from] ?? 0);
}
