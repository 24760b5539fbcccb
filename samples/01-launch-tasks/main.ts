/**
 * Sample 01: run the tasks of a JSON file with the built-in task manager and wait for all of them to end.
 *
 *   npm start                                   # on an embedded simulated master
 *   npm start -- --master http://HOST:5050      # on a real Mesos master
 *   npm start -- --tasks my-tasks.json --agents 10
 */
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { createFramework, loadTaskDefinitions, SimulatedMaster, SilentLogger, MlogLogger, TOKENS, type Encoding, type LogLevel, type TaskManager } from '../../src/index.js';
import { ProgressController } from './progress.controller.js';

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
}

export interface RunSummary {
  launched: number;
  finished: number;
  failed: number;
  seconds: number;
  frameworkId: string | undefined;
}

const DEFAULT_TASKS = fileURLToPath(new URL('../../../samples/01-launch-tasks/tasks.json', import.meta.url));

/** Runs the sample; returns its summary. */
export async function run(opts: RunOptions, log: (line: string) => void = console.log): Promise<RunSummary> {
  const tasks = loadTaskDefinitions(opts.tasks); // every problem is listed before anything runs
  const started = Date.now();
  const sim = opts.master ? undefined : await SimulatedMaster.start({ agents: opts.agents, allocationIntervalMs: 200, commands: 'real' });
  const master = opts.master ?? sim!.url;
  log(`master: ${master}${sim ? ` (embedded simulator, ${opts.agents} agents)` : ''}`);
  const framework = createFramework({
    master,
    framework: { name: 'sample-01-launch-tasks' },
    tasks,
    controllers: [ProgressController],
    encoding: opts.encoding,
    server: { port: opts.port ?? 0, token: opts.token ?? process.env['FRAMEWORK_API_TOKEN'] },
    overrides: [{ token: TOKENS.Logger, useValue: opts.logLevel ? new MlogLogger({ name: 'sample-01', level: opts.logLevel }) : new SilentLogger() }],
  });
  const progress = framework.get(ProgressController);
  const total = tasks.reduce((n, t) => n + (t.instances ?? 1), 0);
  const bar = opts.progress ? new cliProgress.SingleBar({ format: 'tasks [{bar}] {value}/{total}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(total, 0);
  let lastTenth = 0;
  progress.onProgress = (done) => {
    bar?.update(done);
    if (!bar && Math.floor((done * 10) / total) > lastTenth) {
      lastTenth = Math.floor((done * 10) / total);
      log(`progress: ${done}/${total} tasks done`);
    }
  };
  const stop = async () => {
    bar?.stop();
    await framework.stop({ teardown: true });
    await sim?.stop();
  };
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await framework.start();
    log(`api: ${framework.serverUrl} (GET /health, /metrics, /api/v1/state, /api/v1/tasks)`);
    log(`subscribed as framework ${framework.frameworkId}; running ${total} tasks`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      progress.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`tasks still running after ${opts.timeout} s`)), opts.timeout * 1000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const program = new Command()
    .name('sample-01-launch-tasks')
    .option('--master <url>', 'Mesos master URL (default: an embedded simulated master)')
    .option('--tasks <file>', 'JSON task file', DEFAULT_TASKS)
    .option('--agents <n>', 'simulated agents (embedded simulator only)', (v) => parseInt(v, 10), 5)
    .option('--encoding <encoding>', 'protobuf or json', 'protobuf')
    .option('--timeout <seconds>', 'give up after this long', parseFloat, 120)
    .option('--port <port>', 'port of the framework API, /health and /metrics (0: a free one)', (v) => parseInt(v, 10), 0)
    .option('--token <token>', 'bearer token for the API\'s mutating routes (or FRAMEWORK_API_TOKEN)')
    .addOption(new Option('--log-level <level>', 'write the SDK\'s MLOG lines to stderr from this level up').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal']))
    .parse();
  const o = program.opts<Omit<RunOptions, 'progress'>>();
  run({ ...o, progress: process.stderr.isTTY === true })
    .then((s) => {
      console.log(`summary: launched ${s.launched}, finished ${s.finished}, failed ${s.failed}, time ${s.seconds.toFixed(2)} s`);
      process.exit(s.failed === 0 ? 0 : 2);
    })
    .catch((err: Error & { code?: string }) => {
      console.error(`error${err.code ? ` ${err.code}` : ''}: ${err.message}`);
      process.exit(1);
    });
}
