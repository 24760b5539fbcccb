import type { scheduler } from '../protocol/generated/index.js';

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
    const info = call.subscribe!.framework_info;
    if (call.framework_id && info.id && call.framework_id.value !== info.id.value) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    if (call.framework_id && !info.id) return "'framework_id' is set but 'subscribe.framework_info.id' is not";
    return undefined;
  }
  if (call.type === 'UNKNOWN') return undefined;
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  if (call.type === 'ACKNOWLEDGE' && call.acknowledge!.uuid.length !== 16) return `Invalid UUID: expected 16 bytes, got ${call.acknowledge!.uuid.length}`;
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value) {
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  }
  return undefined;
}
