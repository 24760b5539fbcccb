import type { v1 } from '../mesos-types.js';

/** Marathon-compatible constraint operators. */
export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS';

/**
 * A Marathon-style placement constraint: `[field, operator, value?]`. `field` is `hostname` (or
 * `@hostname`), `@region` / `@zone` (the offer's fault domain) or the name of an agent attribute
 * (running tasks carry these under the same keys in {@link RunningTask.attributes}); attribute values are compared as Marathon renders
 * them (text as is, scalars like `1,234.5`, ranges like `[1-5,8-9]`, sets like `{a,b}`).
 */
export type PlacementConstraint = readonly [field: string, operator: ConstraintOperator, value?: string];

/** One task to place. */
export interface PlacementRequest {
  /** Unique id of the request within one `place` call (e.g. the task id). */
  id: string;
  /** Application name: constraints count the tasks of the same group. */
  group: string;
  resources: {
    cpus: number;
    /** MiB. */
    mem: number;
    /** MiB of plain (root) disk. Default 0. */
    disk?: number;
    gpus?: number;
    /** Number of dynamic host ports, or the exact host ports wanted. Default 0. */
    ports?: number | readonly number[];
  };
  /** Role the task runs under; only offers allocated to this role (or role-less offers) are used. Default: any role. */
  role?: string;
  constraints?: readonly PlacementConstraint[];
  /**
   * Resources of the task's custom executor, placed on the same agent: the task and its executor
   * must fit together, and the executor's share is carved apart ({@link Assignment.executorResources},
   * for `ExecutorInfo.resources`). Default: none (a command task, or an executor already running).
   */
  executor?: ExecutorAmounts;
}

/** Scalar resources of an executor: cpus, MiB of memory, MiB of disk. */
export interface ExecutorAmounts {
  cpus: number;
  /** MiB. */
  mem: number;
  /** MiB. Default 0. */
  disk?: number;
}

/** A task already running (or placed earlier) that constraints must count. */
export interface RunningTask {
  group: string;
  agentId: string;
  hostname: string;
  /** Agent attributes rendered as strings (see {@link renderAttribute}). */
  attributes: Readonly<Record<string, string>>;
}

/** What placement knows about the cluster besides the offers. */
export interface PlacementContext {
  running: readonly RunningTask[];
}

/** One request placed on one agent. */
export interface Assignment {
  requestId: string;
  /** The first offer of the agent used; {@link Assignment.offerIds} lists every offer to accept together. */
  offerId: v1.OfferID;
  /** Every offer of this agent (and allocation role) that the resources may come from: accept them together. */
  offerIds: v1.OfferID[];
  agentId: v1.AgentID;
  hostname: string;
  /**
   * Resources carved from the offers, keeping role, allocation_info, reservations and disk info;
   * ports chosen; reserved resources are used before unreserved ones. Nested identity objects
   * (allocation_info, reservations, disk) are shared with the offer: copy before mutating them.
   */
  resources: v1.Resource[];
  /** Host ports assigned, in request order for specific ports, ascending for dynamic ones. */
  ports: number[];
  /** Resources carved for the request's executor (same identity rules as `resources`), when it named one. */
  executorResources?: v1.Resource[];
}

/** The outcome of one placement cycle. */
export interface PlacementResult {
  assignments: Assignment[];
  unplaced: Array<{ requestId: string; reasons: string[] }>;
  /** Offers no assignment uses; decline them (or keep them in the pool). */
  unusedOfferIds: v1.OfferID[];
}

/** Scalar amounts in natural units (cpus, MiB, MiB, gpus) and a free-port count. */
export interface ResourceAmounts {
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: number;
}

/** What a strategy sees of an agent during a cycle. Do not keep references past the `score` call. */
export interface AgentView {
  readonly agentId: string;
  readonly hostname: string;
  /** Allocation role of the offered resources (`*` when the offers carry no allocation info). */
  readonly role: string;
  /** Position of the agent's first offer in the input: a stable tie-breaker. */
  readonly index: number;
  /** Rendered agent attributes. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Free resources right now. */
  readonly free: Readonly<ResourceAmounts>;
  /** Resources offered at the start of the cycle. */
  readonly total: Readonly<ResourceAmounts>;
}

/**
 * Chooses among the agents that can take a task: the agent with the highest score wins, ties go to
 * the lowest {@link AgentView.index}. Scores must be deterministic and finite.
 */
export interface PlacementStrategy {
  readonly name: string;
  /** Fitness of placing a task with `demand` on `agent` (higher is better). */
  score(agent: AgentView, demand: Readonly<ResourceAmounts>): number;
}
