/**
 * Task manager hot paths, before (main's build at /work/main/dist, when present, or
 * `BENCH_TM_BEFORE=<dir>`) and after (this build), side by side in one run:
 * - `submit()` of 5,000 / 20,000 / 100,000 instances, in-memory storage, no network (the 100k
 *   case of the old, quadratic code only with `BENCH_TM_BEFORE_100K=1`: it takes about a minute);
 * - the task manager's work per UPDATE at 30,000 records (the status, then what the task
 *   controller asks after each: is anything placeable, when does the next backoff end).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TaskManager } from '../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../src/storage/in-memory.storage.js';
import type { v1 } from '../src/protocol/generated/index.js';
import { report } from './report.js';

/** The calls of either build the bench makes. */
interface Manager {
  submit(input: unknown): Promise<unknown[]>;
  onStatus(status: v1.TaskStatus): Promise<boolean>;
  placementRequests(): unknown[];
  hasPlaceable?(): boolean;
  nextBackoffEnd(): number | undefined;
}
type Make = (now: () => number) => Manager;

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
  const dir = process.env.BENCH_TM_BEFORE ?? '/work/main/dist';
  const tmPath = join(dir, 'src/task-manager/task-manager.js');
  const stPath = join(dir, 'src/storage/in-memory.storage.js');
  if (!existsSync(tmPath) || !existsSync(stPath)) return undefined;
  const { TaskManager: Old } = (await import(pathToFileURL(tmPath).href)) as { TaskManager: new (...a: unknown[]) => Manager };
  const { InMemoryStorage: OldStorage } = (await import(pathToFileURL(stPath).href)) as { InMemoryStorage: new () => unknown };
  return (now) => new Old(new OldStorage(), { kill: async () => {} }, now);
}

/** Runs the task manager benchmarks. */
export async function run(): Promise<void> {
  const after: Make = (now) => new TaskManager(new InMemoryStorage(), { kill: async () => {} }, now);
  const before = await beforeMake();
  const runs = 3;
  for (const n of [5000, 20_000, 100_000]) {
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
  for (let i = 0; i < runs; i++) {
    if (before) b.push(await perUpdateUs(before, 30_000));
    a.push(await perUpdateUs(after, 30_000));
  }
  report('task-manager per update at 30000 records', median(a), 'µs');
  if (before) {
    report('task-manager per update at 30000 records (before)', median(b), 'µs');
    report('task-manager per update at 30000 records speedup', median(b) / median(a), 'x');
  }
}
