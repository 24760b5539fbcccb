import { randomBytes, randomUUID } from 'node:crypto';
import type { scheduler, v1 } from '../protocol/generated/index.js';
import {
  addQuantities,
  containsQuantities,
  emptyQuantities,
  isAllocatable,
  isEmptyQuantities,
  subtractQuantities,
  type Quantities,
} from './sim-resources.js';
import { StatusUpdateStream } from './status-update-stream.js';
import { addHoldings, demandOf, emptyHolding, holdingContains, holdingResources, takeDemand, type Holding } from './sim-holdings.js';
import type { AgentSpec, SimAgent, SimOffer, SimulatorOptions, TaskBehaviour, UpdateFaults } from './sim-types.js';
import type { ExecutorHost, ExecutorHostEngine } from './executor-host.js';

const TERMINAL = new Set<v1.TaskState>(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);
/** States non-partition-aware frameworks see as TASK_LOST. */
const PARTITION_STATES = new Set<v1.TaskState>(['TASK_UNREACHABLE', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']);

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

const isTerminal = (s: v1.TaskState) => TERMINAL.has(s);
const key = (fw: string, task: string) => `${fw}/${task}`;

/**
 * The state machine of the simulated master and its agents: frameworks, offers, the allocator,
 * task lifecycles with acknowledged status updates, reconciliation and agent faults. It knows no
 * HTTP: the server feeds it calls and gives it a sink for events.
 */
export class SimEngine implements ExecutorHostEngine {
  readonly masterId = randomUUID();
  readonly agents = new Map<string, SimAgent>();
  readonly frameworks = new Map<string, SimFramework>();
  readonly offers = new Map<string, SimOffer>();
  readonly tasks = new Map<string, SimTask>();
  readonly completedTasks: Array<{ frameworkId: string; taskId: string; state: v1.TaskState; agentId: string }> = [];
  readonly updateFaults: UpdateFaults = { duplicate: false, delayMs: 0, reorderWindowMs: 0 };
  readonly stats = { offersSent: 0, updatesSent: 0, acks: 0, launched: 0 };
  /** Every task launched, in order (for invariant checks: nothing launched twice). */
  readonly launchLog: Array<{ frameworkId: string; taskId: string; name: string; agentId: string; at: number }> = [];
  /** Runs tasks that carry an ExecutorInfo as real processes, when the simulator was asked to. */
  executorHost: ExecutorHost | undefined;
  /** `frameworkId/uuid` of executor updates acknowledged lately, to answer resends after the task retired. */
  private readonly recentAcks = new Set<string>();
  private frameworkSeq = 0;
  private offerSeq = 0;
  private agentSeq = 0;
  private allocationTimer: NodeJS.Timeout | undefined;
  private allocationScheduled = false;
  private rrStart = 0;
  sink: EventSink = () => false;

  constructor(readonly options: SimulatorOptions) {
    const agents = options.agents ?? 3;
    const specs: AgentSpec[] = typeof agents === 'number' ? Array.from({ length: agents }, () => ({})) : agents;
    for (const spec of specs) this.addAgent(spec);
  }

  start(): void {
    this.allocationTimer = setInterval(() => this.allocate(), this.options.allocationIntervalMs ?? 1000);
    this.allocationTimer.unref();
  }

  stop(): void {
    clearInterval(this.allocationTimer);
    for (const t of this.tasks.values()) this.clearTask(t);
    for (const f of this.frameworks.values()) clearTimeout(f.failoverTimer);
  }

  // ---------- agents ----------
  addAgent(spec: AgentSpec = {}): SimAgent {
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
      total,
      free: { ...total, ports: total.ports.map((r) => ({ ...r })) },
      reserved: new Map(),
      volumes: [],
      attributes: Object.entries(spec.attributes ?? {}).map(([name, value]) => ({ name, type: 'TEXT', text: { value } })),
      state: 'active',
    };
    this.agents.set(agent.id, agent);
    this.scheduleAllocation();
    return agent;
  }

  // ---------- frameworks ----------
  /** Handles SUBSCRIBE after the HTTP checks. Returns the framework or an error message for an ERROR event. */
  subscribe(call: scheduler.Call): { framework: SimFramework; resubscribed: boolean } | { error: string } {
    const info = call.subscribe!.framework_info;
    const requestedId = info.id?.value ?? call.framework_id?.value;
    const capabilities = new Set((info.capabilities ?? []).map((c) => c.type));
    const multiRole = capabilities.has('MULTI_ROLE');
    const roles = multiRole ? info.roles ?? [] : [info.role ?? '*'];
    if (multiRole && info.role) return { error: "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable" };
    if (!multiRole && info.roles?.length) return { error: "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable" };
    const roleProblem = frameworkRolesError(multiRole, roles);
    if (roleProblem) return { error: roleProblem };
    let fw = requestedId ? this.frameworks.get(requestedId) : undefined;
    if (fw?.removed) return { error: 'Framework has been removed' };
    const resubscribed = !!fw;
    if (!fw) {
      const id = requestedId ?? `${this.masterId}-${String(this.frameworkSeq++).padStart(4, '0')}`;
      fw = { id, info, roles, multiRole, partitionAware: false, killingState: false, refinement: false, connected: false, removed: false, suppressed: new Set(), filters: new Map() };
      this.frameworks.set(id, fw);
    }
    clearTimeout(fw.failoverTimer);
    fw.info = { ...info, id: { value: fw.id }, user: fw.info.user, checkpoint: fw.info.checkpoint };
    fw.roles = roles;
    fw.multiRole = multiRole;
    fw.partitionAware = capabilities.has('PARTITION_AWARE');
    fw.killingState = capabilities.has('TASK_KILLING_STATE');
    fw.refinement = capabilities.has('RESERVATION_REFINEMENT');
    fw.suppressed = new Set(call.subscribe!.suppressed_roles ?? []);
    fw.connected = true;
    // Outstanding offers are discarded without RESCIND on re-subscription.
    for (const offer of [...this.offers.values()]) if (offer.frameworkId === fw.id) this.returnOffer(offer);
    return { framework: fw, resubscribed };
  }

  /** After SUBSCRIBED went out: agents resend pending updates at once, and offers follow. */
  afterSubscribed(fw: SimFramework): void {
    for (const t of this.tasks.values()) if (t.frameworkId === fw.id) t.updates.resend();
    this.scheduleAllocation();
  }

  /** The framework's stream closed: offers are rescinded and the failover timer starts. */
  disconnected(frameworkId: string): void {
    const fw = this.frameworks.get(frameworkId);
    if (!fw || !fw.connected) return;
    fw.connected = false;
    for (const offer of [...this.offers.values()]) if (offer.frameworkId === fw.id) this.returnOffer(offer);
    const timeoutMs = (fw.info.failover_timeout ?? 0) * 1000;
    fw.failoverTimer = setTimeout(() => this.removeFramework(fw), Math.min(timeoutMs, 2 ** 31 - 1));
    fw.failoverTimer.unref();
  }

  removeFramework(fw: SimFramework): void {
    fw.removed = true;
    fw.connected = false;
    clearTimeout(fw.failoverTimer);
    for (const offer of [...this.offers.values()]) if (offer.frameworkId === fw.id) this.returnOffer(offer);
    this.executorHost?.shutdownFramework(fw.id);
    for (const t of [...this.tasks.values()]) {
      if (t.frameworkId !== fw.id) continue;
      this.finishTask(t, 'TASK_KILLED');
      this.retireTask(t);
    }
    this.scheduleAllocation();
  }

  // ---------- allocation ----------
  scheduleAllocation(): void {
    if (this.allocationScheduled) return;
    this.allocationScheduled = true;
    setImmediate(() => {
      this.allocationScheduled = false;
      this.allocate();
    });
  }

  /** One allocation cycle: every free, allocatable agent is offered to one framework role, round-robin. */
  allocate(): void {
    const fws = [...this.frameworks.values()].filter((f) => f.connected && !f.removed);
    if (fws.length === 0) return;
    const now = Date.now();
    const batches = new Map<string, v1.Offer[]>();
    const candidates: Array<[SimFramework, string]> = fws.flatMap((f) => f.roles.filter((r) => !f.suppressed.has(r)).map((r) => [f, r] as [SimFramework, string]));
    if (candidates.length === 0) return;
    let i = this.rrStart++ % candidates.length;
    for (const agent of this.agents.values()) {
      if (agent.state !== 'active') continue;
      for (let tried = 0; tried < candidates.length; tried++) {
        const [fw, role] = candidates[i++ % candidates.length]!;
        const reserved = agent.reserved.get(role) ?? emptyQuantities();
        if (this.isFiltered(fw, agent.id, role, addQuantities(agent.free, reserved), now)) continue;
        const volumes = agent.volumes.filter((v) => v.role === role);
        if (!isAllocatable(addQuantities(agent.free, reserved)) && volumes.length === 0) continue;
        const holding: Holding = { role, unreserved: agent.free, reserved, volumes };
        agent.free = emptyQuantities();
        agent.reserved.delete(role);
        agent.volumes = agent.volumes.filter((v) => v.role !== role);
        const offer: SimOffer = { id: `${this.masterId}-O${this.offerSeq++}`, frameworkId: fw.id, agentId: agent.id, role, holding };
        this.offers.set(offer.id, offer);
        const list = batches.get(fw.id) ?? [];
        list.push(this.offerMessage(offer, fw, agent));
        batches.set(fw.id, list);
        break;
      }
    }
    for (const [fwId, offers] of batches) {
      this.stats.offersSent += offers.length;
      if (!this.sink(fwId, { type: 'OFFERS', offers: { offers } })) {
        for (const o of offers) {
          const offer = this.offers.get(o.id.value);
          if (offer) this.returnOffer(offer);
        }
      }
    }
  }

  private offerMessage(offer: SimOffer, fw: SimFramework, agent: SimAgent): v1.Offer {
    return {
      id: { value: offer.id },
      framework_id: { value: fw.id },
      agent_id: { value: agent.id },
      hostname: agent.hostname,
      url: { scheme: 'http', address: { hostname: agent.hostname, ip: '127.0.0.1', port: 5051 }, path: '/slave(1)' },
      resources: holdingResources(offer.holding, fw.multiRole, fw.refinement),
      ...(agent.attributes.length ? { attributes: agent.attributes } : {}),
      ...(fw.multiRole ? { allocation_info: { role: offer.role } } : {}),
    };
  }

  private returnOffer(offer: SimOffer): void {
    this.offers.delete(offer.id);
    this.giveBack(offer.agentId, offer.holding);
  }

  /** Puts a holding back into the agent's unused resources. */
  private giveBack(agentId: string, h: Holding): void {
    const agent = this.agents.get(agentId);
    if (!agent) return;
    agent.free = addQuantities(agent.free, h.unreserved);
    if (!isEmptyQuantities(h.reserved)) agent.reserved.set(h.role, addQuantities(agent.reserved.get(h.role) ?? emptyQuantities(), h.reserved));
    agent.volumes.push(...h.volumes);
  }

  /** Sends RESCIND for the offers (all of a framework's, or all) and takes them back. */
  rescindOffers(filter: (o: SimOffer) => boolean = () => true): number {
    let n = 0;
    for (const offer of [...this.offers.values()].filter(filter)) {
      this.returnOffer(offer);
      this.sink(offer.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
      n++;
    }
    this.scheduleAllocation();
    return n;
  }

  // ---------- calls ----------
  accept(fw: SimFramework, offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters: v1.Filters | undefined): void {
    const ids = offerIds.map((o) => o.value);
    let invalid: string | undefined;
    if (ids.length === 0) invalid = 'No offers specified';
    else if (new Set(ids).size !== ids.length) invalid = 'Duplicate offers';
    const offers: SimOffer[] = [];
    for (const id of ids) {
      const offer = this.offers.get(id);
      if (!offer) invalid ??= `Offer ${id} is no longer valid`;
      else if (offer.frameworkId !== fw.id) invalid ??= `Offer ${id} has invalid framework`;
      else offers.push(offer);
    }
    if (!invalid && new Set(offers.map((o) => o.role)).size > 1) invalid = 'Aggregated offers must be allocated to the same role';
    const stranger = invalid ? undefined : offers.find((o) => o.agentId !== offers[0]!.agentId);
    if (stranger) invalid = `Aggregated offers must belong to one single agent. Offer ${stranger.id} uses agent ${stranger.agentId} and agent ${offers[0]!.agentId}`;
    for (const o of offers) this.offers.delete(o.id);
    if (invalid) {
      for (const o of offers) this.giveBack(o.agentId, o.holding);
      for (const op of operations) {
        for (const task of launchTasks(op)) {
          this.masterUpdate(fw, task.task_id, fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST', 'REASON_INVALID_OFFERS', `Task launched with invalid offers: ${invalid}`, task.agent_id.value);
        }
        this.operationStatus(fw, op, offers[0]?.agentId, 'OPERATION_ERROR', invalid);
      }
      this.scheduleAllocation();
      return;
    }
    const agent = this.agents.get(offers[0]!.agentId)!;
    let pool = offers.reduce((acc, o) => addHoldings(acc, o.holding), emptyHolding(offers[0]!.role));
    const launchedHere = new Set<string>();
    for (const op of operations) {
      if (op.type === 'LAUNCH' || op.type === 'LAUNCH_GROUP') {
        pool = this.applyLaunch(fw, op, agent, pool, launchedHere);
        continue;
      }
      const outcome = applyOperation(op, pool, agent);
      if (typeof outcome === 'string') this.operationStatus(fw, op, agent.id, 'OPERATION_ERROR', outcome);
      else {
        pool = outcome;
        this.operationStatus(fw, op, agent.id, 'OPERATION_FINISHED');
      }
    }
    const unused = !isEmptyQuantities(pool.unreserved) || !isEmptyQuantities(pool.reserved) || pool.volumes.length > 0;
    this.giveBack(agent.id, pool);
    if (unused) this.refuseAgent(fw, agent.id, offers[0]!.role, filters, pool);
    this.scheduleAllocation();
  }

  /** Installs the framework's filter (`refuse_seconds`, default 5, none when 0) on what it refused of one agent for one role. */
  private refuseAgent(fw: SimFramework, agentId: string, role: string, filters: v1.Filters | undefined, refused: Holding): void {
    const refuse = filters?.refuse_seconds ?? 5;
    const seconds = refuse < 0 ? 5 : Math.min(refuse, 31_536_000);
    if (seconds <= 0) return;
    const k = `${agentId}|${role}`;
    fw.filters.set(k, [...(fw.filters.get(k) ?? []), { until: Date.now() + seconds * 1000, refused: addQuantities(refused.unreserved, refused.reserved) }]);
    const t = setTimeout(() => this.scheduleAllocation(), seconds * 1000 + 5);
    t.unref();
  }

  /** True while a live refusal of the framework there covers everything the agent could offer. Expired ones are dropped. */
  private isFiltered(fw: SimFramework, agentId: string, role: string, offerable: Quantities, now: number): boolean {
    const k = `${agentId}|${role}`;
    const all = fw.filters.get(k);
    if (!all) return false;
    const live = all.filter((f) => f.until > now);
    if (live.length === 0) fw.filters.delete(k);
    else if (live.length !== all.length) fw.filters.set(k, live);
    return live.some((f) => containsQuantities(f.refused, offerable));
  }

  /** LAUNCH / LAUNCH_GROUP against the pooled offers; returns what is left of the pool. */
  private applyLaunch(fw: SimFramework, op: v1.Offer.Operation, agent: SimAgent, pool: Holding, launchedHere: Set<string> = new Set()): Holding {
    const group = op.type === 'LAUNCH_GROUP';
    const reason: v1.TaskStatus.Reason = group ? 'REASON_TASK_GROUP_INVALID' : 'REASON_TASK_INVALID';
    const tasks = launchTasks(op).map((t) => (group && op.launch_group ? { ...t, executor: op.launch_group.executor } : t));
    if (op.id) {
      for (const task of tasks) this.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, 'Operation ID cannot be set for LAUNCH or LAUNCH_GROUP', agent.id);
      return pool;
    }
    const groupError = group && !op.launch_group?.executor?.type ? "'ExecutorInfo.type' must be set" : undefined;
    // A group is all or nothing: try it on a copy of the pool first.
    let trial = pool;
    const placed: Array<{ task: v1.TaskInfo; taken: Holding }> = [];
    const errors: Array<{ task: v1.TaskInfo; message: string }> = [];
    for (const task of tasks) {
      // A task placed earlier in the same ACCEPT counts as known, as on the master (it adds each task as it goes).
      const duplicate = placed.some((p) => p.task.task_id.value === task.task_id.value) || launchedHere.has(task.task_id.value);
      const problem = groupError ?? taskIdError(task.task_id.value) ?? (duplicate ? `Task has duplicate ID: ${task.task_id.value}` : this.validateTask(fw, task, agent, group));
      const demand = demandOf(task.resources);
      // Resources allocated to another role than the offers' are not in the offers (Mesos: not contained).
      const foreign = !problem && (task.resources ?? []).some((r) => r.allocation_info && r.allocation_info.role !== trial.role);
      if (foreign) {
        errors.push({ task, message: shortfallMessage(task, trial) });
        continue;
      }
      const short = problem ? undefined : holdingContains(trial, demand);
      // A shortfall of unreserved resources gets the master's text (checked on Mesos 1.11); shortfalls
      // of reserved resources and volumes keep the simulator's texts, which name what is missing.
      const missing = problem ?? (short && !containsQuantities(trial.unreserved, demand.unreserved) ? shortfallMessage(task, trial) : short);
      if (missing) {
        errors.push({ task, message: missing });
        continue;
      }
      const { rest, taken } = takeDemand(trial, demand);
      trial = rest;
      placed.push({ task, taken });
    }
    if (group && errors.length > 0) {
      const first = errors[0]!.message;
      for (const task of tasks) this.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, first, agent.id);
      return pool;
    }
    for (const { task, message } of errors) this.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, message, agent.id);
    // A group run by a real executor reaches it as one LAUNCH_GROUP event, as on an agent.
    const hostGroup = group && op.launch_group && this.executorHost?.handles(tasks[0] ?? ({} as v1.TaskInfo)) ? op.launch_group : undefined;
    for (const { task, taken } of placed) {
      launchedHere.add(task.task_id.value);
      this.launchTask(fw, task, agent, taken, !hostGroup);
    }
    if (hostGroup) this.executorHost!.launchGroup(fw.id, agent.id, hostGroup.executor, hostGroup.task_group);
    return trial;
  }

  private validateTask(fw: SimFramework, task: v1.TaskInfo, agent: SimAgent, group: boolean): string | undefined {
    if (this.tasks.has(key(fw.id, task.task_id.value))) return `Task has duplicate ID: ${task.task_id.value}`;
    if (task.agent_id.value !== agent.id) return `Task uses invalid agent ${task.agent_id.value} while agent ${agent.id} is expected`;
    if (!group && !!task.executor === !!task.command) return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    if (!task.resources?.length) return 'Task uses no resources';
    const negative = task.resources.find((r) => r.type === 'SCALAR' && (r.scalar?.value ?? 0) < 0);
    if (negative) return `Resource '${mesosResourcesText([negative], fw.roles[0] ?? '*')}' is invalid: Invalid scalar resource: value <= 0`;
    const { unsupported } = demandOf(task.resources);
    if (unsupported.length) return `Task uses resources the simulated agent does not have: ${unsupported.join(', ')}`;
    return undefined;
  }

  /** Feedback for an offer operation that set an `id` (the simulated agents support operation feedback). */
  private operationStatus(fw: SimFramework, op: v1.Offer.Operation, agentId: string | undefined, state: v1.OperationState, message?: string): void {
    if (!op.id || op.type === 'LAUNCH' || op.type === 'LAUNCH_GROUP') return;
    this.operationStatuses.push({ frameworkId: fw.id, operationId: op.id.value, state });
    this.sink(fw.id, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: { operation_id: op.id, state, ...(message ? { message } : {}), ...(agentId ? { agent_id: { value: agentId } } : {}), uuid: { value: randomBytes(16) } },
      },
    });
  }
  /** Every operation status sent, oldest first. */
  readonly operationStatuses: Array<{ frameworkId: string; operationId: string; state: v1.OperationState }> = [];

  /**
   * DECLINE, as the master does it: each offer is discarded on its own and the filter is installed
   * for its agent, so one DECLINE may name offers of several agents; ids no longer valid are ignored.
   * (Not the ACCEPT path: an ACCEPT naming offers of two agents is invalid and installs no filter.)
   */
  decline(fw: SimFramework, offerIds: v1.OfferID[], filters: v1.Filters | undefined): void {
    for (const { value } of offerIds) {
      const offer = this.offers.get(value);
      if (!offer || offer.frameworkId !== fw.id) continue;
      this.returnOffer(offer);
      this.refuseAgent(fw, offer.agentId, offer.role, filters, offer.holding);
    }
    this.scheduleAllocation();
  }

  revive(fw: SimFramework, roles: string[] | undefined): void {
    const target = roles?.length ? roles : fw.roles;
    for (const r of target) fw.suppressed.delete(r);
    for (const k of [...fw.filters.keys()]) if (target.includes(k.split('|')[1]!)) fw.filters.delete(k);
    this.scheduleAllocation();
  }

  suppress(fw: SimFramework, roles: string[] | undefined): void {
    for (const r of roles?.length ? roles : fw.roles) fw.suppressed.add(r);
  }

  acknowledge(fw: SimFramework, ack: scheduler.Call.Acknowledge): void {
    const task = this.tasks.get(key(fw.id, ack.task_id.value));
    if (!task) return;
    const acked = task.updates.acknowledge(ack.uuid);
    if (!acked) return;
    this.stats.acks++;
    if (task.external) {
      this.recentAcks.add(`${fw.id}/${Buffer.from(ack.uuid).toString('base64')}`);
      if (this.recentAcks.size > 10_000) this.recentAcks.delete(this.recentAcks.values().next().value!);
      this.executorHost?.acknowledged(fw.id, executorIdOf(task.info), ack.task_id, ack.uuid);
    }
    if (isTerminal(acked.state) && task.updates.pending.length === 0) this.retireTask(task);
  }

  kill(fw: SimFramework, kill: scheduler.Call.Kill): void {
    const task = this.tasks.get(key(fw.id, kill.task_id.value));
    if (!task || isTerminal(task.state)) {
      this.reconcile(fw, [{ task_id: kill.task_id, ...(kill.agent_id ? { agent_id: kill.agent_id } : {}) }]);
      return;
    }
    // A KILL naming another agent than the task's is dropped without a word, as the master does.
    if (kill.agent_id && kill.agent_id.value !== task.agentId) return;
    if (task.external && this.executorHost) {
      // A real executor decides how to kill and reports TASK_KILLED itself.
      task.killRequested = true;
      this.executorHost.kill(fw.id, executorIdOf(task.info), kill.task_id, kill.kill_policy ?? task.info.kill_policy);
      return;
    }
    for (const t of task.timers) clearTimeout(t);
    task.timers = [];
    if (task.state === 'TASK_STAGING') {
      // Not yet delivered to its executor: the agent drops it and answers itself, as Mesos 1.11 does.
      this.finishTask(task, 'TASK_KILLED', 'Killed before delivery to the executor', 'REASON_TASK_KILLED_DURING_LAUNCH', 'SOURCE_AGENT');
      return;
    }
    if (fw.killingState) this.executorUpdate(task, 'TASK_KILLING');
    this.later(task, this.options.killDelayMs ?? 10, () => this.finishTask(task, 'TASK_KILLED', 'Command terminated with signal Terminated'));
  }

  shutdown(fw: SimFramework, executorId: string): void {
    if (this.executorHost?.shutdown(fw.id, executorId)) return;
    for (const t of [...this.tasks.values()]) {
      if (t.frameworkId !== fw.id || isTerminal(t.state) || executorIdOf(t.info) !== executorId) continue;
      // The command executor shuts down by killing its task: the updates of a KILL (TASK_KILLING if
      // the framework has TASK_KILLING_STATE, then TASK_KILLED "Command terminated with signal Terminated").
      if (!t.info.executor) this.kill(fw, { task_id: t.info.task_id });
      else this.finishTask(t, 'TASK_KILLED', 'Executor shut down', 'REASON_EXECUTOR_TERMINATED');
    }
  }

  reconcile(fw: SimFramework, tasks: scheduler.Call.Reconcile.Task[]): void {
    if (tasks.length === 0) {
      for (const t of this.tasks.values()) {
        if (t.frameworkId === fw.id) this.masterUpdate(fw, t.info.task_id, t.state, 'REASON_RECONCILIATION', 'Reconciliation: Latest task state', t.agentId);
      }
      return;
    }
    for (const { task_id, agent_id } of tasks) {
      const t = this.tasks.get(key(fw.id, task_id.value));
      if (t) {
        this.masterUpdate(fw, task_id, t.state, 'REASON_RECONCILIATION', 'Reconciliation: Latest task state', t.agentId);
        continue;
      }
      const agent = agent_id ? this.agents.get(agent_id.value) : undefined;
      const [state, message]: [v1.TaskState, string] = !agent
        ? ['TASK_UNKNOWN', 'Reconciliation: Task is unknown']
        : agent.state === 'active'
          ? ['TASK_GONE', 'Reconciliation: Task is unknown to the agent']
          : agent.state === 'unreachable'
            ? ['TASK_UNREACHABLE', 'Reconciliation: Task is unreachable']
            : ['TASK_GONE_BY_OPERATOR', 'Reconciliation: Task is gone'];
      this.masterUpdate(fw, task_id, state, 'REASON_RECONCILIATION', message, agent_id?.value);
    }
  }

  /** Messages schedulers sent to executors (MESSAGE calls), oldest first. */
  readonly frameworkMessages: Array<{ frameworkId: string; agentId: string; executorId: string; data: Uint8Array }> = [];

  /** Sends a framework message as if from the task's executor. */
  executorMessage(frameworkId: string, agentId: string, executorId: string, data: Uint8Array): boolean {
    return this.sink(frameworkId, { type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data } });
  }

  // ---------- tasks ----------
  private launchTask(fw: SimFramework, info: v1.TaskInfo, agent: SimAgent, resources: Holding, deliver = true): void {
    const task: SimTask = {
      frameworkId: fw.id,
      info,
      agentId: agent.id,
      state: 'TASK_STAGING',
      resources,
      timers: [],
      launchedAt: Date.now(),
      updates: new StatusUpdateStream((status) => this.forwardUpdate(fw.id, status), this.options.statusUpdateRetryMs ?? 10_000, this.options.statusUpdateRetryMaxMs ?? 600_000),
    };
    this.tasks.set(key(fw.id, info.task_id.value), task);
    this.stats.launched++;
    this.launchLog.push({ frameworkId: fw.id, taskId: info.task_id.value, name: info.name, agentId: agent.id, at: task.launchedAt });
    if (this.executorHost?.handles(info)) {
      task.external = true;
      task.seen = new Set();
      if (deliver) this.executorHost.launch(fw.id, agent.id, info);
      return;
    }
    const b = this.behaviourOf(info);
    const start = b.startDelayMs ?? 10;
    // Each step is scheduled by the previous one: timers of different lengths may fire out of order
    // when the event loop lags, and an executor reports STARTING, RUNNING and the outcome in order.
    this.later(task, start, () => {
      this.executorUpdate(task, 'TASK_STARTING');
      this.later(task, 1, () => {
        this.executorUpdate(task, 'TASK_RUNNING');
        this.armOutcome(task, b.runMs ?? 100);
      });
    });
  }

  /** Schedules how a simulated task ends (its behaviour's outcome) `afterMs` from now. */
  private armOutcome(task: SimTask, afterMs: number): void {
    const b = this.behaviourOf(task.info);
    const outcome = b.outcome ?? 'finished';
    if (outcome === 'running-forever') return;
    const state: v1.TaskState = outcome === 'finished' ? 'TASK_FINISHED' : outcome === 'failed' ? 'TASK_FAILED' : 'TASK_LOST';
    this.later(task, afterMs, () =>
      this.finishTask(task, state, b.message ?? (outcome === 'finished' ? 'Command exited with status 0' : 'Command exited with status 1'), outcome === 'failed' ? 'REASON_COMMAND_EXECUTOR_FAILED' : undefined),
    );
  }

  private behaviourOf(info: v1.TaskInfo): TaskBehaviour {
    for (const rule of this.options.taskBehaviours ?? []) {
      if (rule.name !== undefined && !new RegExp(rule.name).test(info.name)) continue;
      if (rule.label !== undefined) {
        const [k, v] = rule.label.split('=');
        if (!(info.labels?.labels ?? []).some((l) => l.key === k && (v === undefined || l.value === v))) continue;
      }
      return rule;
    }
    return {};
  }

  private later(task: SimTask, ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    task.timers.push(t);
  }

  // ---------- real executors (ExecutorHost) ----------
  agentInfo(agentId: string): v1.AgentInfo | undefined {
    const agent = this.agents.get(agentId);
    return agent && { id: { value: agent.id }, hostname: agent.hostname, port: 5051, ...(agent.attributes.length ? { attributes: agent.attributes } : {}) };
  }

  frameworkInfo(frameworkId: string): v1.FrameworkInfo | undefined {
    const fw = this.frameworks.get(frameworkId);
    return fw && { ...fw.info, id: { value: fw.id } };
  }

  /**
   * A status update a real executor sent (or resent after re-subscribing): queued on the task's
   * status update stream like an agent does, once per uuid.
   */
  executorStatus(frameworkId: string, status: v1.TaskStatus): 'new' | 'pending' | 'acknowledged' | 'unknown-task' {
    const uuid = Buffer.from(status.uuid ?? new Uint8Array()).toString('base64');
    if (this.recentAcks.has(`${frameworkId}/${uuid}`)) return 'acknowledged';
    const task = this.tasks.get(key(frameworkId, status.task_id.value));
    if (!task?.external || !task.seen) return 'unknown-task';
    if (task.seen.has(uuid)) return 'pending';
    task.seen.add(uuid);
    // An update after the terminal one is dropped (acknowledged to the executor), as an agent does.
    if (isTerminal(task.state)) return 'acknowledged';
    task.state = status.state;
    task.updates.push({ ...status, timestamp: status.timestamp ?? Date.now() / 1000 });
    if (isTerminal(status.state)) this.releaseTask(task);
    return 'new';
  }

  /** A real executor exited (or could not start): its tasks that have not ended fail, or end KILLED if a kill was asked. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void {
    for (const t of [...this.tasks.values()]) {
      if (t.frameworkId !== frameworkId || !t.external || executorIdOf(t.info) !== executorId || isTerminal(t.state)) continue;
      this.finishTask(t, t.killRequested ? 'TASK_KILLED' : 'TASK_FAILED', message, reason, 'SOURCE_AGENT');
    }
  }

  /** An update from the (simulated) executor: carries a uuid and must be acknowledged. */
  private executorUpdate(task: SimTask, state: v1.TaskState, message?: string, reason?: v1.TaskStatus.Reason, source: v1.TaskStatus.Source = 'SOURCE_EXECUTOR'): void {
    if (isTerminal(task.state)) return;
    task.state = state;
    const executorId = { value: executorIdOf(task.info) };
    task.updates.push({
      task_id: task.info.task_id,
      state,
      source,
      agent_id: { value: task.agentId },
      executor_id: executorId,
      timestamp: Date.now() / 1000,
      uuid: randomBytes(16),
      ...(message ? { message } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  private finishTask(task: SimTask, state: v1.TaskState, message?: string, reason?: v1.TaskStatus.Reason, source?: v1.TaskStatus.Source): void {
    if (isTerminal(task.state)) return;
    this.executorUpdate(task, state, message, reason, source);
    this.releaseTask(task);
  }

  /** A task ended: its timers stop and its resources go back to the agent. */
  private releaseTask(task: SimTask): void {
    for (const t of task.timers) clearTimeout(t);
    task.timers = [];
    this.giveBack(task.agentId, task.resources);
    task.resources = emptyHolding(task.resources.role);
    this.scheduleAllocation();
  }

  private retireTask(task: SimTask): void {
    this.clearTask(task);
    this.tasks.delete(key(task.frameworkId, task.info.task_id.value));
    this.completedTasks.push({ frameworkId: task.frameworkId, taskId: task.info.task_id.value, state: task.state, agentId: task.agentId });
    const keep = this.options.completedTaskHistory ?? 10_000;
    if (this.completedTasks.length > keep) this.completedTasks.splice(0, this.completedTasks.length - keep);
  }

  private clearTask(task: SimTask): void {
    for (const t of task.timers) clearTimeout(t);
    task.updates.close();
  }

  /** An update generated by the master: no uuid, never retried, nothing to acknowledge. */
  private masterUpdate(fw: SimFramework, taskId: v1.TaskID, state: v1.TaskState, reason: v1.TaskStatus.Reason, message: string, agentId?: string): void {
    this.forwardUpdate(fw.id, {
      task_id: taskId,
      state, // forwardUpdate shows partition states as TASK_LOST to frameworks that are not partition-aware
      source: 'SOURCE_MASTER',
      reason,
      message,
      timestamp: Date.now() / 1000,
      ...(agentId ? { agent_id: { value: agentId } } : {}),
    });
  }

  private forwardUpdate(frameworkId: string, status: v1.TaskStatus): boolean {
    const fw = this.frameworks.get(frameworkId);
    if (!fw || !fw.connected) return false;
    const shown = !fw.partitionAware && PARTITION_STATES.has(status.state) ? { ...status, state: 'TASK_LOST' as const } : status;
    const send = () => {
      this.stats.updatesSent++;
      this.sink(frameworkId, { type: 'UPDATE', update: { status: shown } });
    };
    const { delayMs, reorderWindowMs, duplicate } = this.updateFaults;
    const wait = delayMs + (reorderWindowMs > 0 ? Math.random() * reorderWindowMs : 0);
    const times = duplicate ? 2 : 1;
    for (let i = 0; i < times; i++) {
      if (wait > 0) setTimeout(send, wait).unref();
      else send();
    }
    return true;
  }

  // ---------- maintenance ----------
  /** Inverse offers outstanding, by id. */
  readonly inverseOffers = new Map<string, { frameworkId: string; agentId: string }>();

  /**
   * Schedules maintenance of an agent: every connected framework with tasks or offers there (or all
   * connected frameworks) gets an INVERSE_OFFERS event asking for the agent back.
   */
  scheduleMaintenance(agentId: string, startInMs = 60_000, durationMs = 3_600_000): string[] {
    const agent = this.agents.get(agentId);
    if (!agent) throw new Error(`no agent ${agentId}`);
    const ids: string[] = [];
    for (const fw of this.frameworks.values()) {
      if (!fw.connected) continue;
      const id = `${this.masterId}-O${this.offerSeq++}`;
      this.inverseOffers.set(id, { frameworkId: fw.id, agentId });
      ids.push(id);
      const start = (Date.now() + startInMs) * 1e6;
      this.sink(fw.id, {
        type: 'INVERSE_OFFERS',
        inverse_offers: {
          inverse_offers: [{
            id: { value: id },
            framework_id: { value: fw.id },
            agent_id: { value: agentId },
            url: { scheme: 'http', address: { hostname: agent.hostname, ip: '127.0.0.1', port: 5051 }, path: '/slave(1)' },
            unavailability: { start: { nanoseconds: start }, duration: { nanoseconds: durationMs * 1e6 } },
          }],
        },
      });
    }
    return ids;
  }

  /** Withdraws outstanding inverse offers (maintenance cancelled) with RESCIND_INVERSE_OFFER. */
  cancelMaintenance(agentId?: string): number {
    let n = 0;
    for (const [id, io] of [...this.inverseOffers]) {
      if (agentId && io.agentId !== agentId) continue;
      this.inverseOffers.delete(id);
      this.sink(io.frameworkId, { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: id } } });
      n++;
    }
    return n;
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS: the answer is recorded and the inverse offer used up. */
  answerInverseOffers(fw: SimFramework, ids: v1.OfferID[], accepted: boolean): void {
    for (const { value } of ids) {
      const io = this.inverseOffers.get(value);
      if (!io || io.frameworkId !== fw.id) continue;
      this.inverseOffers.delete(value);
      this.inverseOfferAnswers.push({ id: value, frameworkId: fw.id, agentId: io.agentId, accepted });
    }
  }
  readonly inverseOfferAnswers: Array<{ id: string; frameworkId: string; agentId: string; accepted: boolean }> = [];

  // ---------- agent faults ----------
  /** The agent stops answering: its tasks become unreachable (LOST for others), offers are rescinded. */
  partitionAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state !== 'active') return;
    agent.state = 'unreachable';
    agent.unreachableSince = Date.now();
    this.rescindOffers((o) => o.agentId === agentId);
    for (const t of this.tasks.values()) {
      if (t.agentId !== agentId || isTerminal(t.state)) continue;
      for (const timer of t.timers) clearTimeout(timer);
      t.timers = [];
      t.state = 'TASK_UNREACHABLE';
      const fw = this.frameworks.get(t.frameworkId);
      if (fw) this.masterUpdate(fw, t.info.task_id, 'TASK_UNREACHABLE', 'REASON_AGENT_REMOVED', 'Agent is unreachable', agentId);
    }
    for (const fw of this.frameworks.values()) if (fw.connected) this.sink(fw.id, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }

  /** The agent comes back: its unreachable tasks report RUNNING again. */
  healAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state !== 'unreachable') return;
    agent.state = 'active';
    delete agent.unreachableSince;
    for (const t of this.tasks.values()) {
      if (t.agentId !== agentId || t.state !== 'TASK_UNREACHABLE') continue;
      this.executorUpdate(t, 'TASK_RUNNING');
      // The task kept running on the agent meanwhile: it ends its run from here.
      if (!t.external) this.armOutcome(t, this.behaviourOf(t.info).runMs ?? 100);
    }
    this.scheduleAllocation();
  }

  /** The agent is marked gone: its tasks are GONE_BY_OPERATOR (LOST for others). */
  removeAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent || agent.state === 'gone') return;
    const wasActive = agent.state === 'active';
    agent.state = 'gone';
    this.rescindOffers((o) => o.agentId === agentId);
    for (const t of [...this.tasks.values()]) {
      if (t.agentId !== agentId) continue;
      const fw = this.frameworks.get(t.frameworkId);
      for (const timer of t.timers) clearTimeout(timer);
      // The master knows the state of the last update it forwarded (the head of the stream while
      // unacknowledged); updates queued behind it on the agent are lost with the agent.
      const known = t.updates.pending[0]?.state ?? t.state;
      if (isTerminal(known)) {
        // It had ended as far as the master knows: it keeps that end state.
        t.state = known;
        this.retireTask(t);
        continue;
      }
      t.state = 'TASK_GONE_BY_OPERATOR';
      if (fw) this.masterUpdate(fw, t.info.task_id, 'TASK_GONE_BY_OPERATOR', 'REASON_AGENT_REMOVED_BY_OPERATOR', 'Agent was removed by the operator', agentId);
      this.retireTask(t);
    }
    if (wasActive) for (const fw of this.frameworks.values()) if (fw.connected) this.sink(fw.id, { type: 'FAILURE', failure: { agent_id: { value: agentId } } });
  }
}

/** RESERVE, UNRESERVE, CREATE and DESTROY applied to the pooled offers; a string is the error. */
function applyOperation(op: v1.Offer.Operation, pool: Holding, agent: SimAgent): Holding | string {
  switch (op.type) {
    case 'RESERVE': {
      if (op.reserve?.source?.length) return 'Reservation updates are not yet implemented for the scheduler API';
      const d = demandOf(op.reserve?.resources);
      if (d.reservedRoles.size !== 1 || !d.reservedRoles.has(pool.role)) return `RESERVE must reserve for the offers' role ${pool.role}`;
      if (!isEmptyQuantities(d.unreserved) || d.volumeIds.length) return 'RESERVE resources must all carry a reservation';
      if (!containsQuantities(pool.unreserved, d.reserved)) return 'Invalid RESERVE: unreserved resources are not covered by the offers';
      return { ...pool, unreserved: subtractQuantities(pool.unreserved, d.reserved), reserved: addQuantities(pool.reserved, d.reserved) };
    }
    case 'UNRESERVE': {
      const d = demandOf(op.unreserve?.resources);
      if (!isEmptyQuantities(d.unreserved) || d.volumeIds.length) return 'UNRESERVE takes reserved resources without volumes';
      const missing = holdingContains(pool, { ...d, unreserved: emptyQuantities() });
      if (missing) return `Invalid UNRESERVE: ${missing}`;
      return { ...pool, reserved: subtractQuantities(pool.reserved, d.reserved), unreserved: addQuantities(pool.unreserved, d.reserved) };
    }
    case 'CREATE': {
      const d = demandOf(op.create?.volumes);
      if (d.volumes.length === 0 || d.unsupported.length) return 'CREATE takes persistent volumes on reserved disk';
      const known = new Set([...agent.volumes, ...pool.volumes].map((v) => v.id));
      const dup = d.volumes.find((v) => known.has(v.id));
      if (dup) return `Persistent volume ${dup.id} already exists`;
      const disk = d.volumes.reduce((a, v) => a + v.mb, 0);
      if (d.volumes.some((v) => v.role !== pool.role)) return `volumes must be reserved for the offers' role ${pool.role}`;
      if (pool.reserved.disk < disk) return 'Invalid CREATE: reserved disk is not covered by the offers';
      return { ...pool, reserved: subtractQuantities(pool.reserved, { ...emptyQuantities(), disk }), volumes: [...pool.volumes, ...d.volumes] };
    }
    case 'DESTROY': {
      const d = demandOf(op.destroy?.volumes);
      const missing = d.volumeIds.filter((id) => !pool.volumes.some((v) => v.id === id));
      if (d.volumeIds.length === 0 || missing.length) return `Invalid DESTROY: volume(s) ${missing.join(', ') || '(none)'} not in the offers`;
      const gone = pool.volumes.filter((v) => d.volumeIds.includes(v.id));
      const disk = gone.reduce((a, v) => a + v.mb, 0);
      return { ...pool, volumes: pool.volumes.filter((v) => !d.volumeIds.includes(v.id)), reserved: addQuantities(pool.reserved, { ...emptyQuantities(), disk }) };
    }
    default:
      return `${op.type} is not modelled by the simulator`;
  }
}

/** Mesos 1.11's rules for an id (`common::validation::validateID`), with its texts. */
function taskIdError(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  if (/[\x00-\x1f\x7f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** Mesos 1.11's role name rules (`roles::validate`), with its texts. */
function roleNameError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Role names cannot be the empty string';
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  for (const component of role.split('/')) {
    if (component === '.' || component === '..' || component === '*') return `Role '${role}' cannot include '${component}' as a component`;
    if (component.startsWith('-')) return `Role component '${component}' is invalid because it starts with a dash`;
    if (/[\x08\x09\x0a\x0b\x0c\x0d\x20]/.test(component)) return `Role component '${component}' is invalid because it contains backspace or whitespace`;
  }
  return undefined;
}

/** The ERROR text a SUBSCRIBE gets for the roles of its FrameworkInfo, as the master words it. */
function frameworkRolesError(multiRole: boolean, roles: string[]): string | undefined {
  if (!multiRole) {
    const problem = roleNameError(roles[0] ?? '*');
    return problem && `'FrameworkInfo.role' is not a valid role: ${problem}`;
  }
  const duplicates = [...new Set(roles.filter((r, i) => roles.indexOf(r) !== i))];
  if (duplicates.length) return `'FrameworkInfo.roles' contains duplicate items: { ${duplicates.join(', ')} }`;
  for (const role of roles) {
    const problem = roleNameError(role);
    if (problem) return `'FrameworkInfo.roles' contains invalid role: ${problem}`;
  }
  return undefined;
}

/** The resource order of a Mesos 1.11 agent's offers (`ports` first), for the master's texts. */
const MESOS_RESOURCE_ORDER = ['ports', 'cpus', 'mem', 'disk', 'gpus'];

/** Resources written as the master writes them: `cpus(allocated: *):0.5; ports(allocated: *):[31000-31009]`. */
function mesosResourcesText(resources: v1.Resource[], role: string): string {
  return resources
    .map((r) => {
      const value =
        r.type === 'RANGES'
          ? `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(', ')}]`
          : r.type === 'SET'
            ? `{${(r.set?.item ?? []).join(', ')}}`
            : String(Math.round((r.scalar?.value ?? 0) * 1000) / 1000);
      const reservations = r.reservations?.length ? `(reservations: [${r.reservations.map((x) => `(${x.type},${x.role}${x.principal ? `,${x.principal}` : ''})`).join(', ')}])` : '';
      const volume = r.disk?.persistence ? `[${r.disk.persistence.id}:${r.disk.volume?.container_path ?? ''}]` : '';
      return `${r.name}(allocated: ${r.allocation_info?.role ?? role})${reservations}${volume}:${value}`;
    })
    .join('; ');
}

/** The master's TASK_ERROR text for a task (and its executor) asking for more than the offers hold. */
function shortfallMessage(task: v1.TaskInfo, pool: Holding): string {
  const required = [...(task.resources ?? []), ...(task.executor?.resources ?? [])];
  const rank = (r: v1.Resource) => (MESOS_RESOURCE_ORDER.indexOf(r.name) + MESOS_RESOURCE_ORDER.length + 1) % (MESOS_RESOURCE_ORDER.length + 1);
  const available = holdingResources(pool, true, true).sort((a, b) => rank(a) - rank(b));
  return `Total resources ${mesosResourcesText(required, pool.role)} required by task and its executor is more than available ${mesosResourcesText(available, pool.role)}`;
}

function launchTasks(op: v1.Offer.Operation): v1.TaskInfo[] {
  if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
  if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group.tasks ?? [];
  return [];
}

function executorIdOf(info: v1.TaskInfo): string {
  return info.executor?.executor_id.value ?? info.task_id.value;
}
