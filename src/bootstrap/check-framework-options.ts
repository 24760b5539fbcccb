import { ValidationError } from '../errors/families.js';
import { resolveClientOptions } from '../client/client-options.js';
import { validateTaskDefinitions } from '../task-spec/task-spec-validator.js';
import type { TaskDefinition } from '../task-spec/task-definition.js';
import { LifecycleErrorCodes } from './framework-lifecycle.js';
import { maxLaunchingTasksProblem } from '../task-manager/default-task.controller.js';

type Problem = { path: string; message: string };

/** The options `checkFrameworkOptions` reads (a structural subset of `FrameworkOptions`). */
export interface CheckedOptions {
  master?: unknown;
  framework?: unknown;
  controllers?: unknown;
  encoding?: unknown;
  tasks?: unknown;
  reconcileIntervalSeconds?: unknown;
  maxLaunchingTasks?: unknown;
  server?: unknown;
  ha?: unknown;
}

/**
 * Checks the options of `createFramework()` before anything is built, listens or connects, and
 * returns the inline task definitions, validated.
 *
 * @throws ValidationError `ERR_TASK_DEFINITION_INVALID` when only the inline `tasks` are invalid
 *   (every problem listed, as for a task file); `ERR_FRAMEWORK_OPTIONS_INVALID` listing every
 *   problem of the options (the tasks' included) otherwise.
 */
export function checkFrameworkOptions(options: CheckedOptions): TaskDefinition[] | undefined {
  if (!options || typeof options !== 'object') {
    throw new ValidationError(LifecycleErrorCodes.OPTIONS_INVALID, 'createFramework() needs an options object: { master, framework: { name } }', [{ path: '(root)', message: 'expected an object' }]);
  }
  const problems: Problem[] = [];
  checkMasters(options.master, problems);
  checkFramework(options.framework, problems);
  if (options.encoding !== undefined && options.encoding !== 'protobuf' && options.encoding !== 'json') {
    problems.push({ path: 'encoding', message: `must be 'protobuf' or 'json', not ${JSON.stringify(options.encoding)}` });
  }
  if (options.controllers !== undefined && (!Array.isArray(options.controllers) || options.controllers.some((c) => typeof c !== 'function'))) {
    problems.push({ path: 'controllers', message: 'must be an array of @EventController() classes' });
  }
  const interval = options.reconcileIntervalSeconds;
  if (interval !== undefined && (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0)) {
    problems.push({ path: 'reconcileIntervalSeconds', message: `must be a number of seconds >= 0 (0 turns it off), not ${JSON.stringify(interval)}` });
  }
  const window = maxLaunchingTasksProblem(options.maxLaunchingTasks);
  if (window) problems.push({ path: 'maxLaunchingTasks', message: window });
  checkServer(options.server, problems);
  checkHa(options.ha, problems);

  let tasks: TaskDefinition[] | undefined;
  let taskError: ValidationError | undefined;
  if (options.tasks !== undefined) {
    try {
      // An array is checked as { tasks: [...] } so that problems read `tasks[1].resources.cpus`.
      tasks = validateTaskDefinitions(Array.isArray(options.tasks) ? { tasks: options.tasks } : options.tasks);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      taskError = err;
    }
  }
  if (problems.length === 0 && taskError) {
    throw new ValidationError(taskError.code, `invalid inline tasks: ${taskError.message}`, taskError.problems, { cause: taskError });
  }
  if (taskError) problems.push(...taskError.problems.map((p) => ({ path: taskPath(p.path), message: p.message })));
  if (problems.length > 0) {
    throw new ValidationError(
      LifecycleErrorCodes.OPTIONS_INVALID,
      `invalid createFramework() options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      problems,
    );
  }
  return tasks;
}

/** The `ha` option: etcd endpoints, TTL, and what a lost leadership does. */
function checkHa(ha: unknown, problems: Problem[]): void {
  if (ha === undefined) return;
  if (!ha || typeof ha !== 'object') {
    problems.push({ path: 'ha', message: "must be an object: { etcd: ['http://127.0.0.1:2379'] }" });
    return;
  }
  const o = ha as Record<string, unknown>;
  if (!Array.isArray(o['etcd']) || o['etcd'].length === 0 || o['etcd'].some((e) => typeof e !== 'string' || e === '')) {
    problems.push({ path: 'ha.etcd', message: `must be a non-empty array of etcd endpoints, e.g. ['http://127.0.0.1:2379'], not ${JSON.stringify(o['etcd'])}` });
  }
  const ttl = o['ttlSeconds'];
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 1 || ttl > 3600)) {
    problems.push({ path: 'ha.ttlSeconds', message: `must be a number of seconds from 1 to 3600, not ${JSON.stringify(ttl)}` });
  }
  const policy = o['onLostLeadership'];
  if (policy !== undefined && policy !== 'exit' && policy !== 'stop' && typeof policy !== 'function') {
    problems.push({ path: 'ha.onLostLeadership', message: `must be 'exit', 'stop' or a function, not ${JSON.stringify(policy)}` });
  }
  const code = o['exitCode'];
  if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255)) {
    problems.push({ path: 'ha.exitCode', message: `must be an integer exit code from 0 to 255, not ${JSON.stringify(code)}` });
  }
}

/** A problem path of the inline tasks, under `tasks`. */
function taskPath(path: string): string {
  if (path.startsWith('tasks')) return path;
  if (path === '(root)') return 'tasks';
  return path.startsWith('[') ? `tasks${path}` : `tasks.${path}`;
}

function checkMasters(master: unknown, problems: Problem[]): void {
  const list = Array.isArray(master) ? master : [master];
  if (master === undefined || list.length === 0) {
    problems.push({ path: 'master', message: 'no master URL given; pass master: "http://host:5050" (or several for leader discovery)' });
    return;
  }
  list.forEach((m, i) => {
    const path = Array.isArray(master) ? `master[${i}]` : 'master';
    if (typeof m !== 'string' || m.trim() === '') {
      problems.push({ path, message: `must be a non-empty URL such as "http://host:5050", not ${JSON.stringify(m)}` });
      return;
    }
    try {
      // The client's own check (scheme http/https, a parsable URL, no credentials in it).
      resolveClientOptions({ masters: [m] });
    } catch (err) {
      problems.push({ path, message: (err as Error).message });
    }
  });
}

function checkFramework(framework: unknown, problems: Problem[]): void {
  if (!framework || typeof framework !== 'object') {
    problems.push({ path: 'framework', message: 'required: the FrameworkInfo to register, at least { name: "my-framework" }' });
    return;
  }
  const f = framework as Record<string, unknown>;
  if (typeof f['name'] !== 'string' || f['name'].trim() === '') {
    problems.push({ path: 'framework.name', message: `must be a non-empty string (the name Mesos shows), not ${JSON.stringify(f['name'])}` });
  }
  const timeout = f['failover_timeout'];
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)) {
    problems.push({ path: 'framework.failover_timeout', message: `must be a number of seconds >= 0, not ${JSON.stringify(timeout)}` });
  }
  const roles = f['roles'];
  if (roles !== undefined && (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || r === ''))) {
    problems.push({ path: 'framework.roles', message: 'must be a non-empty array of role names, e.g. ["*"]' });
  }
}

function checkServer(server: unknown, problems: Problem[]): void {
  if (server === undefined || server === true || server === false) return;
  if (typeof server !== 'object' || server === null) {
    problems.push({ path: 'server', message: 'must be true or the server options { host, port, ... }' });
    return;
  }
  const port = (server as { port?: unknown }).port;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    problems.push({ path: 'server.port', message: `must be an integer from 0 to 65535 (0 picks a free port), not ${JSON.stringify(port)}` });
  }
}
