import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Resources,
  addRanges,
  containsRanges,
  normalizeRanges,
  pickFromRanges,
  rangesSize,
  subtractRanges,
  rangesFromValues,
  type Range,
} from '../../src/resource-manager/index.js';
import { ValidationError, MesosSdkError } from '../../src/errors/index.js';
import type { v1 } from '../../src/resource-manager/mesos-types.js';

const arbRange = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 })).map(([b, len]): Range => ({ begin: b, end: b + len }));
const arbRanges = fc.array(arbRange, { maxLength: 6 }).map(normalizeRanges);

const identities: Array<Partial<v1.Resource>> = [
  {},
  { allocation_info: { role: 'web' } },
  { allocation_info: { role: 'web' }, reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'ops' }] },
  { disk: { persistence: { id: 'vol-1' } } },
];
function arbResourceWith(offset: number, items: string[]): fc.Arbitrary<v1.Resource> {
  return fc.oneof(
  fc.record({
    name: fc.constantFrom('cpus', 'mem', 'disk'),
    value: fc.integer({ min: 0, max: 100_000 }).map((m) => m / 1000),
    id: fc.constantFrom(...identities),
  }).map(({ name, value, id }) => ({ name, type: 'SCALAR' as const, scalar: { value }, ...id })),
  fc.record({ ranges: arbRanges, id: fc.constantFrom(...identities) }).map(({ ranges, id }) => ({
    name: 'ports',
    type: 'RANGES' as const,
    ranges: { range: ranges.map((r) => ({ begin: r.begin + offset, end: r.end + offset })) },
    ...id,
  })),
  fc.record({ items: fc.array(fc.constantFrom(...items), { maxLength: 4 }) }).map(({ items }) => ({ name: 'devices', type: 'SET' as const, set: { item: items } })),
  );
}
const arbResource = arbResourceWith(0, ['a', 'b', 'c', 'd']);
const arbBag = fc.array(arbResource, { maxLength: 8 }).map((rs) => Resources.fromProto(rs));
/** Bags whose ranges and set items never overlap those of arbBag (ranges and sets add as unions). */
const arbDisjointBag = fc.array(arbResourceWith(1000, ['x', 'y', 'z']), { maxLength: 8 }).map((rs) => Resources.fromProto(rs));

function values(r: Range[]): number[] {
  return r.flatMap((x) => Array.from({ length: x.end - x.begin + 1 }, (_, i) => x.begin + i));
}

describe('ranges', () => {
  it('normalizeRanges merges overlapping and adjacent ranges', () => {
    assert.deepEqual(normalizeRanges([{ begin: 5, end: 7 }, { begin: 1, end: 2 }, { begin: 3, end: 4 }, { begin: 6, end: 9 }]), [{ begin: 1, end: 9 }]);
  });
  it('subtract then add gives back the union (property)', () => {
    fc.assert(fc.property(arbRanges, arbRanges, (a, b) => {
      assert.deepEqual(addRanges(subtractRanges(a, b), b), addRanges(a, b));
      assert.ok(containsRanges(addRanges(a, b), a));
      assert.equal(rangesSize(subtractRanges(a, b)) + rangesSize(b.filter(() => true)) >= rangesSize(a), true);
      const diff = new Set(values(subtractRanges(a, b)));
      for (const v of values(b)) assert.ok(!diff.has(v));
    }));
  });
  it('pickFromRanges takes the lowest free values and fails when too few', () => {
    const free = normalizeRanges([{ begin: 31000, end: 31001 }, { begin: 31005, end: 31010 }]);
    assert.deepEqual(pickFromRanges(free, 3), [31000, 31001, 31005]);
    assert.equal(pickFromRanges(free, 9), undefined);
    assert.deepEqual(rangesFromValues([31002, 31000, 31001, 31007]), [{ begin: 31000, end: 31002 }, { begin: 31007, end: 31007 }]);
  });
});

describe('Resources', () => {
  it('a + b - b equals a when b is disjoint in ranges and sets (property)', () => {
    fc.assert(fc.property(arbBag, arbDisjointBag, (a, b) => {
      assert.ok(a.plus(b).minus(b).equals(a));
    }));
  });
  it('contains both addends after add, and never yields negative quantities (property)', () => {
    fc.assert(fc.property(arbBag, arbBag, (a, b) => {
      const sum = a.plus(b);
      assert.ok(sum.contains(a) && sum.contains(b));
      for (const e of sum.minus(a).entries()) assert.ok(e.millis >= 0);
      if (!a.contains(b)) assert.throws(() => a.minus(b), (e: unknown) => e instanceof MesosSdkError && e.code === 'ERR_RESOURCES_INSUFFICIENT');
    }));
  });
  it('round-trips through v1.Resource[] (property)', () => {
    fc.assert(fc.property(arbBag, (a) => {
      assert.ok(Resources.fromProto(a.toProto()).equals(a));
    }));
  });
  it('adds scalars exactly: 0.1 + 0.2 cpus == 0.3 cpus', () => {
    const c = (v: number) => Resources.fromProto([{ name: 'cpus', type: 'SCALAR', scalar: { value: v } }]);
    const sum = c(0.1).plus(c(0.2));
    assert.equal(sum.scalar('cpus'), 0.3);
    assert.ok(sum.equals(c(0.3)));
    let many = Resources.EMPTY;
    for (let i = 0; i < 1000; i++) many = many.plus(c(0.001));
    assert.equal(many.scalar('cpus'), 1);
    assert.ok(c(0.3).minus(c(0.1)).equals(c(0.2)));
  });
  it('keeps reserved, unreserved and differently allocated resources apart', () => {
    const bag = Resources.fromProto([
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, allocation_info: { role: 'web' } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, allocation_info: { role: 'web' }, reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'ops' }] },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 4 }, allocation_info: { role: 'batch' } },
    ]);
    assert.equal(bag.scalar('cpus'), 7);
    assert.equal([...bag.entries()].length, 3);
    const unreservedWeb = Resources.fromProto([{ name: 'cpus', type: 'SCALAR', scalar: { value: 3 }, allocation_info: { role: 'web' } }]);
    assert.equal(bag.contains(unreservedWeb), false, 'reserved cpus must not count as unreserved');
    const back = bag.toProto();
    assert.deepEqual(back[1]!.reservations, [{ type: 'DYNAMIC', role: 'web', principal: 'ops' }]);
    assert.deepEqual(back[2]!.allocation_info, { role: 'batch' });
  });
  it('rejects malformed resources listing every problem', () => {
    assert.throws(
      () => Resources.fromProto([{ name: 'cpus', type: 'SCALAR' }, { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 5, end: 1 }] } }, { name: '', type: 'SCALAR', scalar: { value: 1 } }]),
      (e: unknown) => e instanceof ValidationError && e.code === 'ERR_RESOURCE_INVALID' && e.problems.length === 3,
    );
  });
});
