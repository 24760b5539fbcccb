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
  /** A (custom or default) executor exited with this wait status: the framework gets FAILURE. */
  executorExited(frameworkId: string, agentId: string, executorId: string, status: number): void;
  /** The executor is gone: its tasks that have not ended fail. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void;
  /** The agent itself ends a task (source SOURCE_AGENT), e.g. killed before it reached its executor. */
  agentTaskUpdate(frameworkId: string, taskId: string, state: v1.TaskState, message: string, reason: v1.TaskStatus.Reason): void;
}

/** One executor process on a simulated agent. */
export interface SimExecutor {
  /** Id of the framework it runs for. */
  frameworkId: string;
  /** Its executor id (for the command executor: the task id). */
  executorId: string;
  /** Agent it runs on. */
  agentId: string;
  /** The `ExecutorInfo` it was started from. */
  info: v1.ExecutorInfo;
  /** The built-in command executor running one command task (executor id = task id). */
  command: boolean;
  /** The built-in default executor running task groups (`ExecutorInfo.type` DEFAULT). */
  defaultExecutor: boolean;
  /** Role of the resources the executor's tasks were launched with (`MESOS_ALLOCATION_ROLE`). */
  role: string;
  /** Container id, a UUID as on Mesos: names the sandbox run folder and is in `container_status`. */
  containerId: string;
  /** Its sandbox folder (`MESOS_SANDBOX`), holding `stdout` and `stderr`. */
  sandbox: string;
  /** `fetching` its URIs, `starting` (process started, not subscribed), `subscribed`, `disconnected` (stream closed, process alive) or `exited`. */
  state: 'fetching' | 'starting' | 'subscribed' | 'disconnected' | 'exited';
  /** @internal */
  process?: ChildProcess;
  /** Process id, once started. */
  pid?: number;
  /** @internal its open SUBSCRIBE stream. */
  stream?: http.ServerResponse;
  /** Encoding of its SUBSCRIBE stream. */
  encoding: Encoding;
  /** Events waiting for the executor to subscribe. */
  queue: executor.Event[];
  /** Tasks launched on it. */
  taskIds: Set<string>;
  /** Its framework checkpoints, so it may re-subscribe after a disconnection (`MESOS_CHECKPOINT=1`). */
  checkpoint: boolean;
  /** Epoch milliseconds until which SUBSCRIBE is refused (the `drop-executor` fault). */
  refuseUntil: number;
  /** How many times it subscribed. */
  subscriptions: number;
  /** @internal SIGKILL after the shutdown grace period. */
  shutdownTimer?: NodeJS.Timeout;
  /** Exit code once exited (null when killed by a signal). */
  exitCode?: number | null;
  /** Signal that ended it, if any. */
  exitSignal?: NodeJS.Signals | null;
  /** Process groups of the commands a command executor forked (killed with the executor). */
  commandGroups: Set<number>;
}
