import { chmodSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { v1 } from '../protocol/generated/index.js';
import type { SimExecutor, SimExecutorOptions } from './executor-types.js';

// How a simulated agent lays out and starts an executor: its sandbox, its environment, and the
// command executor's ExecutorInfo for a command task. Facts measured on a Mesos 1.11 agent.

/** The built-in command executor (`command-executor.ts`), what `mesos-executor` is to a Mesos agent. */
export const COMMAND_EXECUTOR_PATH = fileURLToPath(new URL('./command-executor.js', import.meta.url));

/** `<root>/slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/<container>`, with `runs/latest`, as on an agent. */
export function makeSandbox(root: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string {
  const runs = join(root, 'slaves', safeName(agentId), 'frameworks', safeName(frameworkId), 'executors', safeName(executorId), 'runs');
  const sandbox = join(runs, containerId);
  mkdirSync(sandbox, { recursive: true });
  chmodSync(sandbox, 0o750);
  const latest = join(runs, 'latest');
  try {
    unlinkSync(latest);
  } catch {
    /* first run */
  }
  try {
    symlinkSync(containerId, latest);
  } catch {
    /* not essential */
  }
  return sandbox;
}

/**
 * The environment an agent gives an executor, as measured on Mesos 1.11 (and so what every
 * command task sees): no `HOME`, no `MESOS_AGENT_ID` (only `MESOS_SLAVE_ID`), no
 * `MESOS_TASK_ID`; `MESOS_RECOVERY_TIMEOUT` and `MESOS_SUBSCRIPTION_BACKOFF_MAX` only for
 * checkpointing frameworks; `MESOS_ALLOCATION_ROLE` only for the command executor.
 */
export function executorEnvironment(exec: SimExecutor, options: SimExecutorOptions, host: string, endpoint: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...(options.env ?? {}),
    LIBPROCESS_IP: host,
    LIBPROCESS_PORT: '0',
    MESOS_AGENT_ENDPOINT: endpoint,
    ...(exec.command ? { MESOS_ALLOCATION_ROLE: exec.role } : {}),
    MESOS_FRAMEWORK_ID: exec.frameworkId,
    MESOS_EXECUTOR_ID: exec.executorId,
    MESOS_SLAVE_ID: exec.agentId,
    MESOS_SLAVE_PID: `slave(1)@${endpoint}`,
    MESOS_DIRECTORY: exec.sandbox,
    MESOS_SANDBOX: exec.sandbox,
    MESOS_CHECKPOINT: exec.checkpoint ? '1' : '0',
    ...(exec.checkpoint
      ? {
          MESOS_RECOVERY_TIMEOUT: options.recoveryTimeout ?? '15mins',
          MESOS_SUBSCRIPTION_BACKOFF_MAX: options.subscriptionBackoffMax ?? '500ms',
        }
      : {}),
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: mesosDuration(options.shutdownGraceMs ?? 5000),
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
  };
}


export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) || 'executor';
}

/** Role of the resources a task was launched with: its allocation role, else its (legacy) role, else `*`. */
export function roleOf(resources: v1.Resource[] | undefined): string {
  const r = resources?.[0];
  return r?.allocation_info?.role ?? r?.role ?? '*';
}

/** A duration the way Mesos prints one: `500ms`, `3secs`, `15mins`. */
export function mesosDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}mins`;
  if (ms >= 1000) return `${ms / 1000}secs`;
  return `${ms}ms`;
}

/** The ExecutorInfo an agent makes for a command task: the command executor, with the task's id, URIs and environment. */
export function commandExecutorInfo(frameworkId: string, task: v1.TaskInfo): v1.ExecutorInfo {
  const command = task.command ?? {};
  const shown = command.shell === false ? `[${(command.arguments ?? []).join(', ')}]` : `sh -c '${command.value ?? ''}'`;
  return {
    executor_id: { value: task.task_id.value },
    framework_id: { value: frameworkId },
    name: `Command Executor (Task: ${task.task_id.value}) (Command: ${shown})`,
    source: task.task_id.value,
    command: {
      shell: false,
      value: process.execPath,
      arguments: [process.execPath, COMMAND_EXECUTOR_PATH],
      ...(command.uris?.length ? { uris: command.uris } : {}),
      ...(command.environment ? { environment: command.environment } : {}),
    },
  };
}

const IMAGE_TYPES: Record<string, number> = { APPC: 1, DOCKER: 2 };

/**
 * What an agent with only the Mesos containerizer and no image provisioner (as `local-cluster.sh`
 * runs them) answers to a container it cannot make: a Docker container, or a Mesos container
 * with an image. Undefined when the container (or none) can run. Texts measured on Mesos 1.11.
 */
export function unsupportedContainer(container: v1.ContainerInfo | undefined): { message: string; reason: v1.TaskStatus.Reason } | undefined {
  if (!container) return undefined;
  if (container.type === 'DOCKER') return { message: 'Abnormal executor termination: unknown container', reason: 'REASON_EXECUTOR_TERMINATED' };
  const image = container.mesos?.image;
  if (image) return { message: `Failed to launch container: Unsupported container image type: ${IMAGE_TYPES[image.type] ?? image.type}`, reason: 'REASON_CONTAINER_LAUNCH_FAILED' };
  return undefined;
}
