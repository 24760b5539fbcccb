import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place, validateConstraints, type PlacementRequest, type PlacementConstraint } from '../../src/resource-manager/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { cluster, makeOffer } from './fixtures.js';

function tasks(n: number, group: string, constraints: PlacementConstraint[], cpus = 0.5): PlacementRequest[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${group}.${i}`, group, resources: { cpus, mem: 128 }, constraints }));
}

function hostsOf(r: ReturnType<typeof place>): string[] {
  return r.assignments.map((a) => a.hostname);
}

describe('placement constraints', () => {
  it('UNIQUE hostname puts at most one task per agent and leaves the rest unplaced', () => {
    const r = place(cluster(3), tasks(5, 'web', [['hostname', 'UNIQUE']]));
    assert.equal(new Set(hostsOf(r)).size, 3);
    assert.equal(r.assignments.length, 3);
    assert.equal(r.unplaced.length, 2);
    assert.match(r.unplaced[0]!.reasons.join(' '), /\[hostname, UNIQUE\]/);
  });
  it('UNIQUE counts tasks already running', () => {
    const offers = cluster(3);
    const r = place(offers, tasks(3, 'web', [['hostname', 'UNIQUE']]), {
      running: [{ group: 'web', agentId: 'agent-0', hostname: 'agent-0.example.com', attributes: {} }],
    });
    assert.equal(r.assignments.length, 2);
    assert.ok(!hostsOf(r).includes('agent-0.example.com'));
  });
  it('UNIQUE on an attribute allows one task per attribute value', () => {
    const r = place(cluster(9, { racks: 3 }), tasks(4, 'db', [['rack', 'UNIQUE']]));
    assert.equal(r.assignments.length, 3);
  });
  it('CLUSTER with a value only uses agents with that value', () => {
    const r = place(cluster(6), tasks(4, 'web', [['zone', 'CLUSTER', 'zone-1']]));
    assert.equal(r.assignments.length, 4);
    for (const a of r.assignments) assert.ok(['agent-1', 'agent-4'].includes(a.agentId.value));
  });
  it('CLUSTER without a value pins the group to the first chosen value', () => {
    const r = place(cluster(6, { cpus: 1 }), tasks(6, 'web', [['zone', 'CLUSTER']], 0.5));
    const zones = new Set(r.assignments.map((a) => Number(a.agentId.value.split('-')[1]) % 3));
    assert.equal(zones.size, 1);
    assert.equal(r.assignments.length, 4, 'two agents of one zone, two tasks each');
  });
  it('CLUSTER without a value follows the running tasks', () => {
    const r = place(cluster(6), tasks(2, 'web', [['zone', 'CLUSTER']]), {
      running: [{ group: 'web', agentId: 'x', hostname: 'x', attributes: { zone: 'zone-2' } }],
    });
    for (const a of r.assignments) assert.equal(Number(a.agentId.value.split('-')[1]) % 3, 2);
  });
  it('GROUP_BY spreads evenly over the attribute values', () => {
    const r = place(cluster(12, { zones: 3 }), tasks(10, 'web', [['zone', 'GROUP_BY', '3']]));
    assert.equal(r.assignments.length, 10);
    const perZone = new Map<number, number>();
    for (const a of r.assignments) {
      const z = Number(a.agentId.value.split('-')[1]) % 3;
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    assert.deepEqual([...perZone.values()].sort(), [3, 3, 4]);
  });
  it('GROUP_BY balances against running tasks', () => {
    const running = Array.from({ length: 3 }, () => ({ group: 'web', agentId: 'x', hostname: 'x', attributes: { zone: 'zone-0' } }));
    const r = place(cluster(6), tasks(4, 'web', [['zone', 'GROUP_BY']]), { running });
    const zones = r.assignments.map((a) => Number(a.agentId.value.split('-')[1]) % 3);
    assert.equal(zones.filter((z) => z === 0).length, 0);
    assert.equal(zones.length, 4);
  });
  it('LIKE matches the whole value as a regex', () => {
    const r = place(cluster(10), tasks(20, 'web', [['rack', 'LIKE', 'rack-[12]']]));
    for (const a of r.assignments) assert.ok(['agent-1', 'agent-2'].includes(a.agentId.value));
    const none = place(cluster(10), tasks(1, 'web', [['rack', 'LIKE', 'rack']]));
    assert.equal(none.assignments.length, 0, 'partial matches do not count');
  });
  it('UNLIKE excludes matching values and accepts agents without the attribute', () => {
    const offers = [...cluster(3), makeOffer({ agent: 'bare' })];
    const r = place(offers, tasks(40, 'web', [['rack', 'UNLIKE', 'rack-[01]']]));
    const used = new Set(r.assignments.map((a) => a.agentId.value));
    assert.deepEqual([...used].sort(), ['agent-2', 'bare']);
  });
  it('MAX_PER caps tasks per attribute value', () => {
    const r = place(cluster(10, { racks: 2 }), tasks(7, 'web', [['rack', 'MAX_PER', '3']]));
    assert.equal(r.assignments.length, 6);
    const perRack = new Map<number, number>();
    for (const a of r.assignments) {
      const k = Number(a.agentId.value.split('-')[1]) % 2;
      perRack.set(k, (perRack.get(k) ?? 0) + 1);
    }
    assert.deepEqual([...perRack.values()], [3, 3]);
  });
  it('IS requires equality, including Marathon-rendered scalar attributes', () => {
    const offers = [makeOffer({ agent: 'big', attributes: { level: 1234.5 } }), makeOffer({ agent: 'small', attributes: { level: 2 } })];
    const r = place(offers, tasks(2, 'web', [['level', 'IS', '1,234.5']]));
    assert.deepEqual(r.assignments.map((a) => a.agentId.value), ['big', 'big']);
    assert.equal(place(offers, tasks(1, 'web', [['level', 'IS', '3']])).assignments.length, 0);
  });
  it('@zone reads the fault domain of the offer', () => {
    const inZone = (agent: string, zone: string) => ({ ...makeOffer({ agent }), domain: { fault_domain: { region: { name: 'eu' }, zone: { name: zone } } } });
    const r = place([inZone('a1', 'z1'), inZone('a2', 'z2'), makeOffer({ agent: 'a3' })], tasks(4, 'web', [['@zone', 'UNIQUE']]));
    assert.deepEqual(r.assignments.map((a) => a.agentId.value).sort(), ['a1', 'a2']);
  });
  it('constraints only count tasks of the same group', () => {
    const r = place(cluster(2), [...tasks(2, 'a', [['hostname', 'UNIQUE']]), ...tasks(2, 'b', [['hostname', 'UNIQUE']])]);
    assert.equal(r.assignments.length, 4);
  });
  it('rejects invalid constraints with every problem and its path', () => {
    const bad: PlacementRequest[] = [
      { id: 't1', group: 'g', resources: { cpus: 1, mem: 1 }, constraints: [['rack', 'NEAR' as never, 'x'], ['rack', 'LIKE', '(']] },
      { id: 't2', group: 'g2', resources: { cpus: 1, mem: 1 }, constraints: [['rack', 'MAX_PER', 'two'], ['rack', 'IS'], ['hostname', 'MAX_PER']] },
    ];
    assert.throws(
      () => place(cluster(1), bad),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.code, 'ERR_CONSTRAINT_INVALID');
        assert.deepEqual(e.problems.map((p) => p.path), [
          'requests[0].constraints[0][1]',
          'requests[0].constraints[1][2]',
          'requests[1].constraints[0][2]',
          'requests[1].constraints[1][2]',
          'requests[1].constraints[2][2]',
        ]);
        return true;
      },
    );
    assert.throws(() => validateConstraints([['rack', 'GROUP_BY', '-1']]), ValidationError);
    assert.doesNotThrow(() => validateConstraints([['rack', 'GROUP_BY'], ['hostname', 'UNIQUE'], ['zone', 'CLUSTER']]));
  });
  it('rejects invalid requests (negative cpus, duplicate id, bad ports)', () => {
    assert.throws(
      () =>
        place(cluster(1), [
          { id: 'x', group: 'g', resources: { cpus: -1, mem: 1 } },
          { id: 'x', group: 'g', resources: { cpus: 1, mem: 1, ports: [80, 80] } },
        ]),
      (e: unknown) => e instanceof ValidationError && e.code === 'ERR_PLACEMENT_REQUEST_INVALID' && e.problems.length === 3,
    );
  });
});
