import type { AgentView, PlacementStrategy, ResourceAmounts } from './placement-types.js';

function fraction(free: number, total: number): number {
  return total > 0 ? free / total : 0;
}

/**
 * Spreading: places each task on the least loaded agent (largest fraction of cpus and memory free),
 * balancing load across the cluster.
 */
export class SpreadStrategy implements PlacementStrategy {
  readonly name = 'spread';
  score(agent: AgentView, _d: Readonly<ResourceAmounts>): number {
    return fraction(agent.free.cpus, agent.total.cpus) + fraction(agent.free.mem, agent.total.mem);
  }
}
