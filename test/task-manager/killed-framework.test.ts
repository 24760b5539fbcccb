// Issue 16 items 2 and 3, with real processes and real signals: the framework (a child process on
// a LevelStorage) is SIGKILLed at each step of a task's transitions, or runs out of disk; after a
// restart every slot ran exactly as often as its restart policy says.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { TaskNode as Node } from '../support/task-node-process.js';
import { LevelStorage } from '../../src/storage/level.storage.js';
import { isTerminal, type TaskRecordState } from '../../src/task-manager/task-record.js';


/** Launches per task id and per slot (`<name>.<instance>`) the simulator saw. */
function launches(sim: SimulatedMaster): { perId: Map<string, number>; perSlot: Map<string, number> } {
  const perId = new Map<string, number>();
  const perSlot = new Map<string, number>();
  for (const l of sim.engine.launchLog) {
    perId.set(l.taskId, (perId.get(l.taskId) ?? 0) + 1);
    const slot = l.taskId.split('.').slice(0, 2).join('.');
    perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
  }
  return { perId, perSlot };
}

const SIM = { agents: 2, allocationIntervalMs: 20, heartbeatIntervalSeconds: 1, statusUpdateRetryMs: 200, statusUpdateRetryMaxMs: 500 };

describe('a framework process SIGKILLed at a step of a task transition (issue 16, item 3)', () => {
  // One slot that fails every time, relaunched twice (maxRetries 2): three launches, whatever the kill.
  const definitions = JSON.stringify([{ name: 'crash', instances: 1, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'false' }, restartPolicy: { policy: 'on-failure', maxRetries: 2, backoffSeconds: 0.05 } }]);
  // Writes: 1 submit, then per attempt LAUNCHING, STARTING, RUNNING, FAILED (with the supersede mark and the next attempt).
  // Default: every step of the first attempt's life and of its transition to the second; SIGKILL_SWEEP=all: every write.
  const last = process.env['SIGKILL_SWEEP'] === 'all' ? 13 : 5;
  const points: Array<[number, 'before' | 'after']> = [];
  for (let n = 2; n <= last; n++) points.push([n, 'before'], [n, 'after']);

  for (const [n, when] of points) {
    it(`killed ${when} write ${n}: after the restart the slot was launched 3 times, no task id twice`, async () => {
      const sim = await SimulatedMaster.start({ ...SIM, taskBehaviours: [{ startDelayMs: 5, runMs: 40, outcome: 'failed', message: 'exit 1' }] });
      const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-killed-'));
      const nodes: Node[] = [];
      try {
        const first = new Node([sim.urls[0]!, join(dir, 'db'), definitions], { KILL_AT: String(n), KILL_WHEN: when });
        nodes.push(first);
        const end = await Promise.race([first.exited, new Promise<undefined>((r) => setTimeout(r, 30_000))]);
        assert.equal(end?.signal, 'SIGKILL', `the first process killed itself ${when} write ${n} (stderr: ${first.stderr.slice(-500)})`);
        const second = new Node([sim.urls[0]!, join(dir, 'db'), definitions]);
        nodes.push(second);
        const idle = await second.waitFor('idle', 60_000);
        assert.ok(idle, `the restarted framework finished (stderr: ${second.stderr.slice(-500)}; lines ${JSON.stringify(second.lines.slice(-5))})`);
        const { perId, perSlot } = launches(sim);
        assert.equal(perSlot.get('crash.0'), 3, `launches ${JSON.stringify([...perId])}; records ${JSON.stringify(idle.ids)}`);
        assert.deepEqual([...perId.values()].filter((c) => c > 1), [], 'no task id launched twice');
        assert.deepEqual(idle.counts, { TASK_FAILED: 1 });
      } finally {
        for (const node of nodes) await node.stop();
        await sim.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('a framework process whose disk fills up (issue 16, item 2)', () => {
  let sim: SimulatedMaster;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-full-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('acknowledges no update it could not store: after a restart with space, each of 30 slots ran exactly once', async () => {
    sim = await SimulatedMaster.start({ ...SIM, agents: 3, taskBehaviours: [{ startDelayMs: 20, runMs: 400 }] });
    const slots = 30;
    const definitions = JSON.stringify([{ name: 'full', instances: slots, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }]);
    const nodes: Node[] = [];
    try {
      // 16 KiB per file: LevelDB's log fills up while the tasks run (each write is synced, ~200 bytes).
      const starved = new Node([sim.urls[0]!, join(dir, 'db'), definitions], {}, 16);
      nodes.push(starved);
      const failed = await starved.waitFor('storage-failed', 60_000);
      assert.ok(failed, `a write failed (stderr: ${starved.stderr.slice(-500)}; lines ${JSON.stringify(starved.lines.slice(-3))})`);
      // Let it go on failing for a while: updates arrive, their writes fail, nothing is acknowledged.
      await new Promise((r) => setTimeout(r, 1500));
      process.kill(starved.pid, 'SIGKILL');
      await starved.exited;
      // No update acknowledged that was not stored: a task the master retired (its terminal update
      // acknowledged) has a terminal record on disk.
      const disk = new LevelStorage(join(dir, 'db'));
      const stored = new Map((await disk.list('tasks')).map(({ key, value }) => [key.slice('tasks/'.length), JSON.parse(Buffer.from(value).toString()).state as string]));
      await disk.close();
      const live = new Set([...sim.engine.tasks.values()].map((t) => t.info.task_id.value));
      const unstored = sim.engine.launchLog.map((l) => l.taskId).filter((id) => !live.has(id) && !isTerminal(stored.get(id) as TaskRecordState));
      assert.deepEqual(unstored.map((id) => `${id} acknowledged as ended, stored as ${stored.get(id)}`), []);
      const restarted = new Node([sim.urls[0]!, join(dir, 'db'), definitions]);
      nodes.push(restarted);
      const idle = await restarted.waitFor('idle', 90_000);
      assert.ok(idle, `the restarted framework finished (stderr: ${restarted.stderr.slice(-500)})`);
      const { perId, perSlot } = launches(sim);
      assert.equal(perSlot.size, slots, `every slot launched: ${JSON.stringify([...perSlot])}`);
      assert.deepEqual([...perSlot].filter(([, c]) => c !== 1), [], `each slot exactly once: ${JSON.stringify([...perId])}`);
      assert.deepEqual(idle.counts, { TASK_FINISHED: slots });
      assert.equal(failed.code, 'ERR_STORAGE_FULL', `the failure is typed: ${JSON.stringify(failed)}`);
    } finally {
      for (const node of nodes) await node.stop();
      await sim.stop();
    }
  });
});
