import type { Allocator } from './allocator.js';
import { isTerminal, type ClusterState } from './cluster-state.js';
import type { TaskRunner } from './task-runner.js';
import type { TaskUpdates } from './task-updates.js';

/** Agent faults: a partition (and its healing) and an agent removed by the operator. */
export class AgentFaults {
  constructor(
    private readonly state: ClusterState,
    private readonly allocator: Allocator,
    private readonly runner: TaskRunner,
    private readonly updates: TaskUpdates,
  ) {}

  /** The agent stops answering: its tasks become unreachable (LOST for others), offers are rescinded. */
  partition(agentId: string): void {
    const { state } = this;
    const agent = state.agents.get(agentId);
    if (!agent || agent.state !== 'active') return;
    agent.state = 'unreachable';
    agent.unreachableSince = Date.now();
    this.allocator.rescindOffers((o) => o.agentId === agentId);
    for (const t of state.tasks.values()) {
      if (t.agentId !== agentId || isTerminal(t.state)) continue;
      this.runner.stopTimers(t);
      t.state = 'TASK_UNREACHABLE';
      const fw = state.frameworks.get(t.frameworkId);
      if (fw) this.updates.masterUpdate(fw, t.info.task_id, 'TASK_UNREACHABLE', 'REASON_AGENT_REMOVED', 'Agent is unreachable', agentId);
    }
    for (const fw of state.frameworks.values()) if (fw.connected) state.sink(fw.id, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }

  /** The agent comes back: its unreachable tasks report RUNNING again. */
  heal(agentId: string): void {
    const { state } = this;
    const agent = state.agents.get(agentId);
    if (!agent || agent.state !== 'unreachable') return;
    agent.state = 'active';
    delete agent.unreachableSince;
    for (const t of state.tasks.values()) {
      if (t.agentId !== agentId || t.state !== 'TASK_UNREACHABLE') continue;
      this.updates.executorUpdate(t, 'TASK_RUNNING');
      // The task kept running on the agent meanwhile: it ends its run from here.
      if (!t.external) this.runner.armOutcome(t, this.runner.behaviourOf(t.info).runMs ?? 100);
    }
    this.allocator.schedule();
  }

  /** The agent is marked gone: its tasks are GONE_BY_OPERATOR (LOST for others). */
  remove(agentId: string): void {
    const { state } = this;
    const agent = state.agents.get(agentId);
    if (!agent || agent.state === 'gone') return;
    const wasActive = agent.state === 'active';
    agent.state = 'gone';
    this.allocator.rescindOffers((o) => o.agentId === agentId);
    for (const t of [...state.tasks.values()]) {
      if (t.agentId !== agentId) continue;
      const fw = state.frameworks.get(t.frameworkId);
      this.runner.stopTimers(t);
      // The master knows the state of the last update it forwarded (the head of the stream while
      // unacknowledged); updates queued behind it on the agent are lost with the agent.
      const known = t.updates.pending[0]?.state ?? t.state;
      if (isTerminal(known)) {
        // It had ended as far as the master knows: it keeps that end state.
        t.state = known;
        this.runner.retireTask(t);
        continue;
      }
      t.state = 'TASK_GONE_BY_OPERATOR';
      if (fw) this.updates.masterUpdate(fw, t.info.task_id, 'TASK_GONE_BY_OPERATOR', 'REASON_AGENT_REMOVED_BY_OPERATOR', 'Agent was removed by the operator', agentId);
      this.runner.retireTask(t);
    }
    if (wasActive) for (const fw of state.frameworks.values()) if (fw.connected) state.sink(fw.id, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }
}
