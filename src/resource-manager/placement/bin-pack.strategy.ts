import type { AgentView, PlacementStrategy, ResourceAmounts } from './placement-types.js';

function fraction(free: number, total: number): number {
  return total > 0 ? free / total : 0;
}

/**
 * Bin packing: fills the fullest agent first (the one with the smallest fraction of cpus and memory
 * left after the task), keeping other agents empty for large tasks or scale-down. The default strategy.
 */
export class BinPackStrategy implements PlacementStrategy {
  readonly name = 'bin-pack';
  score(agent: AgentView, d: Readonly<ResourceAmounts>): number {
    return -(fraction(agent.free.cpus - d.cpus, agent.total.cpus) + fraction(agent.free.mem - d.mem, agent.total.mem));
  }
}
