import type { scheduler, v1 } from '../../protocol/generated/index.js';
import type { ClusterState, OperationStatusRecord, SimFramework } from './cluster-state.js';

/**
 * RECONCILE_OPERATIONS and ACKNOWLEDGE_OPERATION_STATUS, as a Mesos 1.11 master answers them: the
 * master knows an operation from its agent's status until that status is acknowledged (an
 * OPERATION_ERROR the master made itself is never kept). Each reconciled operation gets one
 * UPDATE_OPERATION_STATUS without uuid: its latest state when known, otherwise OPERATION_UNKNOWN
 * with a message that says what the master could not find.
 */
export class OperationReconciliation {
  constructor(private readonly state: ClusterState) {}

  /** The operations the master keeps for this framework: the latest status of each, unacknowledged. */
  private known(fw: SimFramework): Map<string, OperationStatusRecord> {
    const latest = new Map<string, OperationStatusRecord>();
    for (const r of this.state.operationStatuses) {
      if (r.frameworkId !== fw.id || r.agentId === undefined) continue;
      latest.set(r.operationId, r);
    }
    for (const [id, r] of latest) if (r.acknowledged) latest.delete(id);
    return latest;
  }

  reconcile(fw: SimFramework, operations: scheduler.Call.ReconcileOperations.Operation[]): void {
    const known = this.known(fw);
    const send = (status: v1.OperationStatus) => this.state.sink(fw.id, { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status } });
    const knownStatus = (r: OperationStatusRecord): v1.OperationStatus => ({ operation_id: { value: r.operationId }, state: r.state, agent_id: { value: r.agentId! } });
    if (operations.length === 0) {
      for (const r of known.values()) send(knownStatus(r));
      return;
    }
    for (const op of operations) {
      const r = known.get(op.operation_id.value);
      if (r && (!op.agent_id || op.agent_id.value === r.agentId)) {
        send(knownStatus(r));
        continue;
      }
      const status: v1.OperationStatus = { operation_id: op.operation_id, state: 'OPERATION_UNKNOWN' };
      if (!op.agent_id) status.message = "Reconciliation: Operation is unknown and no 'agent_id' was provided";
      else if (op.resource_provider_id) Object.assign(status, { agent_id: op.agent_id, resource_provider_id: op.resource_provider_id });
      else if (!this.state.agents.has(op.agent_id.value)) Object.assign(status, { message: 'Reconciliation: Both operation and agent are unknown', agent_id: op.agent_id });
      else Object.assign(status, { message: 'Reconciliation: Operation is unknown', agent_id: op.agent_id });
      send(status);
    }
  }

  /** An acknowledged status is no longer resent; a terminal one ends the master's record of it. */
  acknowledge(fw: SimFramework, ack: scheduler.Call.AcknowledgeOperationStatus): void {
    const uuid = Buffer.from(ack.uuid).toString('hex');
    const r = this.state.operationStatuses.find((s) => s.frameworkId === fw.id && s.uuid?.replace(/-/g, '') === uuid);
    if (r && r.state !== 'OPERATION_PENDING') r.acknowledged = true;
  }
}
