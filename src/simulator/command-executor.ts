#!/usr/bin/env node
/**
 * The command executor of the simulated agents: what `mesos-executor` is to a Mesos agent. The
 * executor host starts it (one per command task, executor id = task id) in the task's sandbox with
 * the agent's environment; it subscribes to the V1 executor API (JSON over HTTP, on
 * `MESOS_AGENT_ENDPOINT`), runs the task's command when LAUNCH arrives and reports it the way
 * Mesos 1.11's command executor does (measured on a real agent):
 *
 * - TASK_STARTING, then TASK_RUNNING once the command is forked, then the outcome:
 *   exit 0 → TASK_FINISHED, any other exit → TASK_FAILED, with the message
 *   `Command exited with status N` or `Command terminated with signal <strsignal>`; no reason.
 * - `shell: true` (the default) runs `/bin/sh -c value`; `shell: false` runs `value` with
 *   `arguments` as its argv (argv[0] included). A program that cannot be executed prints
 *   `Failed to execute '<value>': <error>` on stderr and counts as exit status 1.
 * - KILL: TASK_KILLING first when the framework has the TASK_KILLING_STATE capability, SIGTERM to
 *   the command's process group, SIGKILL after the task's `kill_policy.grace_period` (3 s by
 *   default); the end state is then TASK_KILLED whatever the exit, with the same message texts.
 *   The KILL call's own kill policy is not honoured: the agent's default (non-HTTP) command
 *   executor never sees it.
 * - A `health_check` is run as Mesos's health checker does (see `command-health-check.ts`):
 *   TASK_RUNNING updates with `healthy` and REASON_TASK_HEALTH_CHECK_STATUS_UPDATED, and a kill
 *   after `consecutive_failures` (its terminal update then says `healthy: false`).
 * - The command runs in its own session; whatever is left of it is killed when the executor exits.
 *
 * It uses only Node built-ins so it starts fast (its link to the agent: `executor-link.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeSync } from 'node:fs';
import { startHealthChecks } from './command-health-check.js';
import { AgentLink, exitMessage, hasKillingState, sleep, type Json } from './executor-link.js';

const env = process.env;
const link = new AgentLink(env);
const sandbox = env['MESOS_SANDBOX'] ?? process.cwd();
const DEFAULT_GRACE_MS = 3000;

let killingState = false;
let task: Json | undefined;
let child: ChildProcess | undefined;
let killed = false;
let terminalSent = false;
let escalation: NodeJS.Timeout | undefined;
let stopHealthChecks: (() => void) | undefined;
let killedByHealthCheck = false;

function update(state: string, message?: string, extra: Json = {}): void {
  link.update({ task_id: task!['task_id'], state, ...(message ? { message } : {}), ...extra });
}

function signalGroup(signal: NodeJS.Signals): void {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

function launch(info: Json): void {
  if (task) return;
  task = info;
  const command: Json = info['command'] ?? {};
  update('TASK_STARTING');
  const shell = command['shell'] ?? true;
  const value: string = command['value'] ?? '';
  const args: string[] = command['arguments'] ?? [];
  const options = { cwd: sandbox, env: process.env, stdio: 'inherit' as const, detached: true };
  child = shell ? spawn('/bin/sh', ['-c', value], { ...options, argv0: 'sh' }) : spawn(value, args.slice(1), { ...options, argv0: args[0] ?? value });
  let ended = false;
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    clearTimeout(escalation);
    // Whatever the command left behind goes with it, as when the agent destroys the container.
    signalGroup('SIGKILL');
    const message = exitMessage(code, signal);
    terminalSent = true;
    stopHealthChecks?.();
    update(killed ? 'TASK_KILLED' : code === 0 ? 'TASK_FINISHED' : 'TASK_FAILED', message, killedByHealthCheck ? { healthy: false } : {});
  };
  child.once('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(`Failed to execute '${value}': ${describeError(err)}\n`);
    finish(1, null);
  });
  child.once('exit', (code, signal) => finish(code, signal));
  // The agent side learns the command's process group (fd 3 when the executor host started us).
  if (child.pid) {
    try {
      writeSync(3, `${child.pid}\n`);
    } catch {
      /* run on its own */
    }
  }
  update('TASK_RUNNING');
  const check = info['health_check'];
  if (check) {
    stopHealthChecks = startHealthChecks(check, {
      sandbox,
      active: () => !killed && !terminalSent,
      report: (healthy, killTask) => {
        update('TASK_RUNNING', undefined, { reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', healthy });
        if (killTask) {
          killedByHealthCheck = true;
          kill();
        }
      },
    });
  }
}

function describeError(err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  return err.message;
}

function kill(): void {
  if (!task || killed || terminalSent) return;
  killed = true;
  if (killingState) update('TASK_KILLING');
  const ns = Number(task['kill_policy']?.['grace_period']?.['nanoseconds'] ?? NaN);
  const graceMs = Number.isFinite(ns) ? Math.max(0, ns / 1e6) : DEFAULT_GRACE_MS;
  signalGroup('SIGTERM');
  escalation = setTimeout(() => signalGroup('SIGKILL'), graceMs);
}

async function shutdown(): Promise<void> {
  if (task && !terminalSent) {
    kill();
    while (!terminalSent) await sleep(20);
  }
  await link.flushed(0);
  process.exit(0);
}

function handle(event: Json): void {
  switch (event['type']) {
    case 'SUBSCRIBED': {
      killingState = hasKillingState(event);
      break;
    }
    case 'LAUNCH':
      launch(event['launch']['task']);
      break;
    case 'KILL':
      kill();
      break;
    case 'SHUTDOWN':
      void shutdown();
      break;
    case 'ERROR':
      process.stderr.write(`Error from the agent: ${event['error']?.['message']}\n`);
      process.exit(1);
      break;
    default:
      break;
  }
}

process.on('exit', () => signalGroup('SIGKILL'));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));

await link.run(env, () => (task ? [task] : []), handle);
