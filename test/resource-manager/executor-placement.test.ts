import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { place, type PlacementRequest } from '../../src/resource-manager/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { makeOffer, sumScalar } from './fixtures.js';

const withExecutor = (id: string, extra: Partial<PlacementRequest> = {}): PlacementRequest => ({
  id,
  group: 'app',
  resources: { cpus: 1, mem: 256 },
  executor: { cpus: 0.1, mem: 32 },
  ...extra,
});

describe('place, requests with a custom executor', () => {
  it('places the task only where the task and its executor fit together', () => {
    // 1 cpu left: the task alone would fit, task + executor (1.1) does not.
    const offers = () => [makeOffer({ id: 'o1', agent: 'a1', cpus: 1, mem: 1024 })];
    assert.equal(place(offers(), [{ id: 't1', group: 'app', resources: { cpus: 1, mem: 256 } }]).assignments.length, 1);
    const r = place(offers(), [withExecutor('t1')]);
    assert.equal(r.assignments.length, 0);
    assert.deepEqual(r.unplaced.map((u) => u.requestId), ['t1']);
  });

  it('carves the executor share apart from the task resources', () => {
    const r = place([makeOffer({ id: 'o1', agent: 'a1', cpus: 2, mem: 1024 })], [withExecutor('t1', { executor: { cpus: 0.25, mem: 64, disk: 10 } })]);
    const a = r.assignments[0]!;
    assert.equal(sumScalar(a.resources, 'cpus'), 1);
    assert.equal(sumScalar(a.resources, 'mem'), 256);
    assert.equal(sumScalar(a.executorResources!, 'cpus'), 0.25);
    assert.equal(sumScalar(a.executorResources!, 'mem'), 64);
    assert.equal(sumScalar(a.executorResources!, 'disk'), 10);
  });

  it('counts every executor when several tasks share an agent', () => {
    // 3.2 cpus fit three tasks alone (3) but only two with their executors (2.2; a third needs 3.3).
    const r = place([makeOffer({ id: 'o1', agent: 'a1', cpus: 3.2, mem: 4096 })], [withExecutor('t1'), withExecutor('t2'), withExecutor('t3')]);
    assert.deepEqual(r.assignments.map((a) => a.requestId), ['t1', 't2']);
    assert.deepEqual(r.unplaced.map((u) => u.requestId), ['t3']);
  });

  it('gives no executorResources to a request without an executor', () => {
    const r = place([makeOffer({ id: 'o1', agent: 'a1', cpus: 2, mem: 1024 })], [{ id: 't1', group: 'app', resources: { cpus: 1, mem: 256 } }]);
    assert.equal(r.assignments[0]!.executorResources, undefined);
  });

  it('does not batch requests whose executors differ', () => {
    const r = place([makeOffer({ id: 'o1', agent: 'a1', cpus: 8, mem: 4096 })], [withExecutor('t1'), withExecutor('t2', { executor: { cpus: 0.5, mem: 32 } })]);
    assert.deepEqual(r.assignments.map((a) => sumScalar(a.executorResources!, 'cpus')), [0.1, 0.5]);
  });

  it('refuses executor amounts that are not numbers, with the path', () => {
    assert.throws(
      () => place([], [withExecutor('t1', { executor: { cpus: -1, mem: 32 } })]),
      (e: unknown) => e instanceof ValidationError && e.problems.some((p) => p.path === 'requests[0].executor.cpus'),
    );
  });
});
