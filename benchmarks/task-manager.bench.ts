/**
 * Task manager hot paths of this build; with `BENCH_TM_BEFORE=<dist dir of an earlier build>`, that
 * build's figures side by side in the same run (before / after / speedup):
 * - `submit()` of 5,000 / 20,000 / 100,000 instances, in-memory storage, no network (the 100k
 *   case of the old, quadratic code only with `BENCH_TM_BEFORE_100K=1`: it takes about a minute);
 * - the task manager's work per UPDATE at 30,000 records (the status, then what the task
 *   controller asks after each: is anything placeable, when does the next backoff end);
 * - `load()` of 200,000 records (40,000 slots of 5 attempts, 2 kept per slot: 80,000 pruned, and
 *   200,000 running tasks, nothing to prune), on in-memory storage and on LevelStorage
 *   (`sync: false`: with a sync per write the old code's one write per slot takes minutes);
 * - with 100,000 RUNNING tasks: `toReconcile()`, `totals()`, `counts()`, `list({ name, state })`,
 *   `placementContext()`, `idle`, and `scale()` one instance down and up again;
 * - heap bytes per task record at 100,000 RUNNING tasks (records and indexes, storage excluded).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskManager } from '../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../src/storage/in-memory.storage.js';
import { LevelStorage } from '../src/storage/level.storage.js';
import { toBytes } from '../src/storage/storage-keys.js';
import type { Storage, StorageOperation } from '../src/storage/storage.interface.js';
import type { v1 } from '../src/protocol/generated/index.js';
import { report } from './report.js';

/** The calls of either build the bench makes. */
interface Manager {
  load(): Promise<void>;
  scale(name: string, instances: number): Promise<void>;
  toReconcile(): unknown[];
  totals(name: string): Record<string, number>;
  counts(): Record<string, number>;
  list(q: { name?: string; state?: 'TASK_RUNNING' }): unknown[];
  placementContext(): { running: readonly unknown[] };
  prepareLaunch(a: unknown, attributes?: Record<string, string>): Promise<unknown>;
  readonly idle: boolean;
  readonly recordCount: number;
  submit(input: unknown): Promise<unknown[]>;
  onStatus(status: v1.TaskStatus): Promise<boolean>;
  placementRequests(): unknown[];
  hasPlaceable?(): boolean;
  nextBackoffEnd(): number | undefined;
}
type Make = (now: () => number, storage?: Storage, options?: unknown) => Manager;

const defs = (instances: number, per = 10_000) => {
  const out = [];
  for (let i = 0; instances > 0; i++, instances -= per) out.push({ name: `app${i}`, instances: Math.min(per, instances), resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy: 'always', backoffSeconds: 60 } });
  return out;
};

/**
 * ms of: one submit of every instance; the same submit again with every record held (what
 * `start()` does after a restart: load, then submit the inline tasks); and the instances
 * submitted one definition of 1,000 per call (each call finds the records of the previous ones).
 */
async function submitMs(make: Make, instances: number): Promise<[number, number, number]> {
  const tm = make(Date.now);
  const input = defs(instances);
  const t0 = process.hrtime.bigint();
  await tm.submit(input);
  const t1 = process.hrtime.bigint();
  await tm.submit(input);
  const t2 = process.hrtime.bigint();
  const tm2 = make(Date.now);
  for (const d of defs(instances, 1000)) await tm2.submit(d);
  const t3 = process.hrtime.bigint();
  return [Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6, Number(t3 - t2) / 1e6];
}

/** µs per UPDATE at `records` records: a RUNNING update (changes the record), then the controller's revive and backoff checks. */
async function perUpdateUs(make: Make, records: number): Promise<number> {
  let now = 1_000_000;
  const tm = make(() => now);
  await tm.submit(defs(records));
  const ids: string[] = [];
  for (const d of defs(records)) for (let i = 0; i < d.instances; i++) ids.push(`${d.name}.${i}.0`);
  const status = (id: string, state: v1.TaskState, ts: number): v1.TaskStatus => ({ task_id: { value: id }, state, timestamp: ts, agent_id: { value: 'S1' } });
  const check = () => (tm.hasPlaceable ? tm.hasPlaceable() : tm.placementRequests().length > 0) || tm.nextBackoffEnd();
  for (const id of ids) await tm.onStatus(status(id, 'TASK_STAGING', 1));
  // 100 tasks failed and wait in backoff: nothing is placeable, the next backoff end is asked for.
  for (const id of ids.slice(0, 100)) await tm.onStatus(status(id, 'TASK_FAILED', 2));
  now += 1000;
  const live = ids.slice(100);
  const n = Math.min(5000, live.length);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await tm.onStatus(status(live[i]!, 'TASK_RUNNING', 3));
    check();
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function beforeMake(): Promise<Make | undefined> {
  const dir = process.env.BENCH_TM_BEFORE;
  if (!dir) return undefined;
  const tmPath = join(dir, 'src/task-manager/task-manager.js');
  const stPath = join(dir, 'src/storage/in-memory.storage.js');
  if (!existsSync(tmPath) || !existsSync(stPath)) return undefined;
  const { TaskManager: Old } = (await import(pathToFileURL(tmPath).href)) as { TaskManager: new (...a: unknown[]) => Manager };
  const { InMemoryStorage: OldStorage } = (await import(pathToFileURL(stPath).href)) as { InMemoryStorage: new () => unknown };
  return (now, storage, options) => new Old(storage ?? new OldStorage(), { kill: async () => {} }, now, options);
}

/** Discards every write, holds nothing: the heap measured is the task manager's own. */
const nullStorage = (): Storage => ({
  get: async () => undefined,
  put: async () => {},
  delete: async () => false,
  list: async () => [],
  deletePrefix: async () => 0,
  compareAndSet: async () => true,
  batch: async () => {},
  close: async () => {},
});

const NOW = 1_700_000_000_000;
const def = (name: string, instances: number) => ({ name, instances, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'sleep 1000' }, labels: { team: 'bench' }, restartPolicy: { policy: 'always' } });
const agentOf = (k: number) => ({ id: `0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-S${k % 1000}`, host: `agent${k % 1000}.cluster.example.org`, attributes: { rack: `r${k % 20}`, zone: `z${k % 3}` } });

/** The stored state of `slots` slots with `attempts` attempts each (the older ones ended and replaced, the newest RUNNING). */
function storedRecords(slots: number, attempts: number): StorageOperation[] {
  const ops: StorageOperation[] = [];
  const per = 10_000;
  for (let d = 0; d * per < slots; d++) ops.push({ type: 'put', key: `definitions/app${d}`, value: toBytes(def(`app${d}`, Math.min(per, slots - d * per))) });
  for (let k = 0; k < slots; k++) {
    const name = `app${Math.floor(k / per)}`;
    const instance = k % per;
    const a = agentOf(k);
    for (let attempt = 0; attempt < attempts; attempt++) {
      const last = attempt === attempts - 1;
      const rec = { id: `${name}.${instance}.${attempt}`, name, instance, attempt, state: last ? 'TASK_RUNNING' : 'TASK_FAILED', desired: 'running', agentId: a.id, hostname: a.host, attributes: a.attributes, updatedAt: NOW / 1000 + attempt, ...(last ? {} : { message: 'Command exited with status 1', superseded: true, supersededAt: NOW - 1000 }) };
      ops.push({ type: 'put', key: `tasks/${rec.id}`, value: toBytes(rec) });
    }
  }
  return ops;
}

async function fill(storage: Storage, ops: readonly StorageOperation[]): Promise<Storage> {
  for (let i = 0; i < ops.length; i += 10_000) await storage.batch(ops.slice(i, i + 10_000));
  return storage;
}

/** ms of `load()` of the records in `storage`. */
async function loadMs(make: Make, storage: Storage): Promise<number> {
  const tm = make(() => NOW, storage, { history: { keepPerSlot: 2 } });
  const t0 = process.hrtime.bigint();
  await tm.load();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (tm.recordCount !== 200_000 && tm.recordCount !== 120_000) throw new Error(`load kept ${tm.recordCount} records`);
  return ms;
}

/** A task manager holding `n` RUNNING tasks (launched on 1,000 agents, updated STAGING then RUNNING as decoded updates would be). */
async function running(make: Make, n: number, storage: Storage = nullStorage()): Promise<Manager> {
  const tm = make(() => NOW, storage);
  const defs = [];
  for (let d = 0; d * 10_000 < n; d++) defs.push(def(`app${d}`, Math.min(10_000, n - d * 10_000)));
  await tm.submit(defs);
  for (let k = 0; k < n; k++) {
    const id = `app${Math.floor(k / 10_000)}.${k % 10_000}.0`;
    const a = agentOf(k);
    await tm.prepareLaunch({ requestId: id, offerId: { value: 'o' }, offerIds: [{ value: 'o' }], agentId: { value: a.id }, hostname: a.host, resources: [], ports: [] }, a.attributes);
    for (const [state, ts] of [['TASK_STAGING', 1], ['TASK_RUNNING', 2]] as const) {
      // Fresh strings per update, as a decoder hands them out.
      await tm.onStatus({ task_id: { value: `${id} `.trimEnd() }, state, timestamp: NOW / 1000 + ts + k / 1e6, agent_id: { value: `${a.id} `.trimEnd() }, message: `${'Task is running'} `.trimEnd() });
    }
  }
  return tm;
}

/** gc(), reached through the V8 flag as `--expose-gc` would: the heap measure, and a collection before each timed query (the garbage of the setup is not charged to it). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Median ms of `fn` over `n` calls (after one). */
async function timeMs(fn: () => unknown, n = 5): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    exposeGc()();
    const t0 = process.hrtime.bigint();
    await fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(xs);
}

/** The queries at 100,000 RUNNING tasks, ms each. */
async function queriesMs(make: Make): Promise<Record<string, number>> {
  const tm = await running(make, 100_000);
  return {
    'toReconcile()': await timeMs(() => tm.toReconcile()),
    "totals('app3')": await timeMs(() => tm.totals('app3'), 20),
    'counts()': await timeMs(() => tm.counts(), 20),
    'idle': await timeMs(() => tm.idle, 20),
    "list({ name: 'app3', state: 'TASK_RUNNING' })": await timeMs(() => tm.list({ name: 'app3', state: 'TASK_RUNNING' })),
    'placementContext().running': await timeMs(() => tm.placementContext().running.length),
    "scale('app3') one down, one up": await timeMs(async () => {
      await tm.scale('app3', 9_999);
      await tm.scale('app3', 10_000);
    }),
  };
}

/** Heap bytes per record at 100,000 RUNNING tasks (records and indexes, the storage holding nothing). */
async function bytesPerRecord(make: Make, gc: () => void): Promise<number> {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const tm = await running(make, 100_000);
  gc();
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / tm.recordCount;
  if (tm.counts()['TASK_RUNNING'] !== 100_000) throw new Error('not every task is RUNNING');
  return bytes;
}

/** Runs the task manager benchmarks. */
export async function run(): Promise<void> {
  const after: Make = (now, storage, options) => new TaskManager(storage ?? new InMemoryStorage(), { kill: async () => {} }, now, options as ConstructorParameters<typeof TaskManager>[3]);
  const before = await beforeMake();
  const runs = 3;
  // BENCH_TM_PARTS=load,queries (say) runs only those of: submit, update, load, queries, memory.
  const parts = new Set((process.env.BENCH_TM_PARTS ?? 'submit,update,load,queries,memory').split(','));
  for (const n of parts.has('submit') ? [5000, 20_000, 100_000] : []) {
    const withBefore = before && (n < 100_000 || process.env.BENCH_TM_BEFORE_100K === '1');
    const a: Array<[number, number, number]> = [];
    const b: Array<[number, number, number]> = [];
    for (let i = 0; i < runs; i++) {
      if (withBefore) b.push(await submitMs(before, n));
      a.push(await submitMs(after, n));
    }
    for (const [k, what] of [[0, 'submit'], [1, 'resubmit (start() after a restart)'], [2, 'submit in calls of 1000 of']] as const) {
      const am = median(a.map((x) => x[k]));
      report(`task-manager ${what} ${n} instances`, am, 'ms');
      if (withBefore) {
        const bm = median(b.map((x) => x[k]));
        report(`task-manager ${what} ${n} instances (before)`, bm, 'ms');
        report(`task-manager ${what} ${n} instances speedup`, bm / am, 'x');
      }
    }
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < (parts.has('update') ? runs : 0); i++) {
    if (before) b.push(await perUpdateUs(before, 30_000));
    a.push(await perUpdateUs(after, 30_000));
  }
  if (a.length) report('task-manager per update at 30000 records', median(a), 'µs');
  if (before && b.length) {
    report('task-manager per update at 30000 records (before)', median(b), 'µs');
    report('task-manager per update at 30000 records speedup', median(b) / median(a), 'x');
  }

  const side = (name: string, after: number, before: number | undefined, unit: string, lowerIsBetter = true) => {
    report(`task-manager ${name}`, after, unit);
    if (before === undefined) return;
    report(`task-manager ${name} (before)`, before, unit);
    report(`task-manager ${name} ${lowerIsBetter ? 'speedup' : 'ratio'}`, before / after, 'x');
  };

  // load() of 200,000 records: three runs alternating on in-memory storage, one each on LevelStorage.
  for (const [shape, slots, attempts] of parts.has('load') ? ([['80000 pruned', 40_000, 5], ['nothing to prune', 200_000, 1]] as const) : []) {
    const ops = storedRecords(slots, attempts);
    const la: number[] = [];
    const lb: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (before) lb.push(await loadMs(before, await fill(new InMemoryStorage(), ops)));
      la.push(await loadMs(after, await fill(new InMemoryStorage(), ops)));
    }
    side(`load() 200000 records, ${shape}, in-memory`, median(la), before && median(lb), 'ms');
    const level = async (make: Make) => {
      const dir = mkdtempSync(join(tmpdir(), 'tm-bench-'));
      const storage = await fill(new LevelStorage(dir, { sync: false }), ops);
      try {
        return await loadMs(make, storage);
      } finally {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const levelBefore = before && (await level(before));
    side(`load() 200000 records, ${shape}, LevelStorage`, await level(after), levelBefore, 'ms');
  }

  // Queries at 100,000 RUNNING tasks.
  if (parts.has('queries')) {
    const qa = await queriesMs(after);
    const qb = before && (await queriesMs(before));
    for (const [q, ms] of Object.entries(qa)) side(`${q} at 100000 RUNNING`, ms, qb?.[q], 'ms');
  }
  if (!parts.has('memory')) return;

  const gc = exposeGc();
  const ba = await bytesPerRecord(after, gc);
  const bb = before && (await bytesPerRecord(before, gc));
  side('heap bytes per record at 100000 RUNNING', ba, bb, 'B', true);
}
