import type { v1 } from '../../protocol/generated/index.js';
import { emptyHolding, type Holding } from '../sim-holdings.js';
import { StatusUpdateStream } from '../status-update-stream.js';
import type { SimAgent, SimulatorOptions, TaskBehaviour } from '../sim-types.js';
import type { Allocator } from './allocator.js';
import { executorIdOf, isTerminal, taskKey, type ClusterState, type SimFramework, type SimTask } from './cluster-state.js';
import type { TaskUpdates } from './task-updates.js';
import type { SimTaskStep } from './cluster-state.js';

const NO_BEHAVIOUR: TaskBehaviour = {};

function runStep(runner: TaskRunner, task: SimTask): void {
  runner.runStep(task);
}

/**
 * Runs launched tasks on the simulated agents: a task the executor host takes (see
 * `ExecutorHost.handles`) runs as a real process and reports its own updates; any other task
 * follows its scripted behaviour (`SimulatorOptions.taskBehaviours`): STARTING, RUNNING, then the
 * outcome, on timers. Also ends tasks, frees their resources and retires them once acknowledged.
 */
export class TaskRunner {
  /** The behaviour rules, their name patterns compiled once. */
  private readonly rules: Array<{ name?: RegExp; label?: { key: string; value: string | undefined }; behaviour: TaskBehaviour }>;

  constructor(
    private readonly state: ClusterState,
    private readonly options: SimulatorOptions,
    private readonly allocator: Allocator,
    private readonly updates: TaskUpdates,
  ) {
    this.rules = (options.taskBehaviours ?? []).map((rule) => {
      const [key, value] = rule.label?.split('=') ?? [];
      return {
        ...(rule.name !== undefined ? { name: new RegExp(rule.name) } : {}),
        ...(rule.label !== undefined ? { label: { key: key!, value } } : {}),
        behaviour: rule,
      };
    });
  }

  /** Registers a launched task and starts it; `deliver: false` when its executor gets it another way (a task group). */
  launchTask(fw: SimFramework, info: v1.TaskInfo, agent: SimAgent, resources: Holding, deliver = true): void {
    const { state } = this;
    const task: SimTask = {
      frameworkId: fw.id,
      info,
      agentId: agent.id,
      state: 'TASK_STAGING',
      resources,
      launchedAt: Date.now(),
      updates: new StatusUpdateStream(fw.id, this.updates),
      timer: undefined,
      step: undefined,
    };
    state.tasks.set(taskKey(fw.id, info.task_id.value), task);
    state.stats.launched++;
    state.launchLog.push({ frameworkId: fw.id, taskId: info.task_id.value, name: info.name, agentId: agent.id, at: task.launchedAt });
    if (state.executorHost?.handles(info)) {
      task.external = true;
      task.seen = new Set();
      if (deliver) state.executorHost.launch(fw.id, agent.id, info);
      return;
    }
    // Each step is scheduled by the previous one (one timer per task at a time, no closure): timers
    // of different lengths may fire out of order when the event loop lags, and an executor reports
    // STARTING, RUNNING and the outcome in order.
    this.later(task, this.behaviourOf(info).startDelayMs ?? 10, 'starting');
  }

  /** Schedules how a simulated task ends (its behaviour's outcome) `afterMs` from now. */
  armOutcome(task: SimTask, afterMs: number): void {
    if ((this.behaviourOf(task.info).outcome ?? 'finished') === 'running-forever') return;
    this.later(task, afterMs, 'outcome');
  }

  /** @internal a task's timer fired: its next scripted step. */
  runStep(task: SimTask): void {
    const step = task.step;
    task.timer = undefined;
    task.step = undefined;
    switch (step) {
      case 'starting':
        this.updates.executorUpdate(task, 'TASK_STARTING');
        this.later(task, 1, 'running');
        return;
      case 'running':
        this.updates.executorUpdate(task, 'TASK_RUNNING');
        this.armOutcome(task, this.behaviourOf(task.info).runMs ?? 100);
        return;
      case 'outcome': {
        const b = this.behaviourOf(task.info);
        const outcome = b.outcome ?? 'finished';
        const state: v1.TaskState = outcome === 'finished' ? 'TASK_FINISHED' : outcome === 'failed' ? 'TASK_FAILED' : 'TASK_LOST';
        // As Mesos's command executor: the exit status in the message, no reason.
        this.finishTask(task, state, b.message ?? (outcome === 'finished' ? 'Command exited with status 0' : 'Command exited with status 1'));
        return;
      }
      case 'killed':
        this.finishTask(task, 'TASK_KILLED', 'Command terminated with signal Terminated');
        return;
      default:
        return;
    }
  }

  /** The first behaviour rule that matches the task, or the defaults. */
  behaviourOf(info: v1.TaskInfo): TaskBehaviour {
    for (const rule of this.rules) {
      if (rule.name !== undefined && !rule.name.test(info.name)) continue;
      if (rule.label !== undefined) {
        const { key, value } = rule.label;
        if (!(info.labels?.labels ?? []).some((l) => l.key === key && (value === undefined || l.value === value))) continue;
      }
      return rule.behaviour;
    }
    return NO_BEHAVIOUR;
  }

  /** Runs the task's step `step` in `ms`, unless its timer is stopped first (one step pending per task). */
  later(task: SimTask, ms: number, step: SimTaskStep): void {
    clearTimeout(task.timer);
    task.step = step;
    task.timer = setTimeout(runStep, ms, this, task);
    task.timer.unref();
  }

  /** Stops a task's scripted steps. */
  stopTimers(task: SimTask): void {
    clearTimeout(task.timer);
    task.timer = undefined;
    task.step = undefined;
  }

  /**
   * A simulated task is killed: KILLING first for frameworks that asked for it, then KILLED. One
   * still TASK_STAGING was not yet delivered to its executor: the agent drops it and answers itself,
   * as Mesos 1.11 does (one TASK_KILLED, no TASK_KILLING).
   */
  killSimulated(fw: SimFramework, task: SimTask): void {
    this.stopTimers(task);
    if (task.state === 'TASK_STAGING') {
      this.finishTask(task, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH', 'SOURCE_AGENT');
      return;
    }
    if (fw.killingState) this.updates.executorUpdate(task, 'TASK_KILLING');
    this.later(task, this.options.killDelayMs ?? 10, 'killed');
  }

  /** Ends a task with a terminal update from its executor (or `source`) and frees its resources. */
  finishTask(task: SimTask, state: v1.TaskState, message?: string, reason?: v1.TaskStatus.Reason, source?: v1.TaskStatus.Source): void {
    if (isTerminal(task.state)) return;
    this.updates.executorUpdate(task, state, message, reason, source);
    this.releaseTask(task);
  }

  /** A task ended: its timers stop and its resources go back to the agent. */
  releaseTask(task: SimTask): void {
    this.stopTimers(task);
    this.state.giveBack(task.agentId, task.resources);
    task.resources = emptyHolding(task.resources.role);
    this.allocator.schedule();
  }

  /** Forgets an ended task and records it in `completedTasks`. */
  retireTask(task: SimTask): void {
    const { state } = this;
    this.clearTask(task);
    state.tasks.delete(taskKey(task.frameworkId, task.info.task_id.value));
    state.completedTasks.push({ frameworkId: task.frameworkId, taskId: task.info.task_id.value, state: task.state, agentId: task.agentId });
    // Trimmed in batches (a splice per retired task made retiring n tasks past the limit O(n x limit));
    // readers see at most the limit (`ClusterState.recentCompleted`).
    const keep = this.options.completedTaskHistory ?? 10_000;
    if (state.completedTasks.length >= 2 * keep + 64) state.trimCompleted(keep);
  }

  /** Stops a task's timers and its status update retries. */
  clearTask(task: SimTask): void {
    this.stopTimers(task);
    task.updates.close();
  }

  /**
   * A status update a real executor sent (or resent after re-subscribing): queued on the task's
   * status update stream like an agent does, once per uuid.
   */
  executorStatus(frameworkId: string, status: v1.TaskStatus): 'new' | 'pending' | 'acknowledged' | 'unknown-task' {
    const uuid = Buffer.from(status.uuid ?? new Uint8Array()).toString('base64');
    if (this.state.recentAcks.has(`${frameworkId}/${uuid}`)) return 'acknowledged';
    const task = this.state.tasks.get(taskKey(frameworkId, status.task_id.value));
    if (!task?.external || !task.seen) {
      // An agent passes on the update of a task it does not know too, with its agent id but no
      // executor id or container status (measured on Mesos 1.11); here it goes out once, unretried.
      const { executor_id: _executor, container_status: _container, ...rest } = status;
      this.updates.forward(frameworkId, { ...rest, timestamp: status.timestamp ?? Date.now() / 1000 });
      return 'unknown-task';
    }
    if (task.seen.has(uuid)) return 'pending';
    task.seen.add(uuid);
    // An update after the terminal one is dropped (acknowledged to the executor), as an agent does.
    if (isTerminal(task.state)) return 'acknowledged';
    task.state = status.state;
    task.updates.push({ ...status, timestamp: status.timestamp ?? Date.now() / 1000 });
    if (isTerminal(status.state)) this.releaseTask(task);
    return 'new';
  }

  /** The agent ends a task run by a real executor itself (source SOURCE_AGENT). */
  agentTaskUpdate(frameworkId: string, taskId: string, state: v1.TaskState, message: string, reason: v1.TaskStatus.Reason): void {
    const task = this.state.tasks.get(taskKey(frameworkId, taskId));
    if (task?.external) this.finishTask(task, state, message, reason, 'SOURCE_AGENT');
  }

  /** A real executor exited (or could not start): its tasks that have not ended fail, or end KILLED if a kill was asked. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void {
    for (const t of [...this.state.tasks.values()]) {
      if (t.frameworkId !== frameworkId || !t.external || executorIdOf(t.info) !== executorId || isTerminal(t.state)) continue;
      this.finishTask(t, t.killRequested ? 'TASK_KILLED' : 'TASK_FAILED', message, reason, 'SOURCE_AGENT');
    }
  }
}
