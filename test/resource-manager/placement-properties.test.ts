import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinPackStrategy, FirstFitStrategy, Resources, SpreadStrategy, place, type PlacementRequest } from '../../src/resource-manager/index.js';
import type { v1 } from '../../src/resource-manager/mesos-types.js';
import { makeOffer } from './fixtures.js';

const arbOffers = fc
  .array(
    fc.record({
      agent: fc.integer({ min: 0, max: 5 }),
      cpus: fc.integer({ min: 1, max: 8000 }).map((m) => m / 1000),
      mem: fc.integer({ min: 0, max: 4096 }),
      role: fc.constantFrom(undefined, 'web', 'batch'),
      reservedCpus: fc.constantFrom(undefined, 0.5, 1),
      portsOffset: fc.integer({ min: 0, max: 5 }),
      rack: fc.constantFrom('r1', 'r2'),
    }),
    { maxLength: 8 },
  )
  .map((specs) =>
    specs.map((s, i) =>
      makeOffer({
        id: `o${i}`,
        agent: `a${s.agent}`,
        cpus: s.cpus,
        mem: s.mem,
        ...(s.role !== undefined ? { role: s.role } : {}),
        ...(s.reservedCpus !== undefined && s.role !== undefined ? { reserved: { cpus: s.reservedCpus } } : {}),
        // Mesos never offers one port twice: each offer gets its own block.
        ports: [[31000 + i * 10 + s.portsOffset, 31000 + i * 10 + s.portsOffset + 3]],
        attributes: { rack: s.rack },
      }),
    ),
  );

const arbRequests = fc
  .array(
    fc.record({
      cpus: fc.integer({ min: 1, max: 3000 }).map((m) => m / 1000),
      mem: fc.integer({ min: 0, max: 1024 }),
      ports: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant([31003])),
      group: fc.constantFrom('g1', 'g2'),
      role: fc.constantFrom(undefined, 'web'),
      constraints: fc.constantFrom<PlacementRequest['constraints']>(undefined, [['hostname', 'UNIQUE']], [['rack', 'GROUP_BY']], [['rack', 'MAX_PER', '2']], [['rack', 'GROUP_BY'], ['hostname', 'GROUP_BY']]),
    }),
    { maxLength: 25 },
  )
  .map((rs) =>
    rs.map((r, i): PlacementRequest => ({
      id: `t${i}`,
      group: r.group,
      resources: { cpus: r.cpus, mem: r.mem, ports: r.ports },
      ...(r.role !== undefined ? { role: r.role } : {}),
      ...(r.constraints !== undefined ? { constraints: r.constraints } : {}),
    })),
  );

describe('place (properties)', () => {
  it('never over-commits, carves only offered resources, and accounts for every request', () => {
    fc.assert(
      fc.property(arbOffers, arbRequests, fc.constantFrom(new BinPackStrategy(), new SpreadStrategy(), new FirstFitStrategy()), (offers, requests, strategy) => {
        const r = place(offers, requests, { running: [] }, strategy);
        const ids = [...r.assignments.map((a) => a.requestId), ...r.unplaced.map((u) => u.requestId)].sort();
        assert.deepEqual(ids, requests.map((q) => q.id).sort());
        const offered = new Map<string, Resources>();
        for (const o of offers) offered.set(o.agent_id.value, (offered.get(o.agent_id.value) ?? Resources.EMPTY).plus(Resources.fromProto(o.resources ?? [])));
        const used = new Map<string, Resources>();
        const offerAgent = new Map(offers.map((o) => [o.id.value, o.agent_id.value]));
        for (const a of r.assignments) {
          for (const id of a.offerIds) assert.equal(offerAgent.get(id.value), a.agentId.value, 'offers of one assignment share the agent');
          const req = requests.find((q) => q.id === a.requestId)!;
          const bag = Resources.fromProto(a.resources);
          assert.equal(bag.scalar('cpus'), req.resources.cpus);
          assert.equal(bag.scalar('mem'), req.resources.mem);
          const wantPorts = Array.isArray(req.resources.ports) ? req.resources.ports.length : req.resources.ports ?? 0;
          assert.equal(bag.rangeCount('ports'), wantPorts);
          assert.equal(a.ports.length, wantPorts);
          const roles = new Set(a.resources.map((x: v1.Resource) => x.allocation_info?.role ?? '*'));
          assert.ok(roles.size <= 1, 'one allocation role per task');
          if (req.role !== undefined) assert.ok([...roles].every((x) => x === req.role || x === '*'));
          used.set(a.agentId.value, (used.get(a.agentId.value) ?? Resources.EMPTY).plus(bag));
          // ports handed out twice would make the union smaller than the sum
        }
        for (const [agent, bag] of used) assert.ok(offered.get(agent)!.contains(bag), `agent ${agent} over-committed`);
        const portsPerAgent = new Map<string, number[]>();
        for (const a of r.assignments) portsPerAgent.set(a.agentId.value, [...(portsPerAgent.get(a.agentId.value) ?? []), ...a.ports]);
        for (const ps of portsPerAgent.values()) assert.equal(new Set(ps).size, ps.length, 'no port used twice');
        // UNIQUE hostname / MAX_PER rack hold per group
        for (const g of ['g1', 'g2']) {
          const mine = r.assignments.filter((a) => requests.find((q) => q.id === a.requestId)!.group === g);
          const unique = mine.filter((a) => requests.find((q) => q.id === a.requestId)!.constraints?.[0]?.[1] === 'UNIQUE');
          if (unique.length > 0 && unique.length === mine.length) assert.equal(new Set(unique.map((a) => a.agentId.value)).size, unique.length);
        }
        assert.deepEqual(place(offers, requests, { running: [] }, strategy), r, 'deterministic');
      }),
      { numRuns: 150 },
    );
  });
});
