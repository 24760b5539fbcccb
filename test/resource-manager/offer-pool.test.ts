import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OfferPool } from '../../src/resource-manager/index.js';
import { makeOffer } from './fixtures.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('OfferPool', () => {
  it('holds added offers in arrival order and lists them', () => {
    const pool = new OfferPool({ clock: clock() });
    pool.add([makeOffer({ id: 'o1', agent: 'a1' }), makeOffer({ id: 'o2', agent: 'a2' })]);
    assert.deepEqual(pool.list().map((o) => o.id.value), ['o1', 'o2']);
    assert.equal(pool.size, 2);
    assert.ok(pool.has({ value: 'o2' }));
  });
  it('removes a rescinded offer and reports unknown ones', () => {
    const pool = new OfferPool({ clock: clock() });
    pool.add([makeOffer({ id: 'o1', agent: 'a1' })]);
    assert.equal(pool.rescind({ value: 'o1' }), true);
    assert.equal(pool.rescind('o1'), false);
    assert.equal(pool.size, 0);
  });
  it('expires offers held longer than maxHoldMs (default 30 s)', () => {
    const c = clock();
    const pool = new OfferPool({ clock: c });
    pool.add([makeOffer({ id: 'old', agent: 'a1' })]);
    c.t += 20_000;
    pool.add([makeOffer({ id: 'new', agent: 'a2' })]);
    assert.deepEqual(pool.expire(), []);
    assert.equal(pool.nextExpiryInMs(), 10_000);
    c.t += 10_000;
    assert.deepEqual(pool.expire().map((o) => o.id.value), ['old']);
    assert.deepEqual(pool.list().map((o) => o.id.value), ['new']);
  });
  it('honours a custom maxHoldMs', () => {
    const c = clock();
    const pool = new OfferPool({ clock: c, maxHoldMs: 100 });
    pool.add([makeOffer({ id: 'o1', agent: 'a1' })]);
    c.t += 99;
    assert.equal(pool.expire().length, 0);
    c.t += 1;
    assert.equal(pool.expire().length, 1);
  });
  it('take removes only the requested held offers', () => {
    const pool = new OfferPool({ clock: clock() });
    pool.add([makeOffer({ id: 'o1', agent: 'a1' }), makeOffer({ id: 'o2', agent: 'a1' }), makeOffer({ id: 'o3', agent: 'a2' })]);
    assert.deepEqual(pool.take([{ value: 'o2' }, 'missing']).map((o) => o.id.value), ['o2']);
    assert.deepEqual(pool.removeAgent('a1').map((o) => o.id.value), ['o1']);
    assert.deepEqual(pool.takeAll().map((o) => o.id.value), ['o3']);
    assert.equal(pool.size, 0);
  });
});
