/**
 * One framework launching short tasks, in a process of its own so that its CPU and memory are its
 * own: `node launch-child.js <ours|peer> <masterUrl> <tasks> <logdir>`. Each task (0.1 cpus,
 * 32 MiB, command `true`) must reach TASK_FINISHED; the child then sends the parent a
 * {@link LaunchResult} over IPC and waits to be told to stop (`'stop'`: tear the framework down).
 *
 * Both are written the way their documentation shows:
 * - `ours`: `createFramework` with one task definition of `tasks` instances (the built-in task
 *   manager places, launches and acknowledges) and a controller counting TASK_FINISHED.
 * - `peer`: the peer's `Scheduler` with a `tasks` map of one task of `tasks` instances (its default
 *   handlers accept offers, launch and acknowledge, as in its README), `subscribe()` on `ready`,
 *   counting TASK_FINISHED on its `update` event.
 *
 * Wall time runs from the start of subscribing (`start()` / `subscribe()`) to the last
 * TASK_FINISHED; CPU (user + system) from before the framework is built (so both pay for setting
 * up their task lists) to the last TASK_FINISHED. Both log at level `error` (the peer also writes
 * its log file, under `logdir`).
 */
import 'reflect-metadata';
import { createFramework, EventController, OnUpdate, type FrameworkHandle, type v1 } from '../../src/index.js';
import { loadPeer, type PeerScheduler } from './peer-sdk.js';

/** What a launch child reports. */
export interface LaunchResult {
  /** `ours` or `peer`. */
  variant: string;
  /** Distinct tasks seen TASK_FINISHED. */
  finished: number;
  /** Distinct tasks seen in another terminal state. */
  failed: number;
  /** Start of subscribing to the last TASK_FINISHED, s. */
  seconds: number;
  /** User + system CPU of the framework process, ms. */
  cpuMs: number;
  /** Resident set size at the end, MB. */
  rssMb: number;
  /** Peak resident set size, MB. */
  maxRssMb: number;
  /** The framework id Mesos assigned. */
  frameworkId: string;
  /** Errors the framework reported (peer: its `error` events). */
  errors: string[];
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNREACHABLE']);

const [variant, master, tasksArg, logdir, peerLogLevel = 'error'] = process.argv.slice(2);
const total = Number(tasksArg);
const finishedIds = new Set<string>();
const failedIds = new Set<string>();
const errors: string[] = [];
let cpu0: NodeJS.CpuUsage;
let t0 = 0n;
let done = false;
let frameworkId = () => '';
let stop: () => Promise<void> = async () => undefined;

function status(s: { task_id: { value: string }; state?: string }): void {
  if (s.state === 'TASK_FINISHED') finishedIds.add(s.task_id.value);
  else if (s.state && TERMINAL.has(s.state)) failedIds.add(s.task_id.value);
  if (!done && finishedIds.size + failedIds.size >= total) report();
}

function report(): void {
  done = true;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.send!({
    variant, finished: finishedIds.size, failed: failedIds.size, seconds, cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: process.memoryUsage().rss / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1000, frameworkId: frameworkId(), errors: errors.slice(0, 5),
  } satisfies LaunchResult);
}

@EventController()
class FinishedCounter {
  @OnUpdate()
  update(s: v1.TaskStatus): void {
    status(s);
  }
}

async function ours(): Promise<void> {
  process.env['LOG_LEVEL'] = 'error';
  cpu0 = process.cpuUsage();
  const fw: FrameworkHandle = createFramework({
    master: master!,
    framework: { name: 'peers-bench-ours' },
    controllers: [FinishedCounter],
    tasks: [{ name: 'bench', instances: total, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'true' } }],
  });
  frameworkId = () => fw.frameworkId ?? '';
  stop = () => fw.stop({ teardown: true });
  t0 = process.hrtime.bigint();
  await fw.start();
}

function peer(): void {
  const { Scheduler, Mesos } = loadPeer();
  const mesos = Mesos.getMesos();
  const url = new URL(master!);
  cpu0 = process.cpuUsage();
  const scheduler: PeerScheduler = new Scheduler({
    masterUrl: url.hostname,
    port: Number(url.port),
    frameworkName: 'peers-bench-peer',
    logging: { path: logdir!, fileName: 'peer-launch.log', level: peerLogLevel },
    tasks: {
      bench: {
        instances: total,
        commandInfo: new mesos.CommandInfo(null, null, true, 'true', null, null),
        resources: { cpus: 0.1, mem: 32, ports: 0, disk: 0 },
      },
    },
  });
  scheduler.on('update', (u: { status: { task_id: { value: string }; state?: string } }) => status(u.status));
  scheduler.on('error', (e: unknown) => {
    if (errors.length < 50) errors.push(typeof e === 'string' ? e : JSON.stringify(e).slice(0, 300));
  });
  scheduler.on('ready', () => {
    t0 = process.hrtime.bigint();
    scheduler.subscribe();
  });
  frameworkId = () => scheduler.frameworkId ?? '';
  stop = () =>
    new Promise<void>((resolve) => {
      scheduler.once('sent_teardown', () => resolve());
      setTimeout(resolve, 3000).unref();
      scheduler.teardown();
    });
}

// Progress for the parent's diagnosis of a run that never ends.
setInterval(() => process.send!({ progress: { finished: finishedIds.size, failed: failedIds.size, seconds: t0 ? Number(process.hrtime.bigint() - t0) / 1e9 : 0 } }), 1000).unref();

process.on('message', (m) => {
  if (m === 'stop') {
    void stop()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  }
});
if (variant === 'ours') await ours();
else if (variant === 'peer') peer();
else throw new Error(`unknown variant ${variant}`);
