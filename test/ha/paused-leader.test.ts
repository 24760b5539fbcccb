import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';
import { history, leaderAt, leaderships } from '../support/etcd-history.js';

const NODE = fileURLToPath(new URL('../support/ha-fence-node.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Line { ev: string; pid: number; at: number; rev?: string; keys?: string[]; frameworkId?: string; counts?: Record<string, number> }

/** A framework instance in its own process, its milestones kept as they arrive. */
class Instance {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [NODE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20_000)));
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      try {
        this.lines.push(JSON.parse(l) as Line);
      } catch {
        this.stderr += `${l}\n`;
      }
    });
    this.child.on('exit', (code, signal) => (this.exit = { code, signal }));
  }
  get pid(): number {
    return this.child.pid!;
  }
  get alive(): boolean {
    return this.exit === undefined;
  }
  has(ev: string): boolean {
    return this.lines.some((l) => l.ev === ev);
  }
}

async function until<T>(ms: number, what: () => string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what()}`);
    await sleep(50);
  }
}

describe('HA fencing: a paused leader, separate processes, a real etcd and the simulator', () => {
  let etcd: EtcdServer;
  before(async () => (etcd = await startEtcd()));
  after(async () => etcd.stop());

  it('three times the leader is SIGSTOPped past its TTL mid-launch and resumed: every task id launched once, no record written by a non-leader, each deposed leader exits 75', { timeout: 240_000 }, async () => {
    const ttl = 2;
    const slots = 240;
    const name = 'paused-leader';
    // Two small agents: 20 tasks at a time, so launches run in waves through every pause.
    const sim = await SimulatedMaster.start({ agents: [{ cpus: 1, mem: 1024 }, { cpus: 1, mem: 1024 }], allocationIntervalMs: 100, taskBehaviours: [{ runMs: 3000 }] });
    const args = [sim.url, etcd.endpoint, name, String(ttl), String(slots), '3000'];
    const all: Instance[] = [];
    let supervising = true;
    /** The supervisor: three candidates at all times; one that exits is started again (as a standby). */
    const candidates = () => all.filter((i) => i.alive && !i.has('lost'));
    const supervise = async () => {
      while (supervising) {
        while (candidates().length < 3) all.push(new Instance(args));
        await sleep(100);
      }
    };
    const supervisor = supervise();
    const deposed: Array<{ instance: Instance; resumedAt: number }> = [];
    try {
      let leader = await until(30_000, () => 'no instance elected', () => all.find((i) => i.alive && i.has('elected')));
      for (let cycle = 1; cycle <= 3; cycle++) {
        const launchedBefore = sim.engine.launchLog.length;
        await until(30_000, () => `cycle ${cycle}: no launches by the leader (${sim.engine.launchLog.length} launched)`, () => sim.engine.launchLog.length >= launchedBefore + 8);
        assert.ok(sim.engine.launchLog.length < slots, `cycle ${cycle}: the pause must land while tasks are still launching (${sim.engine.launchLog.length} of ${slots} launched)`);
        const pausedAt = Date.now();
        leader.child.kill('SIGSTOP');
        const next = await until(6 * ttl * 1000, () => `cycle ${cycle}: no standby took over from the paused leader`, () => all.find((i) => i !== leader && i.alive && i.lines.some((l) => l.ev === 'elected' && l.at >= pausedAt)));
        // Paused well past its TTL and past the takeover, while the new leader launches and reconciles.
        await sleep(2 * ttl * 1000);
        leader.child.kill('SIGCONT');
        deposed.push({ instance: leader, resumedAt: Date.now() });
        leader = next;
      }
      // The last leader finishes the run.
      await until(120_000, () => `the run did not finish: ${sim.engine.completedTasks.length} of ${slots} completed`, () => all.find((i) => i.alive && i.has('done')));
      // Each deposed leader stopped and exited on its own (75: EX_TEMPFAIL), to be restarted as a standby.
      // (Waited for here, checked below with the rest.)
      await until(15_000, () => '', () => deposed.every(({ instance }) => instance.exit)).catch(() => {});
    } finally {
      supervising = false;
      await supervisor;
      for (const i of all) if (i.alive) i.child.kill('SIGKILL');
      await sim.stop();
    }

    // Mesos' side: every task id launched at most once, every slot finished exactly once.
    const ids = sim.engine.launchLog.map((l) => l.taskId);
    const twice = ids.filter((id, n) => ids.indexOf(id) !== n);
    const finished = sim.engine.completedTasks.filter((t) => t.state === 'TASK_FINISHED');
    const perSlot = new Map<string, number>();
    for (const t of finished) perSlot.set(t.taskId.split('.').slice(0, 2).join('.'), (perSlot.get(t.taskId.split('.').slice(0, 2).join('.')) ?? 0) + 1);

    // etcd's side: every record write a process got applied, against who led at that revision.
    const leaders = leaderships(await history(etcd.endpoint, `mesos-sdk/elections/${name}/`));
    const pidOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));
    const strays: string[] = [];
    let writes = 0;
    for (const i of all) {
      for (const w of i.lines.filter((l) => l.ev === 'write')) {
        writes++;
        const at = leaderAt(leaders, BigInt(w.rev!));
        if (!at || pidOf(at.id) !== i.pid) strays.push(`rev ${w.rev} by ${i.pid} (leader then: ${at ? pidOf(at.id) : 'none'}): ${w.keys!.join(', ')}`);
      }
    }
    const exits = deposed.map(({ instance }) => {
      const why = /lost the leadership \(([^)]*)\)/.exec(instance.stderr)?.[1] ?? 'no lost-leadership line';
      const refused = instance.stderr.match(/refused: etcd refused a storage write/g)?.length ?? 0;
      return `${instance.pid}: ${instance.exit ? (instance.exit.code ?? instance.exit.signal) : 'still running'} (${why}; ${refused} write(s) refused by etcd logged)`;
    });
    console.log(`paused-leader: ${ids.length} launches, ${twice.length} ids launched twice, ${finished.length} finished, ${writes} record writes, ${strays.length} by a non-leader, ${leaders.length} leaderships, deposed: ${exits.join('; ')}`);
    for (const s of strays.slice(0, 10)) console.log(`  stray write: ${s}`);
    assert.ok(writes > slots, `the children reported their writes (${writes})`);
    assert.deepEqual(strays, [], `no record written by a non-leader (${strays.length} of ${writes} writes)`);
    assert.deepEqual(twice, [], 'no task id launched twice');
    assert.equal(perSlot.size, slots, 'every slot finished');
    assert.deepEqual([...perSlot].filter(([, n]) => n !== 1), [], 'no slot finished twice');
    assert.deepEqual(deposed.map(({ instance }) => instance.exit?.code), [75, 75, 75], `deposed leaders exit with 75: ${exits.join('; ')}`);
    assert.ok(leaders.length >= 4, `four leaderships at least (${leaders.length})`);
  });
});
