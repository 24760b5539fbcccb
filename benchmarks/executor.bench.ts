import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramework } from '../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../src/simulator/simulated-master.js';
import { SilentLogger } from '../src/logging/index.js';
import { TOKENS } from '../src/tokens.js';
import { isTerminal } from '../src/task-manager/task-record.js';
import type { TaskManager } from '../src/task-manager/task-manager.js';
import { bundleExecutor, sampleTasks } from '../samples/02-custom-executor/main.js';
import { report } from './report.js';

const TASKS = 20; // one executor process per task: sized for 2 cores

/** Tasks through real executor processes on the simulator: fetch, spawn, subscribe, run `true`, report, exit. */
export async function run(): Promise<void> {
  const artifacts = mkdtempSync(join(tmpdir(), 'bench-executor-'));
  const bundleStart = process.hrtime.bigint();
  await bundleExecutor(artifacts);
  report('executor bundle (esbuild)', Number(process.hrtime.bigint() - bundleStart) / 1e6, 'ms');
  const sim = await SimulatedMaster.start({ agents: 4, allocationIntervalMs: 20, executors: true });
  const fw = createFramework({ master: sim.url, framework: { name: 'bench-executor', checkpoint: true }, taskManager: true, server: { artifactsDir: artifacts }, overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }] });
  try {
    await fw.start();
    const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
    const executor = sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor;
    const start = Date.now();
    await tasks.submit([{ name: 'quick', instances: TASKS, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, executor, restartPolicy: { policy: 'never' } }]);
    while (!tasks.list().every((t) => isTerminal(t.state))) await new Promise((r) => setTimeout(r, 10));
    const seconds = (Date.now() - start) / 1000;
    const finished = tasks.list().filter((t) => t.state === 'TASK_FINISHED').length;
    report(`executor tasks finished (of ${TASKS})`, finished, 'tasks');
    report('executor tasks end to end', TASKS / seconds, 'tasks/s');
  } finally {
    await fw.stop({ teardown: true });
    await sim.stop();
    rmSync(artifacts, { recursive: true, force: true });
  }
}
