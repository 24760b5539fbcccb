import type http from 'node:http';
import type { ChildProcess } from 'node:child_process';
import type { Encoding } from '../protocol/codec.js';
import type { executor, v1 } from '../protocol/generated/index.js';

/** Options of the executors the simulated agents run for real (`SimulatorOptions.executors`). */
export interface SimExecutorOptions {
  /** Folder under which each executor gets its sandbox. @default a temp folder, removed at stop */
  sandboxRoot?: string;
  /** `MESOS_SUBSCRIPTION_BACKOFF_MAX` given to executors of checkpointing frameworks (as Mesos does). @default '500ms' (Mesos: '2secs') */
  subscriptionBackoffMax?: string;
  /** `MESOS_RECOVERY_TIMEOUT` given to executors of checkpointing frameworks (as Mesos does). @default '15mins' */
  recoveryTimeout?: string;
  /** Time between SHUTDOWN and SIGKILL of the executor's process group, ms (`MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`). @default 5000, the agent's default */
  shutdownGraceMs?: number;
  /** Largest file the fetcher downloads, bytes. @default 256 MiB */
  maxFetchBytes?: number;
  /** Extra environment for every executor. */
  env?: Record<string, string>;
}

/** Which tasks the executor host runs as real processes. */
export interface ExecutorHostRuns {
  /** Tasks with an `ExecutorInfo` that has a command: their executor is started for real. */
  executors: boolean;
  /** Command tasks (a `CommandInfo`, no executor): run by the built-in command executor. */
  commands: boolean;
}

/** What the executor host needs from the engine. */
export interface ExecutorHostEngine {
  agentInfo(agentId: string): v1.AgentInfo | undefined;
  frameworkInfo(frameworkId: string): v1.FrameworkInfo | undefined;
  /** A status update the executor sent (or resent); returns true when it was already acknowledged. */
  executorStatus(frameworkId: string, status: v1.TaskStatus): 'new' | 'pending' | 'acknowledged' | 'unknown-task';
  executorMessage(frameworkId: string, agentId: string, executorId: string, data: Uint8Array): boolean;
  /** The executor is gone: its tasks that have not ended fail. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void;
  /** The agent itself ends a task (source SOURCE_AGENT), e.g. killed before it reached its executor. */
  agentTaskUpdate(frameworkId: string, taskId: string, state: v1.TaskState, message: string, reason: v1.TaskStatus.Reason): void;
}

type ExecutorState = 'fetching' | 'starting' | 'subscribed' | 'disconnected' | 'exited';

/** One executor process on a simulated agent. */
export interface SimExecutor {
  frameworkId: string;
  executorId: string;
  agentId: string;
  info: v1.ExecutorInfo;
  /** The built-in command executor running one command task (executor id = task id). */
  command: boolean;
  /** Role of the resources the executor's tasks were launched with (`MESOS_ALLOCATION_ROLE`). */
  role: string;
  /** Container id, a UUID as on Mesos: names the sandbox run folder and is in `container_status`. */
  containerId: string;
  sandbox: string;
  state: ExecutorState;
  process?: ChildProcess;
  pid?: number;
  stream?: http.ServerResponse;
  encoding: Encoding;
  /** Events waiting for the executor to subscribe. */
  queue: executor.Event[];
  taskIds: Set<string>;
  checkpoint: boolean;
  refuseUntil: number;
  subscriptions: number;
  shutdownTimer?: NodeJS.Timeout;
  exitCode?: number | null;
  exitSignal?: NodeJS.Signals | null;
  /** Process groups of the commands a command executor forked (killed with the executor). */
  commandGroups: Set<number>;
}
