import http from 'node:http';
import { newUpdateUuid } from '../protocol/uuid.js';

// The executor side of the V1 executor API, in JSON over HTTP with Node built-ins only, for the
// simulator's built-in executors (`default-executor.ts`): SUBSCRIBE with its RecordIO event
// stream, UPDATE sent one at a time and kept until ACKNOWLEDGED, re-subscription as Mesos's
// executors do (only for checkpointing frameworks).

export type Json = Record<string, any>;

/** glibc's strsignal texts, which Mesos puts in its messages. */
export const SIGNAL_TEXT: Record<string, string> = {
  SIGHUP: 'Hangup', SIGINT: 'Interrupt', SIGQUIT: 'Quit', SIGILL: 'Illegal instruction', SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted', SIGBUS: 'Bus error', SIGFPE: 'Floating point exception', SIGKILL: 'Killed', SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault', SIGUSR2: 'User defined signal 2', SIGPIPE: 'Broken pipe', SIGALRM: 'Alarm clock', SIGTERM: 'Terminated',
  SIGSTKFLT: 'Stack fault', SIGCHLD: 'Child exited', SIGCONT: 'Continued', SIGSTOP: 'Stopped (signal)', SIGTSTP: 'Stopped',
  SIGTTIN: 'Stopped (tty input)', SIGTTOU: 'Stopped (tty output)', SIGURG: 'Urgent I/O condition', SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded', SIGVTALRM: 'Virtual timer expired', SIGPROF: 'Profiling timer expired', SIGWINCH: 'Window changed',
  SIGIO: 'I/O possible', SIGPWR: 'Power failure', SIGSYS: 'Bad system call',
};

/** Mesos's message for a command's end: `Command exited with status N` / `Command terminated with signal <strsignal>`. */
export function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `Command terminated with signal ${SIGNAL_TEXT[signal] ?? signal}` : `Command exited with status ${code}`;
}

/** Whether the framework named in a SUBSCRIBED event has the TASK_KILLING_STATE capability. */
export function hasKillingState(subscribed: Json): boolean {
  const caps: Json[] = subscribed['subscribed']?.['framework_info']?.['capabilities'] ?? [];
  return caps.some((c) => c['type'] === 'TASK_KILLING_STATE');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One executor's link to its agent, from the `MESOS_*` environment the agent gave it. */
export class AgentLink {
  readonly frameworkId: string;
  readonly executorId: string;
  private readonly host: string;
  private readonly port: number;
  /** Updates sent and not yet acknowledged, by uuid (base64), resent on re-subscription. */
  readonly unacknowledged = new Map<string, Json>();
  private outbox: Promise<void> = Promise.resolve();

  constructor(env: NodeJS.ProcessEnv) {
    const endpoint = env['MESOS_AGENT_ENDPOINT'] ?? '';
    this.host = endpoint.slice(0, endpoint.lastIndexOf(':'));
    this.port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
    this.frameworkId = env['MESOS_FRAMEWORK_ID'] ?? '';
    this.executorId = env['MESOS_EXECUTOR_ID'] ?? '';
  }

  private request(call: Json, onResponse: (res: http.IncomingMessage) => void, onError: (err: Error) => void): void {
    const body = JSON.stringify({ framework_id: { value: this.frameworkId }, executor_id: { value: this.executorId }, ...call });
    const req = http.request(
      { host: this.host, port: this.port, path: '/api/v1/executor', method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } },
      onResponse,
    );
    req.on('error', onError);
    req.end(body);
  }

  private post(call: Json): Promise<number> {
    return new Promise((resolve, reject) => {
      this.request(call, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }, reject);
    });
  }

  /** Sends an UPDATE for `status` (a fresh v4 uuid, SOURCE_EXECUTOR, this executor's id and a timestamp added). */
  update(status: Json): void {
    const uuid = newUpdateUuid().toString('base64');
    const full: Json = { ...status, source: 'SOURCE_EXECUTOR', executor_id: { value: this.executorId }, timestamp: Date.now() / 1000, uuid };
    this.unacknowledged.set(uuid, full);
    this.outbox = this.outbox.then(async () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          if ((await this.post({ type: 'UPDATE', update: { status: full } })) === 202) return;
        } catch {
          return; // the agent is away: the update is resent on re-subscription
        }
        await sleep(100);
      }
    });
  }

  acknowledged(uuid: string): void {
    this.unacknowledged.delete(uuid);
  }

  /** Resolves once every update was sent and acknowledged (or `maxMs` passed). */
  async flushed(maxMs = 2000): Promise<void> {
    await this.outbox;
    const deadline = Date.now() + maxMs;
    while (this.unacknowledged.size > 0 && Date.now() < deadline) await sleep(10);
  }

  /** SUBSCRIBE, then `handle` each event until the stream ends; resolves then. */
  subscribe(unacknowledgedTasks: Json[], handle: (event: Json) => void): Promise<void> {
    const subscribe = {
      ...(unacknowledgedTasks.length ? { unacknowledged_tasks: unacknowledgedTasks } : {}),
      ...(this.unacknowledged.size ? { unacknowledged_updates: [...this.unacknowledged.values()].map((status) => ({ framework_id: { value: this.frameworkId }, status })) } : {}),
    };
    return new Promise((resolve) => {
      this.request({ type: 'SUBSCRIBE', subscribe }, (res) => {
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
      }, () => resolve());
    });
  }

  /** Subscribes again and again while the framework checkpoints (up to the recovery timeout); exits(1) when the agent is gone for good. */
  async run(env: NodeJS.ProcessEnv, unacknowledgedTasks: () => Json[], handle: (event: Json) => void): Promise<never> {
    const checkpoint = env['MESOS_CHECKPOINT'] === '1';
    const recoveryMs = 15 * 60 * 1000;
    let disconnectedAt = 0;
    for (;;) {
      await this.subscribe(unacknowledgedTasks(), (event) => {
        if (event['type'] === 'SUBSCRIBED') disconnectedAt = 0;
        if (event['type'] === 'ACKNOWLEDGED') this.acknowledged(event['acknowledged']['uuid']);
        handle(event);
      });
      if (!checkpoint) process.exit(1);
      disconnectedAt ||= Date.now();
      if (Date.now() - disconnectedAt > recoveryMs) process.exit(1);
      await sleep(500);
    }
  }
}
