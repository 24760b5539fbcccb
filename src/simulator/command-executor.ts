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
 * It uses only Node built-ins so it starts fast.
 */
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { startHealthChecks } from './command-health-check.js';

type Json = Record<string, any>;

const env = process.env;
const endpoint = env['MESOS_AGENT_ENDPOINT'] ?? '';
const frameworkId = env['MESOS_FRAMEWORK_ID'] ?? '';
const executorId = env['MESOS_EXECUTOR_ID'] ?? '';
const sandbox = env['MESOS_SANDBOX'] ?? process.cwd();
const [agentHost, agentPort] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
const DEFAULT_GRACE_MS = 3000;

/** glibc's strsignal texts, which Mesos puts in its messages. */
const SIGNAL_TEXT: Record<string, string> = {
  SIGHUP: 'Hangup', SIGINT: 'Interrupt', SIGQUIT: 'Quit', SIGILL: 'Illegal instruction', SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGKILL: 'Killed', SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault', SIGUSR2: 'User defined signal 2', SIGPIPE: 'Broken pipe', SIGALRM: 'Alarm clock', SIGTERM: 'Terminated',
  SIGSTKFLT: 'Stack fault', SIGCHLD: 'Child exited', SIGCONT: 'Continued', SIGSTOP: 'Stopped (signal)', SIGTSTP: 'Stopped',
  SIGTTIN: 'Stopped (tty input)', SIGTTOU: 'Stopped (tty output)', SIGURG: 'Urgent I/O condition', SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded', SIGVTALRM: 'Virtual timer expired', SIGPROF: 'Profiling timer expired', SIGWINCH: 'Window changed',
  SIGIO: 'I/O possible', SIGPWR: 'Power failure', SIGSYS: 'Bad system call',
};

let killingState = false;
/** When the stream to the agent was lost (0 while subscribed). */
let disconnectedAt = 0;
let task: Json | undefined;
let child: ChildProcess | undefined;
let killed = false;
let terminalSent = false;
let escalation: NodeJS.Timeout | undefined;
let stopHealthChecks: (() => void) | undefined;
let killedByHealthCheck = false;
/** Updates sent and not yet acknowledged, by uuid (resent on re-subscription). */
const unacknowledged = new Map<string, Json>();
/** Updates go out one at a time, in order. */
let outbox: Promise<void> = Promise.resolve();

function post(call: Json): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ framework_id: { value: frameworkId }, executor_id: { value: executorId }, ...call });
    const req = http.request({ host: agentHost, port: agentPort, path: '/api/v1/executor', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function update(state: string, message?: string, extra: Json = {}): void {
  const uuid = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64');
  const status: Json = {
    task_id: task!['task_id'],
    state,
    source: 'SOURCE_EXECUTOR',
    executor_id: { value: executorId },
    timestamp: Date.now() / 1000,
    uuid,
    ...(message ? { message } : {}),
    ...extra,
  };
  unacknowledged.set(uuid, status);
  outbox = outbox.then(async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        if ((await post({ type: 'UPDATE', update: { status } })) === 202) return;
      } catch {
        /* the agent is away: the update is resent on re-subscription */
        return;
      }
      await sleep(100);
    }
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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
    const message = signal ? `Command terminated with signal ${SIGNAL_TEXT[signal] ?? signal}` : `Command exited with status ${code}`;
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
  await outbox;
  process.exit(0);
}

function handle(event: Json): void {
  switch (event['type']) {
    case 'SUBSCRIBED': {
      const caps: Json[] = event['subscribed']?.['framework_info']?.['capabilities'] ?? [];
      killingState = caps.some((c) => c['type'] === 'TASK_KILLING_STATE');
      disconnectedAt = 0;
      break;
    }
    case 'LAUNCH':
      launch(event['launch']['task']);
      break;
    case 'KILL':
      kill();
      break;
    case 'ACKNOWLEDGED':
      unacknowledged.delete(event['acknowledged']['uuid']);
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

/** Subscribes and reads events until the stream ends; resolves then. */
function subscribe(): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      type: 'SUBSCRIBE',
      framework_id: { value: frameworkId },
      executor_id: { value: executorId },
      subscribe: {
        ...(task ? { unacknowledged_tasks: [task] } : {}),
        ...(unacknowledged.size ? { unacknowledged_updates: [...unacknowledged.values()].map((status) => ({ framework_id: { value: frameworkId }, status })) } : {}),
      },
    });
    const req = http.request({ host: agentHost, port: agentPort, path: '/api/v1/executor', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', resolve);
        return;
      }
      let buffer = Buffer.alloc(0);
      res.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const nl = buffer.indexOf(0x0a);
          if (nl < 0) break;
          const length = Number(buffer.subarray(0, nl).toString('ascii'));
          if (buffer.length < nl + 1 + length) break;
          const record = buffer.subarray(nl + 1, nl + 1 + length).toString('utf8');
          buffer = buffer.subarray(nl + 1 + length);
          handle(JSON.parse(record) as Json);
        }
      });
      res.on('end', resolve);
      res.on('error', resolve);
    });
    req.on('error', () => resolve());
    req.end(body);
  });
}

process.on('exit', () => signalGroup('SIGKILL'));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => process.exit(0));

const checkpoint = env['MESOS_CHECKPOINT'] === '1';
const recoveryMs = 15 * 60 * 1000;
for (;;) {
  await subscribe();
  // Without checkpointing the agent does not wait for the executor to come back: neither do we.
  if (!checkpoint) process.exit(1);
  disconnectedAt ||= Date.now();
  if (Date.now() - disconnectedAt > recoveryMs) process.exit(1);
  await sleep(500);
}
