import { randomUUID } from 'node:crypto';
import type { scheduler, v1 } from '../../protocol/generated/index.js';
import { addQuantities, emptyQuantities, isEmptyQuantities, type Quantities } from '../sim-resources.js';
import type { Holding } from '../sim-holdings.js';
import type { StatusUpdateStream } from '../status-update-stream.js';
import type { AgentSpec, SimAgent, SimOffer, UpdateFaults } from '../sim-types.js';
import type { ExecutorHost } from '../executor-host.js';
import type { UpdateCarrier } from '../event-outbox.js';

const TERMINAL = new Set<v1.TaskState>(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);
/** States non-partition-aware frameworks see as TASK_LOST. */
export const PARTITION_STATES = new Set<v1.TaskState>(['TASK_UNREACHABLE', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']);

export const isTerminal = (s: v1.TaskState): boolean => TERMINAL.has(s);
/** Key of a task in {@link ClusterState.tasks}. */
export const taskKey = (fw: string, task: string): string => `${fw}/${task}`;

/** The executor a task runs under: its ExecutorInfo's id, or (command tasks) the task id, as on Mesos. */
export function executorIdOf(info: v1.TaskInfo): string {
  return info.executor?.executor_id.value ?? info.task_id.value;
}

/** A framework the simulated master knows (subscribed at least once). */
export interface SimFramework {
  /** Framework id the master assigned. */
  id: string;
  /** Its latest `FrameworkInfo` (from SUBSCRIBE or UPDATE_FRAMEWORK), with the id. */
  info: v1.FrameworkInfo;
  /** Roles it subscribed with. */
  roles: string[];
  /** It has the MULTI_ROLE capability (resources carry `allocation_info`). */
  multiRole: boolean;
  /** It has the PARTITION_AWARE capability (sees TASK_UNREACHABLE, TASK_GONE... instead of TASK_LOST). */
  partitionAware: boolean;
  /** It has the TASK_KILLING_STATE capability (a kill goes through TASK_KILLING). */
  killingState: boolean;
  /** It has the RESERVATION_REFINEMENT capability. */
  refinement: boolean;
  /** Its event stream is open. */
  connected: boolean;
  /** Torn down, or its failover timeout expired. */
  removed: boolean;
  /** Roles it suppressed offers for. */
  suppressed: Set<string>;
  /**
   * `agentId|role` → the framework's refusals there: until when, and what was refused. As in Mesos's
   * allocator, an agent is not offered while what it could offer is within something refused (so a
   * task ending there, freeing more, brings an offer back before the filter expires).
   */
  filters: Map<string, Array<{
    /** Epoch milliseconds the refusal lasts until. */
    until: number;
    /** What was refused. */
    refused: Quantities;
  }>>;
  /** @internal runs while the framework is disconnected; it is removed when it fires. */
  failoverTimer?: NodeJS.Timeout;
}

/** @internal The next scripted step of a simulated task. */
export type SimTaskStep = 'starting' | 'running' | 'outcome' | 'killed';

/** A task on a simulated agent that has not been retired yet (retired = terminal and acknowledged). */
export interface SimTask {
  /** Id of its framework. */
  frameworkId: string;
  /** The `TaskInfo` it was launched with. */
  info: v1.TaskInfo;
  /** Agent it runs on. */
  agentId: string;
  /** Latest state (sent, or queued for sending). */
  state: v1.TaskState;
  /** Resources it uses on the agent. */
  resources: Holding;
  /** @internal its status updates, sent one at a time until acknowledged, with retries. */
  updates: StatusUpdateStream;
  /** @internal the timer of its next scripted step (simulated tasks), while one is due. */
  timer?: NodeJS.Timeout | undefined;
  /** @internal the step that timer runs. */
  step?: SimTaskStep | undefined;
  /** Epoch milliseconds of its launch. */
  launchedAt: number;
  /** Run by a real executor process (`ExecutorHost`): its updates come from the executor. */
  external?: boolean;
  /** Uuids of the executor updates received (external tasks). */
  seen?: Set<string>;
  /** The scheduler asked to kill it (an external task whose executor dies then ends KILLED). */
  killRequested?: boolean;
}

/**
 * @internal Where the engine sends events; returns false when the framework has no open stream (or
 * an OFFERS event found its stream full). `carrier` comes with an agent's status update.
 */
export type EventSink = (frameworkId: string, event: scheduler.Event, carrier?: UpdateCarrier) => boolean;

/** A retired task, as kept in `SimEngine.completedTasks`. */
export interface CompletedTask {
  /** Id of its framework. */
  frameworkId: string;
  /** Its task id. */
  taskId: string;
  /** Its terminal state. */
  state: v1.TaskState;
  /** Agent it ran on. */
  agentId: string;
}

/** One launch, as kept in `SimEngine.launchLog`. */
export interface LaunchRecord {
  /** Id of the framework that launched it. */
  frameworkId: string;
  /** Task id. */
  taskId: string;
  /** `TaskInfo.name`. */
  name: string;
  /** Agent it was launched on. */
  agentId: string;
  /** Epoch milliseconds of the launch. */
  at: number;
}

/** One operation status the master sent, as kept in `SimEngine.operationStatuses`. */
export interface OperationStatusRecord {
  /** Id of the framework it went to. */
  frameworkId: string;
  /** The framework's `OperationID` value. */
  operationId: string;
  /** State reported. */
  state: v1.OperationState;
  /** The agent the operation was applied on (only for operations the master keeps: not OPERATION_ERROR). */
  agentId?: string;
  /** The status uuid, while the status awaits its ACKNOWLEDGE_OPERATION_STATUS. */
  uuid?: string;
  /** An acknowledged terminal status: the master forgets the operation. */
  acknowledged?: boolean;
}

/** A MESSAGE call a scheduler sent to an executor, as kept in `SimEngine.frameworkMessages`. */
export interface FrameworkMessageRecord {
  /** Id of the sending framework. */
  frameworkId: string;
  /** Agent of the executor. */
  agentId: string;
  /** The executor addressed. */
  executorId: string;
  /** The message bytes. */
  data: Uint8Array;
}

/** A framework's answer to an inverse offer, as kept in `SimEngine.inverseOfferAnswers`. */
export interface InverseOfferAnswer {
  /** Id of the inverse offer. */
  id: string;
  /** Framework that answered. */
  frameworkId: string;
  /** Agent the inverse offer asked back. */
  agentId: string;
  /** ACCEPT_INVERSE_OFFERS (true) or DECLINE_INVERSE_OFFERS (false). */
  accepted: boolean;
}

/**
 * Everything the simulated master knows: agents, frameworks, offers, tasks and the records kept
 * for tests. The engine's parts share one instance; `SimEngine` shows read-only views of it.
 */
export class ClusterState {
  readonly masterId = randomUUID();
  readonly agents = new Map<string, SimAgent>();
  readonly frameworks = new Map<string, SimFramework>();
  readonly offers = new Map<string, SimOffer>();
  readonly tasks = new Map<string, SimTask>();
  /** Retired tasks, oldest first; may hold up to twice the history limit until {@link trimCompleted}. */
  readonly completedTasks: CompletedTask[] = [];
  readonly updateFaults: UpdateFaults = { duplicate: false, delayMs: 0, reorderWindowMs: 0 };
  readonly stats = { offersSent: 0, updatesSent: 0, updateRetries: 0, acks: 0, launched: 0 };
  /** Every task launched, in order (for invariant checks: nothing launched twice). */
  readonly launchLog: LaunchRecord[] = [];
  /** Every operation status sent, oldest first. */
  readonly operationStatuses: OperationStatusRecord[] = [];
  /** Messages schedulers sent to executors (MESSAGE calls), oldest first. */
  readonly frameworkMessages: FrameworkMessageRecord[] = [];
  /** Inverse offers outstanding, by id. */
  readonly inverseOffers = new Map<string, { frameworkId: string; agentId: string }>();
  readonly inverseOfferAnswers: InverseOfferAnswer[] = [];
  /** `frameworkId/uuid` of executor updates acknowledged lately, to answer resends after the task retired. */
  readonly recentAcks = new Set<string>();
  /** Runs tasks as real processes, when the simulator was asked to. */
  executorHost: ExecutorHost | undefined;
  sink: EventSink = () => false;
  private frameworkSeq = 0;
  private offerSeq = 0;
  private agentSeq = 0;

  /** Drops the oldest retired tasks beyond `keep`. */
  trimCompleted(keep: number): void {
    if (this.completedTasks.length > keep) this.completedTasks.splice(0, this.completedTasks.length - keep);
  }

  nextFrameworkId(): string {
    return `${this.masterId}-${String(this.frameworkSeq++).padStart(4, '0')}`;
  }

  /** Offers and inverse offers share one sequence, as on Mesos. */
  nextOfferId(): string {
    return `${this.masterId}-O${this.offerSeq++}`;
  }

  /** Registers an agent built from `spec`. */
  addAgent(spec: AgentSpec): SimAgent {
    const n = this.agentSeq++;
    const total: Quantities = {
      cpus: spec.cpus ?? 4,
      mem: spec.mem ?? 8192,
      disk: spec.disk ?? 65536,
      gpus: spec.gpus ?? 0,
      ports: (spec.ports ?? [[31000, 32000]]).map(([begin, end]) => ({ begin, end })),
    };
    const agent: SimAgent = {
      id: `${this.masterId}-S${n}`,
      hostname: spec.hostname ?? `agent-${n}.sim.local`,
      // Distinct per agent, as agents sharing a host must be (the local Mesos cluster runs agent i on its master's port + i).
      port: spec.port ?? 5051 + n,
      total,
      free: { ...total, ports: total.ports.map((r) => ({ ...r })) },
      reserved: new Map(),
      volumes: [],
      attributes: Object.entries(spec.attributes ?? {}).map(([name, value]) => ({ name, type: 'TEXT', text: { value } })),
      state: 'active',
    };
    this.agents.set(agent.id, agent);
    return agent;
  }

  /** Takes an offer back: its resources return to the agent. */
  returnOffer(offer: SimOffer): void {
    this.offers.delete(offer.id);
    this.giveBack(offer.agentId, offer.holding);
  }

  /** Puts a holding back into the agent's unused resources. */
  giveBack(agentId: string, h: Holding): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.free = addQuantities(agent.free, h.unreserved);
    if (!isEmptyQuantities(h.reserved)) agent.reserved.set(h.role, addQuantities(agent.reserved.get(h.role) ?? emptyQuantities(), h.reserved));
    agent.volumes.push(...h.volumes);
  }

  /** The `AgentInfo` executors are told about. */
  agentInfo(agentId: string): v1.AgentInfo | undefined {
    const agent = this.agents.get(agentId);
    return agent && { id: { value: agent.id }, hostname: agent.hostname, port: agent.port, ...(agent.attributes.length ? { attributes: agent.attributes } : {}) };
  }

  frameworkInfo(frameworkId: string): v1.FrameworkInfo | undefined {
    const fw = this.frameworks.get(frameworkId);
    return fw && { ...fw.info, id: { value: fw.id } };
  }
}
