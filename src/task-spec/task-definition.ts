import type { PlacementConstraint } from '../resource-manager/placement/placement-types.js';

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
  name: string;
  /** @default 1 */
  instances?: number;
  role?: string;
  resources: { cpus: number; mem: number; disk?: number; gpus?: number; ports?: number };
  command?: {
    shell?: string;
    argv?: string[];
    env?: Record<string, string>;
    user?: string;
    uris?: Array<{ value: string; extract?: boolean; executable?: boolean; cache?: boolean; outputFile?: string }>;
  };
  /**
   * Run the task with this custom executor (one process per task unless `id` is shared). The
   * task's own `command` goes to the executor as JSON in `TaskInfo.data` (`taskCommandOf`).
   */
  executor?: {
    id?: string;
    name?: string;
    /**
     * What the executor itself needs, on top of the task's `resources` (Mesos wants at least
     * 0.01 cpus and 32 MiB). Placed with the task and sent as `ExecutorInfo.resources`.
     * @default { cpus: 0.1, mem: 32 } (see {@link DEFAULT_EXECUTOR_RESOURCES})
     */
    resources?: { cpus?: number; mem?: number; disk?: number };
    command: { shell?: string; argv?: string[]; env?: Record<string, string>; uris?: Array<{ value: string; extract?: boolean; executable?: boolean; cache?: boolean; outputFile?: string }> };
  };
  container?: {
    type: 'MESOS' | 'DOCKER';
    image?: string;
    forcePull?: boolean;
    networks?: Array<{ mode?: 'host' | 'bridge' | 'container'; name?: string }>;
    portMappings?: Array<{ containerPort: number; hostPort?: number; protocol?: 'tcp' | 'udp' }>;
    volumes?: Array<{ containerPath: string; hostPath?: string; mode?: 'RO' | 'RW' }>;
  };
  healthCheck?: {
    type: 'HTTP' | 'TCP' | 'COMMAND';
    path?: string;
    portIndex?: number;
    command?: string;
    gracePeriodSeconds?: number;
    intervalSeconds?: number;
    timeoutSeconds?: number;
    consecutiveFailures?: number;
    delaySeconds?: number;
  };
  killPolicy?: { gracePeriodSeconds?: number };
  labels?: Record<string, string>;
  constraints?: PlacementConstraint[];
  restartPolicy?: {
    /** @default 'on-failure' */
    policy?: 'never' | 'on-failure' | 'always';
    maxRetries?: number;
    backoffSeconds?: number;
    backoffFactor?: number;
    maxBackoffSeconds?: number;
  };
}

/** Resources of a custom executor when its definition gives none: 0.1 cpus, 32 MiB. */
export const DEFAULT_EXECUTOR_RESOURCES: Readonly<{ cpus: number; mem: number }> = Object.freeze({ cpus: 0.1, mem: 32 });
