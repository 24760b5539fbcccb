import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { fromBytes } from '../../src/storage/storage-keys.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import { isTerminal, type TaskRecord, type TaskRecordState } from '../../src/task-manager/task-record.js';
import type { TaskTotals } from '../../src/task-manager/task-history.js';

/** Issue 17: every query the indexes answer, compared with a scan of every record after each step of random histories. */

const NAMES = ['web', 'batch'] as const;
const STATES: v1.TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_GONE', 'TASK_ERROR'];
const QUERY_STATES: TaskRecordState[] = ['PENDING', 'LAUNCHING', ...STATES];
const AGENTS = [0, 1, 2].map((i) => ({ id: `S${i}`, host: `h${i}`, attributes: { rack: `r${i % 2}` } }));

type Step =
  | { kind: 'submit'; name: number; instances: number; policy: number; labels: boolean }
  | { kind: 'scale'; name: number; instances: number }
  | { kind: 'launch'; pick: number; agent: number }
  | { kind: 'status'; pick: number; state: number; reason: boolean; ts: number }
  | { kind: 'launchFailed'; pick: number }
  | { kind: 'kill'; pick: number }
  | { kind: 'invalid'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'reload' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('submit' as const), name: fc.nat(1), instances: fc.integer({ min: 0, max: 5 }), policy: fc.nat(2), labels: fc.boolean() }),
  fc.record({ kind: fc.constant('scale' as const), name: fc.nat(1), instances: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ kind: fc.constant('launch' as const), pick: fc.nat(), agent: fc.nat(2) }),
  fc.record({ kind: fc.constant('launch' as const), pick: fc.nat(), agent: fc.nat(2) }),
  fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), state: fc.nat(STATES.length - 1), reason: fc.boolean(), ts: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), state: fc.nat(STATES.length - 1), reason: fc.boolean(), ts: fc.integer({ min: 1, max: 50 }) }),
  fc.record({ kind: fc.constant('launchFailed' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('kill' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('invalid' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('reload' as const) }),
);

const ids = (xs: ReadonlyArray<{ id: string }>) => xs.map((x) => x.id).sort();
const byId = (a: TaskRecord, b: TaskRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Checks every indexed answer of `tm` against a scan of its records (`list({ history: true })` reads the record map itself). */
async function checkIndexes(tm: TaskManager, storage: InMemoryStorage, now: number, labelled: ReadonlySet<string>, where: string): Promise<void> {
  const all = tm.list({ history: true });
  assert.equal(tm.recordCount, all.length, `recordCount ${where}`);
  const current = all.filter((r) => !r.superseded);
  // list() through the definition, state and label indexes.
  for (const history of [false, true]) {
    const pool = history ? all : current;
    for (const name of NAMES) {
      assert.deepEqual(tm.list({ name, history }).sort(byId), pool.filter((r) => r.name === name).sort(byId), `list({ name: ${name}, history: ${history} }) ${where}`);
      for (const state of QUERY_STATES) assert.deepEqual(ids(tm.list({ name, state, history })), ids(pool.filter((r) => r.name === name && r.state === state)), `list({ name: ${name}, state: ${state} }) ${where}`);
    }
    for (const state of QUERY_STATES) assert.deepEqual(tm.list({ state, history }).sort(byId), pool.filter((r) => r.state === state).sort(byId), `list({ state: ${state}, history: ${history} }) ${where}`);
    assert.deepEqual(ids(tm.list({ label: 'tier=front', history })), ids(pool.filter((r) => labelled.has(r.name))), `list({ label }) ${where}`);
    assert.deepEqual(ids(tm.list({ label: 'tier=front', state: 'TASK_RUNNING', history })), ids(pool.filter((r) => labelled.has(r.name) && r.state === 'TASK_RUNNING')), `list({ label, state }) ${where}`);
  }
  // Counts of the current records, idle.
  const counts: Record<string, number> = {};
  for (const r of current) counts[r.state] = (counts[r.state] ?? 0) + 1;
  assert.deepEqual(tm.counts(), counts, `counts() ${where}`);
  assert.equal(tm.idle, current.every((r) => isTerminal(r.state)), `idle ${where}`);
  // Totals: the pruned ones (as stored) plus the ended records held.
  for (const name of NAMES) {
    const stored = await storage.get(`task-totals/${name}`);
    const want: TaskTotals = { ...(stored ? fromBytes<TaskTotals>(stored, name) : {}) };
    for (const r of all) if (r.name === name && isTerminal(r.state)) want[r.state] = (want[r.state] ?? 0) + 1;
    assert.deepEqual(tm.totals(name), want, `totals(${name}) ${where}`);
  }
  // Launched tasks: reconciliation and the placement context.
  const launched = all.filter((r) => r.state !== 'PENDING' && !isTerminal(r.state));
  assert.deepEqual(tm.toReconcile().map((t) => `${t.task_id.value}@${t.agent_id?.value ?? ''}`).sort(), launched.map((r) => `${r.id}@${r.agentId ?? ''}`).sort(), `toReconcile() ${where}`);
  const some = all.filter((_, i) => i % 2 === 0).map((r) => r.id);
  assert.deepEqual(tm.toReconcile([...some, 'nope.0.0']).map((t) => t.task_id.value).sort(), launched.filter((r) => some.includes(r.id)).map((r) => r.id).sort(), `toReconcile(ids) ${where}`);
  assert.deepEqual(
    tm.placementContext().running.map((t) => `${t.group}@${t.agentId}@${t.hostname}@${JSON.stringify(t.attributes)}`).sort(),
    launched.filter((r) => r.agentId).map((r) => `${r.name}@${r.agentId}@${r.hostname ?? ''}@${JSON.stringify(r.attributes ?? {})}`).sort(),
    `placementContext() ${where}`,
  );
  // Pending: placement order is record order; backoff ends.
  const pending = current.filter((r) => r.state === 'PENDING');
  const placeable = pending.filter((r) => (r.notBefore ?? 0) <= now).map((r) => r.id);
  assert.equal(tm.hasPlaceable(), placeable.length > 0, `hasPlaceable() ${where}`);
  assert.deepEqual(tm.placementRequests().map((r) => r.id), placeable, `placementRequests() ${where}`);
  assert.equal(tm.hasPlaceable(), placeable.length > 0, `hasPlaceable() after placementRequests() ${where}`);
  assert.equal(tm.pendingCount, pending.length, `pendingCount ${where}`);
  const ends = all.filter((r) => r.state === 'PENDING' && (r.notBefore ?? 0) > now).map((r) => r.notBefore!);
  assert.equal(tm.nextBackoffEnd(), ends.length ? Math.min(...ends) : undefined, `nextBackoffEnd() ${where}`);
}

describe('task manager indexes against a scan of every record (issue 17, property)', () => {
  it('after every step of random submits, scales, launches, updates, kills, backoffs and reloads, every indexed query equals the scan', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 45 }), fc.integer({ min: 0, max: 3 }), async (steps, keepPerSlot) => {
        let now = 1_000_000;
        const storage = new InMemoryStorage();
        const history = { keepPerSlot, maxAgeSeconds: 0 };
        const make = () => new TaskManager(storage, { kill: async () => {} }, () => now, { history });
        let tm = make();
        const labelled = new Set<string>();
        const submitted = new Set<string>();
        const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
        for (const [n, s] of steps.entries()) {
          const where = `after step ${n} ${JSON.stringify(s)}`;
          switch (s.kind) {
            case 'submit': {
              const name = NAMES[s.name]!;
              const policy = (['always', 'on-failure', 'never'] as const)[s.policy]!;
              await tm.submit({ name, instances: s.instances, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy, backoffSeconds: 1, maxBackoffSeconds: 4 }, ...(s.labels ? { labels: { tier: 'front' } } : {}) });
              submitted.add(name);
              if (s.labels) labelled.add(name);
              else labelled.delete(name);
              break;
            }
            case 'scale': {
              const name = NAMES[s.name]!;
              if (submitted.has(name)) await tm.scale(name, s.instances);
              break;
            }
            case 'launch': {
              const req = pick(tm.placementRequests(), s.pick);
              const agent = AGENTS[s.agent]!;
              if (req) await tm.prepareLaunch({ requestId: req.id, offerId: { value: 'o' }, offerIds: [{ value: 'o' }], agentId: { value: agent.id }, hostname: agent.host, resources: [], ports: [] }, { ...agent.attributes });
              break;
            }
            case 'status': {
              const rec = pick(tm.list({ history: true }), s.pick);
              const state = STATES[s.state]!;
              if (rec) await tm.onStatus({ task_id: { value: rec.id }, state, timestamp: s.ts, agent_id: { value: rec.agentId ?? 'S9' }, ...(s.reason ? { reason: 'REASON_RECONCILIATION' as const } : {}) });
              break;
            }
            case 'launchFailed': {
              const rec = pick(tm.list({ state: 'LAUNCHING' }), s.pick);
              if (rec) await tm.launchFailed([rec.id]);
              break;
            }
            case 'kill': {
              const rec = pick(tm.list(), s.pick);
              if (rec) await tm.kill(rec.id);
              break;
            }
            case 'invalid': {
              const rec = pick(tm.list({ state: 'PENDING' }), s.pick);
              if (rec) await tm.markInvalid([{ requestId: rec.id, error: new Error('refused by the placement') }]);
              break;
            }
            case 'advance':
              now += s.ms;
              break;
            case 'reload': {
              // A restart: a new task manager loads what was stored (relaunches finished, history pruned) and holds the same records.
              const before = tm.list({ history: true }).sort(byId);
              tm = make();
              await tm.load();
              const after = tm.list({ history: true }).sort(byId);
              const kept = new Set(after.map((r) => r.id));
              assert.ok(before.every((r) => kept.has(r.id) || (r.superseded && isTerminal(r.state))), `load() dropped only ended, replaced attempts ${where}`);
              break;
            }
          }
          await checkIndexes(tm, storage, now, labelled, where);
        }
      }),
      { numRuns: 150 },
    );
  });
});
