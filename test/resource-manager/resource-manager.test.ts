import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Container } from 'inversify';
import { TOKENS } from '../../src/tokens.js';
import { FirstFitStrategy, RESOURCE_MANAGER_OPTIONS, ResourceManager } from '../../src/resource-manager/index.js';
import { makeOffer } from './fixtures.js';

function clock(start = 5_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('ResourceManager', () => {
  it('resolves from a container with the default strategy, or the bound one', () => {
    const c = new Container();
    c.bind(ResourceManager).toSelf();
    assert.equal(c.get(ResourceManager).strategyName, 'bin-pack');
    const c2 = new Container();
    c2.bind(ResourceManager).toSelf();
    c2.bind(TOKENS.PlacementStrategy).toConstantValue(new FirstFitStrategy());
    c2.bind(RESOURCE_MANAGER_OPTIONS).toConstantValue({ refuseSecondsWhenIdle: 300 });
    const rm = c2.get(ResourceManager);
    assert.equal(rm.strategyName, 'first-fit');
    assert.deepEqual(rm.declineFilter(0), { refuse_seconds: 300 });
  });
  it('placePending accepts used offers per agent and declines the unused ones', () => {
    const rm = new ResourceManager(undefined, clock());
    rm.onOffers([makeOffer({ id: 'o1', agent: 'a1', cpus: 2 }), makeOffer({ id: 'o2', agent: 'a2', cpus: 1 }), makeOffer({ id: 'o3', agent: 'a3' })]);
    assert.equal(rm.onRescind({ value: 'o3' }), true);
    const out = rm.placePending([{ id: 't1', group: 'g', resources: { cpus: 1, mem: 128 } }]);
    assert.equal(out.accept.length, 1);
    assert.deepEqual(out.accept[0]!.offerIds.map((o) => o.value), ['o2']);
    assert.deepEqual(out.decline.map((o) => o.value), ['o1']);
    assert.deepEqual(out.declineFilters, { refuse_seconds: 120 });
    assert.equal(rm.pool.size, 0);
  });
  it('declines briefly while tasks stay pending, and declines expired offers', () => {
    const c = clock();
    const rm = new ResourceManager(undefined, c);
    rm.onOffers([makeOffer({ id: 'old', agent: 'a1', cpus: 1 })]);
    c.t += 31_000;
    rm.onOffers([makeOffer({ id: 'new', agent: 'a2', cpus: 1 })]);
    const out = rm.placePending([{ id: 't1', group: 'g', resources: { cpus: 4, mem: 128 } }]);
    assert.deepEqual(out.decline.map((o) => o.value), ['old', 'new']);
    assert.deepEqual(out.declineFilters, { refuse_seconds: 5 });
    assert.equal(out.unplaced.length, 1);
  });
  it('reports an invalid request and answers every offer (issue 16: a poison definition stopped all launching)', () => {
    const c = clock();
    const rm = new ResourceManager(undefined, c);
    rm.onOffers([makeOffer({ id: 'old', agent: 'a1' })]);
    c.t += 31_000;
    rm.onOffers([makeOffer({ id: 'o1', agent: 'a2' })]);
    const out = rm.placePending([{ id: 't1', group: 'g', resources: { cpus: 1, mem: 1 }, constraints: [['rack', 'LIKE', '[']] }]);
    assert.deepEqual(out.invalid.map((i) => [i.requestId, (i.error as { code?: string }).code]), [['t1', 'ERR_CONSTRAINT_INVALID']]);
    assert.deepEqual(out.decline.map((o) => o.value).sort(), ['o1', 'old']);
    assert.equal(rm.pool.size, 0);
  });
  it('places the valid requests beside one whose amounts are not finite or missing', () => {
    const rm = new ResourceManager(undefined, clock());
    rm.onOffers([makeOffer({ id: 'o1', agent: 'a1' })]);
    const out = rm.placePending([
      { id: 'bad', group: 'poison', resources: { cpus: Infinity, mem: 1 } },
      { id: 'null', group: 'poison', resources: { cpus: null as unknown as number, mem: 1 } },
      { id: 'good', group: 'g', resources: { cpus: 0.1, mem: 1 } },
    ]);
    assert.deepEqual(out.invalid.map((i) => i.requestId), ['bad', 'null']);
    assert.deepEqual(out.assignments.map((a) => a.requestId), ['good']);
    assert.deepEqual(out.accept.map((a) => a.offerIds.map((o) => o.value)), [['o1']]);
  });
  it('expireOffers returns only offers held past the limit', () => {
    const c = clock();
    const rm = new ResourceManager(undefined, c, { maxOfferHoldMs: 1000 });
    rm.onOffers([makeOffer({ id: 'o1', agent: 'a1' })]);
    assert.deepEqual(rm.expireOffers(), []);
    c.t += 1000;
    assert.deepEqual(rm.expireOffers().map((o) => o.value), ['o1']);
  });
  it('suppresses when idle and revives at most once per interval', () => {
    const c = clock();
    const rm = new ResourceManager(undefined, c);
    assert.equal(rm.shouldSuppress(3), false);
    assert.equal(rm.shouldSuppress(0), true);
    rm.recordSuppressed();
    assert.equal(rm.shouldSuppress(0), false, 'already suppressed');
    assert.equal(rm.shouldRevive(0), false, 'nothing pending');
    assert.equal(rm.shouldRevive(2), true);
    rm.recordRevived();
    assert.equal(rm.isSuppressed, false);
    assert.equal(rm.shouldRevive(2, true), false, 'rate limited');
    c.t += 999;
    assert.equal(rm.shouldRevive(2, true), false);
    c.t += 1;
    assert.equal(rm.shouldRevive(2, true), true);
    assert.equal(rm.shouldRevive(2), false, 'not suppressed and not forced');
  });
});
