/**
 * Health checks of the built-in command executor, as Mesos 1.11's health checker runs them for a
 * command task (measured on a real agent): after `delay_seconds` a check every `interval_seconds`;
 * a check that fails or outlasts `timeout_seconds` is a failure, ignored during
 * `grace_period_seconds` until the first success; every counted failure is reported unhealthy, a
 * success only when health changes; `consecutive_failures` failures in a row kill the task.
 * COMMAND checks run in the sandbox with the task's environment; HTTP checks GET
 * `127.0.0.1:port/path` and want a 2xx or 3xx answer; TCP checks want a connection.
 * Only Node built-ins, so the executor starts fast.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { spawn } from 'node:child_process';

type Json = Record<string, any>;

export interface HealthCheckHost {
  sandbox: string;
  /** False once the task is being killed or has ended: checking stops. */
  active(): boolean;
  /** A health change to report; `kill` when the task must now be killed. */
  report(healthy: boolean, kill: boolean): void;
}

/** Starts checking; returns a function that stops it. */
export function startHealthChecks(check: Json, host: HealthCheckHost): () => void {
  const seconds = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : d) * 1000;
  const delayMs = seconds(check['delay_seconds'], 15);
  const intervalMs = seconds(check['interval_seconds'], 10);
  const timeoutMs = seconds(check['timeout_seconds'], 20);
  const graceMs = seconds(check['grace_period_seconds'], 10);
  const maxFailures = typeof check['consecutive_failures'] === 'number' ? check['consecutive_failures'] : 3;
  const started = Date.now();
  let failures = 0;
  let healthy: boolean | undefined;
  let everHealthy = false;
  let timer: NodeJS.Timeout | undefined;

  const round = async () => {
    if (!host.active()) return;
    const ok = await probe(check, host.sandbox, timeoutMs).catch(() => false);
    if (!host.active()) return;
    if (ok) {
      failures = 0;
      everHealthy = true;
      if (healthy !== true) host.report(true, false);
      healthy = true;
    } else if (everHealthy || Date.now() - started >= graceMs) {
      failures++;
      healthy = false;
      const kill = failures >= maxFailures;
      host.report(false, kill);
      if (kill) return;
    }
    timer = setTimeout(() => void round(), intervalMs);
  };
  timer = setTimeout(() => void round(), delayMs);
  return () => clearTimeout(timer);
}

function probe(check: Json, sandbox: string, timeoutMs: number): Promise<boolean> {
  switch (check['type']) {
    case 'COMMAND':
      return commandProbe(check['command'] ?? {}, sandbox, timeoutMs);
    case 'HTTP':
      return httpProbe(check['http'] ?? {}, timeoutMs);
    case 'TCP':
      return tcpProbe(check['tcp'] ?? {}, timeoutMs);
    default:
      // A check without a type (the legacy form) is a command check when it has a command.
      return check['command'] ? commandProbe(check['command'], sandbox, timeoutMs) : Promise.resolve(false);
  }
}

function commandProbe(command: Json, sandbox: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    for (const v of command['environment']?.['variables'] ?? []) if (typeof v?.['value'] === 'string') env[v['name']] = v['value'];
    const options = { cwd: sandbox, env, stdio: 'ignore' as const, detached: true };
    const args: string[] = command['arguments'] ?? [];
    const child = command['shell'] === false ? spawn(command['value'] ?? '', args.slice(1), { ...options, argv0: args[0] }) : spawn('/bin/sh', ['-c', command['value'] ?? ''], { ...options, argv0: 'sh' });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      resolve(false);
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

function httpProbe(check: Json, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const secure = String(check['scheme'] ?? 'http').toLowerCase() === 'https';
    const get = secure ? https.get : http.get;
    const req = get({ host: '127.0.0.1', port: check['port'], path: check['path'] ?? '/', timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function tcpProbe(check: Json, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: check['port'] });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
