import type { scheduler, v1 } from '../../protocol/generated/index.js';
import { executorIdOf, isTerminal, taskKey, type ClusterState, type SimFramework } from './cluster-state.js';
import type { TaskRunner } from './task-runner.js';
import type { TaskUpdates } from './task-updates.js';

/** The scheduler calls about tasks: ACKNOWLEDGE, KILL, SHUTDOWN and RECONCILE. */
export class TaskCalls {
  constructor(
    private readonly state: ClusterState,
    private readonly runner: TaskRunner,
    private readonly updates: TaskUpdates,
  ) {}

  acknowledge(fw: SimFramework, ack: scheduler.Call.Acknowledge): void {
    const { state } = this;
    const task = state.tasks.get(taskKey(fw.id, ack.task_id.value));
    if (!task) return;
    const acked = task.updates.acknowledge(ack.uuid);
    if (!acked) return;
    state.stats.acks++;
    if (task.external) {
      state.recentAcks.add(`${fw.id}/${Buffer.from(ack.uuid).toString('base64')}`);
      if (state.recentAcks.size > 10_000) state.recentAcks.delete(state.recentAcks.values().next().value!);
      // The executor was told ACKNOWLEDGED by its agent already, when the update reached the stream.
    }
    if (isTerminal(acked.state) && task.updates.pending.length === 0) this.runner.retireTask(task);
  }

  /** KILL; `reconcile` answers for a task that is unknown or already ended. */
  kill(fw: SimFramework, kill: scheduler.Call.Kill, reconcile: (fw: SimFramework, tasks: scheduler.Call.Reconcile.Task[]) => void): void {
    const task = this.state.tasks.get(taskKey(fw.id, kill.task_id.value));
    if (!task || isTerminal(task.state)) {
      reconcile(fw, [{ task_id: kill.task_id, ...(kill.agent_id ? { agent_id: kill.agent_id } : {}) }]);
      return;
    }
    // A KILL naming another agent than the task's is dropped without a word, as the master does.
    if (kill.agent_id && kill.agent_id.value !== task.agentId) return;
    const host = this.state.executorHost;
    if (task.external && host) {
      // A real executor decides how to kill and reports TASK_KILLED itself.
      task.killRequested = true;
      host.kill(fw.id, executorIdOf(task.info), kill.task_id, kill.kill_policy ?? task.info.kill_policy);
      return;
    }
    this.runner.killSimulated(fw, task);
  }

  shutdown(fw: SimFramework, executorId: string): void {
    if (this.state.executorHost?.shutdown(fw.id, executorId)) return;
    for (const t of [...this.state.tasks.values()]) {
      if (t.frameworkId !== fw.id || isTerminal(t.state) || executorIdOf(t.info) !== executorId) continue;
      // The command executor kills its task on SHUTDOWN as on KILL (measured on Mesos 1.11).
      if (!t.info.executor) this.runner.killSimulated(fw, t);
      else this.runner.finishTask(t, 'TASK_KILLED', 'Executor shut down', 'REASON_EXECUTOR_TERMINATED');
    }
  }

  reconcile(fw: SimFramework, tasks: scheduler.Call.Reconcile.Task[]): void {
    const { state } = this;
    if (tasks.length === 0) {
      for (const t of state.tasks.values()) {
        if (t.frameworkId === fw.id) this.updates.masterUpdate(fw, t.info.task_id, t.state, 'REASON_RECONCILIATION', 'Reconciliation: Latest task state', t.agentId);
      }
      return;
    }
    for (const { task_id, agent_id } of tasks) {
      const t = state.tasks.get(taskKey(fw.id, task_id.value));
      if (t) {
        this.updates.masterUpdate(fw, task_id, t.state, 'REASON_RECONCILIATION', 'Reconciliation: Latest task state', t.agentId);
        continue;
      }
      const agent = agent_id ? state.agents.get(agent_id.value) : undefined;
      const [taskState, message]: [v1.TaskState, string] = !agent
        ? ['TASK_UNKNOWN', 'Reconciliation: Task is unknown']
        : agent.state === 'active'
          ? ['TASK_GONE', 'Reconciliation: Task is unknown to the agent']
          : agent.state === 'unreachable'
            ? ['TASK_UNREACHABLE', 'Reconciliation: Task is unreachable']
            : ['TASK_GONE_BY_OPERATOR', 'Reconciliation: Task is gone'];
      this.updates.masterUpdate(fw, task_id, taskState, 'REASON_RECONCILIATION', message, agent_id?.value);
    }
  }
}
