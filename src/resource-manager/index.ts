export { ResourceManagerErrorCodes, type ResourceManagerErrorCode } from './resource-manager-error-codes.js';
export { SCALAR_SCALE, toMillis, fromMillis } from './resources/fixed-point.js';
export {
  type Range,
  type RangeSet,
  normalizeRanges,
  addRanges,
  subtractRanges,
  containsRanges,
  rangesHas,
  rangesSize,
  pickFromRanges,
  rangesFromValues,
  formatRanges,
} from './resources/ranges.js';
export { normalizeSet, addSets, subtractSets, containsSet } from './resources/value-sets.js';
export { Resources, type ResourceEntry, type ResourceIdentity, resourceIdentity, isReserved, reservationRole } from './resources/resources.js';
export { OfferPool, type OfferPoolOptions, type HeldOffer, type ResourceClock, systemClock, DEFAULT_MAX_HOLD_MS } from './offer-pool.js';
export type {
  ConstraintOperator,
  PlacementConstraint,
  PlacementRequest,
  ExecutorAmounts,
  RunningTask,
  PlacementContext,
  Assignment,
  PlacementResult,
  ResourceAmounts,
  AgentView,
  PlacementStrategy,
} from './placement/placement-types.js';
export { CONSTRAINT_OPERATORS, validateConstraints } from './placement/constraints.js';
export { renderAttribute, renderAttributes } from './placement/attributes.js';
export { place, groupByAccepts } from './placement/placer.js';
export { BinPackStrategy } from './placement/bin-pack.strategy.js';
export { SpreadStrategy } from './placement/spread.strategy.js';
export { FirstFitStrategy } from './placement/first-fit.strategy.js';
export { FitnessStrategy, type FitnessFunction } from './placement/fitness.strategy.js';
export { ResourceManager, RESOURCE_MANAGER_OPTIONS, type ResourceManagerOptions, type PendingPlacement } from './resource-manager.js';
