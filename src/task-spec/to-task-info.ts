import type { v1 } from '../protocol/generated/index.js';
import type { ExecutorAmounts, PlacementRequest } from '../resource-manager/placement/placement-types.js';
import { DEFAULT_EXECUTOR_RESOURCES, type TaskDefinition } from './task-definition.js';
import { ValidationError } from '../errors/families.js';

/** Where a task instance was placed: the resources carved from the offer and the host ports chosen. */
export interface TaskPlacement {
  /** Mesos task id of the instance. */
  taskId: string;
  /** Agent of the offer the task goes to. */
  agentId: v1.AgentID;
  /** Resources carved from the offer for the task (`TaskInfo.resources`). */
  resources: v1.Resource[];
  /** Host ports allocated, in order: `PORT0`, `PORT1`... */
  ports: number[];
  /** Resources carved for the task's custom executor (`Assignment.executorResources`): `ExecutorInfo.resources`. */
  executorResources?: v1.Resource[];
}

const NANOS = 1e9;

/** The placement request of one instance of a definition. */
export function toPlacementRequest(def: TaskDefinition, taskId: string): PlacementRequest {
  return {
    id: taskId,
    group: def.name,
    resources: {
      cpus: def.resources.cpus,
      mem: def.resources.mem,
      ...(def.resources.disk ? { disk: def.resources.disk } : {}),
      ...(def.resources.gpus ? { gpus: def.resources.gpus } : {}),
      ...(def.resources.ports ? { ports: def.resources.ports } : {}),
    },
    ...(def.role ? { role: def.role } : {}),
    ...(def.constraints?.length ? { constraints: def.constraints } : {}),
    ...(def.executor ? { executor: executorAmountsOf(def)! } : {}),
  };
}

/**
 * What the custom executor of a definition needs: its `executor.resources`, each amount defaulting
 * to {@link DEFAULT_EXECUTOR_RESOURCES} (0.1 cpus, 32 MiB). Undefined for a command task.
 */
export function executorAmountsOf(def: TaskDefinition): ExecutorAmounts | undefined {
  if (!def.executor) return undefined;
  const r = def.executor.resources ?? {};
  return {
    cpus: r.cpus ?? DEFAULT_EXECUTOR_RESOURCES.cpus,
    mem: r.mem ?? DEFAULT_EXECUTOR_RESOURCES.mem,
    ...(r.disk ? { disk: r.disk } : {}),
  };
}

/**
 * Builds the `TaskInfo` of one instance: command (shell or argv, environment with `PORT0..n` and
 * `PORT`, URIs, user), or a custom `ExecutorInfo` (with `placement.executorResources` as its
 * resources), container (Mesos with an image, or Docker), health check, kill policy,
 * labels and discovery info with the allocated ports.
 */
export function toTaskInfo(def: TaskDefinition, placement: TaskPlacement): v1.TaskInfo {
  const env: Record<string, string> = { ...def.command?.env };
  placement.ports.forEach((port, i) => (env[`PORT${i}`] = String(port)));
  if (placement.ports.length > 0) env['PORT'] = String(placement.ports[0]);
  const cmd = def.command;
  const info: v1.TaskInfo = {
    name: def.name,
    task_id: { value: placement.taskId },
    agent_id: placement.agentId,
    resources: placement.resources,
  };
  if (def.executor) {
    // A custom executor runs the task: its own command travels as JSON in `data`.
    const ex = def.executor;
    info.executor = {
      executor_id: { value: ex.id ?? `${placement.taskId}.executor` },
      type: 'CUSTOM',
      name: ex.name ?? `${def.name} executor`,
      command: toCommandInfo({ ...ex.command, env: { ...env, ...ex.command.env } }),
      ...(placement.executorResources?.length ? { resources: placement.executorResources } : {}),
    };
    if (cmd) info.data = new TextEncoder().encode(JSON.stringify({ ...(cmd.shell !== undefined ? { shell: cmd.shell } : {}), ...(cmd.argv ? { argv: cmd.argv } : {}), env } satisfies TaskCommand));
  } else {
    info.command = toCommandInfo({ ...cmd, env });
  }
  const container = toContainerInfo(def, placement.ports);
  if (container) info.container = container;
  if (def.healthCheck) info.health_check = toHealthCheck(def, placement.ports);
  if (def.killPolicy?.gracePeriodSeconds !== undefined) info.kill_policy = { grace_period: { nanoseconds: Math.round(def.killPolicy.gracePeriodSeconds * NANOS) } };
  if (def.labels && Object.keys(def.labels).length) info.labels = { labels: Object.entries(def.labels).map(([key, value]) => ({ key, value })) };
  if (placement.ports.length) {
    info.discovery = {
      visibility: 'FRAMEWORK',
      name: def.name,
      ports: { ports: placement.ports.map((number, i) => ({ number, name: `port${i}`, protocol: 'tcp' })) },
    };
  }
  return info;
}

/** The command of a task run by a custom executor, as `toTaskInfo` puts it in `TaskInfo.data`. */
export interface TaskCommand {
  /** Command line to run with `/bin/sh -c`. */
  shell?: string;
  /** Program and arguments to run without a shell. */
  argv?: string[];
  /** Environment, with `PORT0..n` and `PORT` for the allocated ports. */
  env: Record<string, string>;
}

/**
 * Reads the command a task definition gave a task run by a custom executor (from `TaskInfo.data`).
 * Returns undefined when the task carries none.
 * @throws ValidationError `ERR_TASK_COMMAND_INVALID` when `data` is not such a command.
 */
export function taskCommandOf(task: v1.TaskInfo): TaskCommand | undefined {
  if (!task.data || task.data.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(task.data));
  } catch (err) {
    throw new ValidationError('ERR_TASK_COMMAND_INVALID', `task ${task.task_id.value} carries data that is not a JSON command: ${(err as Error).message}`, [{ path: 'data', message: 'not JSON' }]);
  }
  const c = parsed as Partial<TaskCommand> | null;
  const ok = c !== null && typeof c === 'object' && (typeof c.shell === 'string' || (Array.isArray(c.argv) && c.argv.length > 0 && c.argv.every((a) => typeof a === 'string')));
  if (!ok) throw new ValidationError('ERR_TASK_COMMAND_INVALID', `task ${task.task_id.value} carries data without a shell or argv command`, [{ path: 'data', message: 'needs shell or argv' }]);
  const env = c.env && typeof c.env === 'object' ? Object.fromEntries(Object.entries(c.env).filter(([, v]) => typeof v === 'string')) as Record<string, string> : {};
  return { ...(c.shell !== undefined ? { shell: c.shell } : {}), ...(c.argv ? { argv: c.argv } : {}), env };
}

function toCommandInfo(cmd: { shell?: string; argv?: string[]; env?: Record<string, string>; user?: string; uris?: NonNullable<TaskDefinition['command']>['uris'] }): v1.CommandInfo {
  const env = cmd.env ?? {};
  return {
    ...(cmd.argv ? { shell: false, value: cmd.argv[0], arguments: cmd.argv } : cmd.shell !== undefined ? { shell: true, value: cmd.shell } : { shell: false }),
    ...(Object.keys(env).length ? { environment: { variables: Object.entries(env).map(([name, value]) => ({ name, type: 'VALUE' as const, value })) } } : {}),
    ...(cmd.user ? { user: cmd.user } : {}),
    ...(cmd.uris?.length
      ? { uris: cmd.uris.map((u) => ({ value: u.value, extract: u.extract ?? true, executable: u.executable ?? false, cache: u.cache ?? false, ...(u.outputFile ? { output_file: u.outputFile } : {}) })) }
      : {}),
  };
}

function toContainerInfo(def: TaskDefinition, ports: number[]): v1.ContainerInfo | undefined {
  const c = def.container;
  if (!c) return undefined;
  const volumes: v1.Volume[] = (c.volumes ?? []).map((v) => ({ container_path: v.containerPath, mode: v.mode ?? 'RW', ...(v.hostPath ? { host_path: v.hostPath } : {}) }));
  const mappings = (c.portMappings ?? []).map((m, i) => ({ container_port: m.containerPort, host_port: m.hostPort ?? ports[i] ?? 0, protocol: m.protocol ?? 'tcp' }));
  if (c.type === 'DOCKER') {
    const bridge = c.networks?.some((n) => n.mode === 'bridge');
    return {
      type: 'DOCKER',
      docker: {
        image: c.image!,
        network: bridge ? 'BRIDGE' : 'HOST',
        ...(mappings.length ? { port_mappings: mappings } : {}),
        ...(c.forcePull ? { force_pull_image: true } : {}),
      },
      ...(volumes.length ? { volumes } : {}),
    };
  }
  const networks: v1.NetworkInfo[] = (c.networks ?? []).filter((n) => n.mode !== 'host').map((n) => ({ ...(n.name ? { name: n.name } : {}), ...(mappings.length ? { port_mappings: mappings } : {}) }));
  return {
    type: 'MESOS',
    ...(c.image ? { mesos: { image: { type: 'DOCKER', docker: { name: c.image }, cached: !c.forcePull } } } : {}),
    ...(volumes.length ? { volumes } : {}),
    ...(networks.length ? { network_infos: networks } : {}),
  };
}

function toHealthCheck(def: TaskDefinition, ports: number[]): v1.HealthCheck {
  const hc = def.healthCheck!;
  const timing = {
    ...(hc.delaySeconds !== undefined ? { delay_seconds: hc.delaySeconds } : {}),
    ...(hc.intervalSeconds !== undefined ? { interval_seconds: hc.intervalSeconds } : {}),
    ...(hc.timeoutSeconds !== undefined ? { timeout_seconds: hc.timeoutSeconds } : {}),
    ...(hc.consecutiveFailures !== undefined ? { consecutive_failures: hc.consecutiveFailures } : {}),
    ...(hc.gracePeriodSeconds !== undefined ? { grace_period_seconds: hc.gracePeriodSeconds } : {}),
  };
  const port = ports[hc.portIndex ?? 0] ?? 0;
  switch (hc.type) {
    case 'HTTP':
      return { type: 'HTTP', http: { port, path: hc.path ?? '/' }, ...timing };
    case 'TCP':
      return { type: 'TCP', tcp: { port }, ...timing };
    default:
      return { type: 'COMMAND', command: { shell: true, value: hc.command! }, ...timing };
  }
}
