/**
 * A small custom executor built with the SDK (`createExecutor`) for the executor conformance
 * scenarios. A Mesos agent (or the simulator) runs it as `node /abs/path/conformance-executor.js`.
 *
 * What it does is steered by each task's `data` (JSON):
 * - `finish: true`: STARTING, RUNNING, then FINISHED ("done"); otherwise it stays RUNNING.
 * - `onShutdown: 'kill'` (default): on SHUTDOWN it sends TASK_KILLED for its running tasks and
 *   exits; `'exit'`: it exits at once, sending nothing.
 *
 * RUNNING carries `data` = JSON `{ agentEndpoint, frameworkId, executorId }` (what the agent told
 * it), so a scenario can reach the agent's executor API. A framework MESSAGE is answered with a
 * MESSAGE `echo:<data>` (but `finish-in:<ms>` finishes its running tasks that much later). KILL ends the task as TASK_KILLED ("killed on request"). When the
 * terminal update of every task is acknowledged it sends `acknowledged:<n>` (n = updates
 * acknowledged) and exits with status 0. `CONFORMANCE_EXECUTOR_ENCODING=json` makes it speak JSON.
 */
import { inject } from 'inversify';
import { createExecutor } from '../../src/bootstrap/create-executor.js';
import { EventController, OnAcknowledged, OnKill, OnLaunch, OnMessage, OnShutdown } from '../../src/decorators/index.js';
import type { MesosExecutorClient } from '../../src/executor/executor-client.js';
import type { ExecutorEnvironment } from '../../src/executor/executor-env.js';
import { TOKENS } from '../../src/tokens.js';
import type { v1 } from '../../src/protocol/generated/index.js';

interface TaskMode {
  finish?: boolean;
  onShutdown?: 'kill' | 'exit';
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR']);

@EventController()
export class ConformanceExecutor {
  private readonly tasks = new Map<string, { task: v1.TaskInfo; mode: TaskMode; state: string }>();
  private acknowledgedCount = 0;
  private readonly terminalUuids = new Set<string>();

  constructor(
    @inject(TOKENS.ExecutorClient) private readonly exec: MesosExecutorClient,
    @inject(TOKENS.ExecutorEnvironment) private readonly env: ExecutorEnvironment,
  ) {}

  private async send(task: v1.TaskInfo, state: v1.TaskState, extra: Partial<v1.TaskStatus> = {}): Promise<void> {
    const entry = this.tasks.get(task.task_id.value);
    if (entry) entry.state = state;
    const uuid = await this.exec.update({ task_id: task.task_id, state, ...extra });
    if (TERMINAL.has(state)) this.terminalUuids.add(Buffer.from(uuid).toString('hex'));
  }

  @OnLaunch()
  async launch(task: v1.TaskInfo): Promise<void> {
    let mode: TaskMode = {};
    try {
      mode = task.data?.length ? (JSON.parse(Buffer.from(task.data).toString('utf8')) as TaskMode) : {};
    } catch {
      /* no mode */
    }
    this.tasks.set(task.task_id.value, { task, mode, state: 'TASK_STAGING' });
    await this.send(task, 'TASK_STARTING');
    const where = { agentEndpoint: this.env.agentUrl.replace(/^https?:\/\//, ''), frameworkId: this.env.frameworkId, executorId: this.env.executorId };
    await this.send(task, 'TASK_RUNNING', { message: 'conformance executor running', data: Buffer.from(JSON.stringify(where)) });
    if (mode.finish) await this.send(task, 'TASK_FINISHED', { message: 'done' });
  }

  @OnKill()
  async kill(taskId: v1.TaskID): Promise<void> {
    const entry = this.tasks.get(taskId.value);
    if (!entry || TERMINAL.has(entry.state)) return;
    await this.send(entry.task, 'TASK_KILLED', { message: 'killed on request' });
  }

  @OnMessage()
  async message(data: Uint8Array): Promise<void> {
    const text = Buffer.from(data).toString('utf8');
    const later = /^finish-in:(\d+)$/.exec(text);
    if (later) {
      // Ends every running task after a while, connected to the agent or not (then the update
      // waits for the next SUBSCRIBE, in unacknowledged_updates).
      setTimeout(() => {
        for (const t of this.tasks.values()) if (!TERMINAL.has(t.state)) void this.send(t.task, 'TASK_FINISHED', { message: 'finished later' }).catch(() => undefined);
      }, Number(later[1]));
      return;
    }
    await this.exec.message(Buffer.concat([Buffer.from('echo:'), Buffer.from(data)]));
  }

  @OnAcknowledged()
  async acknowledged(_taskId: v1.TaskID, uuid: Uint8Array): Promise<void> {
    this.acknowledgedCount++;
    this.terminalUuids.delete(Buffer.from(uuid).toString('hex'));
    const allEnded = this.tasks.size > 0 && [...this.tasks.values()].every((t) => TERMINAL.has(t.state));
    if (allEnded && this.terminalUuids.size === 0 && this.exec.unacknowledgedUpdates.length === 0) {
      await this.exec.message(Buffer.from(`acknowledged:${this.acknowledgedCount}`)).catch(() => undefined);
      setTimeout(() => process.exit(0), 100);
    }
  }

  @OnShutdown()
  async shutdown(): Promise<void> {
    const live = [...this.tasks.values()].filter((t) => !TERMINAL.has(t.state));
    if (live.some((t) => t.mode.onShutdown === 'exit')) process.exit(0);
    for (const t of live) await this.send(t.task, 'TASK_KILLED', { message: 'shut down' }).catch(() => undefined);
    setTimeout(() => process.exit(0), 100);
  }
}

if (process.env['MESOS_EXECUTOR_ID']) {
  // CONFORMANCE_EXECUTOR_ENCODING=json: speak JSON to the agent (default protobuf).
  const encoding = process.env['CONFORMANCE_EXECUTOR_ENCODING'] === 'json' ? 'json' : 'protobuf';
  const executor = createExecutor({ controllers: [ConformanceExecutor], client: { encoding } });
  executor
    .start()
    .then(() => executor.done)
    .catch((err: Error & { code?: string }) => {
      console.error(`conformance executor failed${err.code ? ` ${err.code}` : ''}: ${err.message}`);
      process.exit(1);
    });
}
