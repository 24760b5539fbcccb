/**
 * Sample 02, executor side: a custom executor that runs each task's command as a child process
 * and reports how it ended. The scheduler side (main.ts) bundles this file into one script and
 * serves it from the framework's artifact endpoint; the agent fetches it into the sandbox and runs
 * it with `node executor.mjs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'inversify';
// The `mesos-sdk/executor` entry point: the executor SDK alone, so the bundle the agent fetches
// stays small (no scheduler, simulator or server code).
import { createExecutor, EventController, OnAcknowledged, OnKill, OnLaunch, OnLaunchGroup, OnShutdown, taskCommandOf, TOKENS, type Logger, type MesosExecutorClient, type v1 } from '../../src/executor/index.js';

interface Running {
  task: v1.TaskInfo;
  child: ChildProcess;
  killRequested: boolean;
  output: string;
}

const NANOS = 1e9;

@EventController()
export class CommandRunner {
  private readonly running = new Map<string, Running>();
  private launched = 0;

  constructor(
    @inject(TOKENS.ExecutorClient) private readonly exec: MesosExecutorClient,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  @OnLaunch()
  async launch(task: v1.TaskInfo): Promise<void> {
    this.launched++;
    const id = task.task_id.value;
    let command;
    try {
      command = taskCommandOf(task);
    } catch (err) {
      await this.exec.update({ task_id: task.task_id, state: 'TASK_ERROR', message: (err as Error).message });
      return;
    }
    if (!command) {
      await this.exec.update({ task_id: task.task_id, state: 'TASK_ERROR', message: 'the task carries no command (TaskInfo.data)' });
      return;
    }
    await this.exec.update({ task_id: task.task_id, state: 'TASK_STARTING' });
    const env = { ...process.env, ...command.env, MESOS_TASK_ID: id };
    // Its own process group, so a kill reaches everything the command started.
    const child = command.argv
      ? spawn(command.argv[0]!, command.argv.slice(1), { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', command.shell!], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Running = { task, child, killRequested: false, output: '' };
    this.running.set(id, run);
    const keep = (chunk: Buffer) => {
      process.stdout.write(chunk); // lands in the sandbox's stdout, as on a real agent
      run.output = (run.output + chunk.toString('utf8')).slice(-4096);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('error', (err) => void this.finished(run, 'TASK_FAILED', `could not start: ${err.message}`));
    // 'exit' can come before the last output was read: wait (briefly, a command may leave a
    // process holding its pipes) for both pipes to end, so the message carries the last line.
    const drained = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise<void>((r) => {
      if (s.readableEnded) return r();
      s.once('end', () => r());
      s.once('close', () => r());
    })));
    child.once('exit', async (code, signal) => {
      await Promise.race([drained, new Promise((r) => setTimeout(r, 500))]);
      const tail = run.output.trim().split('\n').at(-1) ?? '';
      if (run.killRequested) void this.finished(run, 'TASK_KILLED', `killed (${signal ?? `status ${code}`})`);
      else if (code === 0) void this.finished(run, 'TASK_FINISHED', `exited with status 0${tail ? `: ${tail}` : ''}`);
      else void this.finished(run, 'TASK_FAILED', `${signal ? `killed by ${signal}` : `exited with status ${code}`}${tail ? `: ${tail}` : ''}`);
    });
    await this.exec.update({ task_id: task.task_id, state: 'TASK_RUNNING', message: `pid ${child.pid}` });
    this.logger.info(`task ${id} running as pid ${child.pid}`);
  }

  /** A task group: every task runs as its own process (a real default executor shares a container). */
  @OnLaunchGroup()
  async launchGroup(group: v1.TaskGroupInfo): Promise<void> {
    for (const task of group.tasks ?? []) await this.launch(task);
  }

  @OnKill()
  kill(taskId: v1.TaskID, policy?: v1.KillPolicy): void {
    const run = this.running.get(taskId.value);
    if (!run) return;
    run.killRequested = true;
    signal(run.child, 'SIGTERM');
    const graceMs = Math.round(((policy ?? run.task.kill_policy)?.grace_period?.nanoseconds ?? 3 * NANOS) / 1e6);
    setTimeout(() => signal(run.child, 'SIGKILL'), graceMs).unref();
  }

  /**
   * Kills every task, waits until their terminal updates were handed to the agent (its status
   * update manager forwards them from there; acknowledgements cannot arrive any more: the agent
   * closes the subscription after SHUTDOWN), then exits, within the agent's grace period.
   */
  @OnShutdown()
  async shutdown(): Promise<void> {
    for (const run of this.running.values()) this.kill(run.task.task_id, { grace_period: { nanoseconds: 0.5 * NANOS } });
    const deadline = Date.now() + 2000;
    while ((this.running.size > 0 || this.sending.size > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    process.exit(0);
  }

  /** Exits once every task ended and every update was acknowledged (one executor per task). */
  @OnAcknowledged()
  acknowledged(): void {
    if (this.launched > 0 && this.running.size === 0 && this.exec.unacknowledgedUpdates.length === 0) {
      this.logger.info('every task ended and every update was acknowledged; exiting');
      setTimeout(() => process.exit(0), 50);
    }
  }

  /** Terminal updates on their way to the agent. */
  private readonly sending = new Set<Promise<unknown>>();

  private async finished(run: Running, state: v1.TaskState, message: string): Promise<void> {
    if (!this.running.has(run.task.task_id.value)) return;
    const sent = this.exec.update({ task_id: run.task.task_id, state, message });
    this.sending.add(sent);
    this.running.delete(run.task.task_id.value);
    try {
      await sent;
    } catch (err) {
      // Refused by the agent (ERR_EXECUTOR_UPDATE_REFUSED): it will not be resent; say so loudly.
      this.logger.error(`the ${state} update of task ${run.task.task_id.value} was not accepted: ${(err as Error).message}`);
    } finally {
      this.sending.delete(sent);
    }
  }
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, sig);
  } catch {
    /* already gone */
  }
}

/** Entry point when the agent runs the bundle. */
export async function main(): Promise<void> {
  const executor = createExecutor({ controllers: [CommandRunner] });
  await executor.start();
  await executor.done; // SHUTDOWN ends it cleanly; losing the agent past the recovery timeout rejects
}

if (process.env['MESOS_EXECUTOR_ID']) {
  main().catch((err: Error & { code?: string }) => {
    console.error(`executor failed${err.code ? ` ${err.code}` : ''}: ${err.message}`);
    process.exit(1);
  });
}
