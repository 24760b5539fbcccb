/**
 * The soak: the task-manager framework against the simulator for a while, with faults injected at
 * random, then the invariants checked. Prints figures and violations; exits 1 on any violation.
 *
 *     npm run soak -- --tasks 10000 --minutes 5 [--fault-every 3] [--seed 42] [--agents 40]
 */
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createFramework, type FrameworkHandle } from '../src/bootstrap/create-framework.js';
import { SimulatedMaster, type Fault } from '../src/simulator/simulated-master.js';
import { InMemoryStorage } from '../src/storage/in-memory.storage.js';
import { MemoryLogger } from '../src/logging/index.js';
import { TOKENS } from '../src/tokens.js';
import type { TaskManager } from '../src/task-manager/task-manager.js';
import type { Scheduler } from '../src/scheduler/scheduler.interface.js';
import type { TaskDefinition } from '../src/task-spec/task-definition.js';
import { prng } from './prng.js';
import { checkInvariants, expectedFinished, leakedOffers } from '../test/faults/invariants.js';

export interface SoakOptions {
  tasks: number;
  minutes: number;
  faultEvery: number;
  seed: number;
  agents: number;
  progress: boolean;
}

export interface SoakResult {
  tasksCompleted: number;
  tasksExpected: number;
  launches: number;
  faults: Record<string, number>;
  reconnects: number;
  restarts: number;
  violations: string[];
  seconds: number;
  timedOut: boolean;
}


const FAULTS = ['drop-stream', 'heartbeats', 'failover', '503-storm', 'partition', 'remove-agent', 'duplicate-updates', 'reorder-updates', 'rescind', 'restart-scheduler'] as const;
type FaultKind = (typeof FAULTS)[number];

const GROUPS = 10;
/** Run time of each group's tasks in the simulator, ms: from quick jobs to longer ones. */
const RUN_MS = [100, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000];

/** The definitions at their final size: GROUPS groups sharing `total` instances. */
function definitions(total: number): TaskDefinition[] {
  return Array.from({ length: GROUPS }, (_, g) => ({
    name: `soak-${g}`,
    instances: Math.floor(total / GROUPS) + (g < total % GROUPS ? 1 : 0),
    resources: { cpus: 0.1, mem: 16 },
    command: { shell: 'true' },
    restartPolicy: { policy: 'on-failure' as const, maxRetries: 50, backoffSeconds: 0.2, maxBackoffSeconds: 2 },
  }));
}

export async function soak(opts: SoakOptions, log: (line: string) => void = console.log): Promise<SoakResult> {
  const random = prng(opts.seed);
  const started = Date.now();
  const deadline = started + opts.minutes * 60_000;
  const sim = await SimulatedMaster.start({
    masters: 2,
    agents: Array.from({ length: opts.agents }, () => ({ cpus: 8, mem: 32768 })),
    allocationIntervalMs: 50,
    heartbeatIntervalSeconds: 1,
    statusUpdateRetryMs: 1000,
    statusUpdateRetryMaxMs: 4000,
    taskBehaviours: RUN_MS.map((runMs, g) => ({ name: `^soak-${g}$`, startDelayMs: 5, runMs })),
    completedTaskHistory: opts.tasks * 3,
  });
  const storage = new InMemoryStorage();
  const frameworkIds = new Set<string>();
  let reconnects = 0;
  let restarts = 0;
  const faults: Record<string, number> = {};
  const defs = definitions(opts.tasks);

  const start = async (submit: boolean): Promise<FrameworkHandle> => {
    const fw = createFramework({
      master: sim.urls,
      framework: { name: 'soak', failover_timeout: 3600 },
      taskManager: true,
      scheduler: { heartbeatMissLimit: 3, backoff: { initialMs: 100, maxMs: 2000 } },
      reconcileIntervalSeconds: 30,
      overrides: [{ token: TOKENS.Storage, useValue: storage }, { token: TOKENS.Logger, useValue: new MemoryLogger() }],
    });
    await fw.start();
    fw.get<Scheduler>(TOKENS.Scheduler).onLifecycle((e) => {
      if (e.type === 'connected') {
        frameworkIds.add(e.frameworkId);
        if (e.resubscribed) reconnects++;
      }
    });
    if (fw.frameworkId) frameworkIds.add(fw.frameworkId);
    // The definitions start empty and grow over the run (see `pace`), so faults hit a busy cluster throughout.
    if (submit) await fw.get<TaskManager>(TOKENS.TaskManager).submit(defs.map((d) => ({ ...d, instances: 0 })));
    return fw;
  };

  let fw = await start(true);
  const tasksOf = () => fw.get<TaskManager>(TOKENS.TaskManager);
  // Faults aimed at agents hit one that runs tasks when there is one (bin-packing leaves many idle).
  const agents = () => {
    const busy = new Set([...sim.engine.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').map((t) => t.agentId));
    const active = [...sim.engine.agents.values()].filter((a) => a.state === 'active').map((a) => a.id);
    const hit = active.filter((id) => busy.has(id));
    return hit.length > 0 ? hit : active;
  };
  const inject = async (kind: FaultKind): Promise<void> => {
    faults[kind] = (faults[kind] ?? 0) + 1;
    const f = (fault: Fault) => sim.fault(fault);
    const later = (ms: number, fn: () => void) => setTimeout(fn, ms).unref();
    switch (kind) {
      case 'drop-stream': f({ action: 'drop-stream' }); break;
      case 'heartbeats': f({ action: 'stop-heartbeats' }); later(4500, () => f({ action: 'resume-heartbeats' })); break;
      case 'failover': f({ action: 'failover' }); break;
      case '503-storm': f({ action: 'fail-calls', count: 10 }); break;
      case 'partition': {
        const id = agents()[Math.floor(random() * agents().length)];
        if (id) { f({ action: 'partition-agent', agentId: id }); later(2000, () => f({ action: 'heal-agent', agentId: id })); }
        break;
      }
      case 'remove-agent': {
        const id = agents()[Math.floor(random() * agents().length)];
        if (id) { f({ action: 'remove-agent', agentId: id }); f({ action: 'add-agent', agent: { cpus: 8, mem: 32768 } }); }
        break;
      }
      case 'duplicate-updates': f({ action: 'update-faults', duplicate: true }); later(2000, () => f({ action: 'update-faults', duplicate: false })); break;
      case 'reorder-updates': f({ action: 'update-faults', reorderWindowMs: 200 }); later(2000, () => f({ action: 'update-faults', reorderWindowMs: 0 })); break;
      case 'rescind': f({ action: 'rescind-offers' }); break;
      case 'restart-scheduler': {
        // The scheduler process dies (no teardown) and a new one resumes from the same storage.
        restarts++;
        await fw.stop();
        fw = await start(false);
        break;
      }
    }
  };

  const bar = opts.progress ? new cliProgress.SingleBar({ format: 'soak [{bar}] {value}/{total} finished | faults {faults} | {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(opts.tasks, 0, { faults: 0 });
  let nextFault = Date.now() + opts.faultEvery * 1000;
  const submitted = new Map(defs.map((d) => [d.name, 0]));
  // Instances are added steadily over 60% of the time allowed, then the rest of it is for finishing.
  const pace = async () => {
    const share = Math.min(1, (Date.now() - started) / (opts.minutes * 60_000 * 0.6));
    for (const d of defs) {
      const want = Math.min(d.instances ?? 1, Math.ceil((d.instances ?? 1) * share));
      if (want > submitted.get(d.name)!) {
        await tasksOf().scale(d.name, want);
        submitted.set(d.name, want);
      }
    }
  };
  let lastLine = 0;
  let timedOut = false;
  for (;;) {
    const done = expectedFinished(tasksOf(), defs);
    const faultCount = Object.values(faults).reduce((a, b) => a + b, 0);
    bar?.update(done, { faults: faultCount });
    if (!bar && Date.now() - lastLine > 10_000) {
      lastLine = Date.now();
      log(`soak: ${done}/${opts.tasks} finished, ${faultCount} faults, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    if (done === opts.tasks) break;
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    await pace();
    if (Date.now() >= nextFault) {
      await inject(FAULTS[Math.floor(random() * FAULTS.length)]!);
      nextFault = Date.now() + opts.faultEvery * 1000 * (0.5 + random());
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  bar?.stop();
  // Let the last updates be acknowledged, faults wear off, then check.
  sim.fault({ action: 'resume-heartbeats' });
  sim.fault({ action: 'update-faults', duplicate: false, reorderWindowMs: 0, delayMs: 0 });
  const settle = Date.now() + 15_000;
  let violations = checkInvariants({ sim, tasks: tasksOf(), definitions: defs, frameworkIds: [...frameworkIds] });
  while (violations.length > 0 && Date.now() < settle && !timedOut) {
    await new Promise((r) => setTimeout(r, 250));
    violations = checkInvariants({ sim, tasks: tasksOf(), definitions: defs, frameworkIds: [...frameworkIds] });
  }
  violations.push(...(await leakedOffers(sim, [...frameworkIds])));
  const result: SoakResult = {
    tasksCompleted: expectedFinished(tasksOf(), defs),
    tasksExpected: opts.tasks,
    launches: sim.engine.launchLog.length,
    faults,
    reconnects,
    restarts,
    violations: timedOut ? [`only ${expectedFinished(tasksOf(), defs)} of ${opts.tasks} tasks finished within ${opts.minutes} min`, ...violations] : violations,
    seconds: (Date.now() - started) / 1000,
    timedOut,
  };
  await fw.stop({ teardown: true });
  await sim.stop();
  return result;
}

if (process.argv[1]?.endsWith('soak.js')) {
  const o = new Command()
    .name('soak')
    .option('--tasks <n>', 'tasks to run to completion', (v) => parseInt(v, 10), 10_000)
    .option('--minutes <m>', 'give up after this long', parseFloat, 10)
    .option('--fault-every <s>', 'mean seconds between faults', parseFloat, 3)
    .option('--seed <n>', 'seed of the fault schedule', (v) => parseInt(v, 10), Date.now() % 100_000)
    .option('--agents <n>', 'simulated agents (8 cpus each)', (v) => parseInt(v, 10), 40)
    .parse()
    .opts<{ tasks: number; minutes: number; faultEvery: number; seed: number; agents: number }>();
  console.log(`soak: ${o.tasks} tasks, up to ${o.minutes} min, a fault every ~${o.faultEvery} s, seed ${o.seed}, ${o.agents} agents`);
  soak({ ...o, progress: process.stderr.isTTY === true })
    .then((r) => {
      console.log(`tasks completed: ${r.tasksCompleted}/${r.tasksExpected}`);
      console.log(`launches: ${r.launches} (${r.launches - r.tasksExpected} relaunches after faults)`);
      console.log(`faults injected: ${Object.values(r.faults).reduce((a, b) => a + b, 0)} (${Object.entries(r.faults).map(([k, v]) => `${k} ${v}`).join(', ')})`);
      console.log(`reconnects: ${r.reconnects}; scheduler restarts: ${r.restarts}`);
      console.log(`time: ${r.seconds.toFixed(1)} s (${(r.tasksCompleted / r.seconds).toFixed(1)} tasks/s)`);
      console.log(`violations: ${r.violations.length}`);
      for (const v of r.violations.slice(0, 50)) console.log(`  - ${v}`);
      process.exit(r.violations.length === 0 ? 0 : 1);
    })
    .catch((err: Error) => {
      console.error(`soak failed: ${err.stack ?? err.message}`);
      process.exit(2);
    });
}
