import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BinPackStrategy,
  FirstFitStrategy,
  FitnessStrategy,
  SpreadStrategy,
  place,
  type PlacementRequest,
} from '../../src/resource-manager/index.js';
import { makeOffer, sumScalar } from './fixtures.js';

const req = (id: string, cpus: number, mem: number, extra: Partial<PlacementRequest> = {}): PlacementRequest => ({ id, group: 'app', resources: { cpus, mem }, ...extra });

function threeAgents() {
  return [
    makeOffer({ id: 'o-big', agent: 'big', cpus: 16, mem: 32_768, attributes: { rack: 'r1', zone: 'a' } }),
    makeOffer({ id: 'o-half', agent: 'half', cpus: 2, mem: 4096, attributes: { rack: 'r2', zone: 'b' } }),
    makeOffer({ id: 'o-mid', agent: 'mid', cpus: 8, mem: 16_384, attributes: { rack: 'r3', zone: 'a' } }),
  ];
}

describe('placement strategies', () => {
  it('BinPackStrategy fills the fullest agent first', () => {
    const r = place(threeAgents(), [req('t1', 1, 1024), req('t2', 1, 1024), req('t3', 1, 1024)], { running: [] }, new BinPackStrategy());
    assert.deepEqual(r.assignments.map((a) => a.agentId.value), ['half', 'half', 'mid']);
    assert.deepEqual(r.unusedOfferIds.map((o) => o.value), ['o-big']);
  });
  it('SpreadStrategy uses the least loaded agent first', () => {
    const r = place(threeAgents(), [req('t1', 1, 1024), req('t2', 1, 1024), req('t3', 1, 1024)], { running: [] }, new SpreadStrategy());
    assert.deepEqual(r.assignments.map((a) => a.agentId.value), ['big', 'half', 'mid'], 'each task goes to a still-empty agent');
  });
  it('FirstFitStrategy takes agents in offer order', () => {
    const r = place(threeAgents(), [req('t1', 15, 1024), req('t2', 4, 1024)], { running: [] }, new FirstFitStrategy());
    assert.deepEqual(r.assignments.map((a) => a.agentId.value), ['big', 'mid']);
  });
  it('FitnessStrategy follows a user function', () => {
    const zoneB = new FitnessStrategy((a) => (a.attributes.get('zone') === 'b' ? 1 : 0));
    const r = place(threeAgents(), [req('t1', 1, 512)], { running: [] }, zoneB);
    assert.equal(r.assignments[0]!.agentId.value, 'half');
  });
  it('is deterministic for the same input', () => {
    const requests = Array.from({ length: 30 }, (_, i) => req(`t${i}`, 0.5, 256, { resources: { cpus: 0.5, mem: 256, ports: 2 } }));
    for (const s of [new BinPackStrategy(), new SpreadStrategy(), new FirstFitStrategy()]) {
      assert.deepEqual(place(threeAgents(), requests, { running: [] }, s), place(threeAgents(), requests, { running: [] }, s));
    }
  });
});

describe('place', () => {
  it('carves resources keeping MULTI_ROLE allocation_info and uses reserved resources first', () => {
    const offer = makeOffer({ id: 'o1', agent: 'a1', role: 'web', cpus: 4, mem: 4096, reserved: { cpus: 1, mem: 1024 } });
    const r = place([offer], [req('t1', 1.5, 1536, { role: 'web' })]);
    const res = r.assignments[0]!.resources;
    assert.equal(sumScalar(res, 'cpus'), 1.5);
    assert.equal(sumScalar(res, 'mem'), 1536);
    const cpus = res.filter((x) => x.name === 'cpus');
    assert.deepEqual(cpus.map((x) => [x.scalar!.value, x.reservations?.[0]?.role]), [[1, 'web'], [0.5, undefined]]);
    for (const x of res) assert.deepEqual(x.allocation_info, { role: 'web' });
  });
  it('splits one MULTI_ROLE offer by allocation role and never mixes roles in a task', () => {
    const offer = makeOffer({ id: 'o1', agent: 'a1', role: 'web', cpus: 1, mem: 1024 });
    offer.resources!.push(
      { name: 'cpus', type: 'SCALAR', scalar: { value: 3 }, allocation_info: { role: 'batch' } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 2048 }, allocation_info: { role: 'batch' } },
    );
    const r = place([offer], [req('w', 1, 512, { role: 'web' }), req('b', 2, 512, { role: 'batch' }), req('w2', 2, 128, { role: 'web' })]);
    const byId = new Map(r.assignments.map((a) => [a.requestId, a]));
    assert.ok(byId.get('w')!.resources.every((x) => x.allocation_info?.role === 'web'));
    assert.ok(byId.get('b')!.resources.every((x) => x.allocation_info?.role === 'batch'));
    assert.deepEqual(r.unplaced.map((u) => u.requestId), ['w2'], 'web cannot borrow batch cpus');
  });
  it('only uses offers allocated to the request role', () => {
    const offers = [makeOffer({ id: 'o-batch', agent: 'a1', role: 'batch' }), makeOffer({ id: 'o-web', agent: 'a2', role: 'web' })];
    const r = place(offers, [req('t1', 1, 128, { role: 'web' }), req('t2', 1, 128, { role: 'ml' })]);
    assert.equal(r.assignments.length, 1);
    assert.equal(r.assignments[0]!.offerId.value, 'o-web');
    assert.equal(r.unplaced[0]!.requestId, 't2');
    assert.match(r.unplaced[0]!.reasons[0]!, /another role than "ml"/);
  });
  it('combines several offers of one agent and lets tasks share it', () => {
    const offers = [makeOffer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1024 }), makeOffer({ id: 'o2', agent: 'a1', cpus: 1, mem: 1024, ports: [[32000, 32010]] })];
    const r = place(offers, [req('t1', 1.5, 1500), req('t2', 0.5, 500)]);
    assert.equal(r.assignments.length, 2);
    assert.deepEqual(r.assignments[0]!.offerIds.map((o) => o.value), ['o1', 'o2']);
    assert.equal(sumScalar(r.assignments[0]!.resources, 'cpus'), 1.5);
    assert.equal(r.unusedOfferIds.length, 0);
  });
  it('picks distinct dynamic ports and honours specific ports', () => {
    const offers = [makeOffer({ agent: 'a1', ports: [[31000, 31002], [31010, 31012]] })];
    const r = place(offers, [
      { id: 's', group: 'g', resources: { cpus: 0.1, mem: 32, ports: [31011] } },
      { id: 'd1', group: 'g', resources: { cpus: 0.1, mem: 32, ports: 2 } },
      { id: 'd2', group: 'g', resources: { cpus: 0.1, mem: 32, ports: 2 } },
      { id: 'd3', group: 'g', resources: { cpus: 0.1, mem: 32, ports: 2 } },
    ]);
    const byId = new Map(r.assignments.map((a) => [a.requestId, a]));
    assert.deepEqual(byId.get('s')!.ports, [31011]);
    assert.deepEqual(byId.get('d1')!.ports, [31000, 31001]);
    assert.deepEqual(byId.get('d2')!.ports, [31002, 31010]);
    assert.deepEqual(r.unplaced.map((u) => u.requestId), ['d3']);
    const portRes = byId.get('d2')!.resources.find((x) => x.name === 'ports')!;
    assert.deepEqual(portRes.ranges!.range, [{ begin: 31002, end: 31002 }, { begin: 31010, end: 31010 }]);
  });
  it('rejects a specific port that is not offered', () => {
    const r = place([makeOffer({ agent: 'a1' })], [{ id: 's', group: 'g', resources: { cpus: 0.1, mem: 32, ports: [8080] } }]);
    assert.equal(r.assignments.length, 0);
    assert.match(r.unplaced[0]!.reasons[0]!, /not enough free resources/);
  });
  it('reports unplaced requests when nothing is offered', () => {
    const r = place([], [req('t1', 1, 1)]);
    assert.deepEqual(r.unplaced, [{ requestId: 't1', reasons: ['no offers available'] }]);
  });
});
