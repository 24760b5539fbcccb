import { randomUUID } from 'node:crypto';
import type { scheduler, v1 } from '../../protocol/generated/index.js';
import { addQuantities, emptyQuantities, isEmptyQuantities, type Quantities } from '../sim-resources.js';
import type { Holding } from '../sim-holdings.js';
import type { StatusUpdateStream } from '../status-update-stream.js';
import type { AgentSpec, SimAgent, SimOffer, UpdateFaults } from '../sim-types.js';
import type { ExecutorHost } from '../executor-host.js';

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

export interface SimFramework {
  id: string;
  info: v1.FrameworkInfo;
  roles: string[];
  multiRole: boolean;
  partitionAware: boolean;
  killingState: boolean;
  refinement: boolean;
  connected: boolean;
  removed: boolean;
  suppressed: Set<string>;
  /**
   * `agentId|role` → the framework's refusals there: until when, and what was refused. As in Mesos's
   * allocator, an agent is not offered while what it could offer is within something refused (so a
   * task ending there, freeing more, brings an offer back before the filter expires).
   */
  filters: Map<string, Array<{ until: number; refused: Quantities }>>;
  failoverTimer?: NodeJS.Timeout;
}

export interface SimTask {
  frameworkId: string;
  info: v1.TaskInfo;
  agentId: string;
  state: v1.TaskState;
  resources: Holding;
  updates: StatusUpdateStream;
  timers: NodeJS.Timeout[];
  launchedAt: number;
  /** Run by a real executor process (`ExecutorHost`): its updates come from the executor. */
  external?: boolean;
  /** Uuids of the executor updates received (external tasks). */
  seen?: Set<string>;
  /** The scheduler asked to kill it (an external task whose executor dies then ends KILLED). */
  killRequested?: boolean;
}

/** Where the engine sends events; returns false when the framework has no open stream. */
export type EventSink = (frameworkId: string, event: scheduler.Event) => boolean;

export interface CompletedTask {
  frameworkId: string;
  taskId: string;
  state: v1.TaskState;
  agentId: string;
}

export interface LaunchRecord {
  frameworkId: string;
  taskId: string;
  name: string;
  agentId: string;
  at: number;
}

export interface OperationStatusRecord {
  frameworkId: string;
  operationId: string;
  state: v1.OperationState;
  /** The agent the operation was applied on (only for operations the master keeps: not OPERATION_ERROR). */
  agentId?: string;
  /** The status uuid, while the status awaits its ACKNOWLEDGE_OPERATION_STATUS. */
  uuid?: string;
  /** An acknowledged terminal status: the master forgets the operation. */
  acknowledged?: boolean;
}

export interface FrameworkMessageRecord {
  frameworkId: string;
  agentId: string;
  executorId: string;
  data: Uint8Array;
}

export interface InverseOfferAnswer {
  id: string;
  frameworkId: string;
  agentId: string;
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
  readonly completedTasks: CompletedTask[] = [];
  readonly updateFaults: UpdateFaults = { duplicate: false, delayMs: 0, reorderWindowMs: 0 };
  readonly stats = { offersSent: 0, updatesSent: 0, acks: 0, launched: 0 };
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
