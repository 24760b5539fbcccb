import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Codecs } from '../protocol/messages.js';
import { encodeRecord } from '../protocol/recordio.js';
import { MEDIA_TYPES, type Encoding } from '../protocol/codec.js';
import type { executor, v1 } from '../protocol/generated/index.js';
import { TEXT } from './master-server.js';
import { readExecutorCall } from './executor-api.js';
import { isValidUpdateUuid as isValidUuid } from '../protocol/uuid.js';
import { FetchError, fetchUri } from './executor-fetcher.js';
import { agentContainerStatus, COMMAND_EXECUTOR_PATH, commandExecutorInfo, defaultExecutorCommand, executorEnvironment, killExecutorProcess, makeSandbox, roleOf, SIGKILL_STATUS, spawnExecutor, unsupportedContainer, waitStatus } from './executor-launch.js';

import type { ExecutorHostEngine, ExecutorHostRuns, SimExecutor, SimExecutorOptions } from './executor-types.js';

export { COMMAND_EXECUTOR_PATH };
export type { ExecutorHostEngine, ExecutorHostRuns, SimExecutor, SimExecutorOptions } from './executor-types.js';

/** Exited executors remembered in `ExecutorHost.executors`. */
const EXITED_KEPT = 1000;

const keyOf = (frameworkId: string, executorId: string) => `${frameworkId}/${executorId}`;

/**
 * Runs executors for real for the simulated agents, as a Mesos agent does: for a task that carries
 * an `ExecutorInfo` with a command (when `runs.executors`), for a command task through the built-in
 * command executor with the task id as executor id, and for a task group of a DEFAULT executor
 * through the built-in default executor (both when `runs.commands`). It makes a sandbox laid out as
 * on an agent (`slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<container>`), fetches
 * the command's URIs into it (http(s), file:// or absolute paths; `executable` and `extract`
 * honoured; `output_file` must stay inside the sandbox), starts the command as a child process in
 * its own process group with the environment a Mesos agent gives (see `environment`), and serves
 * it the V1 executor API (`POST /api/v1/executor`, checked as an agent does: `executor-api.ts`)
 * on its own loopback port. Updates the executor sends are ACKNOWLEDGED to it at once and relayed
 * to the framework like an agent's status update manager does (with the agent's
 * `container_status`, retried until the scheduler acknowledges); KILL, SHUTDOWN and MESSAGE go the
 * other way. An executor that exits is reported to its framework as FAILURE (not the command
 * executor, as on Mesos). stdout and stderr land in the sandbox.
 */
export class ExecutorHost {
  private readonly server: http.Server;
  /** Executors started, by `frameworkId/executorId` (exited ones stay until their framework is removed). */
  readonly executors = new Map<string, SimExecutor>();
  /** Where sandboxes go: made on the first launch (a simulator that launches nothing leaves no folder). */
  private rootDir: string | undefined;
  private readonly ownRoot: boolean;
  /** Set by close(): nothing is launched afterwards (an ACCEPT racing stop() must not make a sandbox). */
  private closed = false;
  /** Address the executor API listens on. */
  host = '127.0.0.1';
  /** Port of the executor API (0 until {@link listen} resolved). */
  port = 0;

  /** @internal built by {@link SimulatedMaster.start} with the engine it reports to. */
  constructor(
    private readonly engine: ExecutorHostEngine,
    private readonly options: SimExecutorOptions = {},
    private readonly runs: ExecutorHostRuns = { executors: true, commands: false },
  ) {
    this.ownRoot = options.sandboxRoot === undefined;
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

  /** Starts serving the executor API on a free port of `host`. */
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
    this.closed = true;
    const exits = [...this.executors.values()].map((e) => this.killProcess(e, 'SIGKILL'));
    await Promise.all(exits);
    for (const e of this.executors.values()) clearTimeout(e.shutdownTimer);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    if (this.ownRoot && this.rootDir) rmSync(this.rootDir, { recursive: true, force: true });
  }

  private get root(): string {
    if (!this.rootDir) {
      this.rootDir = this.options.sandboxRoot ?? mkdtempSync(join(tmpdir(), 'mesos-sim-sandboxes-'));
      mkdirSync(this.rootDir, { recursive: true });
    }
    return this.rootDir;
  }

  /** True when the task is run by a real executor here (its own, or the command executor). */
  handles(info: v1.TaskInfo): boolean {
    if (info.executor?.type === 'DEFAULT') return this.runs.commands;
    if (info.executor) return this.runs.executors && info.executor.command !== undefined;
    return this.runs.commands && info.command !== undefined;
  }

  /**
   * Starts the task's executor if it is not running yet and sends it LAUNCH. A command task gets
   * the command executor, with the task id as executor id, as on a Mesos agent.
   */
  launch(frameworkId: string, agentId: string, info: v1.TaskInfo): void {
    if (this.closed) return;
    const refused = unsupportedContainer(info.executor?.container ?? info.container);
    if (refused) {
      setImmediate(() => this.engine.agentTaskUpdate(frameworkId, info.task_id.value, 'TASK_FAILED', refused.message, refused.reason));
      return;
    }
    const command = !info.executor;
    const execInfo = info.executor ?? commandExecutorInfo(frameworkId, info);
    const exec = this.executorFor(frameworkId, agentId, execInfo, roleOf(info.resources), command);
    exec.taskIds.add(info.task_id.value);
    this.send(exec, { type: 'LAUNCH', launch: { task: info } });
  }

  /** Starts the group's executor if needed and sends it one LAUNCH_GROUP. */
  launchGroup(frameworkId: string, agentId: string, execInfo: v1.ExecutorInfo, group: v1.TaskGroupInfo): void {
    if (this.closed) return;
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
        defaultExecutor: execInfo.type === 'DEFAULT',
        role,
        containerId,
        sandbox: makeSandbox(this.root, agentId, frameworkId, execInfo.executor_id.value, containerId),
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
        // The agent destroys the container it could not launch: the executor "exits" killed.
        if (!started.command) this.engine.executorExited(frameworkId, agentId, started.executorId, SIGKILL_STATUS);
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
    this.killAfterGrace(exec);
    return true;
  }

  private killAfterGrace(exec: SimExecutor): void {
    clearTimeout(exec.shutdownTimer);
    exec.shutdownTimer = setTimeout(() => void this.killProcess(exec, 'SIGKILL'), this.options.shutdownGraceMs ?? 5000);
    exec.shutdownTimer.unref();
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

  /** Tells the executor its update is acknowledged (the agent has it). */
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
    const command = exec.defaultExecutor ? defaultExecutorCommand() : exec.info.command!;
    try {
      for (const uri of command.uris ?? []) await fetchUri(uri, exec.sandbox, this.options.maxFetchBytes ?? 256 * 1024 * 1024);
    } catch (err) {
      // The fetcher logs into the sandbox's stderr, as on an agent.
      appendFileSync(join(exec.sandbox, 'stderr'), `${(err as Error).message}\n`);
      throw new FetchError((err as Error).message);
    }
    exec.state = 'starting';
    const env = executorEnvironment(exec, this.options, this.host, this.endpoint);
    for (const v of command.environment?.variables ?? []) {
      if (v.value !== undefined) env[v.name] = v.value;
    }
    const child = await spawnExecutor(exec, command, env);
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
      // The framework hears of its executor's end (FAILURE) before the agent fails what it left
      // running; the agent's own command executors are not reported (Mesos 1.11).
      if (!exec.command) this.engine.executorExited(exec.frameworkId, exec.agentId, exec.executorId, waitStatus(code, signal));
      this.engine.executorTerminated(exec.frameworkId, exec.executorId, 'Executor terminated', 'REASON_EXECUTOR_TERMINATED');
      this.forgetExited();
    });
  }

  private killProcess(exec: SimExecutor, signal: NodeJS.Signals): Promise<void> {
    return killExecutorProcess(exec, signal);
  }

  // ---------- the executor API ----------
  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    if (path !== '/api/v1/executor' && path !== '/slave(1)/api/v1/executor') {
      req.resume();
      return void res.writeHead(404, TEXT).end('Not found');
    }
    const read = await readExecutorCall(req, 10 * 1024 * 1024);
    if ('status' in read) return void res.writeHead(read.status, { ...TEXT, ...read.headers }).end(read.text);
    const { call } = read;
    if (call.type === 'HEARTBEAT') return void res.writeHead(202).end();
    const frameworkId = call.framework_id.value;
    const known = [...this.executors.values()].some((e) => e.frameworkId === frameworkId && e.state !== 'exited');
    if (!known) return void res.writeHead(400, TEXT).end('Framework cannot be found');
    const exec = this.executors.get(keyOf(frameworkId, call.executor_id.value));
    if (!exec || exec.state === 'exited') return void res.writeHead(400, TEXT).end('Executor cannot be found');
    if (call.type === 'SUBSCRIBE') {
      if (Date.now() < exec.refuseUntil) return void res.writeHead(503, TEXT).end('Agent is recovering');
      return this.subscribe(exec, call, read.accept!, res);
    }
    if (exec.subscriptions === 0) return void res.writeHead(403, TEXT).end('Executor is not subscribed');
    switch (call.type) {
      case 'UPDATE':
        this.relay(exec, call.update!.status);
        return void res.writeHead(202).end();
      case 'MESSAGE':
        this.engine.executorMessage(exec.frameworkId, exec.agentId, exec.executorId, call.message?.data ?? new Uint8Array());
        return void res.writeHead(202).end();
      default:
        return void res.writeHead(501, TEXT).end('501 Not Implemented.');
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
      // Without checkpointing an agent does not wait for an executor to come back: it is given
      // the shutdown grace period to end by itself (an executor that is exiting anyway exits 0).
      if (!exec.checkpoint) this.killAfterGrace(exec);
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
    for (const update of call.subscribe?.unacknowledged_updates ?? []) if (isValidUuid(update.status.uuid)) this.relay(exec, update.status);
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
      container_status: agentContainerStatus(exec, this.host, status.container_status),
    };
    const outcome = this.engine.executorStatus(exec.frameworkId, full);
    // The agent acknowledges an update to the executor as soon as its status update stream has
    // it (the scheduler's acknowledgement only moves the stream on), as Mesos does.
    this.acknowledged(exec.frameworkId, exec.executorId, status.task_id, status.uuid!);
    // A command executor runs one task: once it has ended the agent shuts the executor down.
    if (outcome === 'new' && exec.command && TERMINAL_STATES.has(status.state)) this.shutdown(exec.frameworkId, exec.executorId);
  }
}

const TERMINAL_STATES = new Set<v1.TaskState>(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);

