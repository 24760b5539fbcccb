// Operation feedback by hand over raw HTTP: a RESERVE that sets an `id` gets OPERATION_FINISHED
// from its agent (uuid and agent_id), RECONCILE_OPERATIONS reports it without uuid until its
// status is acknowledged, and after ACKNOWLEDGE_OPERATION_STATUS the master has forgotten it.
// The reservation is undone (UNRESERVE through an offer) before the framework is torn down.
// Refused operations get OPERATION_ERROR from the master, with its texts.
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

  it("RESERVE and UNRESERVE refused: OPERATION_ERROR from the master (no uuid, no agent_id) with Mesos's texts, naming the agent or the offered resources", async () => {
    const url = target().url;
    const sub = await RawSubscription.open(url, { user: 'root', name: `conformance-opfb-err-${Date.now()}`, failover_timeout: 0, roles: [ROLE], capabilities: [{ type: 'MULTI_ROLE' }] });
    const statuses = () => sub.ofType('UPDATE_OPERATION_STATUS').map((e) => e['update_operation_status'].status as Json);
    try {
      await sub.waitFor((s) => s.ofType('OFFERS').length > 0, 15_000, 'an offer');
      const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0] as Json;
      const A = { allocation_info: { role: ROLE } };
      const cpus = (value: number, extra: Json = {}) => ({ name: 'cpus', type: 'SCALAR', scalar: { value }, ...A, ...extra });
      const mine = { reservations: [{ type: 'DYNAMIC', role: ROLE }] };
      const operations = [
        { type: 'RESERVE', id: { value: 'e-role' }, reserve: { resources: [cpus(1, { reservations: [{ type: 'DYNAMIC', role: 'other' }] })] } },
        { type: 'RESERVE', id: { value: 'e-much' }, reserve: { resources: [cpus(5, mine)] } },
        { type: 'RESERVE', id: { value: 'e-unreserved' }, reserve: { resources: [cpus(1)] } },
        { type: 'UNRESERVE', id: { value: 'e-unreserve' }, unreserve: { resources: [cpus(1, mine)] } },
        { type: 'RESERVE', id: { value: 'e-empty' }, reserve: { resources: [] } },
      ];
      assert.equal((await sub.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer['id']], operations, filters: { refuse_seconds: 0 } } })).status, 202);
      await sub.waitFor(() => statuses().length === 5, 10_000, 'five operation statuses');
      const ports = (offer['resources'] as Json[]).find((r) => r['name'] === 'ports')!['ranges'].range[0];
      const offered = `ports(allocated: ${ROLE}):[${ports.begin}-${ports.end}]; cpus(allocated: ${ROLE}):4; mem(allocated: ${ROLE}):4096; disk(allocated: ${ROLE}):10000`;
      const onAgent = `; on agent ${offer['agent_id'].value} at slave(1)@127.0.0.1:${offer['url'].address.port} (${offer['hostname']})`;
      assert.deepEqual(statuses(), [
        { operation_id: { value: 'e-role' }, state: 'OPERATION_ERROR', message: `A reserve operation was attempted for a resource with role 'other', but the resource was allocated to role '${ROLE}'${onAgent}` },
        { operation_id: { value: 'e-much' }, state: 'OPERATION_ERROR', message: `${offered} does not contain cpus(allocated: ${ROLE}):5` },
        { operation_id: { value: 'e-unreserved' }, state: 'OPERATION_ERROR', message: `Resource cpus(allocated: ${ROLE}):1 is not dynamically reserved${onAgent}` },
        { operation_id: { value: 'e-unreserve' }, state: 'OPERATION_ERROR', message: `${offered} does not contain cpus(allocated: ${ROLE})(reservations: [(DYNAMIC,${ROLE})]):1` },
        { operation_id: { value: 'e-empty' }, state: 'OPERATION_ERROR', message: `Invalid resources: The resources have multiple resource providers: ${onAgent}` },
      ]);
    } finally {
      if (sub.frameworkId) await sub.call(url, { type: 'TEARDOWN' });
      sub.close();
    }
  });
});
