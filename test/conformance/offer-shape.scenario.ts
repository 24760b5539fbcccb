// The shape of an offer as the master writes it in JSON, by hand over raw HTTP: which fields are
// set, the resources in their order with the deprecated `role`, and the agent's URL, which must
// agree with `/master/slaves`. Ids are left out (they differ between masters).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { get, RawSubscription } from '../simulator/raw-client.js';

type Json = Record<string, any>;

const keys = (o: Json) => Object.keys(o).sort();

/** Opens a JSON subscription, waits for one offer from each of the two agents, and tears down after `body`. */
async function withOffers(url: string, name: string, extra: Json, body: (offers: Json[]) => Promise<void> | void): Promise<void> {
  const sub = await RawSubscription.open(url, { user: 'root', name: `${name}-${Date.now()}`, failover_timeout: 0, ...extra });
  try {
    const all = () => sub.ofType('OFFERS').flatMap((e) => e['offers'].offers as Json[]);
    await sub.waitFor(() => new Set(all().map((o) => o['agent_id'].value)).size >= 2, 15_000, 'an offer from each agent');
    const byAgent = new Map<string, Json>();
    for (const o of all()) if (!byAgent.has(o['agent_id'].value)) byAgent.set(o['agent_id'].value, o);
    // The agent of rack r1 first (ports 31000-31999 on both clusters).
    const offers = [...byAgent.values()].sort((a, b) => rack(a).localeCompare(rack(b)));
    await body(offers);
  } finally {
    if (sub.frameworkId) await sub.call(url, { type: 'TEARDOWN' });
    sub.close();
  }
}

const rack = (o: Json): string => (o['attributes'] as Json[]).find((a) => a['name'] === 'rack')?.['text'].value ?? '';

/** A whole agent's resources as offered, in order, ids aside. */
function wholeAgent(firstPort: number, role: string | undefined, allocation: string | undefined): Json[] {
  const extra = { ...(role ? { role } : {}), ...(allocation ? { allocation_info: { role: allocation } } : {}) };
  return [
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: firstPort, end: firstPort + 999 }] }, ...extra },
    { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, ...extra },
    { name: 'mem', type: 'SCALAR', scalar: { value: 4096 }, ...extra },
    { name: 'disk', type: 'SCALAR', scalar: { value: 10000 }, ...extra },
  ];
}

conformance('offer shape', (target) => {
  const cases: Array<[string, Json, string | undefined, string | undefined]> = [
    ['MULTI_ROLE in role *', { roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] }, '*', '*'],
    ['MULTI_ROLE in a role of its own', { roles: ['conformance-shape'], capabilities: [{ type: 'MULTI_ROLE' }] }, '*', 'conformance-shape'],
    ['not MULTI_ROLE', {}, '*', undefined],
    ['MULTI_ROLE with RESERVATION_REFINEMENT', { roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'RESERVATION_REFINEMENT' }] }, undefined, '*'],
  ];
  for (const [what, extra, role, allocation] of cases) {
    it(`an offer to a framework ${what}: its fields, and its resources in order with ${role ? `role "${role}"` : 'no role'} and ${allocation ? `allocation_info "${allocation}"` : 'no allocation_info'}`, async () => {
      await withOffers(target().url, 'conformance-offer-shape', extra, (offers) => {
        for (const [i, o] of offers.entries()) {
          assert.deepEqual(keys(o), ['agent_id', ...(allocation ? ['allocation_info'] : []), 'attributes', 'framework_id', 'hostname', 'id', 'resources', 'url']);
          if (allocation) assert.deepEqual(o['allocation_info'], { role: allocation });
          assert.deepEqual(o['attributes'], [{ name: 'rack', type: 'TEXT', text: { value: `r${i + 1}` } }]);
          assert.deepEqual(o['resources'], wholeAgent(31000 + 1000 * i, role, allocation));
        }
      });
    });
  }

  it("an offer's url names its own agent: scheme http, path /slave(1), the port /master/slaves shows for that agent, distinct per agent", async () => {
    const url = target().url;
    await withOffers(url, 'conformance-offer-url', { roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }] }, async (offers) => {
      const slaves = JSON.parse((await get(`${url}/master/slaves`)).body)['slaves'] as Json[];
      for (const o of offers) {
        const agent = slaves.find((s) => s['id'] === o['agent_id'].value)!;
        assert.ok(agent, 'the offer names an agent /master/slaves lists');
        assert.deepEqual(keys(o['url']), ['address', 'path', 'scheme']);
        assert.equal(o['url'].scheme, 'http');
        assert.equal(o['url'].path, '/slave(1)');
        assert.deepEqual(o['url'].address, { hostname: o['hostname'], ip: '127.0.0.1', port: agent['port'] });
        assert.equal(agent['hostname'], o['hostname']);
        assert.equal(agent['pid'], `slave(1)@127.0.0.1:${agent['port']}`);
      }
      assert.notEqual(offers[0]!['url'].address.port, offers[1]!['url'].address.port, 'two agents on one host listen on two ports');
    });
  });
});
