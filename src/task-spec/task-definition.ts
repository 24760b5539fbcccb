import type { PlacementConstraint } from '../resource-manager/placement/placement-types.js';

/** A file the Mesos fetcher downloads into the sandbox before the task's (or executor's) command starts (`CommandInfo.URI`). */
export interface FetchUri {
  /** URL (http, https, file, hdfs...) to fetch. */
  value: string;
  /** Unpack archives (tar, zip...) after download. @defaultValue true */
  extract?: boolean;
  /** Mark the fetched file executable. @defaultValue false */
  executable?: boolean;
  /** Let the fetcher reuse a cached copy. @defaultValue false */
  cache?: boolean;
  /** File name in the sandbox. Default: the URL's last path segment. */
  outputFile?: string;
}

/**
 * A task definition: one application, its instances, what each needs and how it runs.
 * The JSON Schema is published as `schema/task-definition.schema.json`.
 *
 * @example
 * ```json
 * { "name": "web", "instances": 3, "resources": { "cpus": 0.5, "mem": 256, "ports": 1 },
 *   "command": { "shell": "python3 -m http.server $PORT0" },
 *   "healthCheck": { "type": "HTTP", "path": "/", "portIndex": 0 },
 *   "constraints": [["hostname", "UNIQUE"]], "restartPolicy": { "policy": "on-failure", "maxRetries": 3 } }
 * ```
 */
export interface TaskDefinition {
  /** Name of the application (lower-case letters, digits and dashes, at most 63); task ids are `<name>.<instance>.<attempt>`. */
  name: string;
  /** How many copies of the task run at once. @defaultValue 1 */
  instances?: number;
  /** Role whose offers the tasks are placed on. Default: the framework's first role. */
  role?: string;
  /** What each instance needs from an offer. */
  resources: {
    /** CPUs (fractions allowed). */
    cpus: number;
    /** Memory in MiB. */
    mem: number;
    /** Scratch disk in MiB. */
    disk?: number;
    /** Whole GPUs; only offers of frameworks with the `GPU_RESOURCES` capability carry them. */
    gpus?: number;
    /** How many host ports to allocate from the offer's `ports` ranges; the task sees them as `PORT0..PORTn` (and `PORT` = `PORT0`). */
    ports?: number;
  };
  /** The command the Mesos command executor runs (or, with `executor`, the command handed to that executor). */
  command?: {
    /** Command line run with `/bin/sh -c`. Give `shell` or `argv`, not both. */
    shell?: string;
    /** Program and its arguments, run without a shell (`argv[0]` is the program). */
    argv?: string[];
    /** Environment variables; `PORT0..n` and `PORT` are added for the allocated ports. */
    env?: Record<string, string>;
    /** User the command runs as on the agent. Default: the framework's user. */
    user?: string;
    /** Files the Mesos fetcher downloads into the sandbox before the command starts. */
    uris?: FetchUri[];
  };
  /**
   * Run the task with this custom executor (one process per task unless `id` is shared). The
   * task's own `command` goes to the executor as JSON in `TaskInfo.data` (`taskCommandOf`).
   */
  executor?: {
    /** `ExecutorInfo.executor_id`; tasks with the same id share one executor process. Default: `<task id>.executor`. */
    id?: string;
    /** `ExecutorInfo.name`, shown by Mesos. Default: `<name> executor`. */
    name?: string;
    /**
     * What the executor itself needs, on top of the task's `resources` (Mesos wants at least
     * 0.01 cpus and 32 MiB). Placed with the task and sent as `ExecutorInfo.resources`.
     * Default: `{ cpus: 0.1, mem: 32 }` (see {@link DEFAULT_EXECUTOR_RESOURCES}).
     */
    resources?: {
      /** CPUs of the executor process. @defaultValue 0.1 */
      cpus?: number;
      /** Memory of the executor process in MiB. @defaultValue 32 */
      mem?: number;
      /** Scratch disk of the executor in MiB. */
      disk?: number;
    };
    /** How the agent starts the executor: exactly one of `shell` or `argv`. */
    command: {
      /** Command line run with `/bin/sh -c`. */
      shell?: string;
      /** Program and arguments, run without a shell. */
      argv?: string[];
      /** Environment of the executor, on top of the task's (with the `PORT` variables). */
      env?: Record<string, string>;
      /** Files fetched into the sandbox before the executor starts (the executor binary, say). */
      uris?: FetchUri[];
    };
  };
  /** Run the task in a container: the Mesos containerizer (optionally with an image) or Docker. */
  container?: {
    /** `MESOS` (the agent's own containerizer) or `DOCKER` (needs `image`). */
    type: 'MESOS' | 'DOCKER';
    /** Docker image name; with `MESOS` it is pulled through the Mesos image provisioner. */
    image?: string;
    /** Pull the image even when the agent has it cached. @defaultValue false */
    forcePull?: boolean;
    /** Networks to join: `bridge` gives Docker bridge networking, `host` (the default) none of its own, a `name` a CNI network. */
    networks?: Array<{
      /** Kind of network. @defaultValue 'host' */
      mode?: 'host' | 'bridge' | 'container';
      /** Name of the CNI network (Mesos containerizer). */
      name?: string;
    }>;
    /** Container ports to publish on host ports (bridge or CNI networks). */
    portMappings?: Array<{
      /** Port inside the container. */
      containerPort: number;
      /** Port on the agent. Default: the allocated port with the same index. */
      hostPort?: number;
      /** Transport. @defaultValue 'tcp' */
      protocol?: 'tcp' | 'udp';
    }>;
    /** Host folders (or sandbox paths) mounted into the container. */
    volumes?: Array<{
      /** Mount point in the container. */
      containerPath: string;
      /** Folder on the agent; without it the path is relative to the sandbox. */
      hostPath?: string;
      /** Read-only or read-write. @defaultValue 'RW' */
      mode?: 'RO' | 'RW';
    }>;
  };
  /** A health check the executor runs; Mesos kills the task after `consecutiveFailures` failures. */
  healthCheck?: {
    /** `HTTP` GET on `path`, `TCP` connect, or a `COMMAND` that must exit 0. */
    type: 'HTTP' | 'TCP' | 'COMMAND';
    /** Path of the HTTP check. @defaultValue '/' */
    path?: string;
    /** Which allocated port (index into `PORT0..n`) HTTP and TCP checks use. @defaultValue 0 */
    portIndex?: number;
    /** Command line of a `COMMAND` check, run with `/bin/sh -c`. */
    command?: string;
    /** Seconds after start during which failures do not count. Mesos's default: 10. */
    gracePeriodSeconds?: number;
    /** Seconds between checks. Mesos's default: 10. */
    intervalSeconds?: number;
    /** Seconds a check may take before it counts as failed. Mesos's default: 20. */
    timeoutSeconds?: number;
    /** Failures in a row after which the task is killed. Mesos's default: 3. */
    consecutiveFailures?: number;
    /** Seconds before the first check. Mesos's default: 15. */
    delaySeconds?: number;
  };
  /** How a kill proceeds. */
  killPolicy?: {
    /** Seconds between SIGTERM and SIGKILL (`KillPolicy.grace_period`). Default: the executor's own. */
    gracePeriodSeconds?: number;
  };
  /** Labels put on each `TaskInfo`. */
  labels?: Record<string, string>;
  /** Where instances may run, e.g. `[["hostname", "UNIQUE"]]`; see {@link PlacementConstraint}. */
  constraints?: PlacementConstraint[];
  /** What happens when an instance ends. */
  restartPolicy?: {
    /** `never` restart, restart `on-failure` (any end but TASK_FINISHED), or `always` (after TASK_FINISHED too). @defaultValue 'on-failure' */
    policy?: 'never' | 'on-failure' | 'always';
    /** Restarts of one instance before it is given up. Default: unlimited. */
    maxRetries?: number;
    /** Delay before the first restart, in seconds. @defaultValue 1 */
    backoffSeconds?: number;
    /** Each further restart waits this many times longer. @defaultValue 2 */
    backoffFactor?: number;
    /** Upper bound of the restart delay, in seconds. @defaultValue 300 */
    maxBackoffSeconds?: number;
  };
}

/** Resources of a custom executor when its definition gives none: 0.1 cpus, 32 MiB. */
export const DEFAULT_EXECUTOR_RESOURCES = Object.freeze({
  /** CPUs. */
  cpus: 0.1,
  /** Memory in MiB. */
  mem: 32,
});
