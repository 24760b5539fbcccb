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
  /** What the task needs. */
  resources: {
    /** CPUs (fractions allowed, exact to three decimals). */
    cpus: number;
    /** MiB. */
    mem: number;
    /** MiB of plain (root) disk. Default 0. */
    disk?: number;
    /** Whole GPUs. Default 0. */
    gpus?: number;
    /** Number of dynamic host ports, or the exact host ports wanted. Default 0. */
    ports?: number | readonly number[];
  };
  /** Role the task runs under; only offers allocated to this role (or role-less offers) are used. Default: any role. */
  role?: string;
  /** Constraints the chosen agent must satisfy, counting {@link PlacementContext.running} tasks of the same `group`. Default: none. */
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
  /** CPUs. */
  cpus: number;
  /** MiB. */
  mem: number;
  /** MiB. Default 0. */
  disk?: number;
}

/** A task already running (or placed earlier) that constraints must count. */
export interface RunningTask {
  /** Application name, matched against {@link PlacementRequest.group}. */
  group: string;
  /** Agent id value the task runs on. */
  agentId: string;
  /** Hostname of that agent. */
  hostname: string;
  /** Agent attributes rendered as strings (see {@link renderAttribute}). */
  attributes: Readonly<Record<string, string>>;
}

/** What placement knows about the cluster besides the offers. */
export interface PlacementContext {
  /** Tasks already running or placed earlier; UNIQUE, MAX_PER, GROUP_BY and CLUSTER count them. */
  running: readonly RunningTask[];
}

/** One request placed on one agent. */
export interface Assignment {
  /** {@link PlacementRequest.id} of the request placed. */
  requestId: string;
  /** The first offer of the agent used; {@link Assignment.offerIds} lists every offer to accept together. */
  offerId: v1.OfferID;
  /** Every offer of this agent (and allocation role) that the resources may come from: accept them together. */
  offerIds: v1.OfferID[];
  /** Agent of the offers. */
  agentId: v1.AgentID;
  /** Hostname of the agent. */
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
  /** Requests placed, in request order. */
  assignments: Assignment[];
  /** Requests no agent could take this cycle. */
  unplaced: Array<{
    /** {@link PlacementRequest.id} of the request. */
    requestId: string;
    /** Why, one line per cause with the number of agents it ruled out (e.g. not enough free resources, a constraint). */
    reasons: string[];
  }>;
  /** Offers no assignment uses; decline them (or keep them in the pool). */
  unusedOfferIds: v1.OfferID[];
}

/** Scalar amounts in natural units (cpus, MiB, MiB, gpus) and a free-port count. */
export interface ResourceAmounts {
  /** CPUs. */
  cpus: number;
  /** Memory, MiB. */
  mem: number;
  /** Plain disk, MiB. */
  disk: number;
  /** GPUs. */
  gpus: number;
  /** Number of free host ports. */
  ports: number;
}

/** What a strategy sees of an agent during a cycle. Do not keep references past the `score` call. */
export interface AgentView {
  /** Agent id value. */
  readonly agentId: string;
  /** Hostname of the agent. */
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
  /** Name for logs and metrics, e.g. `bin-pack`. */
  readonly name: string;
  /** Fitness of placing a task with `demand` on `agent` (higher is better). */
  score(agent: AgentView, demand: Readonly<ResourceAmounts>): number;
}
