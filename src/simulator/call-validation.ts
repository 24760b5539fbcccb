import type { scheduler } from '../protocol/generated/index.js';
import { isValidUpdateUuid as isValidUuid } from '../protocol/uuid.js';

/** The sub-message each call type must carry (as the master's validation requires). */
const REQUIRED: Partial<Record<scheduler.Call.Type, keyof scheduler.Call>> = {
  SUBSCRIBE: 'subscribe',
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** Mirrors the master's `scheduler::Call` validation; returns the reason text or undefined. */
export function validateCall(call: scheduler.Call): string | undefined {
  if (!call.type) return "Expecting 'type' to be present";
  const field = REQUIRED[call.type];
  if (field && call[field] === undefined) return `Expecting '${field}' to be present`;
  if (call.type === 'SUBSCRIBE') {
    // The master compares the two FrameworkIDs as messages: one set and the other not differ too.
    const info = call.subscribe!.framework_info;
    if ((call.framework_id?.value ?? '') !== (info.id?.value ?? '')) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  if (call.type === 'ACKNOWLEDGE' && !isValidUuid(call.acknowledge!.uuid)) return 'Not a valid UUID';
  if (call.type === 'ACKNOWLEDGE_OPERATION_STATUS' && !isValidUuid(call.acknowledge_operation_status!.uuid)) return 'Not a valid UUID';
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}

