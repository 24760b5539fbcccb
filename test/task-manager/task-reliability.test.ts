// Issue 16, items 2, 3, 5, 10, 14: the task manager's writes under storage failures and crashes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskManager, TaskManagerErrorCodes, type TaskManagerOptions } from '../../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import type { Storage, StorageEntry, StorageOperation } from '../../src/storage/storage.interface.js';
import { toBytes } from '../../src/storage/storage-keys.js';
import { StorageError } from '../../src/errors/index.js';
import { MemoryLogger } from '../../src/logging/index.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import type { Assignment } from '../../src/resource-manager/placement/placement-types.js';
import { historyIds } from '../support/child-report.js';

const assignment = (id: string): Assignment => ({ requestId: id, offerId: { value: 'o' }, offerIds: [{ value: 'o' }], agentId: { value: 'S1' }, hostname: 'h1', resources: [], ports: [] });
const status = (id: string, state: v1.TaskState, timestamp = 1): v1.TaskStatus => ({ task_id: { value: id }, state, timestamp, agent_id: { value: 'S1' } });
const retrying = (extra: Record<string, unknown> = {}) => ({ name: 'app', instances: 1, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy: 'on-failure', maxRetries: 2, backoffSeconds: 0 }, ...extra });

/** In-memory storage whose writes fail while `down` (with what a backend throws: a plain Error). */
class FlakyStorage extends InMemoryStorage {
  down = false;
  writes = 0;
  private check(): void {
    if (this.down) throw Object.assign(new Error('IO error: /data/000003.log: File too large'), { code: 'LEVEL_IO_ERROR' });
    this.writes++;
  }
  override async put(key: string, value: Uint8Array): Promise<void> {
    this.check();
    return super.put(key, value);
  }
  override async delete(key: string): Promise<boolean> {
    this.check();
    return super.delete(key);
  }
  override async batch(ops: readonly StorageOperation[]): Promise<void> {
    this.check();
    return super.batch(ops);
  }
}

/** Thrown by {@link CrashingStorage} once the process "died". */
class Crash extends Error {}

/**
 * Storage that "dies" (as with SIGKILL) before its write number `limit + 1`: that write and all
 * later ones throw {@link Crash} and are not stored. With `batches: false` it has no `batch` (a
 * backend written before it existed: the task manager writes one key at a time).
 */
class CrashingStorage implements Omit<Storage, 'batch'> {
  writes = 0;
  batch?: (ops: readonly StorageOperation[]) => Promise<void>;
  constructor(readonly inner: InMemoryStorage, private readonly limit: number, batches: boolean) {
    if (batches) this.batch = async (ops) => { this.write(); await inner.batch(ops); };
  }
  private write(): void {
    if (this.writes >= this.limit) throw new Crash(`killed before write ${this.writes + 1}`);
    this.writes++;
  }
  get(key: string) { return this.inner.get(key); }
  list(prefix: string): Promise<StorageEntry[]> { return this.inner.list(prefix); }
  async put(key: string, value: Uint8Array) { this.write(); await this.inner.put(key, value); }
  async delete(key: string) { this.write(); return this.inner.delete(key); }
  deletePrefix(prefix: string) { return this.inner.deletePrefix(prefix); }
  compareAndSet(key: string, e: Uint8Array | undefined, n: Uint8Array | undefined) { return this.inner.compareAndSet(key, e, n); }
  async close() {}
}

/**
 * What Mesos knows in the crash tests: the tasks launched (an ACCEPT went out) and, per task, the
 * updates acknowledged (the handler returned). A task launched here fails after RUNNING.
 */
class MesosModel {
  readonly launched: string[] = [];
  readonly acked = new Map<string, Set<string>>();
  /** Places and runs every placeable task until none is left (the ACCEPT goes out once prepareLaunch returned). */
  async drive(tm: TaskManager): Promise<void> {
    for (let guard = 0; guard < 20; guard++) {
      const requests = tm.placementRequests();
      if (requests.length === 0) return;
      for (const req of requests) {
        await tm.prepareLaunch(assignment(req.id));
        this.launched.push(req.id);
        await this.updates(tm, req.id);
      }
    }
  }
  /** Sends the task's updates not acknowledged yet (the agent resends them after a restart). */
  async updates(tm: TaskManager, id: string): Promise<void> {
    const acked = this.acked.get(id) ?? new Set<string>();
    this.acked.set(id, acked);
    for (const [state, ts] of [['TASK_RUNNING', 1], ['TASK_FAILED', 2]] as const) {
      if (acked.has(state)) continue;
      await tm.onStatus(status(id, state, ts));
      acked.add(state);
    }
  }
  /** After a restart: the reconciliation answers, then the resent updates. */
  async recover(tm: TaskManager): Promise<void> {
    for (const r of tm.list({ history: true })) {
      if (r.state === 'LAUNCHING' && !this.launched.includes(r.id)) await tm.onStatus({ ...status(r.id, 'TASK_GONE', 3), reason: 'REASON_RECONCILIATION' });
    }
    for (const id of this.launched) await this.updates(tm, id);
  }
}

function manager(storage: Storage, options: TaskManagerOptions = {}, clock = { now: 1_000_000 }) {
  return new TaskManager(storage, { kill: async () => {} }, () => clock.now, options);
}


describe('TaskManager under storage failures (issue 16)', () => {
  describe('onStatus', () => {
    it('a failed write of a FAILED update throws a retryable StorageError and changes nothing; its resending relaunches the task (item 3)', async () => {
      const storage = new FlakyStorage();
      const tm = manager(storage);
      await tm.submit(retrying());
      await tm.prepareLaunch(assignment('app.0.0'));
      await tm.onStatus(status('app.0.0', 'TASK_RUNNING'));
      storage.down = true;
      await assert.rejects(tm.onStatus(status('app.0.0', 'TASK_FAILED', 2)), (err: unknown) => err instanceof StorageError && err.retryable && err.code === 'ERR_STORAGE_FULL');
      assert.equal(tm.get('app.0.0')!.state, 'TASK_RUNNING', 'memory unchanged: the resent update is not a duplicate');
      assert.equal(tm.get('app.0.1'), undefined);
      storage.down = false;
      assert.equal(await tm.onStatus(status('app.0.0', 'TASK_FAILED', 2)), true);
      assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.0.1'], 'relaunched');
      const stored = JSON.parse(Buffer.from((await storage.get('tasks/app.0.0'))!).toString());
      assert.equal(stored.superseded, true);
      assert.ok(await storage.get('tasks/app.0.1'), 'the next attempt is stored with it');
    });

    it('a plain Error from a backend of the user is typed (retryable StorageError): the update is not acknowledged', async () => {
      const plain: Storage = Object.assign(new InMemoryStorage(), {});
      const tm = manager(plain);
      await tm.submit(retrying());
      (plain as InMemoryStorage).batch = async () => {
        throw new Error('disk on fire');
      };
      await assert.rejects(tm.prepareLaunch(assignment('app.0.0')), (err: unknown) => err instanceof StorageError && err.retryable && err.code === 'ERR_STORAGE_IO' && /disk on fire/.test(err.message));
      assert.equal(tm.get('app.0.0')!.state, 'PENDING');
    });

    it('the resent FAILED update of a record an older SDK left without its relaunch relaunches it (and load() repairs it too)', async () => {
      const storage = new InMemoryStorage();
      const def = retrying();
      await storage.put('definitions/app', toBytes(def));
      // What a crash between the two writes of an older SDK left behind: FAILED, not superseded, no next attempt.
      await storage.put('tasks/app.0.0', toBytes({ id: 'app.0.0', name: 'app', instance: 0, attempt: 0, state: 'TASK_FAILED', desired: 'running', agentId: 'S1' }));
      const tm = manager(storage);
      await tm.load();
      assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.0.1'], 'load() made the relaunch');
      assert.equal(tm.get('app.0.0')!.superseded, true);
      // And through the resent update, when load() could not write.
      const storage2 = new InMemoryStorage();
      await storage2.put('definitions/app', toBytes(def));
      await storage2.put('tasks/app.0.0', toBytes({ id: 'app.0.0', name: 'app', instance: 0, attempt: 0, state: 'TASK_FAILED', desired: 'running', agentId: 'S1' }));
      const flaky = new FlakyStorage();
      for (const { key, value } of [...(await storage2.list('definitions')), ...(await storage2.list('tasks'))]) await flaky.put(key, value);
      flaky.down = true;
      const tm2 = manager(flaky, { logger: new MemoryLogger() });
      await tm2.load();
      assert.deepEqual(tm2.placementRequests(), []);
      flaky.down = false;
      assert.equal(await tm2.onStatus(status('app.0.0', 'TASK_FAILED')), false, 'a duplicate for the record');
      assert.deepEqual(tm2.placementRequests().map((r) => r.id), ['app.0.1'], 'but the missing relaunch is made');
    });
  });

  for (const batches of [true, false]) {
    describe(`a crash before any write (${batches ? 'storage with batch: one write per transition' : 'storage without batch: the writes one by one'})`, () => {
      // 3 attempts that fail (maxRetries 2): about 4 writes each, plus the submit.
      for (let limit = 0; limit <= (batches ? 11 : 16); limit++) {
        it(`killed before write ${limit + 1}: after the restart, the task was launched exactly 3 times, each failed, nothing left pending`, async () => {
          const inner = new InMemoryStorage();
          const mesos = new MesosModel();
          // Without batch it is a JavaScript backend written before batch was required: a cast stands for that.
          const first = manager(new CrashingStorage(inner, limit, batches) as Storage);
          try {
            await first.submit(retrying());
            await mesos.drive(first);
          } catch (err) {
            if (!(err instanceof Crash || (err as Error).cause instanceof Crash)) throw err;
          }
          const second = manager(inner);
          await second.load();
          // The definitions are given again at start (inline tasks): a submit of one already stored changes nothing.
          await second.submit(retrying());
          await mesos.recover(second);
          await mesos.drive(second);
          const history = historyIds(second);
          assert.equal(new Set(mesos.launched).size, 3, `launched ${mesos.launched.join(', ')}; records ${history.join(', ')}`);
          assert.equal(second.list({ history: true }).filter((r) => r.state === 'TASK_FAILED').length, 3, history.join(', '));
          assert.equal(second.pendingCount, 0);
          assert.ok(second.idle);
        });
      }
    });
  }

  describe('submit', () => {
    it('is all or nothing: a failed write leaves no definition and no record, in memory as in storage (item 14)', async () => {
      const storage = new FlakyStorage();
      const tm = manager(storage);
      storage.down = true;
      await assert.rejects(tm.submit([retrying({ instances: 3 }), retrying({ name: 'other' })]), (err: unknown) => err instanceof StorageError && err.retryable);
      assert.deepEqual(tm.list({ history: true }), []);
      assert.deepEqual(tm.placementRequests(), []);
      await assert.rejects(tm.scale('app', 2), { code: TaskManagerErrorCodes.UNKNOWN_DEFINITION });
      storage.down = false;
      assert.deepEqual(await storage.list('definitions'), []);
      assert.deepEqual(await storage.list('tasks'), []);
      assert.equal((await tm.submit(retrying({ instances: 3 }))).length, 3, 'a retry applies it whole');
    });

    it('validates everything before it changes anything', async () => {
      const storage = new FlakyStorage();
      const tm = manager(storage);
      await assert.rejects(tm.submit([retrying(), { name: 'bad', resources: { cpus: -1, mem: 1 }, command: { shell: 'x' } }]), { code: 'ERR_TASK_DEFINITION_INVALID' });
      assert.equal(storage.writes, 0);
      assert.deepEqual(tm.list(), []);
    });

    it('a failed scale() keeps the old number of instances', async () => {
      const storage = new FlakyStorage();
      const tm = manager(storage);
      await tm.submit(retrying({ instances: 1 }));
      storage.down = true;
      await assert.rejects(tm.scale('app', 3), (err: unknown) => err instanceof StorageError);
      storage.down = false;
      assert.equal(tm.list().length, 1);
      await assert.rejects(tm.scale('app', 1.5), { code: TaskManagerErrorCodes.BAD_INSTANCES });
    });
  });

  describe('history (item 10)', () => {
    it('keeps keepPerSlot ended attempts per slot under churn, in memory and in storage, and counts every attempt', async () => {
      const storage = new InMemoryStorage();
      const tm = manager(storage, { history: { keepPerSlot: 3 } });
      await tm.submit(retrying({ instances: 2, restartPolicy: { policy: 'always', backoffSeconds: 0 } }));
      for (let round = 0; round < 100; round++) {
        for (const req of tm.placementRequests()) {
          await tm.prepareLaunch(assignment(req.id));
          await tm.onStatus(status(req.id, round % 2 ? 'TASK_FINISHED' : 'TASK_FAILED'));
        }
      }
      // Per slot: 3 ended attempts and the current one.
      assert.equal(tm.recordCount, 8);
      assert.equal((await storage.list('tasks')).length, 8);
      assert.deepEqual(tm.totals('app'), { TASK_FAILED: 100, TASK_FINISHED: 100 });
      // The counts survive a restart.
      const again = manager(storage, { history: { keepPerSlot: 3 } });
      await again.load();
      assert.deepEqual(again.totals('app'), { TASK_FAILED: 100, TASK_FINISHED: 100 });
      assert.deepEqual(again.placementRequests().map((r) => r.id), ['app.0.100', 'app.1.100'], 'attempt numbers go on');
    });

    it('prunes ended attempts older than maxAgeSeconds, and a store grown by an older SDK at load()', async () => {
      const storage = new InMemoryStorage();
      const clock = { now: 1_000_000 };
      const unbounded = manager(storage, { history: { keepPerSlot: 1000, maxAgeSeconds: 0 } }, clock);
      await unbounded.submit(retrying({ restartPolicy: { policy: 'always', backoffSeconds: 0 } }));
      for (let i = 0; i < 50; i++) {
        const [req] = unbounded.placementRequests();
        await unbounded.prepareLaunch(assignment(req!.id));
        await unbounded.onStatus(status(req!.id, 'TASK_FINISHED'));
        clock.now += 60_000;
      }
      assert.equal((await storage.list('tasks')).length, 51);
      // 10 minutes of retention: the attempts replaced in the last 10 minutes stay, with the current one.
      const bounded = manager(storage, { history: { keepPerSlot: 1000, maxAgeSeconds: 600 } }, clock);
      await bounded.load();
      assert.equal(bounded.recordCount, 11);
      assert.equal((await storage.list('tasks')).length, 11);
      assert.equal(bounded.totals('app')['TASK_FINISHED'], 50);
    });

    it('load() prunes a store an older SDK grew to 20,000 ended attempts down to the retention, counts kept', async () => {
      const storage = new InMemoryStorage();
      const def = retrying({ instances: 10, restartPolicy: { policy: 'always', backoffSeconds: 0 } });
      await storage.put('definitions/app', toBytes(def));
      const ops: StorageOperation[] = [];
      for (let i = 0; i < 10; i++) {
        for (let a = 0; a < 2000; a++) ops.push({ type: 'put', key: `tasks/app.${i}.${a}`, value: toBytes({ id: `app.${i}.${a}`, name: 'app', instance: i, attempt: a, state: 'TASK_FINISHED', desired: 'running', superseded: true }) });
        ops.push({ type: 'put', key: `tasks/app.${i}.2000`, value: toBytes({ id: `app.${i}.2000`, name: 'app', instance: i, attempt: 2000, state: 'TASK_RUNNING', desired: 'running', agentId: 'S1' }) });
      }
      await storage.batch(ops);
      const tm = manager(storage);
      await tm.load();
      assert.equal(tm.recordCount, 60, '5 ended attempts and the running one, per slot');
      assert.equal((await storage.list('tasks')).length, 60);
      assert.equal(tm.totals('app')['TASK_FINISHED'], 20_000);
      assert.equal(tm.list().length, 10);
    });

    it('rejects a retention that is not a count or a number of seconds', () => {
      assert.throws(() => manager(new InMemoryStorage(), { history: { keepPerSlot: -1 } }), { code: 'ERR_CONFIG_INVALID' });
      assert.throws(() => manager(new InMemoryStorage(), { history: { maxAgeSeconds: Infinity } }), { code: 'ERR_CONFIG_INVALID' });
    });
  });

  describe('definitions that cannot be placed (item 5)', () => {
    it('a stored definition that makes placement fail is reported once, its tasks marked TASK_ERROR; the others are placed; a fixed submit relaunches it', async () => {
      const storage = new InMemoryStorage();
      // As `cpus: 1e999` was stored by an older validator: JSON turns Infinity into null.
      await storage.put('definitions/poison', toBytes({ name: 'poison', instances: 2, resources: { cpus: Infinity, mem: 32 }, command: { shell: 'x' } }));
      await storage.put('tasks/poison.0.0', toBytes({ id: 'poison.0.0', name: 'poison', instance: 0, attempt: 0, state: 'PENDING', desired: 'running' }));
      await storage.put('tasks/poison.1.0', toBytes({ id: 'poison.1.0', name: 'poison', instance: 1, attempt: 0, state: 'PENDING', desired: 'running' }));
      const logger = new MemoryLogger();
      const tm = manager(storage, { logger });
      await tm.load();
      await tm.submit(retrying({ name: 'good' }));
      const requests = tm.placementRequests();
      // toPlacementRequest copies null through: the resource manager refuses it (see its test); here the task manager is told so.
      const bad = requests.filter((r) => r.group === 'poison').map((r) => ({ requestId: r.id, error: new Error('cpus must be a finite number') }));
      await tm.markInvalid(bad);
      await tm.markInvalid(bad);
      assert.deepEqual(tm.placementRequests().map((r) => r.id), ['good.0.0']);
      assert.equal(tm.get('poison.0.0')!.state, 'TASK_ERROR');
      assert.match(tm.get('poison.0.0')!.invalid!, /ERR_TASK_DEFINITION_UNPLACEABLE/);
      assert.equal(logger.lines.filter((l) => /ERR_TASK_DEFINITION_UNPLACEABLE/.test(l.message)).length, 1, 'logged once');
      assert.equal(tm.pendingCount, 1);
      await tm.submit({ name: 'poison', instances: 2, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } });
      assert.deepEqual(tm.placementRequests().map((r) => r.id).sort(), ['good.0.0', 'poison.0.1', 'poison.1.1']);
    });

    it('a record whose definition is missing is skipped and marked, not a crash of every cycle', async () => {
      const storage = new InMemoryStorage();
      await storage.put('tasks/ghost.0.0', toBytes({ id: 'ghost.0.0', name: 'ghost', instance: 0, attempt: 0, state: 'PENDING', desired: 'running' }));
      const tm = manager(storage, { logger: new MemoryLogger() });
      await tm.load();
      assert.deepEqual(tm.placementRequests(), []);
      await tm.markInvalid();
      assert.equal(tm.get('ghost.0.0')!.state, 'TASK_ERROR');
    });
  });
});
