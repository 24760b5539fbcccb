import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const NODE = fileURLToPath(new URL('../support/ha-node.js', import.meta.url));

interface Line { ev: string; pid: number; at: number; frameworkId?: string; counts?: Record<string, number>; ids?: string[] }

/** A framework instance in its own process, with its milestones as they arrive. */
function instance(args: string[]): { child: ChildProcess; next(ev: string, ms: number): Promise<Line>; stderr(): string } {
  const child = spawn(process.execPath, [NODE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  const waiters: Array<() => void> = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Line);
    } catch {
      err += `${l}\n`;
    }
    for (const w of waiters.splice(0)) w();
  });
  child.on('exit', () => { for (const w of waiters.splice(0)) w(); });
  return {
    child,
    stderr: () => err,
    async next(ev, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = lines.find((l) => l.ev === ev);
        if (hit) return hit;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`instance ${child.pid} exited (${child.exitCode ?? child.signalCode}) before "${ev}": ${err.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`instance ${child.pid}: no "${ev}" within ${ms} ms: ${err.slice(-2000)}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, 100);
          waiters.push(() => { clearTimeout(t); r(); });
        });
      }
    },
  };
}

describe('HA failover: two framework processes, a real etcd and the simulator', () => {
  let etcd: EtcdServer;
  before(async () => (etcd = await startEtcd()));
  after(async () => etcd.stop());

  it('the leader is SIGKILLed while tasks launch; the standby leads within 2x the TTL and every task runs exactly once', { timeout: 90_000 }, async () => {
    const ttl = 2;
    const slots = 60;
    // Two small agents: 20 tasks fit at a time, so launches come in waves and the kill lands mid-run.
    const sim = await SimulatedMaster.start({ agents: [{ cpus: 1, mem: 1024 }, { cpus: 1, mem: 1024 }], allocationIntervalMs: 100, taskBehaviours: [{ runMs: 1200 }] });
    const args = [sim.url, etcd.endpoint, 'failover-test', String(ttl), String(slots)];
    const a = instance(args);
    let b: ReturnType<typeof instance> | undefined;
    try {
      const elected = await a.next('elected', 20_000);
      assert.ok(elected.frameworkId);
      b = instance(args); // the standby
      await sim.waitFor((s) => s.engine.launchLog.length >= 10, 20_000);
      assert.ok(sim.engine.launchLog.length < slots, `the kill must land while tasks are still launching (${sim.engine.launchLog.length} launched)`);
      const killedAt = Date.now();
      a.child.kill('SIGKILL');
      const takeover = await b.next('elected', 4 * ttl * 1000);
      const takeoverMs = takeover.at - killedAt;
      assert.ok(takeoverMs < 2 * ttl * 1000, `standby led ${takeoverMs} ms after the kill; the TTL is ${ttl} s`);
      assert.equal(takeover.frameworkId, elected.frameworkId, 'the standby resumes the same framework');
      const done = await b.next('done', 60_000);

      // Mesos' view: every slot launched exactly once, each task id once, all finished.
      const perSlot = new Map<string, number>();
      const ids = new Set<string>();
      for (const l of sim.engine.launchLog) {
        assert.ok(!ids.has(l.taskId), `${l.taskId} launched twice`);
        ids.add(l.taskId);
        const slot = l.taskId.split('.').slice(0, 2).join('.');
        perSlot.set(slot, (perSlot.get(slot) ?? 0) + 1);
      }
      assert.equal(perSlot.size, slots, `every slot was launched; framework: ${JSON.stringify(done.ids!.filter((i) => !ids.has(i.split(':')[0]!)))}`);
      assert.deepEqual([...perSlot.entries()].filter(([, n]) => n !== 1), [], 'no slot launched twice');
      // The last acknowledgements may still be on their way when the framework reports done.
      const finishedIds = () => new Set(sim.engine.completedTasks.filter((t) => t.state === 'TASK_FINISHED').map((t) => t.taskId));
      await sim.waitFor(() => finishedIds().size >= slots, 5000).catch(() => {});
      assert.equal(finishedIds().size, slots);

      // The framework's view: each slot known once as finished; nothing lost.
      assert.deepEqual(done.counts, { TASK_FINISHED: slots });
      const current = done.ids!.filter((i) => !i.endsWith(':superseded'));
      assert.equal(current.length, slots);
      assert.deepEqual(new Set(current.map((i) => i.split(':')[0])), ids, 'the tasks the framework knows are the tasks Mesos ran');
      assert.equal(sim.engine.frameworks.size, 1, 'one framework id throughout');
    } finally {
      for (const p of [a, b]) if (p && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await sim.stop();
    }
  });
});
