import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFramework } from '../src/bootstrap/create-framework.js';
import { EventController, OnUpdate } from '../src/decorators/index.js';
import { SilentLogger } from '../src/logging/logger.js';
import { TOKENS } from '../src/tokens.js';
import type { v1 } from '../src/protocol/generated/index.js';
import { report } from './report.js';

/**
 * Launch throughput through the public API: `createFramework` (default task manager, in-memory
 * storage) with one definition of N short tasks (0.1 cpus, 32 MiB, `true`) on a simulated master
 * with 50 agents (in a child process, so that the CPU measured is the framework's alone), to every
 * task FINISHED. Each size runs with acknowledgements pipelined (the default) and awaited inside
 * the event queue (`dispatcher.awaitAcknowledgements`, the behaviour before), alternating, and
 * prints tasks/s, framework CPU ms per task, and the ratios. `LAUNCH_ROUNDS` (default 1) repeats
 * each pair; medians are printed. `LAUNCH_SIZES` (default `1000,5000`) picks the sizes;
 * `LAUNCH_ONLY=pipelined|awaited` runs one variant alone (to profile it). A 200-task run first
 * warms up (not reported).
 */
export async function run(): Promise<void> {
  const sizes = (process.env['LAUNCH_SIZES'] ?? '1000,5000').split(',').map(Number);
  const rounds = Number(process.env['LAUNCH_ROUNDS'] ?? 1);
  if (process.env['LAUNCH_ONLY']) {
    // One variant alone (for profiling: `LAUNCH_ONLY=pipelined node --cpu-prof dist/benchmarks/run.js launch`).
    for (const n of sizes) {
      const r = await launch(n, process.env['LAUNCH_ONLY'] as Variant);
      report(`launch.${process.env['LAUNCH_ONLY']}.tasks_per_s.${n}_tasks`, Math.round(r.tasksPerS), 'tasks/s');
      report(`launch.${process.env['LAUNCH_ONLY']}.cpu_ms_per_task.${n}_tasks`, r.cpuMsPerTask, 'ms/task');
    }
    return;
  }
  // Unreported: loads and warms up the code both variants run, so that the first measured is not the only one paying for it.
  await launch(200, 'pipelined');
  for (const n of sizes) {
    const results: Record<Variant, Result[]> = { pipelined: [], awaited: [] };
    for (let r = 0; r < rounds; r++) {
      for (const variant of r % 2 ? (['awaited', 'pipelined'] as const) : (['pipelined', 'awaited'] as const)) results[variant].push(await launch(n, variant));
    }
    const med = (v: Variant, k: keyof Result) => median(results[v].map((x) => x[k]));
    for (const v of ['pipelined', 'awaited'] as const) {
      report(`launch.${v}.tasks_per_s.${n}_tasks`, Math.round(med(v, 'tasksPerS')), 'tasks/s');
      report(`launch.${v}.cpu_ms_per_task.${n}_tasks`, med(v, 'cpuMsPerTask'), 'ms/task');
      report(`launch.${v}.unacknowledged_after.${n}_tasks`, med(v, 'unacknowledged'), 'updates');
    }
    report(`launch.pipelined_vs_awaited.tasks_per_s_ratio.${n}_tasks`, med('pipelined', 'tasksPerS') / med('awaited', 'tasksPerS'), 'x');
    report(`launch.pipelined_vs_awaited.cpu_per_task_ratio.${n}_tasks`, med('pipelined', 'cpuMsPerTask') / med('awaited', 'cpuMsPerTask'), 'x');
  }
}

type Variant = 'pipelined' | 'awaited';
interface Result {
  tasksPerS: number;
  cpuMsPerTask: number;
  /** Updates the simulator still waits an acknowledgement for once the framework stopped. */
  unacknowledged: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let onFinished: (id: string) => void = () => {};
@EventController()
class FinishedCounter {
  @OnUpdate()
  update(s: v1.TaskStatus): void {
    if (s.state === 'TASK_FINISHED') onFinished(s.task_id.value);
  }
}

function ask<T>(child: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
    if (message) child.send(message);
  });
}

async function launch(n: number, variant: Variant): Promise<Result> {
  const child = fork(fileURLToPath(new URL('./launch-sim.js', import.meta.url)), ['50'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const { url } = await ask<{ url: string }>(child);
    const finished = new Set<string>();
    let allDone: () => void = () => {};
    const done = new Promise<void>((r) => (allDone = r));
    onFinished = (id) => {
      finished.add(id);
      if (finished.size === n) allDone();
    };
    global.gc?.();
    const cpu0 = process.cpuUsage();
    const fw = createFramework({
      master: url,
      framework: { name: `launch-bench-${variant}` },
      tasks: [{ name: 'job', instances: n, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'true' } }],
      controllers: [FinishedCounter],
      dispatcher: { awaitAcknowledgements: variant === 'awaited' },
      overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }],
    });
    const t0 = process.hrtime.bigint();
    await fw.start();
    await done;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    await fw.stop({ teardown: false });
    const summary = await ask<{ unacknowledged: number }>(child, 'summary');
    return { tasksPerS: n / seconds, cpuMsPerTask: (cpu.user + cpu.system) / 1000 / n, unacknowledged: summary.unacknowledged };
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}
