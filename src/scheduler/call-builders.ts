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
  teardown: (fw: v1.FrameworkID): scheduler.Call => ({ framework_id: fw, type: 'TEARDOWN' }),
  accept: (fw: v1.FrameworkID, offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'ACCEPT',
    accept: { offer_ids: offerIds, operations, ...(filters ? { filters } : {}) },
  }),
  decline: (fw: v1.FrameworkID, offerIds: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'DECLINE',
    decline: { offer_ids: offerIds, ...(filters ? { filters } : {}) },
  }),
  acceptInverseOffers: (fw: v1.FrameworkID, ids: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'ACCEPT_INVERSE_OFFERS',
    accept_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) },
  }),
  declineInverseOffers: (fw: v1.FrameworkID, ids: v1.OfferID[], filters?: v1.Filters): scheduler.Call => ({
    framework_id: fw,
    type: 'DECLINE_INVERSE_OFFERS',
    decline_inverse_offers: { inverse_offer_ids: ids, ...(filters ? { filters } : {}) },
  }),
  revive: (fw: v1.FrameworkID, roles?: string[]): scheduler.Call => ({
    framework_id: fw,
    type: 'REVIVE',
    ...(roles?.length ? { revive: { roles } } : {}),
  }),
  suppress: (fw: v1.FrameworkID, roles?: string[]): scheduler.Call => ({
    framework_id: fw,
    type: 'SUPPRESS',
    ...(roles?.length ? { suppress: { roles } } : {}),
  }),
  kill: (fw: v1.FrameworkID, taskId: v1.TaskID, agentId?: v1.AgentID, killPolicy?: v1.KillPolicy): scheduler.Call => ({
    framework_id: fw,
    type: 'KILL',
    kill: { task_id: taskId, ...(agentId ? { agent_id: agentId } : {}), ...(killPolicy ? { kill_policy: killPolicy } : {}) },
  }),
  shutdown: (fw: v1.FrameworkID, executorId: v1.ExecutorID, agentId: v1.AgentID): scheduler.Call => ({
    framework_id: fw,
    type: 'SHUTDOWN',
    shutdown: { executor_id: executorId, agent_id: agentId },
  }),
  acknowledge: (fw: v1.FrameworkID, agentId: v1.AgentID, taskId: v1.TaskID, uuid: Uint8Array): scheduler.Call => ({
    framework_id: fw,
    type: 'ACKNOWLEDGE',
    acknowledge: { agent_id: agentId, task_id: taskId, uuid },
  }),
  acknowledgeOperationStatus: (fw: v1.FrameworkID, args: scheduler.Call.AcknowledgeOperationStatus): scheduler.Call => ({
    framework_id: fw,
    type: 'ACKNOWLEDGE_OPERATION_STATUS',
    acknowledge_operation_status: args,
  }),
  reconcile: (fw: v1.FrameworkID, tasks: scheduler.Call.Reconcile.Task[] = []): scheduler.Call => ({
    framework_id: fw,
    type: 'RECONCILE',
    reconcile: { tasks },
  }),
  reconcileOperations: (fw: v1.FrameworkID, operations: scheduler.Call.ReconcileOperations.Operation[] = []): scheduler.Call => ({
    framework_id: fw,
    type: 'RECONCILE_OPERATIONS',
    reconcile_operations: { operations },
  }),
  message: (fw: v1.FrameworkID, agentId: v1.AgentID, executorId: v1.ExecutorID, data: Uint8Array): scheduler.Call => ({
    framework_id: fw,
    type: 'MESSAGE',
    message: { agent_id: agentId, executor_id: executorId, data },
  }),
  request: (fw: v1.FrameworkID, requests: v1.Request[]): scheduler.Call => ({
    framework_id: fw,
    type: 'REQUEST',
    request: { requests },
  }),
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
