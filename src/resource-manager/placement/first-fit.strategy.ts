import type { AgentView, PlacementStrategy, ResourceAmounts } from './placement-types.js';

/** First fit: the first agent (in offer order) that can take the task. The cheapest strategy. */
export class FirstFitStrategy implements PlacementStrategy {
  readonly name = 'first-fit';
  score(agent: AgentView, _d: Readonly<ResourceAmounts>): number {
    return -agent.index;
  }
}
