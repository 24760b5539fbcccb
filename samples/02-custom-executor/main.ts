/**
 * Sample 02: a scheduler that runs its tasks with a custom executor.
 *
 * The executor (executor.ts) is bundled into one script with esbuild and served from the
 * framework's artifact endpoint; each task's ExecutorInfo points the Mesos fetcher at it. On the
 * embedded simulated master (started with `executors: true`) the agents really fetch and run it.
 *
 *     node dist/samples/02-custom-executor/main.js [--master URL] [--node PATH]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { build } from 'esbuild';
import { ConnectionError, createFramework, isTerminal, SimulatedMaster, SilentLogger, TOKENS, type FrameworkHandle, type Scheduler, type TaskDefinition, type TaskManager } from '../../src/index.js';
import { packageVersion, positiveNumberArg, usageErrorsExit } from '../../src/cli/cli-args.js';

const EXECUTOR_ENTRY = fileURLToPath(new URL('./executor.js', import.meta.url));

/** Bundles the executor (compiled to dist/) and its dependencies into `<dir>/executor.mjs`. */
export async function bundleExecutor(dir: string): Promise<string> {
  const outfile = join(dir, 'executor.mjs');
  await build({
    entryPoints: [EXECUTOR_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // CommonJS dependencies inside an ES module bundle still need `require` for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

/** The sample's tasks: each runs under the custom executor fetched from `artifactsUrl`. */
export function sampleTasks(artifactsUrl: string, node = process.execPath): TaskDefinition[] {
  const executor = {
    command: { shell: `exec "${node}" executor.mjs`, uris: [{ value: `${artifactsUrl}/executor.mjs`, extract: false }] },
  };
  const never = { policy: 'never' as const };
  return [
    { name: 'greet', instances: 2, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'echo "hello from $MESOS_TASK_ID"' }, executor, restartPolicy: never },
    { name: 'checksum', resources: { cpus: 0.2, mem: 64 }, command: { argv: ['sh', '-c', 'head -c 1000000 /dev/zero | cksum'] }, executor, restartPolicy: never },
    { name: 'fails', resources: { cpus: 0.1, mem: 32 }, command: { shell: 'echo "about to fail" >&2; exit 3' }, executor, restartPolicy: never },
  ];
}

export interface RunResult {
  tasks: Array<{ id: string; state: string; message?: string }>;
  seconds: number;
}

/**
 * Runs the sample against `master` (or an embedded simulator running real executors).
 * `timeoutSeconds` bounds the whole run, start-up included: a master that cannot be reached makes
 * it reject with `ERR_MASTER_UNREACHABLE` saying why.
 */
export async function run(opts: { master?: string; node?: string; timeoutSeconds?: number }, log: (line: string) => void = console.log): Promise<RunResult> {
  const started = Date.now();
  const timeoutSeconds = opts.timeoutSeconds ?? 60;
  const deadline = started + timeoutSeconds * 1000;
  const artifacts = mkdtempSync(join(tmpdir(), 'sample-02-artifacts-'));
  const sim = opts.master ? undefined : await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 100, executors: true });
  let fw: FrameworkHandle | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await bundleExecutor(artifacts);
    const master = opts.master ?? sim!.url;
    log(`master: ${master}${sim ? ' (embedded simulator, executors run as local processes)' : ''}`);
    const framework = createFramework({
      master,
      framework: { name: 'sample-02-custom-executor', checkpoint: true },
      taskManager: true,
      server: { artifactsDir: artifacts },
      overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }],
      // Start-up gives up at the sample's deadline (the scheduler's startTimeoutMs, issue 15; ignored where unknown).
      scheduler: { ...({ startTimeoutMs: timeoutSeconds * 1000 } as object) },
    });
    fw = framework;
    let lastFailure: Error | undefined;
    framework.get<Scheduler>(TOKENS.Scheduler).onLifecycle((e) => {
      if (e.type === 'disconnected' && e.error) lastFailure = e.error;
    });
    const starting = framework.start();
    starting.catch(() => {}); // when the deadline wins, stop() ends the start and this rejects unobserved
    await Promise.race([
      starting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new ConnectionError('ERR_MASTER_UNREACHABLE', `could not reach the master at ${master} within ${timeoutSeconds} s: ${lastFailure ? lastFailure.message : 'no answer (check the URL, the port and that a Mesos master runs there)'}`, lastFailure ? { cause: lastFailure } : {}));
        }, Math.max(0, deadline - Date.now()) + 1000); // the scheduler's own start timeout, which says more, gets to fire first
      }),
    ]);
    clearTimeout(timer);
    log(`executor served at ${framework.serverUrl}/artifacts/executor.mjs`);
    const tasks = framework.get<TaskManager>(TOKENS.TaskManager);
    await tasks.submit(sampleTasks(`${framework.serverUrl}/artifacts`, opts.node));
    while (!(tasks.list().length > 0 && tasks.list().every((t) => isTerminal(t.state)))) {
      if (Date.now() > deadline) throw new Error(`tasks did not end within ${timeoutSeconds} s: ${JSON.stringify(tasks.counts())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const result = tasks.list().map((t) => ({ id: t.id, state: t.state, ...(t.message ? { message: t.message } : {}) }));
    for (const t of result) log(`${t.id}: ${t.state}${t.message ? ` (${t.message})` : ''}`);
    return { tasks: result, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearTimeout(timer);
    await fw?.stop({ teardown: true }).catch((err: Error) => log(`stop: ${err.message}`));
    await sim?.stop();
    rmSync(artifacts, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const o = usageErrorsExit(new Command())
    .name('sample-02-custom-executor')
    .version(packageVersion(import.meta.url))
    .option('--master <url>', 'Mesos master URL (default: an embedded simulated master running real executors)')
    .option('--node <path>', 'node binary on the agents', process.execPath)
    .option('--timeout <seconds>', 'give up after this long, start-up included', positiveNumberArg(), 60)
    .parse()
    .opts<{ master?: string; node: string; timeout: number }>();
  run({ ...o, timeoutSeconds: o.timeout })
    .then((r) => {
      const failed = r.tasks.filter((t) => t.state !== 'TASK_FINISHED').map((t) => t.id);
      console.log(`summary: ${r.tasks.length} tasks in ${r.seconds.toFixed(2)} s; not finished: ${failed.join(', ') || 'none'} (the "fails" task fails on purpose)`);
    })
    .catch((err: Error & { code?: string }) => {
      console.error(`error${err.code ? ` ${err.code}` : ''}: ${err.message}`);
      process.exit(1);
    });
}
