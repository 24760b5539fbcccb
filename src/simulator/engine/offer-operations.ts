import { randomUUID } from 'node:crypto';
import type { v1 } from '../../protocol/generated/index.js';
import { addQuantities, containsQuantities, emptyQuantities, isEmptyQuantities, subtractQuantities } from '../sim-resources.js';
import { addHoldings, demandOf, emptyHolding, holdingContains, takeDemand, type Holding } from '../sim-holdings.js';
import type { SimAgent, SimOffer } from '../sim-types.js';
import type { Allocator } from './allocator.js';
import { taskKey, type ClusterState, type SimFramework } from './cluster-state.js';
import type { TaskRunner } from './task-runner.js';
import { holdingText, mesosResourcesText, shortfallMessage, taskIdError } from './task-validation.js';
import type { TaskUpdates } from './task-updates.js';
import { validateGroupExecutor } from './task-group-validation.js';

/**
 * ACCEPT and DECLINE: offers are validated and pooled, then each operation (LAUNCH, LAUNCH_GROUP,
 * RESERVE, UNRESERVE, CREATE, DESTROY) is applied to the pool in order; what is left goes back to
 * the agent behind a decline filter.
 */
export class OfferOperations {
  constructor(
    private readonly state: ClusterState,
    private readonly allocator: Allocator,
    private readonly runner: TaskRunner,
    private readonly updates: TaskUpdates,
  ) {}

  accept(fw: SimFramework, offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters: v1.Filters | undefined): void {
    const { state } = this;
    const ids = offerIds.map((o) => o.value);
    let invalid: string | undefined;
    if (ids.length === 0) invalid = 'No offers specified';
    else if (new Set(ids).size !== ids.length) invalid = 'Duplicate offers';
    const offers: SimOffer[] = [];
    for (const id of ids) {
      const offer = state.offers.get(id);
      if (!offer) invalid ??= `Offer ${id} is no longer valid`;
      else if (offer.frameworkId !== fw.id) invalid ??= `Offer ${id} has invalid framework`;
      else offers.push(offer);
    }
    if (!invalid && new Set(offers.map((o) => o.role)).size > 1) invalid = 'Aggregated offers must be allocated to the same role';
    const stranger = invalid ? undefined : offers.find((o) => o.agentId !== offers[0]!.agentId);
    if (stranger) invalid = `Aggregated offers must belong to one single agent. Offer ${stranger.id} uses agent ${stranger.agentId} and agent ${offers[0]!.agentId}`;
    for (const o of offers) state.offers.delete(o.id);
    if (invalid) {
      for (const o of offers) state.giveBack(o.agentId, o.holding);
      for (const op of operations) {
        for (const task of launchTasks(op)) {
          this.updates.masterUpdate(fw, task.task_id, fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST', 'REASON_INVALID_OFFERS', `Task launched with invalid offers: ${invalid}`, task.agent_id.value);
        }
        this.operationStatus(fw, op, offers[0]?.agentId, 'OPERATION_ERROR', invalid);
      }
      this.allocator.schedule();
      return;
    }
    const agent = state.agents.get(offers[0]!.agentId)!;
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
    state.giveBack(agent.id, pool);
    if (unused) this.allocator.refuse(fw, agent.id, offers[0]!.role, filters, pool);
    this.allocator.schedule();
  }

  /**
   * DECLINE, as the master does it: each offer is discarded on its own and the filter is installed
   * for its agent, so one DECLINE may name offers of several agents; ids no longer valid are ignored.
   * (Not the ACCEPT path: an ACCEPT naming offers of two agents is invalid and installs no filter.)
   */
  decline(fw: SimFramework, offerIds: v1.OfferID[], filters: v1.Filters | undefined): void {
    for (const { value } of offerIds) {
      const offer = this.state.offers.get(value);
      if (!offer || offer.frameworkId !== fw.id) continue;
      this.state.returnOffer(offer);
      this.allocator.refuse(fw, offer.agentId, offer.role, filters, offer.holding);
    }
    this.allocator.schedule();
  }

  /** LAUNCH / LAUNCH_GROUP against the pooled offers; returns what is left of the pool. */
  private applyLaunch(fw: SimFramework, op: v1.Offer.Operation, agent: SimAgent, pool: Holding, launchedHere: Set<string>): Holding {
    const group = op.type === 'LAUNCH_GROUP';
    const reason: v1.TaskStatus.Reason = group ? 'REASON_TASK_GROUP_INVALID' : 'REASON_TASK_INVALID';
    const tasks = launchTasks(op).map((t) => (group && op.launch_group ? { ...t, executor: op.launch_group.executor } : t));
    if (op.id) {
      for (const task of tasks) this.updates.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, 'Operation ID cannot be set for LAUNCH or LAUNCH_GROUP', agent.id);
      return pool;
    }
    const groupError = group ? validateGroupExecutor(op.launch_group?.executor, fw.id) : undefined;
    // A group is all or nothing: try it on a copy of the pool first.
    let trial = pool;
    const placed: Array<{ task: v1.TaskInfo; taken: Holding }> = [];
    const errors: Array<{ task: v1.TaskInfo; message: string }> = [];
    for (const task of tasks) {
      // A task placed earlier in the same ACCEPT counts as known, as on the master (it adds each task as it goes).
      const duplicate = placed.some((p) => p.task.task_id.value === task.task_id.value) || launchedHere.has(task.task_id.value);
      const problem = groupError ?? taskIdError(task.task_id.value) ?? (duplicate ? `Task has duplicate ID: ${task.task_id.value}` : this.validateTask(fw, task, agent, group));
      const missing = problem ?? placementError(task, trial);
      if (missing) {
        errors.push({ task, message: missing });
        continue;
      }
      const { rest, taken } = takeDemand(trial, demandOf(task.resources));
      trial = rest;
      placed.push({ task, taken });
    }
    if (group && errors.length > 0) {
      const first = errors[0]!.message;
      for (const task of tasks) this.updates.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, first, agent.id);
      return pool;
    }
    for (const { task, message } of errors) this.updates.masterUpdate(fw, task.task_id, 'TASK_ERROR', reason, message, agent.id);
    // A group run by a real executor reaches it as one LAUNCH_GROUP event, as on an agent.
    const host = this.state.executorHost;
    const hostGroup = group && op.launch_group && host?.handles(tasks[0] ?? ({} as v1.TaskInfo)) ? op.launch_group : undefined;
    for (const { task, taken } of placed) {
      launchedHere.add(task.task_id.value);
      this.runner.launchTask(fw, task, agent, taken, !hostGroup);
    }
    if (hostGroup) host!.launchGroup(fw.id, agent.id, hostGroup.executor, hostGroup.task_group);
    return trial;
  }

  private validateTask(fw: SimFramework, task: v1.TaskInfo, agent: SimAgent, group: boolean): string | undefined {
    if (this.state.tasks.has(taskKey(fw.id, task.task_id.value))) return `Task has duplicate ID: ${task.task_id.value}`;
    if (task.agent_id.value !== agent.id) return `Task uses invalid agent ${task.agent_id.value} while agent ${agent.id} is expected`;
    if (!group && !!task.executor === !!task.command) return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present';
    if (!task.resources?.length) return 'Task uses no resources';
    const negative = task.resources.find((r) => r.type === 'SCALAR' && (r.scalar?.value ?? 0) < 0);
    if (negative) return `Resource '${mesosResourcesText([negative], fw.roles[0] ?? '*')}' is invalid: Invalid scalar resource: value <= 0`;
    const { unsupported } = demandOf(task.resources);
    if (unsupported.length) return `Task uses resources the simulated agent does not have: ${unsupported.join(', ')}`;
    return undefined;
  }

  /**
   * Feedback for an offer operation that set an `id` (the simulated agents support operation feedback).
   * As on Mesos 1.11, an OPERATION_ERROR comes from the master, which keeps no record of the
   * operation: it has no uuid (nothing to acknowledge) and no agent_id; an applied operation's
   * status comes from its agent with both, and the master keeps it until it is acknowledged.
   */
  private operationStatus(fw: SimFramework, op: v1.Offer.Operation, agentId: string | undefined, opState: v1.OperationState, message?: string): void {
    if (!op.id || op.type === 'LAUNCH' || op.type === 'LAUNCH_GROUP') return;
    const kept = opState !== 'OPERATION_ERROR' && agentId !== undefined;
    const uuid = kept ? randomUUID() : undefined;
    this.state.operationStatuses.push({ frameworkId: fw.id, operationId: op.id.value, state: opState, ...(kept ? { agentId, uuid } : {}) });
    this.state.sink(fw.id, {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: {
          operation_id: op.id,
          state: opState,
          ...(message ? { message } : {}),
          ...(uuid ? { uuid: { value: Buffer.from(uuid.replace(/-/g, ''), 'hex') }, agent_id: { value: agentId! } } : {}),
        },
      },
    });
  }
}

/** RESERVE, UNRESERVE, CREATE and DESTROY applied to the pooled offers; a string is the error. */
function applyOperation(op: v1.Offer.Operation, pool: Holding, agent: SimAgent): Holding | string {
  // Mesos 1.11's texts; those of its resource checks end with the agent the offers are on.
  const onAgent = `; on agent ${agent.id} at slave(1)@127.0.0.1:${agent.port} (${agent.hostname})`;
  const changed = op.type === 'RESERVE' ? op.reserve?.resources ?? [] : op.type === 'UNRESERVE' ? op.unreserve?.resources ?? [] : undefined;
  // (Mesos's check that all resources have one provider, which an empty list fails.)
  if (changed?.length === 0) return `Invalid resources: The resources have multiple resource providers: ${onAgent}`;
  switch (op.type) {
    case 'RESERVE': {
      if (op.reserve?.source?.length) return 'Reservation updates are not yet implemented for the scheduler API';
      for (const r of op.reserve?.resources ?? []) {
        const role = r.reservations?.at(-1)?.role ?? r.role;
        if (!r.reservations?.length && (r.role ?? '*') === '*') return `Resource ${mesosResourcesText([r], pool.role)} is not dynamically reserved${onAgent}`;
        const allocated = r.allocation_info?.role ?? pool.role;
        if (role !== allocated) return `A reserve operation was attempted for a resource with role '${role}', but the resource was allocated to role '${allocated}'${onAgent}`;
      }
      const d = demandOf(op.reserve?.resources);
      if (!isEmptyQuantities(d.unreserved) || d.volumeIds.length) return 'RESERVE resources must all carry a reservation';
      if (!containsQuantities(pool.unreserved, d.reserved)) {
        const asked = (op.reserve?.resources ?? []).map((r) => ({ ...r, reservations: [], role: undefined, reservation: undefined }));
        return `${holdingText(pool)} does not contain ${mesosResourcesText(asked, pool.role)}`;
      }
      return { ...pool, unreserved: subtractQuantities(pool.unreserved, d.reserved), reserved: addQuantities(pool.reserved, d.reserved) };
    }
    case 'UNRESERVE': {
      const d = demandOf(op.unreserve?.resources);
      if (!isEmptyQuantities(d.unreserved) || d.volumeIds.length) return 'UNRESERVE takes reserved resources without volumes';
      const missing = holdingContains(pool, { ...d, unreserved: emptyQuantities() });
      if (missing) return `${holdingText(pool)} does not contain ${mesosResourcesText(op.unreserve?.resources ?? [], pool.role)}`;
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

/**
 * Why a valid task does not fit in what is left of the pool, or undefined. Resources allocated to
 * another role than the offers' are not in the offers (Mesos: not contained). A shortfall of
 * unreserved resources gets the master's text (checked on Mesos 1.11); shortfalls of reserved
 * resources and volumes keep the simulator's texts, which name what is missing.
 */
function placementError(task: v1.TaskInfo, pool: Holding): string | undefined {
  if ((task.resources ?? []).some((r) => r.allocation_info && r.allocation_info.role !== pool.role)) return shortfallMessage(task, pool);
  const demand = demandOf(task.resources);
  const short = holdingContains(pool, demand);
  return short && !containsQuantities(pool.unreserved, demand.unreserved) ? shortfallMessage(task, pool) : short;
}

function launchTasks(op: v1.Offer.Operation): v1.TaskInfo[] {
  if (op.type === 'LAUNCH') return op.launch?.task_infos ?? [];
  if (op.type === 'LAUNCH_GROUP') return op.launch_group?.task_group.tasks ?? [];
  return [];
}
