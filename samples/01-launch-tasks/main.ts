/**
 * Sample 01: run the tasks of a JSON file with the built-in task manager and wait for all of them to end.
 *
 *   npm start                                   # on an embedded simulated master
 *   npm start -- --master http://HOST:5050      # on a real Mesos master
 *   npm start -- --tasks my-tasks.json --agents 10
 *
 * Exit status: 0 every task finished, 3 some failed, 1 the run failed (master unreachable, port
 * taken, timeout), 2 a bad command line.
 */
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import {
  ConnectionError, createFramework, loadTaskDefinitions, MesosSdkError, MlogLogger, SimulatedMaster, SilentLogger, TOKENS,
  type Encoding, type FrameworkHandle, type LogLevel, type Scheduler, type TaskManager,
} from '../../src/index.js';
import { integerArg, packageVersion, portArg, positiveNumberArg, usageErrorsExit, USAGE_EXIT_CODE } from '../../src/cli/cli-args.js';
import { ProgressController } from './progress.controller.js';
import { ProgressOutput } from './progress-output.js';

export interface RunOptions {
  master?: string;
  tasks: string;
  agents: number;
  encoding: Encoding;
  timeout: number;
  progress: boolean;
  /** Port of the framework API, /health and /metrics (0: a free one). @default 0 */
  port?: number;
  /** Bearer token for the API's mutating routes (also read from FRAMEWORK_API_TOKEN). */
  token?: string;
  /** Write the SDK's own MLOG lines (stderr) from this level up; silent when unset. */
  logLevel?: LogLevel;
  /** Where the progress bar and the log lines go (default: a bar on stderr when `progress` and stderr is a terminal). */
  output?: ProgressOutput;
}

export interface RunSummary {
  launched: number;
  finished: number;
  failed: number;
  seconds: number;
  frameworkId: string | undefined;
}

const DEFAULT_TASKS = fileURLToPath(new URL('../../../samples/01-launch-tasks/tasks.json', import.meta.url));

/** Exit codes of the sample: every task finished, a runtime failure, a bad command line, some tasks failed. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: USAGE_EXIT_CODE, TASKS_FAILED: 3 } as const;

/** Past the deadline, how long start-up may still take for the SDK's own start timeout (which says more) to report first. */
const START_GRACE_MS = 1000;

/**
 * Runs the sample; returns its summary. `opts.timeout` bounds the whole run, start-up included:
 * a master that cannot be reached makes it reject with `ERR_MASTER_UNREACHABLE` saying why.
 */
export async function run(opts: RunOptions, log: (line: string) => void = console.log): Promise<RunSummary> {
  const tasks = loadTaskDefinitions(opts.tasks); // every problem is listed before anything runs
  const started = Date.now();
  const output = opts.output ?? new ProgressOutput(process.stderr, { enabled: opts.progress });
  const sim = opts.master ? undefined : await SimulatedMaster.start({ agents: opts.agents, allocationIntervalMs: 200, commands: 'real' });
  const master = opts.master ?? sim!.url;
  log(`master: ${master}${sim ? ` (embedded simulator, ${opts.agents} agents)` : ''}`);
  // The SDK's lines go through the progress bar when it is on, so that neither overwrites the other.
  const logger = opts.logLevel ? new MlogLogger({ name: 'sample-01', level: opts.logLevel, write: (text) => output.line(process.stderr, text) }) : new SilentLogger();
  let framework: FrameworkHandle;
  try {
    framework = createFramework({
      master,
      framework: { name: 'sample-01-launch-tasks' },
      tasks,
      controllers: [ProgressController],
      encoding: opts.encoding,
      server: { port: opts.port ?? 0, token: opts.token ?? process.env['FRAMEWORK_API_TOKEN'] },
      overrides: [{ token: TOKENS.Logger, useValue: logger }],
      // Start-up gives up at the sample's deadline (the scheduler's startTimeoutMs, issue 15; ignored where unknown).
      scheduler: { ...({ startTimeoutMs: opts.timeout * 1000 } as object) },
    });
  } catch (err) {
    await sim?.stop();
    throw err;
  }
  const progress = framework.get(ProgressController);
  const total = tasks.reduce((n, t) => n + (t.instances ?? 1), 0);
  output.start(total);
  let lastTenth = 0;
  progress.onProgress = (done) => {
    output.update(done);
    if (!output.active && Math.floor((done * 10) / total) > lastTenth) {
      lastTenth = Math.floor((done * 10) / total);
      log(`progress: ${done}/${total} tasks done`);
    }
  };
  // Why the master could not be reached, as the scheduler last saw it.
  let subscribed = false;
  let lastFailure: Error | undefined;
  framework.get<Scheduler>(TOKENS.Scheduler).onLifecycle((e) => {
    if (e.type === 'disconnected' && e.error) lastFailure = e.error;
  });
  const stop = async () => {
    output.stop();
    await framework.stop({ teardown: true }).catch((err: Error) => log(`stop: ${err.message}`));
    await sim?.stop();
  };
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let timer: NodeJS.Timeout | undefined;
  // The deadline of the whole run; the scheduler's own start timeout, which says more, gets to fire first.
  const expired = new Promise<never>((_, reject) => {
    const fire = (graced: boolean) => {
      if (!subscribed && !graced) {
        timer = setTimeout(() => fire(true), START_GRACE_MS);
        return;
      }
      reject(
        subscribed
          ? new MesosSdkError('ERR_SAMPLE_TIMEOUT', `tasks still running after ${opts.timeout} s`)
          : new ConnectionError('ERR_MASTER_UNREACHABLE', `could not reach the master at ${master} within ${opts.timeout} s: ${lastFailure ? lastFailure.message : 'no answer (check the URL, the port and that a Mesos master runs there)'}`, lastFailure ? { cause: lastFailure } : {}),
      );
    };
    timer = setTimeout(() => fire(false), opts.timeout * 1000);
  });
  const work = (async () => {
    await framework.start();
    subscribed = true;
    log(`api: ${framework.serverUrl} (GET /health, /metrics, /api/v1/state, /api/v1/tasks)`);
    log(`subscribed as framework ${framework.frameworkId}; running ${total} tasks`);
    await progress.done;
  })();
  work.catch(() => {}); // when the deadline wins, stop() ends the start and this rejects unobserved
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
  const manager = framework.get<TaskManager>(TOKENS.TaskManager);
  const current = manager.list();
  return {
    launched: manager.list({ history: true }).filter((t) => t.state !== 'PENDING').length,
    finished: current.filter((t) => t.state === 'TASK_FINISHED').length,
    failed: current.filter((t) => t.state !== 'TASK_FINISHED').length,
    seconds: (Date.now() - started) / 1000,
    frameworkId: framework.frameworkId,
  };
}

/** The one line a failed run prints: what went wrong, in the command line's terms. */
export function describeFailure(err: Error & { code?: string; details?: Record<string, unknown> }): string {
  if (err.code === 'ERR_SERVER_PORT_IN_USE') return `error: port ${String(err.details?.['port'] ?? '')} is in use; pick another with --port (0 picks a free one)`;
  return `error${err.code ? ` ${err.code}` : ''}: ${err.message}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const program = usageErrorsExit(new Command())
    .name('sample-01-launch-tasks')
    .version(packageVersion(import.meta.url))
    .option('--master <url>', 'Mesos master URL (default: an embedded simulated master)')
    .option('--tasks <file>', 'JSON task file', DEFAULT_TASKS)
    .option('--agents <n>', 'simulated agents (embedded simulator only)', integerArg(1, 10_000), 5)
    .addOption(new Option('--encoding <encoding>', 'wire encoding').choices(['protobuf', 'json']).default('protobuf'))
    .option('--timeout <seconds>', 'give up after this long, start-up included', positiveNumberArg(), 120)
    .option('--port <port>', 'port of the framework API, /health and /metrics (0: a free one)', portArg(), 0)
    .option('--token <token>', 'bearer token for the API\'s mutating routes (or FRAMEWORK_API_TOKEN)')
    .addOption(new Option('--log-level <level>', 'write the SDK\'s MLOG lines to stderr from this level up').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']))
    .parse();
  const o = program.opts<Omit<RunOptions, 'progress' | 'output'>>();
  // A progress bar on a terminal; the sample's lines and the SDK's go through it there.
  const output = new ProgressOutput(process.stderr, { enabled: process.stderr.isTTY === true });
  run({ ...o, progress: true, output }, (line) => output.line(process.stdout, line))
    .then((s) => {
      console.log(`summary: launched ${s.launched}, finished ${s.finished}, failed ${s.failed}, time ${s.seconds.toFixed(2)} s`);
      process.exit(s.failed === 0 ? EXIT.OK : EXIT.TASKS_FAILED);
    })
    .catch((err: Error & { code?: string }) => {
      console.error(describeFailure(err));
      process.exit(EXIT.ERROR);
    });
}
