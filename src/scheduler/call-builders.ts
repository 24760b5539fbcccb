import type { scheduler, v1 } from '../protocol/generated/index.js';

/**
 * Pure builders of every scheduler `Call` (no I/O, no state), for the low-level API.
 *
 * @example
 * ```ts
 * const call = Calls.decline({ value: fwId }, [offer.id], { refuse_seconds: 60 });
 * await client.call(call, subscription);
 * ```
 */
export const Calls = {
  /** SUBSCRIBE (carrying `framework_id` when `frameworkInfo.id` is set: a failover). Send it with `MesosHttpClient.subscribe`. */
  subscribe(frameworkInfo: v1.FrameworkInfo, options: { suppressedRoles?: string[]; offerConstraints?: scheduler.OfferConstraints } = {}): scheduler.Call {
    const call: scheduler.Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: frameworkInfo,
        ...(options.suppressedRoles?.length ? { suppressed_roles: options.suppressedRoles } : {}),
        ...(options.offerConstraints ? { offer_constraints: options.offerConstraints } : {}),
      },
    };
    if (frameworkInfo.id) call.framework_id = frameworkInfo.id;
    return call;
  },
  /** TEARDOWN: removes the framework; its tasks are killed. */
  teardown: (fw: v1.FrameworkID): scheduler.Call => ({ framework_id: fw, type: 'TEARDOWN' }),
  /** ACCEPT offers of one agent with operations (LAUNCH, RESERVE...). */
  accept: (fw: v1.FrameworkID, offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'ACCEPT',
    accept: { offer_ids: offerIds, operations, ...(filters ? { filters } : {}) },
  }),
  /** DECLINE offers; `filters.refuse_seconds` keeps them away. */
  decline: (fw: v1.FrameworkID, offerIds: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'DECLINE',
    decline: { offer_ids: offerIds, ...(filters ? { filters } : {}) },
  }),
  /** ACCEPT_INVERSE_OFFERS for maintenance. */
  acceptInverseOffers: (fw: v1.FrameworkID, ids: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'ACCEPT_INVERSE_OFFERS',
    accept_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) },
  }),
  /** DECLINE_INVERSE_OFFERS. */
  declineInverseOffers: (fw: v1.FrameworkID, ids: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'DECLINE_INVERSE_OFFERS',
    decline_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) },
  }),
  /** REVIVE offers for the roles (all when none given), clearing decline filters. */
  revive: (fw: v1.FrameworkID, roles?: string[]): scheduler.Call => ({
    framework_id: fw,
    type: 'REVIVE',
    ...(roles?.length ? { revive: { roles } } : {}),
  }),
  /** SUPPRESS offers for the roles (all when none given). */
  suppress: (fw: v1.FrameworkID, roles?: string[]): scheduler.Call => ({
    framework_id: fw,
    type: 'SUPPRESS',
    ...(roles?.length ? { suppress: { roles } } : {}),
  }),
  /** KILL a task, optionally with a kill policy overriding the task's. */
  kill: (fw: v1.FrameworkID, taskId: v1.TaskID, agentId?: v1.AgentID, killPolicy?: v1.KillPolicy): scheduler.Call => ({
    framework_id: fw,
    type: 'KILL',
    kill: { task_id: taskId, ...(agentId ? { agent_id: agentId } : {}), ...(killPolicy ? { kill_policy: killPolicy } : {}) },
  }),
  /** SHUTDOWN a custom executor. */
  shutdown: (fw: v1.FrameworkID, executorId: v1.ExecutorID, agentId: v1.AgentID): scheduler.Call => ({
    framework_id: fw,
    type: 'SHUTDOWN',
    shutdown: { executor_id: executorId, agent_id: agentId },
  }),
  /** ACKNOWLEDGE a status update by its `uuid`. */
  acknowledge: (fw: v1.FrameworkID, agentId: v1.AgentID, taskId: v1.TaskID, uuid: Uint8Array): scheduler.Call => ({
    framework_id: fw,
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: agentId, task_id: taskId, uuid },
  }),
  /** ACKNOWLEDGE_OPERATION_STATUS. */
  acknowledgeOperationStatus: (fw: v1.FrameworkID, args: scheduler.Call.AcknowledgeOperationStatus): scheduler.Call => ({
    framework_id: fw,
    type: 'ACKNOWLEDGE_OPERATION_STATUS',
    acknowledge_operation_status: args,
  }),
  /** RECONCILE the tasks given; none means implicit reconciliation (every task the master knows). */
  reconcile: (fw: v1.FrameworkID, tasks: scheduler.Call.Reconcile.Task[] = []): scheduler.Call => ({
    framework_id: fw,
    type: 'RECONCILE',
    reconcile: { tasks },
  }),
  /** RECONCILE_OPERATIONS for the operations given (none: all). */
  reconcileOperations: (fw: v1.FrameworkID, operations: scheduler.Call.ReconcileOperations.Operation[] = []): scheduler.Call => ({
    framework_id: fw,
    type: 'RECONCILE_OPERATIONS',
    reconcile_operations: { operations },
  }),
  /** MESSAGE: opaque bytes to an executor. */
  message: (fw: v1.FrameworkID, agentId: v1.AgentID, executorId: v1.ExecutorID, data: Uint8Array): scheduler.Call => ({
    framework_id: fw,
    type: 'MESSAGE',
    message: { agent_id: agentId, executor_id: executorId, data },
  }),
  /** REQUEST resources from the allocator. */
  request: (fw: v1.FrameworkID, requests: v1.Request[]): scheduler.Call => ({
    framework_id: fw,
    type: 'REQUEST',
    request: { requests },
  }),
  /** UPDATE_FRAMEWORK: new FrameworkInfo (its `id` set to `fw`), offer constraints and suppressed roles. */
  updateFramework: (fw: v1.FrameworkID, frameworkInfo: v1.FrameworkInfo, offerConstraints?: scheduler.OfferConstraints, suppressedRoles?: string[]): scheduler.Call => ({
    framework_id: fw,
    type: 'UPDATE_FRAMEWORK',
    update_framework: {
      framework_info: { ...frameworkInfo, id: fw },
      ...(suppressedRoles ? { suppressed_roles: suppressedRoles } : {}),
      ...(offerConstraints ? { offer_constraints: offerConstraints } : {}),
    },
  }),
} as const;
