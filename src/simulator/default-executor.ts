#!/usr/bin/env node
/**
 * The default executor of the simulated agents: what `mesos-default-executor` is to a Mesos
 * agent. The executor host starts it for a LAUNCH_GROUP whose `ExecutorInfo.type` is DEFAULT; it
 * subscribes to the V1 executor API and runs each task of each group as its own command (a
 * "nested container" with its own id, whose parent is the executor's container, and its own
 * sandbox `tasks/<task id>` inside the executor's). What it reports, as measured on Mesos 1.11:
 *
 * - TASK_STARTING for every task of the group, then TASK_RUNNING for each once its command is
 *   forked, then TASK_FINISHED (exit 0) or TASK_FAILED, with `Command exited with status N` or
 *   `Command terminated with signal <strsignal>`; no reason. Each update's `container_status`
 *   names the task's container (with its parent); RUNNING also carries the command's pid.
 * - When a task of a group fails (or is killed), the others of its group are killed: SIGTERM,
 *   SIGKILL after their `kill_policy.grace_period` (3 s by default); they end TASK_KILLED
 *   (`Command terminated with signal Terminated`).
 * - KILL of a task kills its whole group, SHUTDOWN every task, the same way (TASK_KILLED; Mesos
 *   itself says `... signal Terminated` or `... signal Killed` from run to run). TASK_KILLING
 *   comes first for each task when the framework has the TASK_KILLING_STATE capability.
 * - Once every task has ended and its updates are acknowledged it exits with status 0 (the
 *   framework then gets FAILURE with status 0).
 * - A task's URIs are fetched into its sandbox first; a failed fetch ends it TASK_FAILED
 *   (`Command exited with status 1`, no RUNNING). A task with no command fails with
 *   status 1 (after RUNNING), as on Mesos.
 * - A task's `health_check` is run as the command executor runs it (`command-health-check.ts`).
 *
 * It uses only Node built-ins so it starts fast.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startHealthChecks } from './command-health-check.js';
import { AgentLink, exitMessage, hasKillingState, sleep, type Json } from './executor-link.js';
import { fetchUri } from './executor-fetcher.js';
import type { v1 } from '../protocol/generated/index.js';

const DEFAULT_GRACE_MS = 3000;
const MAX_FETCH_BYTES = 256 * 1024 * 1024;
const env = process.env;
const link = new AgentLink(env);
const sandbox = env['MESOS_SANDBOX'] ?? process.cwd();

interface Child {
  task: Json;
  group: number;
  containerId: string;
  process?: ChildProcess;
  killed: boolean;
  ended: boolean;
  escalation?: NodeJS.Timeout;
  stopHealthChecks?: () => void;
  killedByHealthCheck: boolean;
}

const children = new Map<string, Child>();
let executorContainerId = '';
let killingState = false;
let groups = 0;
let exiting = false;

function update(child: Child, state: string, message?: string, extra: Json = {}): void {
  const containerStatus: Json = { container_id: { value: child.containerId, ...(executorContainerId ? { parent: { value: executorContainerId } } : {}) } };
  if (state === 'TASK_RUNNING' && child.process?.pid) containerStatus['executor_pid'] = child.process.pid;
  link.update({ task_id: child.task['task_id'], state, ...(message ? { message } : {}), ...extra, container_status: containerStatus });
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  if (!child.process?.pid) return;
  try {
    process.kill(-child.process.pid, signal);
  } catch {
    /* already gone */
  }
}

function launchGroup(group: Json): void {
  const id = groups++;
  const launched: Child[] = [];
  for (const task of (group['tasks'] ?? []) as Json[]) {
    const child: Child = { task, group: id, containerId: randomUUID(), killed: false, ended: false, killedByHealthCheck: false };
    children.set(task['task_id']['value'], child);
    launched.push(child);
    update(child, 'TASK_STARTING');
  }
  for (const child of launched) void start(child);
}

async function start(child: Child): Promise<void> {
  // A task without a command fails as its container's launch does on Mesos: exit status 1.
  const command: Json = child.task['command'] ?? { value: 'exit 1' };
  const dir = join(sandbox, 'tasks', String(child.task['task_id']['value']).replace(/[^A-Za-z0-9._-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  try {
    for (const uri of (command['uris'] ?? []) as v1.CommandInfo.URI[]) await fetchUri(uri, dir, MAX_FETCH_BYTES);
  } catch (err) {
    // The task's container fails to launch: FAILED with the fetcher's status and no RUNNING
    // (Mesos 1.11 says `Command exited with status 1` or `... signal Killed`, run to run).
    process.stderr.write(`${(err as Error).message}\n`);
    return finish(child, 1, null);
  }
  if (child.killed) return finish(child, null, 'SIGKILL');
  const taskEnv: Record<string, string> = { ...(env as Record<string, string>), MESOS_SANDBOX: dir };
  for (const v of (command['environment']?.['variables'] ?? []) as Json[]) if (typeof v['value'] === 'string') taskEnv[v['name']] = v['value'];
  const shell = command['shell'] ?? true;
  const value: string = command['value'] ?? '';
  const args: string[] = command['arguments'] ?? [];
  const options = { cwd: dir, env: taskEnv, stdio: 'inherit' as const, detached: true };
  const proc = shell ? spawn('/bin/sh', ['-c', value], { ...options, argv0: 'sh' }) : spawn(value, args.slice(1), { ...options, argv0: args[0] ?? value });
  child.process = proc;
  proc.once('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(`Failed to execute '${value}': ${err.code === 'ENOENT' ? 'No such file or directory' : err.message}\n`);
    finish(child, 1, null);
  });
  proc.once('exit', (code, signal) => finish(child, code, signal));
  if (proc.pid) {
    try {
      writeSync(3, `${proc.pid}\n`); // the host kills this process group with the executor's container
    } catch {
      /* run on its own */
    }
  }
  update(child, 'TASK_RUNNING');
  const check = child.task['health_check'];
  if (check) {
    child.stopHealthChecks = startHealthChecks(check, {
      sandbox: dir,
      active: () => !child.killed && !child.ended,
      report: (healthy, killTask) => {
        update(child, 'TASK_RUNNING', undefined, { reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy });
        if (killTask) {
          child.killedByHealthCheck = true;
          killGroup(child.group);
        }
      },
    });
  }
}

function finish(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
  if (child.ended) return;
  child.ended = true;
  clearTimeout(child.escalation);
  child.stopHealthChecks?.();
  signalGroup(child, 'SIGKILL'); // whatever the command left behind goes with its container
  const state = child.killed ? 'TASK_KILLED' : code === 0 && !signal ? 'TASK_FINISHED' : 'TASK_FAILED';
  update(child, state, exitMessage(code, signal), child.killedByHealthCheck ? { healthy: false } : {});
  // A group lives and dies together: one task that did not finish takes the others down.
  if (state !== 'TASK_FINISHED') killGroup(child.group);
  void maybeExit();
}

/** SIGTERM to the task's command, SIGKILL after its kill policy's grace period. */
function kill(child: Child): void {
  if (child.killed || child.ended) return;
  child.killed = true;
  if (killingState) update(child, 'TASK_KILLING');
  signalGroup(child, 'SIGTERM');
  const ns = Number(child.task['kill_policy']?.['grace_period']?.['nanoseconds'] ?? NaN);
  const graceMs = Number.isFinite(ns) ? Math.max(0, ns / 1e6) : DEFAULT_GRACE_MS;
  child.escalation = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
}

function killGroup(group: number): void {
  for (const c of children.values()) if (c.group === group) kill(c);
}

async function maybeExit(): Promise<void> {
  if (exiting || children.size === 0 || [...children.values()].some((c) => !c.ended)) return;
  exiting = true;
  await link.flushed();
  await sleep(50);
  process.exit(0);
}

function handle(event: Json): void {
  switch (event['type']) {
    case 'SUBSCRIBED': {
      killingState = hasKillingState(event);
      executorContainerId = event['subscribed']?.['container_id']?.['value'] ?? '';
      break;
    }
    case 'LAUNCH_GROUP':
      launchGroup(event['launch_group']['task_group']);
      break;
    case 'KILL': {
      const child = children.get(event['kill']['task_id']['value']);
      if (child) killGroup(child.group);
      break;
    }
    case 'SHUTDOWN':
      for (const c of children.values()) kill(c);
      if (children.size === 0) process.exit(0);
      break;
    case 'ERROR':
      process.stderr.write(`Error from the agent: ${event['error']?.['message']}\n`);
      process.exit(1);
      break;
    default:
      break;
  }
}

process.on('exit', () => {
  for (const c of children.values()) signalGroup(c, 'SIGKILL');
});
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));

await link.run(env, () => [...children.values()].filter((c) => !c.ended).map((c) => c.task), handle);
