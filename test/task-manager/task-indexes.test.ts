import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { BackoffHeap } from '../../src/task-manager/backoff-heap.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { toBytes } from '../../src/storage/storage-keys.js';
import type { StorageOperation } from '../../src/storage/storage.interface.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import type { Assignment } from '../../src/resource-manager/placement/placement-types.js';
import { isTerminal, type TaskRecord } from '../../src/task-manager/task-record.js';

const assignment = (id: string): Assignment => ({ requestId: id, offerId: { value: 'o' }, offerIds: [{ value: 'o' }], agentId: { value: 'S1' }, hostname: 'h1', resources: [], ports: [] });
const status = (id: string, state: v1.TaskState, timestamp = 1): v1.TaskStatus => ({ task_id: { value: id }, state, timestamp, agent_id: { value: 'S1' } });

/** The answers the indexes give, computed by scanning every record, as the task manager did before them. */
function bruteForce(records: TaskRecord[], now: number, unplaceable: ReadonlySet<string> = new Set()) {
  const pending = records.filter((r) => r.state === 'PENDING' && !r.superseded);
  const ends = records.filter((r) => r.state === 'PENDING' && (r.notBefore ?? 0) > now).map((r) => r.notBefore!);
  return {
    placeable: pending.filter((r) => (r.notBefore ?? 0) <= now && !unplaceable.has(r.id)).map((r) => r.id),
    pendingCount: pending.filter((r) => !unplaceable.has(r.id)).length,
    nextBackoffEnd: ends.length ? ends.reduce((a, b) => Math.min(a, b)) : undefined,
    running: records.filter((r) => !isTerminal(r.state) && r.state !== 'PENDING' && r.agentId).map((r) => `${r.name}@${r.agentId}@${r.hostname ?? ''}`).sort(),
  };
}

describe('task manager indexes (issue 17)', () => {
  describe('BackoffHeap', () => {
    it('pops entries earliest first, whatever the order they were pushed in (duplicates too)', () => {
      const heap = new BackoffHeap();
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const times: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const t = Math.floor(rnd() * 500);
        times.push(t);
        heap.push(t, `t${i}`);
      }
      assert.equal(heap.size, 2000);
      const popped: number[] = [];
      for (let e = heap.pop(); e; e = heap.pop()) popped.push(e.time);
      assert.deepEqual(popped, [...times].sort((a, b) => a - b));
      assert.equal(heap.pop(), undefined);
      assert.equal(heap.peek(), undefined);
    });

    it('earliest() drops invalid entries from the top and keeps the first valid one; retain() keeps the valid ones in order', () => {
      const heap = new BackoffHeap();
      for (const [t, id] of [[5, 'a'], [1, 'b'], [3, 'c'], [2, 'd'], [4, 'e']] as const) heap.push(t, id);
      const stale = new Set(['b', 'd']);
      assert.equal(heap.earliest((_, id) => !stale.has(id)), 3);
      assert.equal(heap.size, 3, 'b and d were dropped, c kept');
      assert.deepEqual(heap.peek(), { time: 3, id: 'c' });
      heap.retain((_, id) => id !== 'e');
      assert.deepEqual([heap.pop()?.id, heap.pop()?.id, heap.pop()], ['c', 'a', undefined]);
      assert.equal(heap.earliest(() => true), undefined);
    });
  });

  it('the pending set, the active set and the backoff ends match a scan of every record through every transition', async () => {
    let now = 1_000_000;
    const storage = new InMemoryStorage();
    const tm = new TaskManager(storage, { kill: async () => {} }, () => now, { history: { keepPerSlot: 2 } });
    const steps: string[] = [];
    const check = (step: string, unplaceable?: Set<string>) => {
      steps.push(step);
      const want = bruteForce(tm.list({ history: true }), now, unplaceable);
      assert.deepEqual(tm.placementRequests().map((r) => r.id), want.placeable, `placementRequests after ${step}`);
      assert.equal(tm.hasPlaceable(), want.placeable.length > 0, `hasPlaceable after ${step}`);
      assert.equal(tm.pendingCount, want.pendingCount, `pendingCount after ${step}`);
      assert.equal(tm.nextBackoffEnd(), want.nextBackoffEnd, `nextBackoffEnd after ${step}`);
      assert.deepEqual(tm.placementContext().running.map((t) => `${t.group}@${t.agentId}@${t.hostname}`).sort(), want.running, `placementContext after ${step}`);
    };
    const app = { name: 'app', instances: 4, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy: 'always', backoffSeconds: 10 } };
    check('nothing');
    await tm.submit(app);
    check('submit');
    await tm.prepareLaunch(assignment('app.0.0'));
    await tm.prepareLaunch(assignment('app.1.0'));
    await tm.prepareLaunch(assignment('app.2.0'));
    check('prepareLaunch');
    await tm.launchFailed(['app.1.0']);
    check('launchFailed (back to pending, record order kept)');
    await tm.prepareLaunch(assignment('app.1.0'));
    await tm.onStatus(status('app.0.0', 'TASK_RUNNING'));
    await tm.onStatus(status('app.1.0', 'TASK_RUNNING'));
    check('RUNNING');
    await tm.onStatus(status('app.0.0', 'TASK_FAILED', 2));
    check('FAILED: relaunch in backoff');
    now += 5_000;
    await tm.onStatus(status('app.1.0', 'TASK_FAILED', 2));
    check('a second FAILED, later backoff end');
    now += 6_000;
    check('the first backoff passed');
    now += 10_000;
    check('both passed');
    await tm.kill('app.3.0');
    check('kill of a pending task');
    await tm.onStatus(status('app.2.0', 'TASK_LOST', 3));
    check('LOST of a launching task (never launched: relaunched at once)');
    await tm.scale('app', 2);
    check('scale down');
    await tm.scale('app', 5);
    check('scale up');
    // Loaded again, with a record whose definition is missing (skipped as unplaceable, not counted).
    await storage.put('tasks/ghost.0.0', toBytes({ id: 'ghost.0.0', name: 'ghost', instance: 0, attempt: 0, state: 'PENDING', desired: 'running' }));
    const reloaded = new TaskManager(storage, { kill: async () => {} }, () => now);
    await reloaded.load();
    const got = reloaded.placementRequests().map((r) => r.id);
    const want = bruteForce(reloaded.list({ history: true }), now, new Set(['ghost.0.0']));
    assert.deepEqual(got, want.placeable, 'after load()');
    assert.ok(want.placeable.length > 0 && !got.includes('ghost.0.0'));
    assert.equal(reloaded.pendingCount, want.pendingCount, 'pendingCount after load()');
    assert.equal(reloaded.nextBackoffEnd(), want.nextBackoffEnd, 'nextBackoffEnd after load()');
    assert.deepEqual(reloaded.placementContext().running.map((t) => `${t.group}@${t.agentId}@${t.hostname}`).sort(), want.running, 'placementContext after load()');
    await tm.markInvalid([{ requestId: 'app.4.0', error: new Error('refused') }]);
    check('markInvalid');
    // Churn through many attempts with pruning (keep: 2): pruned records leave both indexes.
    for (let attempt = 0; attempt < 6; attempt++) {
      const [req] = tm.placementRequests().filter((r) => r.id.startsWith('app.0.'));
      if (!req) {
        now += 400_000;
        continue;
      }
      await tm.prepareLaunch(assignment(req.id));
      await tm.onStatus(status(req.id, 'TASK_FAILED', 10 + attempt));
      check(`churn ${attempt}`);
      now += 400_000;
      check(`churn ${attempt}, backoff passed`);
    }
    assert.ok(steps.length > 20);
  });

  it('hasPlaceable() answers "nothing" from its last scan only while nothing changed: a definition submitted for a pending task it could not place makes it placeable', async () => {
    const storage = new InMemoryStorage();
    let now = 1_000_000;
    // A pending task whose definition is missing (unplaceable), and one in backoff.
    await storage.put('tasks/ghost.0.0', toBytes({ id: 'ghost.0.0', name: 'ghost', instance: 0, attempt: 0, state: 'PENDING', desired: 'running' }));
    await storage.put('definitions/app', toBytes({ name: 'app', instances: 1, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } }));
    await storage.put('tasks/app.0.1', toBytes({ id: 'app.0.1', name: 'app', instance: 0, attempt: 1, state: 'PENDING', desired: 'running', notBefore: now + 5000 }));
    const tm = new TaskManager(storage, { kill: async () => {} }, () => now);
    await tm.load();
    assert.equal(tm.hasPlaceable(), false);
    assert.equal(tm.hasPlaceable(), false, 'answered again from the last scan');
    // The fixed definition creates no task (the slot has its pending one): only the forgotten verdict makes it placeable.
    assert.deepEqual(await tm.submit({ name: 'ghost', instances: 1, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } }), []);
    assert.equal(tm.hasPlaceable(), true);
    assert.deepEqual(tm.placementRequests().map((r) => r.id), ['ghost.0.0']);
    await tm.prepareLaunch(assignment('ghost.0.0'));
    assert.equal(tm.hasPlaceable(), false, 'the backoff has not passed');
    now += 5000;
    assert.equal(tm.hasPlaceable(), true, 'the backoff passed');
  });

  it('load() prunes and relaunches in batches of at most 128 operations; a batch that fails leaves its slots as they were, the batches before it applied', async () => {
    const storage = new InMemoryStorage();
    const now = 1_000_000;
    await storage.put('definitions/app', toBytes({ name: 'app', instances: 300, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy: 'always', backoffSeconds: 10 } }));
    const ops: StorageOperation[] = [];
    for (let i = 0; i < 300; i++) {
      // Per slot: 3 ended, replaced attempts (keepPerSlot 1: 2 pruned), and a failed current one whose relaunch an older SDK never wrote.
      for (let a = 0; a < 3; a++) ops.push({ type: 'put', key: `tasks/app.${i}.${a}`, value: toBytes({ id: `app.${i}.${a}`, name: 'app', instance: i, attempt: a, state: 'TASK_FAILED', desired: 'running', superseded: true, supersededAt: now - 1 }) });
      ops.push({ type: 'put', key: `tasks/app.${i}.3`, value: toBytes({ id: `app.${i}.3`, name: 'app', instance: i, attempt: 3, state: 'TASK_FAILED', desired: 'running' }) });
    }
    await storage.batch(ops);
    const sizes: number[] = [];
    const batches: Array<readonly StorageOperation[]> = [];
    let failAt = -1;
    const counting = Object.assign(Object.create(storage) as InMemoryStorage, {
      batch: async (o: readonly StorageOperation[]) => {
        sizes.push(o.length);
        batches.push(o);
        if (sizes.length === failAt) throw new Error('etcd is down');
        return storage.batch(o);
      },
    });
    // A failure at the third batch: the first two are written and applied, nothing of the others.
    failAt = 3;
    const failing = new TaskManager(counting, { kill: async () => {} }, () => now, { history: { keepPerSlot: 1 } });
    await failing.load();
    assert.ok(sizes.every((n) => n <= 128), `batch sizes ${sizes.join(', ')}`);
    assert.equal(sizes.length, 3, 'load() stopped at the failed batch');
    const stored = await storage.list('tasks');
    assert.equal(failing.recordCount, stored.length, 'memory holds what storage holds');
    for (const [i, batch] of batches.entries()) {
      for (const op of batch.filter((o) => o.key.startsWith('tasks/'))) {
        const id = op.key.slice('tasks/'.length);
        const value = await storage.get(op.key);
        const written = i < 2;
        const applied = op.type === 'put' ? value !== undefined && Buffer.compare(Buffer.from(value), Buffer.from(op.value)) === 0 : value === undefined;
        assert.equal(applied, written, `${op.type} ${op.key} of batch ${i + 1} ${written ? 'written' : 'not written'}`);
        if (op.type === 'put') assert.equal(failing.get(id) !== undefined && (failing.get(id)!.superseded ?? false) === (JSON.parse(Buffer.from(op.value).toString()).superseded ?? false), written, `${id} in memory as stored`);
        else assert.equal(failing.get(id) !== undefined, !written, `${id} in memory as in storage`);
      }
    }
    const storedTotals = JSON.parse(Buffer.from((await storage.get('task-totals/app'))!).toString()) as Record<string, number>;
    const heldFailed = failing.list({ history: true }).filter((r) => r.state === 'TASK_FAILED').length;
    assert.equal(failing.totals('app')['TASK_FAILED'], storedTotals['TASK_FAILED']! + heldFailed, 'totals: the stored pruned counts plus the records held');
    assert.equal(storedTotals['TASK_FAILED']! + heldFailed, 1200, 'no ended attempt lost or counted twice');
    // Loaded again, without failures: every slot ends with its relaunch and one kept ended attempt besides the current one.
    sizes.length = 0;
    failAt = -1;
    const tm = new TaskManager(counting, { kill: async () => {} }, () => now, { history: { keepPerSlot: 1 } });
    await tm.load();
    assert.ok(sizes.length > 0 && sizes.length < 300 && sizes.every((n) => n <= 128), `batch sizes ${sizes.join(', ')}`);
    assert.equal(tm.recordCount, 600, 'per slot: the relaunch and one ended attempt');
    assert.equal((await storage.list('tasks')).length, 600);
    assert.equal(tm.list({ state: 'PENDING' }).length, 300);
    assert.equal(tm.totals('app')['TASK_FAILED'], 1200);
  });

  it('nextBackoffEnd() with 200,000 records in backoff returns the earliest end (no RangeError)', async () => {
    const storage = new InMemoryStorage();
    const now = 1_000_000;
    await storage.put('definitions/big', toBytes({ name: 'big', instances: 10_000, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } }));
    const ops: StorageOperation[] = [];
    for (let i = 0; i < 200_000; i++) {
      const rec: TaskRecord = { id: `big.${i}.1`, name: 'big', instance: i, attempt: 1, state: 'PENDING', desired: 'running', notBefore: now + 1000 + ((i * 7919) % 200_000) };
      ops.push({ type: 'put', key: `tasks/${rec.id}`, value: toBytes(rec) });
    }
    await storage.batch(ops);
    const tm = new TaskManager(storage, { kill: async () => {} }, () => now);
    await tm.load();
    assert.equal(tm.recordCount, 200_000);
    assert.equal(tm.nextBackoffEnd(), now + 1000);
    assert.equal(tm.hasPlaceable(), false);
    assert.deepEqual(tm.placementRequests(), []);
    assert.equal(tm.pendingCount, 200_000);
  });
});
