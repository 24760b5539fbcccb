// Operation feedback by hand over raw HTTP: a RESERVE that sets an `id` gets OPERATION_FINISHED
// from its agent (uuid and agent_id), RECONCILE_OPERATIONS reports it without uuid until its
// status is acknowledged, and after ACKNOWLEDGE_OPERATION_STATUS the master has forgotten it.
// The reservation is undone (UNRESERVE through an offer) before the framework is torn down.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { RawSubscription } from '../simulator/raw-client.js';

type Json = Record<string, any>;
const ROLE = 'conformance-opfb';
const isReserved = (r: Json) => r['reservations'] !== undefined || r['reservation'] !== undefined;

conformance('operation feedback', (target) => {
  it('RESERVE with an id: OPERATION_FINISHED with uuid; reconciled without uuid until acknowledged, then unknown; the reserved cpus come back in an offer with their role', async () => {
    const url = target().url;
    const sub = await RawSubscription.open(url, { user: 'root', name: `conformance-opfb-${Date.now()}`, failover_timeout: 0, roles: [ROLE], capabilities: [{ type: 'MULTI_ROLE' }] });
    const offers = (from = 0) => sub.ofType('OFFERS').slice(from).flatMap((e) => e['offers'].offers as Json[]);
    const statuses = () => sub.ofType('UPDATE_OPERATION_STATUS').map((e) => e['update_operation_status'].status as Json);
    const call = async (c: Json) => assert.equal((await sub.call(url, c)).status, 202);
    const reconcile = (operations: Json[]) => call({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operations } });
    let reservedOn: Json | undefined;
    let offersBefore = 0;
    try {
      await sub.waitFor(() => offers().length > 0, 15_000, 'an offer');
      const offer = offers()[0]!;
      const agent = offer['agent_id'] as Json;
      const reserved = { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: ROLE }, reservations: [{ type: 'DYNAMIC', role: ROLE }] };
      offersBefore = sub.ofType('OFFERS').length;
      await call({ type: 'ACCEPT', accept: { offer_ids: [offer['id']], operations: [{ type: 'RESERVE', id: { value: 'op-reserve' }, reserve: { resources: [reserved] } }], filters: { refuse_seconds: 0 } } });
      reservedOn = agent;
      await sub.waitFor(() => statuses().length === 1, 10_000, 'the RESERVE status');
      const finished = statuses()[0]!;
      assert.deepEqual(Object.keys(finished).sort(), ['agent_id', 'operation_id', 'state', 'uuid']);
      assert.deepEqual([finished['operation_id'], finished['state'], finished['agent_id']], [{ value: 'op-reserve' }, 'OPERATION_FINISHED', agent]);
      assert.equal(Buffer.from(finished['uuid'].value, 'base64').length, 16);

      // Unacknowledged: the master still knows it, named with or without its agent, and when none is named.
      await reconcile([{ operation_id: { value: 'op-reserve' } }, { operation_id: { value: 'op-reserve' }, agent_id: agent }]);
      await reconcile([]);
      await sub.waitFor(() => statuses().length === 4, 10_000, 'three reconciled statuses');
      for (const s of statuses().slice(1)) assert.deepEqual(s, { operation_id: { value: 'op-reserve' }, state: 'OPERATION_FINISHED', agent_id: agent });

      await call({ type: 'ACKNOWLEDGE_OPERATION_STATUS', acknowledge_operation_status: { agent_id: agent, uuid: finished['uuid'].value, operation_id: { value: 'op-reserve' } } });
      await reconcile([{ operation_id: { value: 'op-reserve' } }, { operation_id: { value: 'op-reserve' }, agent_id: agent }]);
      await sub.waitFor(() => statuses().length === 6, 10_000, 'two reconciled statuses after the acknowledgement');
      assert.deepEqual(statuses().slice(4), [
        { operation_id: { value: 'op-reserve' }, state: 'OPERATION_UNKNOWN', message: "Reconciliation: Operation is unknown and no 'agent_id' was provided" },
        { operation_id: { value: 'op-reserve' }, state: 'OPERATION_UNKNOWN', message: 'Reconciliation: Operation is unknown', agent_id: agent },
      ]);
    } finally {
      if (reservedOn) {
        // The reserved cpus come back in an offer of that agent: unreserve them there.
        const withReservation = () => offers(offersBefore).filter((o) => o['agent_id'].value === reservedOn!['value'] && (o['resources'] as Json[]).some(isReserved));
        await sub.waitFor(() => withReservation().length > 0, 15_000, 'an offer with the reservation');
        const o = withReservation().at(-1)!;
        const back = (o['resources'] as Json[]).filter(isReserved);
        await call({ type: 'ACCEPT', accept: { offer_ids: [o['id']], operations: [{ type: 'UNRESERVE', id: { value: 'op-unreserve' }, unreserve: { resources: back } }], filters: { refuse_seconds: 0 } } });
        await sub.waitFor(() => statuses().some((s) => s['operation_id'].value === 'op-unreserve'), 10_000, 'the UNRESERVE status');
        assert.equal(statuses().find((s) => s['operation_id'].value === 'op-unreserve')!['state'], 'OPERATION_FINISHED');
        // Without RESERVATION_REFINEMENT the framework gets the reservation in the pre-refinement format.
        assert.deepEqual(back, [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: ROLE, reservation: {}, allocation_info: { role: ROLE } }]);
      }
      if (sub.frameworkId) await sub.call(url, { type: 'TEARDOWN' });
      sub.close();
    }
  });
});
