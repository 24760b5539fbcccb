import type { v1 } from '../protocol/generated/index.js';
import type { Quantities } from './sim-resources.js';
import type { Holding, SimVolume } from './sim-holdings.js';

/** How a simulated task behaves once launched. The first matching rule wins. */
export interface TaskBehaviour {
  /** Matches the task name (regex source or RegExp). */
  name?: string | RegExp;
  /** Matches a task label `key=value` (or just `key`). */
  label?: string;
  /** Delay before TASK_STARTING, ms. @default 10 */
  startDelayMs?: number;
  /** Time spent RUNNING before the outcome, ms. @default 100 */
  runMs?: number;
  /** What happens after `runMs`. @default 'finished' */
  outcome?: 'finished' | 'failed' | 'lost' | 'running-forever';
  /** Message attached to the final update. */
  message?: string;
}

/** One simulated agent. */
export interface AgentSpec {
  /** Hostname in offers and AgentInfo. Default: `agent-<n>.sim.local`, n counting from 0. */
  hostname?: string;
  /** The port the agent announces (offers' `url`, `/master/slaves`, executors' AgentInfo). @default 5051 + its index */
  port?: number;
  /** CPUs offered. @defaultValue 4 */
  cpus?: number;
  /** Memory offered, MiB. @defaultValue 8192 */
  mem?: number;
  /** Disk offered, MiB. @defaultValue 65536 */
  disk?: number;
  /** GPUs offered (only to frameworks with the GPU_RESOURCES capability). @defaultValue 0 */
  gpus?: number;
  /** Port ranges. @default [[31000, 32000]] */
  ports?: Array<[number, number]>;
  /** Text attributes, e.g. `{ rack: 'r1', zone: 'a' }`. */
  attributes?: Record<string, string>;
}

import type { SimExecutorOptions } from './executor-host.js';

/** The simulated cluster: its agents, timing, task behaviour, authentication and how tasks run. */
export interface SimulatorOptions {
  /** `agents: 5` makes five default agents; or give each one. @default 3 */
  agents?: number | AgentSpec[];
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Heartbeat interval announced in SUBSCRIBED and used on every stream, s. @default 15 */
  heartbeatIntervalSeconds?: number;
  /** Allocation cycle period, ms. @default 1000 */
  allocationIntervalMs?: number;
  /** First retry of an unacknowledged status update, ms (doubles each time). @default 10000 */
  statusUpdateRetryMs?: number;
  /** Cap of the status update retry interval, ms. @default 600000 */
  statusUpdateRetryMaxMs?: number;
  /** Task behaviour rules for simulated tasks (see {@link commands}); tasks that match none use the defaults. */
  taskBehaviours?: TaskBehaviour[];
  /** Time between KILLING and KILLED, ms. @default 10 */
  killDelayMs?: number;
  /** Require HTTP basic authentication with these credentials. */
  credentials?: Array<{
    /** User name. */
    principal: string;
    /** Password. */
    secret: string;
  }>;
  /**
   * Bytes of events one event stream may hold while its subscriber does not read, past which agent
   * status updates wait in their agents' streams (sent when there is room, nothing lost) and no
   * offers are made to it; heartbeats are coalesced. Other events are always queued. @default 8 MiB
   */
  eventQueueBytes?: number;
  /** Largest request body accepted, bytes. @default 10 MiB */
  maxBodyBytes?: number;
  /** Serve `POST /__sim/faults` so tests and people can inject faults over HTTP. @default true */
  faultsApi?: boolean;
  /**
   * Run executors for real: a task with an `ExecutorInfo` (with a command) starts that executor as
   * a local child process in a sandbox, with the Mesos environment, and talks to it over the V1
   * executor API (see `ExecutorHost`). `true` for the defaults. @default false (executors simulated)
   *
   * The options (sandbox root, grace period, environment) also apply to the command executors of
   * `commands: 'real'`.
   */
  executors?: boolean | SimExecutorOptions;
  /**
   * How command tasks (a `CommandInfo` and no `ExecutorInfo`) run:
   * - `'real'`: as on a Mesos agent, by a command executor process per task (executor id = task
   *   id) in a sandbox under `executors.sandboxRoot`, with the URIs fetched, the agent's `MESOS_*`
   *   environment, `/bin/sh -c value` (or `value` and `arguments` when `shell: false`), the exit
   *   status reported as Mesos does (`Command exited with status N`, `Command terminated with
   *   signal Killed`), and KILL as SIGTERM then SIGKILL after `kill_policy.grace_period` (3 s).
   *   Task groups of a DEFAULT executor (LAUNCH_GROUP) run the same way, under a built-in default
   *   executor process (a failed task takes its group down, as on Mesos).
   *   Tasks need real commands that end (or are killed).
   * - `'simulated'`: scripted by {@link taskBehaviours}: STARTING, RUNNING and an outcome on
   *   timers, nothing executed. For scale tests, benchmarks and fault scenarios.
   *
   * @default 'simulated'; the `mesos-sim` CLI defaults to `'real'`
   * @example `SimulatedMaster.start({ commands: 'real', executors: { sandboxRoot: '/tmp/sandboxes' } })`
   */
  commands?: 'real' | 'simulated';
  /** Ended tasks remembered in `engine.completedTasks` (oldest dropped first). @default 10000 */
  completedTaskHistory?: number;
}

/** State of a simulated agent: `active`, `unreachable` (partitioned) or `gone` (removed). */
export type AgentState = 'active' | 'unreachable' | 'gone';

/** A simulated agent and what of its resources is free. */
export interface SimAgent {
  /** Agent id. */
  id: string;
  /** Hostname in offers. */
  hostname: string;
  /** Port it announces. */
  port: number;
  /** Everything it has. */
  total: Quantities;
  /** Unreserved resources neither offered nor used. */
  free: Quantities;
  /** Dynamically reserved resources neither offered nor used, by role. */
  reserved: Map<string, Quantities>;
  /** Persistent volumes neither offered nor used. */
  volumes: SimVolume[];
  /** Its attributes, as offers carry them. */
  attributes: v1.Attribute[];
  /** Whether it answers. */
  state: AgentState;
  /** Epoch milliseconds it was partitioned at, while `unreachable`. */
  unreachableSince?: number;
}

/** An outstanding offer. */
export interface SimOffer {
  /** Offer id. */
  id: string;
  /** Framework it went to. */
  frameworkId: string;
  /** Agent whose resources it holds. */
  agentId: string;
  /** Role it was allocated to. */
  role: string;
  /** The resources it holds. */
  holding: Holding;
}

/** Fault switches that act on every status update. */
export interface UpdateFaults {
  /** Send every status update twice. */
  duplicate: boolean;
  /** Hold every status update this long before sending it, ms. */
  delayMs: number;
  /** Hold each update a random 0..reorderWindowMs, so updates of different tasks cross. */
  reorderWindowMs: number;
}
