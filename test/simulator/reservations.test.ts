import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { RawSubscription } from './raw-client.js';

const info = { user: 'alice', name: 'db-fw', roles: ['db'], failover_timeout: 60, capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] };
const alloc = { allocation_info: { role: 'db' } };
const reservedCpus = (value: number) => ({ name: 'cpus', type: 'SCALAR', scalar: { value }, reservations: [{ type: 'DYNAMIC', role: 'db' }], ...alloc });
const reservedDisk = (value: number) => ({ name: 'disk', type: 'SCALAR', scalar: { value }, reservations: [{ type: 'DYNAMIC', role: 'db' }], ...alloc });
const volume = { ...reservedDisk(1024), disk: { persistence: { id: 'vol-1' }, volume: { container_path: 'data', mode: 'RW' } } };

describe('simulated master: reservations and persistent volumes', () => {
  let sim: SimulatedMaster;
  let sub: RawSubscription;
  before(async () => {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 30, taskBehaviours: [{ outcome: 'running-forever' }] });
    sub = await RawSubscription.open(sim.url, info);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0);
  });
  after(async () => {
    sub.close();
    await sim.stop();
  });

  const latestOffer = () => sub.ofType('OFFERS').at(-1)!['offers'].offers[0];
  async function nextOffer(pred: (o: any) => boolean) {
    await sub.waitFor(() => pred(latestOffer()), 3000, 'matching offer');
    return latestOffer();
  }
  const opStates = () => sub.ofType('UPDATE_OPERATION_STATUS').map((e) => `${e['update_operation_status'].status.operation_id.value}:${e['update_operation_status'].status.state}`);

  it('RESERVE moves resources into a dynamic reservation and reports OPERATION_FINISHED', async () => {
    const offer = latestOffer();
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'RESERVE', id: { value: 'r1' }, reserve: { resources: [reservedCpus(2), reservedDisk(4096)] } }], filters: { refuse_seconds: 0 } } });
    await sub.waitFor(() => opStates().includes('r1:OPERATION_FINISHED'));
    const next = await nextOffer((o) => o.resources.some((r: any) => r.reservations?.length));
    const cpus = next.resources.filter((r: any) => r.name === 'cpus');
    assert.deepEqual(cpus.map((r: any) => [r.scalar.value, r.reservations?.[0]?.role ?? '*']).sort(), [[2, '*'], [2, 'db']]);
  });

  it('refuses to reserve more than offered, with OPERATION_ERROR', async () => {
    const offer = latestOffer();
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'RESERVE', id: { value: 'r2' }, reserve: { resources: [reservedCpus(100)] } }], filters: { refuse_seconds: 0 } } });
    await sub.waitFor(() => opStates().includes('r2:OPERATION_ERROR'));
  });

  it('CREATE makes a persistent volume that later offers carry and a task can use', async () => {
    const offer = await nextOffer((o) => o.resources.some((r: any) => r.name === 'disk' && r.reservations?.length));
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'CREATE', id: { value: 'c1' }, create: { volumes: [volume] } }], filters: { refuse_seconds: 0 } } });
    await sub.waitFor(() => opStates().includes('c1:OPERATION_FINISHED'));
    const withVolume = await nextOffer((o) => o.resources.some((r: any) => r.disk?.persistence?.id === 'vol-1'));
    await sub.call(sim.url, {
      type: 'ACCEPT',
      accept: {
        offer_ids: [withVolume.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'db', task_id: { value: 'db-1' }, agent_id: withVolume.agent_id, resources: [reservedCpus(1), volume], command: { value: 'postgres' } }] } }],
        filters: { refuse_seconds: 0 },
      },
    });
    await sub.waitFor((s) => s.updates('db-1').length > 0);
    assert.equal(sub.updates('db-1')[0]!.state, 'TASK_STARTING');
    const agent = [...sim.engine.agents.values()][0]!;
    assert.equal(sim.engine.tasks.get(`${sub.frameworkId}/db-1`)!.resources.volumes[0]!.id, 'vol-1');
    assert.ok(!agent.volumes.some((v) => v.id === 'vol-1'), 'the volume is in use, not offered');
  });

  it('a second task asking for the same volume gets TASK_ERROR', async () => {
    const offer = latestOffer();
    await sub.call(sim.url, {
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'db2', task_id: { value: 'db-2' }, agent_id: offer.agent_id, resources: [reservedCpus(0.5), volume], command: { value: 'x' } }] } }], filters: { refuse_seconds: 0 } },
    });
    await sub.waitFor((s) => s.updates('db-2').length > 0);
    assert.equal(sub.updates('db-2')[0]!.state, 'TASK_ERROR');
    assert.match(sub.updates('db-2')[0]!.message, /vol-1/);
  });

  it('after the task ends, DESTROY and UNRESERVE give the resources back', async () => {
    await sub.call(sim.url, { type: 'KILL', kill: { task_id: { value: 'db-1' } } });
    await nextOffer((o) => o.resources.some((r: any) => r.disk?.persistence?.id === 'vol-1'));
    // The task's resources come back in an offer of their own while the rest may be offered already: use every outstanding offer.
    const all = [...sim.engine.offers.values()].filter((o) => o.frameworkId === sub.frameworkId).map((o) => ({ value: o.id }));
    await sub.call(sim.url, { type: 'ACCEPT', accept: { offer_ids: all, operations: [
      { type: 'DESTROY', id: { value: 'd1' }, destroy: { volumes: [volume] } },
      { type: 'UNRESERVE', id: { value: 'u1' }, unreserve: { resources: [reservedCpus(2), reservedDisk(4096)] } },
    ], filters: { refuse_seconds: 0 } } });
    await sub.waitFor(() => opStates().some((s) => s.startsWith('d1:')) && opStates().some((s) => s.startsWith('u1:')));
    assert.deepEqual(sub.ofType('UPDATE_OPERATION_STATUS').slice(-2).map((e) => [e['update_operation_status'].status.operation_id.value, e['update_operation_status'].status.state, e['update_operation_status'].status.message]), [['d1', 'OPERATION_FINISHED', undefined], ['u1', 'OPERATION_FINISHED', undefined]]);
    const clean = await nextOffer((o) => !o.resources.some((r: any) => r.reservations?.length)).catch((err: Error) => {
      throw new Error(`${err.message}; last offer: ${JSON.stringify(latestOffer().resources)}`);
    });
    assert.equal(clean.resources.find((r: any) => r.name === 'cpus').scalar.value, 4);
  });
});
