import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, createWriteStream, mkdirSync, mkdtempSync, openSync, closeSync, chmodSync, copyFileSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Codecs } from '../protocol/messages.js';
import { encodeRecord } from '../protocol/recordio.js';
import { MEDIA_TYPES, encodingOf, type Encoding } from '../protocol/codec.js';
import type { executor, v1 } from '../protocol/generated/index.js';
import { readBody, TEXT } from './master-server.js';

/** Options of the executors the simulated agents run for real (`SimulatorOptions.executors`). */
export interface SimExecutorOptions {
  /** Folder under which each executor gets its sandbox. @default a temp folder, removed at stop */
  sandboxRoot?: string;
  /** `MESOS_SUBSCRIPTION_BACKOFF_MAX` given to executors of checkpointing frameworks (as Mesos does). @default '500ms' (Mesos: '2secs') */
  subscriptionBackoffMax?: string;
  /** `MESOS_RECOVERY_TIMEOUT` given to executors of checkpointing frameworks (as Mesos does). @default '15mins' */
  recoveryTimeout?: string;
  /** Time between SHUTDOWN and SIGKILL of the executor's process group, ms (`MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD`). @default 5000, the agent's default */
  shutdownGraceMs?: number;
  /** Largest file the fetcher downloads, bytes. @default 256 MiB */
  maxFetchBytes?: number;
  /** Extra environment for every executor. */
  env?: Record<string, string>;
}

/** Which tasks the executor host runs as real processes. */
export interface ExecutorHostRuns {
  /** Tasks with an `ExecutorInfo` that has a command: their executor is started for real. */
  executors: boolean;
  /** Command tasks (a `CommandInfo`, no executor): run by the built-in command executor. */
  commands: boolean;
}

/** The built-in command executor (`command-executor.ts`), what `mesos-executor` is to a Mesos agent. */
export const COMMAND_EXECUTOR_PATH = fileURLToPath(new URL('./command-executor.js', import.meta.url));

/** What the executor host needs from the engine. */
export interface ExecutorHostEngine {
  agentInfo(agentId: string): v1.AgentInfo | undefined;
  frameworkInfo(frameworkId: string): v1.FrameworkInfo | undefined;
  /** A status update the executor sent (or resent); returns true when it was already acknowledged. */
  executorStatus(frameworkId: string, status: v1.TaskStatus): 'new' | 'pending' | 'acknowledged' | 'unknown-task';
  executorMessage(frameworkId: string, agentId: string, executorId: string, data: Uint8Array): boolean;
  /** The executor is gone: its tasks that have not ended fail. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void;
  /** The agent itself ends a task (source SOURCE_AGENT), e.g. killed before it reached its executor. */
  agentTaskUpdate(frameworkId: string, taskId: string, state: v1.TaskState, message: string, reason: v1.TaskStatus.Reason): void;
}

type ExecutorState = 'fetching' | 'starting' | 'subscribed' | 'disconnected' | 'exited';

/** One executor process on a simulated agent. */
export interface SimExecutor {
  frameworkId: string;
  executorId: string;
  agentId: string;
  info: v1.ExecutorInfo;
  /** The built-in command executor running one command task (executor id = task id). */
  command: boolean;
  /** Role of the resources the executor's tasks were launched with (`MESOS_ALLOCATION_ROLE`). */
  role: string;
  /** Container id, a UUID as on Mesos: names the sandbox run folder and is in `container_status`. */
  containerId: string;
  sandbox: string;
  state: ExecutorState;
  process?: ChildProcess;
  pid?: number;
  stream?: http.ServerResponse;
  encoding: Encoding;
  /** Events waiting for the executor to subscribe. */
  queue: executor.Event[];
  taskIds: Set<string>;
  checkpoint: boolean;
  refuseUntil: number;
  subscriptions: number;
  shutdownTimer?: NodeJS.Timeout;
  exitCode?: number | null;
  exitSignal?: NodeJS.Signals | null;
  /** Process groups of the commands a command executor forked (killed with the executor). */
  commandGroups: Set<number>;
}

/** Exited executors remembered in `ExecutorHost.executors`. */
const EXITED_KEPT = 1000;

const keyOf = (frameworkId: string, executorId: string) => `${frameworkId}/${executorId}`;

/**
 * Runs executors for real for the simulated agents, as a Mesos agent does: for a task that carries
 * an `ExecutorInfo` (when `runs.executors`), and for a command task through the built-in command
 * executor with the task id as executor id (when `runs.commands`). It makes a sandbox laid out as
 * on an agent (`slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<container>`), fetches
 * the command's URIs into it (http(s), file:// or absolute paths; `executable` and `extract`
 * honoured; `output_file` must stay inside the sandbox), starts the command as a child process in
 * its own process group with the environment a Mesos agent gives (see `environment`), and serves
 * it the V1 executor API (`POST /api/v1/executor`) on its own loopback port. Updates the executor
 * sends are relayed to the framework like an agent's status update manager does (with the
 * agent's `container_status`, retried until acknowledged, then ACKNOWLEDGED goes back to the
 * executor); KILL, SHUTDOWN and MESSAGE go the other way. stdout and stderr land in the sandbox.
 */
export class ExecutorHost {
  private readonly server: http.Server;
  readonly executors = new Map<string, SimExecutor>();
  private readonly root: string;
  private readonly ownRoot: boolean;
  host = '127.0.0.1';
  port = 0;

  constructor(
    private readonly engine: ExecutorHostEngine,
    private readonly options: SimExecutorOptions = {},
    private readonly runs: ExecutorHostRuns = { executors: true, commands: false },
  ) {
    this.ownRoot = options.sandboxRoot === undefined;
    this.root = options.sandboxRoot ?? mkdtempSync(join(tmpdir(), 'mesos-sim-sandboxes-'));
    mkdirSync(this.root, { recursive: true });
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, TEXT).end(`Internal error: ${err.message}`);
        else res.destroy();
      });
    });
  }

  /** `host:port` of the executor API (what `MESOS_AGENT_ENDPOINT` says). */
  get endpoint(): string {
    return `${this.host}:${this.port}`;
  }

  async listen(host = '127.0.0.1'): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => resolve());
    });
    this.host = host;
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Kills every executor process group and closes the API; removes the sandboxes it created. */
  async close(): Promise<void> {
    const exits = [...this.executors.values()].map((e) => this.killProcess(e, 'SIGKILL'));
    await Promise.all(exits);
    for (const e of this.executors.values()) clearTimeout(e.shutdownTimer);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    if (this.ownRoot) rmSync(this.root, { recursive: true, force: true });
  }

  /** True when the task is run by a real executor here (its own, or the command executor). */
  handles(info: v1.TaskInfo): boolean {
    if (info.executor) return this.runs.executors && info.executor.command !== undefined;
    return this.runs.commands && info.command !== undefined;
  }

  /**
   * Starts the task's executor if it is not running yet and sends it LAUNCH. A command task gets
   * the command executor, with the task id as executor id, as on a Mesos agent.
   */
  launch(frameworkId: string, agentId: string, info: v1.TaskInfo): void {
    const command = !info.executor;
    const execInfo = info.executor ?? commandExecutorInfo(frameworkId, info);
    const exec = this.executorFor(frameworkId, agentId, execInfo, roleOf(info.resources), command);
    exec.taskIds.add(info.task_id.value);
    this.send(exec, { type: 'LAUNCH', launch: { task: info } });
  }

  /** Starts the group's executor if needed and sends it one LAUNCH_GROUP. */
  launchGroup(frameworkId: string, agentId: string, execInfo: v1.ExecutorInfo, group: v1.TaskGroupInfo): void {
    const exec = this.executorFor(frameworkId, agentId, execInfo, roleOf(group.tasks?.[0]?.resources), false);
    for (const t of group.tasks ?? []) exec.taskIds.add(t.task_id.value);
    this.send(exec, { type: 'LAUNCH_GROUP', launch_group: { task_group: group } });
  }

  private executorFor(frameworkId: string, agentId: string, execInfo: v1.ExecutorInfo, role: string, command: boolean): SimExecutor {
    const key = keyOf(frameworkId, execInfo.executor_id.value);
    let exec = this.executors.get(key);
    if (exec && exec.state === 'exited') {
      this.executors.delete(key);
      exec = undefined;
    }
    if (!exec) {
      const fwInfo = this.engine.frameworkInfo(frameworkId);
      const containerId = randomUUID();
      exec = {
        frameworkId,
        executorId: execInfo.executor_id.value,
        agentId,
        info: execInfo,
        command,
        role,
        containerId,
        sandbox: this.makeSandbox(agentId, frameworkId, execInfo.executor_id.value, containerId),
        state: 'fetching',
        encoding: 'protobuf',
        queue: [],
        taskIds: new Set(),
        checkpoint: fwInfo?.checkpoint === true,
        refuseUntil: 0,
        subscriptions: 0,
        commandGroups: new Set(),
      };
      this.executors.set(key, exec);
      const started = exec;
      this.start(started).catch((err: Error) => {
        started.state = 'exited';
        const message = err instanceof FetchError ? `Failed to fetch all URIs for container '${started.containerId}': exited with status 1` : err.message;
        this.engine.executorTerminated(frameworkId, started.executorId, `Failed to launch container: ${message}`, 'REASON_CONTAINER_LAUNCH_FAILED');
      });
    }
    return exec;
  }

  /** Keeps at most {@link EXITED_KEPT} exited executors (oldest forgotten first): one per command task adds up. */
  private forgetExited(): void {
    let exited = 0;
    for (const e of this.executors.values()) if (e.state === 'exited') exited++;
    for (const [key, e] of this.executors) {
      if (exited <= EXITED_KEPT) break;
      if (e.state !== 'exited') continue;
      this.executors.delete(key);
      exited--;
    }
  }

  /** `<root>/slaves/<agent>/frameworks/<framework>/executors/<executor>/runs/<container>`, with `runs/latest`, as on an agent. */
  private makeSandbox(agentId: string, frameworkId: string, executorId: string, containerId: string): string {
    const runs = join(this.root, 'slaves', safeName(agentId), 'frameworks', safeName(frameworkId), 'executors', safeName(executorId), 'runs');
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
   * Sends KILL for a task to its executor. A task whose LAUNCH has not reached the executor yet is
   * killed by the agent itself, as Mesos does: TASK_KILLED `Killed before delivery to the executor`
   * (REASON_TASK_KILLED_DURING_LAUNCH), and an executor left with no task is shut down.
   */
  kill(frameworkId: string, executorId: string, taskId: v1.TaskID, killPolicy?: v1.KillPolicy): void {
    const exec = this.executors.get(keyOf(frameworkId, executorId));
    if (!exec || exec.state === 'exited') return;
    const queued = exec.queue.findIndex((e) => e.type === 'LAUNCH' && e.launch?.task.task_id.value === taskId.value);
    if (queued >= 0) {
      exec.queue.splice(queued, 1);
      exec.taskIds.delete(taskId.value);
      this.engine.agentTaskUpdate(frameworkId, taskId.value, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH');
      if (exec.taskIds.size === 0) this.shutdown(frameworkId, executorId);
      return;
    }
    this.send(exec, { type: 'KILL', kill: { task_id: taskId, ...(killPolicy ? { kill_policy: killPolicy } : {}) } });
  }

  /** Sends SHUTDOWN, then kills the process group after the grace period. Returns false if unknown. */
  shutdown(frameworkId: string, executorId: string): boolean {
    const exec = this.executors.get(keyOf(frameworkId, executorId));
    if (!exec || exec.state === 'exited') return false;
    this.send(exec, { type: 'SHUTDOWN' });
    clearTimeout(exec.shutdownTimer);
    exec.shutdownTimer = setTimeout(() => void this.killProcess(exec, 'SIGKILL'), this.options.shutdownGraceMs ?? 5000);
    exec.shutdownTimer.unref();
    return true;
  }

  /** Shuts down every executor of a framework (it was removed or tore down). */
  shutdownFramework(frameworkId: string): void {
    for (const e of this.executors.values()) if (e.frameworkId === frameworkId) this.shutdown(frameworkId, e.executorId);
  }

  /** Relays a scheduler MESSAGE to the executor. */
  message(frameworkId: string, executorId: string, data: Uint8Array): boolean {
    const exec = this.executors.get(keyOf(frameworkId, executorId));
    if (!exec || exec.state === 'exited') return false;
    this.send(exec, { type: 'MESSAGE', message: { data } });
    return true;
  }

  /** The scheduler acknowledged an update of this executor: tell the executor. */
  acknowledged(frameworkId: string, executorId: string, taskId: v1.TaskID, uuid: Uint8Array): void {
    const exec = this.executors.get(keyOf(frameworkId, executorId));
    if (!exec || exec.state === 'exited') return;
    this.send(exec, { type: 'ACKNOWLEDGED', acknowledged: { task_id: taskId, uuid } });
  }

  /** Fault: closes executor connections and refuses re-subscription for `refuseMs`. Returns how many were dropped. */
  dropConnections(executorId?: string, refuseMs = 0): number {
    let n = 0;
    for (const e of this.executors.values()) {
      if (executorId && e.executorId !== executorId) continue;
      if (e.state === 'exited') continue;
      e.refuseUntil = Date.now() + refuseMs;
      if (e.stream) {
        e.stream.destroy();
        n++;
      }
    }
    return n;
  }

  /** Writes an event to the executor, or queues it until the executor subscribes. */
  private send(exec: SimExecutor, event: executor.Event): void {
    const s = exec.stream;
    if (exec.state === 'subscribed' && s && !s.destroyed && !s.writableEnded) {
      s.write(encodeRecord(Codecs.executorEvent().encode(event, exec.encoding)));
    } else {
      exec.queue.push(event);
    }
  }

  private async start(exec: SimExecutor): Promise<void> {
    const command = exec.info.command!;
    try {
      for (const uri of command.uris ?? []) await this.fetchUri(uri, exec.sandbox);
    } catch (err) {
      // The fetcher logs into the sandbox's stderr, as on an agent.
      appendFileSync(join(exec.sandbox, 'stderr'), `${(err as Error).message}\n`);
      throw new FetchError((err as Error).message);
    }
    exec.state = 'starting';
    const env = this.environment(exec);
    for (const v of command.environment?.variables ?? []) {
      if (v.value !== undefined) env[v.name] = v.value;
    }
    const out = openSync(join(exec.sandbox, 'stdout'), 'a');
    const err = openSync(join(exec.sandbox, 'stderr'), 'a');
    const shell = command.shell ?? true;
    // The command executor tells the host (on fd 3) the process group of the command it forks, so
    // that the command dies with its container even when the executor is killed.
    const stdio: Array<'ignore' | 'pipe' | number> = exec.command ? ['ignore', out, err, 'pipe'] : ['ignore', out, err];
    const child = shell
      ? spawn('/bin/sh', ['-c', command.value ?? ''], { cwd: exec.sandbox, env, stdio, detached: true })
      : spawn(command.value ?? '', (command.arguments ?? []).slice(1), { cwd: exec.sandbox, env, stdio, detached: true, argv0: command.arguments?.[0] });
    closeSync(out);
    closeSync(err);
    exec.process = child;
    exec.pid = child.pid;
    const control = child.stdio[3] as Readable | null | undefined;
    if (control) {
      control.setEncoding('utf8');
      control.on('data', (chunk: string) => {
        for (const pid of chunk.split('\n').map(Number)) if (pid > 0) exec.commandGroups.add(pid);
      });
      control.on('error', () => undefined);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      exec.exitCode = code;
      exec.exitSignal = signal;
      exec.state = 'exited';
      clearTimeout(exec.shutdownTimer);
      exec.stream?.destroy();
      // The whole container goes: the executor's process group and the commands it forked.
      for (const group of [child.pid!, ...exec.commandGroups]) {
        try {
          process.kill(-group, 'SIGKILL');
        } catch {
          /* group already gone */
        }
      }
      this.engine.executorTerminated(exec.frameworkId, exec.executorId, 'Executor terminated', 'REASON_EXECUTOR_TERMINATED');
      this.forgetExited();
    });
  }

  /**
   * The environment an agent gives an executor, as measured on Mesos 1.11 (and so what every
   * command task sees): no `HOME`, no `MESOS_AGENT_ID` (only `MESOS_SLAVE_ID`), no
   * `MESOS_TASK_ID`; `MESOS_RECOVERY_TIMEOUT` and `MESOS_SUBSCRIPTION_BACKOFF_MAX` only for
   * checkpointing frameworks; `MESOS_ALLOCATION_ROLE` only for the command executor.
   */
  private environment(exec: SimExecutor): Record<string, string> {
    return {
      PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...(this.options.env ?? {}),
      LIBPROCESS_IP: this.host,
      LIBPROCESS_PORT: '0',
      MESOS_AGENT_ENDPOINT: this.endpoint,
      ...(exec.command ? { MESOS_ALLOCATION_ROLE: exec.role } : {}),
      MESOS_FRAMEWORK_ID: exec.frameworkId,
      MESOS_EXECUTOR_ID: exec.executorId,
      MESOS_SLAVE_ID: exec.agentId,
      MESOS_SLAVE_PID: `slave(1)@${this.endpoint}`,
      MESOS_DIRECTORY: exec.sandbox,
      MESOS_SANDBOX: exec.sandbox,
      MESOS_CHECKPOINT: exec.checkpoint ? '1' : '0',
      ...(exec.checkpoint
        ? {
            MESOS_RECOVERY_TIMEOUT: this.options.recoveryTimeout ?? '15mins',
            MESOS_SUBSCRIPTION_BACKOFF_MAX: this.options.subscriptionBackoffMax ?? '500ms',
          }
        : {}),
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: mesosDuration(this.options.shutdownGraceMs ?? 5000),
      MESOS_HTTP_COMMAND_EXECUTOR: '0',
    };
  }

  private async killProcess(exec: SimExecutor, signal: NodeJS.Signals): Promise<void> {
    const child = exec.process;
    if (!child || exec.state === 'exited' || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // The command runs in its own session: the command executor takes it down on SIGTERM.
    if (exec.command && signal === 'SIGKILL') {
      this.signal(child, 'SIGTERM');
      const timer = setTimeout(() => this.signal(child, 'SIGKILL'), 1000);
      await exited;
      clearTimeout(timer);
      return;
    }
    this.signal(child, signal);
    await exited;
  }

  private signal(child: ChildProcess, signal: NodeJS.Signals): void {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  }

  /** The Mesos fetcher, for one URI. */
  private async fetchUri(uri: v1.CommandInfo.URI, sandbox: string): Promise<void> {
    const source = uri.value;
    const name = uri.output_file ?? basename(decodeURIComponent(new URL(source, 'file:///').pathname));
    if (!name || name === '.' || name === '..' || isAbsolute(name) || name.split(/[\\/]/).some((p) => p === '..' || p === '') || name.includes('\0')) {
      throw new Error(`cannot fetch ${source}: output file ${JSON.stringify(name)} must be a relative path inside the sandbox`);
    }
    const target = join(sandbox, name);
    const max = this.options.maxFetchBytes ?? 256 * 1024 * 1024;
    if (/^https?:\/\//i.test(source)) {
      const res = await fetch(source);
      if (!res.ok || !res.body) throw new Error(`cannot fetch ${source}: HTTP ${res.status}`);
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > max) throw new Error(`cannot fetch ${source}: ${declared} bytes exceeds the limit of ${max}`);
      let seen = 0;
      const body = Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]);
      body.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > max) body.destroy(new Error(`cannot fetch ${source}: more than ${max} bytes`));
      });
      await pipeline(body, createWriteStream(target));
    } else {
      const path = source.startsWith('file://') ? fileURLToPath(source) : source;
      if (!isAbsolute(path)) throw new Error(`cannot fetch ${source}: not an http(s) URL, a file:// URL or an absolute path`);
      if (statSync(path).size > max) throw new Error(`cannot fetch ${source}: larger than ${max} bytes`);
      copyFileSync(path, target);
    }
    if (uri.executable) chmodSync(target, 0o755);
    if (uri.extract !== false && !uri.executable && /\.(tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$/.test(name)) {
      await new Promise<void>((resolve, reject) => {
        const tar = spawn('tar', ['-xf', name], { cwd: sandbox, stdio: 'ignore' });
        tar.once('error', reject);
        tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cannot extract ${name}: tar exited with ${code}`))));
      });
    }
  }

  // ---------- the executor API ----------
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (path !== '/api/v1/executor' && path !== '/slave(1)/api/v1/executor') return void res.writeHead(404, TEXT).end('Not found');
    if (req.method !== 'POST') return void res.writeHead(405, { ...TEXT, Allow: 'POST' }).end('Expecting POST');
    const encoding = encodingOf(String(req.headers['content-type'] ?? ''));
    if (!encoding) return void res.writeHead(415, TEXT).end("Expecting 'Content-Type' of application/json or application/x-protobuf");
    const body = await readBody(req, 10 * 1024 * 1024);
    if (body === 'too-large') return void res.writeHead(413, TEXT).end('Request body too large');
    let call: executor.Call;
    try {
      call = Codecs.executorCall().decode(body, encoding);
    } catch (err) {
      return void res.writeHead(400, TEXT).end(`Failed to parse body into Call: ${(err as Error).message}`);
    }
    const exec = this.executors.get(keyOf(call.framework_id?.value ?? '', call.executor_id?.value ?? ''));
    if (!exec || exec.state === 'exited') return void res.writeHead(400, TEXT).end(`Executor ${call.executor_id?.value} of framework ${call.framework_id?.value} is not running on this agent`);
    switch (call.type) {
      case 'SUBSCRIBE': {
        if (Date.now() < exec.refuseUntil) return void res.writeHead(503, TEXT).end('Agent is recovering');
        const accept = encodingOf(String(req.headers['accept'] ?? '')) ?? encoding;
        return this.subscribe(exec, call, accept, res);
      }
      case 'UPDATE': {
        if (exec.state !== 'subscribed') return void res.writeHead(403, TEXT).end('Executor is not subscribed');
        const status = call.update?.status;
        if (!status?.uuid) return void res.writeHead(400, TEXT).end('UPDATE needs a status with a uuid');
        this.relay(exec, status);
        return void res.writeHead(202).end();
      }
      case 'MESSAGE':
        if (exec.state !== 'subscribed') return void res.writeHead(403, TEXT).end('Executor is not subscribed');
        this.engine.executorMessage(exec.frameworkId, exec.agentId, exec.executorId, call.message?.data ?? new Uint8Array());
        return void res.writeHead(202).end();
      case 'HEARTBEAT':
        return void res.writeHead(202).end();
      default:
        return void res.writeHead(400, TEXT).end(`Unsupported call type ${String(call.type)}`);
    }
  }

  private subscribe(exec: SimExecutor, call: executor.Call, encoding: Encoding, res: http.ServerResponse): void {
    exec.stream?.destroy();
    exec.stream = res;
    exec.encoding = encoding;
    exec.state = 'subscribed';
    exec.subscriptions++;
    res.writeHead(200, { 'Content-Type': MEDIA_TYPES[encoding] });
    res.on('close', () => {
      if (exec.stream !== res) return;
      exec.stream = undefined;
      if (exec.state === 'exited') return;
      exec.state = 'disconnected';
      // Without checkpointing an agent does not wait for an executor to come back.
      if (!exec.checkpoint) void this.killProcess(exec, 'SIGKILL');
    });
    const agent = this.engine.agentInfo(exec.agentId);
    const framework = this.engine.frameworkInfo(exec.frameworkId);
    res.write(encodeRecord(Codecs.executorEvent().encode({
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: exec.info,
        framework_info: framework ?? { user: 'unknown', name: 'unknown' },
        agent_info: agent ?? { hostname: 'unknown' },
        container_id: { value: exec.containerId },
      },
    }, encoding)));
    // Updates the executor could not deliver while it was away.
    for (const update of call.subscribe?.unacknowledged_updates ?? []) if (update.status.uuid) this.relay(exec, update.status);
    const queued = exec.queue.splice(0);
    for (const event of queued) this.send(exec, event);
  }

  /** Hands an executor update to the status update manager, or answers ACKNOWLEDGED when it was already acknowledged. */
  private relay(exec: SimExecutor, status: v1.TaskStatus): void {
    const full: v1.TaskStatus = {
      ...status,
      agent_id: { value: exec.agentId },
      executor_id: { value: exec.executorId },
      source: 'SOURCE_EXECUTOR',
      // The agent adds what it knows of the container, as Mesos does.
      container_status: {
        container_id: { value: exec.containerId },
        network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: this.host }] }],
        ...(exec.pid !== undefined ? { executor_pid: exec.pid } : {}),
      },
    };
    const outcome = this.engine.executorStatus(exec.frameworkId, full);
    if (outcome === 'acknowledged') this.acknowledged(exec.frameworkId, exec.executorId, status.task_id, status.uuid!);
    // A command executor runs one task: once it has ended the agent shuts the executor down.
    if (outcome === 'new' && exec.command && TERMINAL_STATES.has(status.state)) this.shutdown(exec.frameworkId, exec.executorId);
  }
}

const TERMINAL_STATES = new Set<v1.TaskState>(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);

/** A URI could not be fetched (the agent then fails the launch with its own message). */
class FetchError extends Error {}

function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200) || 'executor';
}

/** Role of the resources a task was launched with: its allocation role, else its (legacy) role, else `*`. */
function roleOf(resources: v1.Resource[] | undefined): string {
  const r = resources?.[0];
  return r?.allocation_info?.role ?? r?.role ?? '*';
}

/** A duration the way Mesos prints one: `500ms`, `3secs`, `15mins`. */
function mesosDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}mins`;
  if (ms >= 1000) return `${ms / 1000}secs`;
  return `${ms}ms`;
}

/** The ExecutorInfo an agent makes for a command task: the command executor, with the task's id, URIs and environment. */
function commandExecutorInfo(frameworkId: string, task: v1.TaskInfo): v1.ExecutorInfo {
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
