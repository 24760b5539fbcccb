import { fork } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import type { LaunchResult } from './launch-child.js';

/** The two frameworks compared. */
export type Variant = 'ours' | 'peer';

/** A launch run and what the master saw of it. */
export interface LaunchRun extends LaunchResult {
  /** Tasks the master lists as TASK_FINISHED for this framework (the simulator: retired, i.e. acknowledged; Mesos: `/master/tasks`). */
  masterFinished?: number;
}

/** How the benchmark's simulator is set up: 50 agents (4 cpus, 8 GiB each), tasks that run 10 ms and finish. */
export const SIM_OPTIONS = {
  agents: 50,
  allocationIntervalMs: 100,
  taskBehaviours: [{ startDelayMs: 1, runMs: 10, outcome: 'finished' as const }],
  completedTaskHistory: 20_000,
};

/**
 * The peer's `logging.level` in the benchmark: `'none'`, a level its winston logger does not know,
 * so that no transport matches and nothing is logged (its quietest documented level, `'error'`,
 * still writes a line per pending task per offer).
 */
export const PEER_LOG_LEVEL = 'none';

const CHILD = fileURLToPath(new URL('./launch-child.js', import.meta.url));

/**
 * Runs one framework (`variant`) in a child process launching `tasks` short tasks on `master`
 * (default: a fresh {@link SimulatedMaster} with {@link SIM_OPTIONS} in this process); resolves
 * once every task reached a terminal state, the master confirmed it (simulator only) and the child
 * has torn the framework down. Rejects with the child's stderr tail when it fails or runs past
 * `timeoutMs`.
 */
export async function launchRun(variant: Variant, tasks: number, options: { master?: string; timeoutMs?: number; peerLogLevel?: string } = {}): Promise<LaunchRun> {
  const sim = options.master ? undefined : await SimulatedMaster.start(SIM_OPTIONS);
  const master = options.master ?? sim!.url;
  const dir = mkdtempSync(join(tmpdir(), `peers-${variant}-`));
  const errPath = join(dir, 'stderr.txt');
  const errFd = openSync(errPath, 'w');
  const child = fork(CHILD, [variant, master, String(tasks), dir, options.peerLogLevel ?? PEER_LOG_LEVEL], { stdio: ['ignore', errFd, errFd, 'ipc'] });
  closeSync(errFd);
  const tail = () => {
    try {
      return readFileSync(errPath, 'utf8').slice(-1500);
    } catch {
      return '';
    }
  };
  try {
    const result = await new Promise<LaunchResult>((resolve, reject) => {
      let progress = 'none';
      const timer = setTimeout(
        () => reject(new Error(`${variant}: ${tasks} tasks not ended within ${options.timeoutMs ?? 120_000} ms (last progress: ${progress}); stderr: ${tail()}`)),
        options.timeoutMs ?? 120_000,
      );
      child.on('message', (m: LaunchResult | { progress: object }) => {
        if ('progress' in m) {
          progress = JSON.stringify(m.progress);
          return;
        }
        clearTimeout(timer);
        resolve(m);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${variant}: child exited (${code ?? signal}) before reporting; stderr: ${tail()}`));
      });
    });
    let masterFinished: number | undefined;
    if (sim) {
      const count = () => sim.engine.completedTasks.filter((t) => t.frameworkId === result.frameworkId && t.state === 'TASK_FINISHED').length;
      // The last acknowledgements may still be on their way.
      await sim.waitFor(() => count() >= result.finished, 10_000).catch(() => undefined);
      masterFinished = count();
    } else {
      masterFinished = await finishedOnMaster(master, result.frameworkId, result.finished);
    }
    return { ...result, ...(masterFinished === undefined ? {} : { masterFinished }) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    }
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Tasks of `frameworkId` a real master's `/master/tasks` lists as TASK_FINISHED (waits up to 10 s for `expected`). */
async function finishedOnMaster(master: string, frameworkId: string, expected: number): Promise<number> {
  let finished = 0;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const res = await fetch(`${master.replace(/\/$/, '')}/master/tasks?framework_id=${encodeURIComponent(frameworkId)}&limit=100000`);
    const body = (await res.json()) as { tasks?: Array<{ framework_id: string; state: string }> };
    finished = (body.tasks ?? []).filter((t) => t.framework_id === frameworkId && t.state === 'TASK_FINISHED').length;
    if (finished >= expected) break;
  }
  return finished;
}
