import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place, type PlacementRequest } from '../../src/resource-manager/index.js';
import { cluster, sumScalar } from './fixtures.js';

describe('place at scale', () => {
  it('places 1,000 tasks with mixed constraints on 100 agents and honours every constraint', () => {
    const offers = cluster(100, { cpus: 16, mem: 32_768, racks: 10, zones: 3 });
    const rackOf = (agent: string) => `rack-${Number(agent.split('-')[1]) % 10}`;
    const zoneOf = (agent: string) => `zone-${Number(agent.split('-')[1]) % 3}`;
    const requests: PlacementRequest[] = [];
    for (let app = 0; app < 100; app++) {
      const kind = app % 5;
      const constraints: PlacementRequest['constraints'] =
        kind === 0 ? [['hostname', 'UNIQUE']] : kind === 1 ? [['zone', 'GROUP_BY', '3']] : kind === 2 ? [['rack', 'MAX_PER', '2']] : kind === 3 ? [['rack', 'LIKE', 'rack-[0-4]']] : undefined;
      for (let i = 0; i < 10; i++) {
        requests.push({ id: `app${app}.${i}`, group: `app${app}`, resources: { cpus: 0.25 + (app % 3) * 0.25, mem: 256, ports: 1 }, ...(constraints ? { constraints } : {}) });
      }
    }
    const r = place(offers, requests);
    assert.equal(r.assignments.length, 1000);
    assert.equal(r.unplaced.length, 0);

    const byGroup = new Map<string, string[]>();
    for (const a of r.assignments) {
      const g = a.requestId.split('.')[0]!;
      byGroup.set(g, [...(byGroup.get(g) ?? []), a.agentId.value]);
    }
    for (const [g, agents] of byGroup) {
      const kind = Number(g.slice(3)) % 5;
      const count = (key: (a: string) => string) => {
        const m = new Map<string, number>();
        for (const a of agents) m.set(key(a), (m.get(key(a)) ?? 0) + 1);
        return m;
      };
      if (kind === 0) assert.equal(new Set(agents).size, agents.length, `${g} UNIQUE hostname`);
      if (kind === 1) {
        const z = [...count(zoneOf).values()];
        assert.equal(z.length, 3, `${g} uses every zone`);
        assert.ok(Math.max(...z) - Math.min(...z) <= 1, `${g} GROUP_BY zone is even: ${z}`);
      }
      if (kind === 2) assert.ok(Math.max(...count(rackOf).values()) <= 2, `${g} MAX_PER rack 2`);
      if (kind === 3) for (const a of agents) assert.match(rackOf(a), /^rack-[0-4]$/, `${g} LIKE`);
    }
    // No agent is over-committed and no port is handed out twice.
    const perAgent = new Map<string, { cpus: number; ports: Set<number> }>();
    for (const a of r.assignments) {
      const s = perAgent.get(a.agentId.value) ?? { cpus: 0, ports: new Set<number>() };
      s.cpus += sumScalar(a.resources, 'cpus');
      for (const p of a.ports) {
        assert.ok(!s.ports.has(p), `port ${p} reused on ${a.agentId.value}`);
        s.ports.add(p);
      }
      perAgent.set(a.agentId.value, s);
    }
    for (const [agent, s] of perAgent) assert.ok(s.cpus <= 16 + 1e-9, `${agent} over-committed: ${s.cpus}`);
  });
});
