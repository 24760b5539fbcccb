import { ConfigurationError } from '../../errors/index.js';
import type { AgentView, PlacementStrategy, ResourceAmounts } from './placement-types.js';

/** A user fitness function: higher is better; must be deterministic and return a finite number. */
export type FitnessFunction = (agent: AgentView, demand: Readonly<ResourceAmounts>) => number;

/**
 * Wraps a user-supplied fitness function as a strategy.
 *
 * ```ts
 * // prefer agents in zone "a", then the fullest
 * new FitnessStrategy((a, d) => (a.attributes.get('zone') === 'a' ? 10 : 0) - a.free.cpus / a.total.cpus);
 * ```
 */
export class FitnessStrategy implements PlacementStrategy {
  readonly name: string;
  constructor(
    private readonly fn: FitnessFunction,
    name = 'fitness',
  ) {
    if (typeof fn !== 'function') throw new ConfigurationError('ERR_CONFIG_INVALID', 'FitnessStrategy needs a function (agent, demand) => number');
    this.name = name;
  }
  score(agent: AgentView, demand: Readonly<ResourceAmounts>): number {
    const s = this.fn(agent, demand);
    return Number.isFinite(s) ? s : -Infinity;
  }
}
