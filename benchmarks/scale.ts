/**
 * `npm run bench:scale`: the scale run of issue 17. The simulator (1,000 agents, tasks that run
 * forever) runs in one child process, a framework written as a user writes it (createFramework, one
 * task definition of 100,000 instances, default in-memory storage) in another; this process
 * watches both over IPC and prints, in the `name: value unit` format:
 * time to all RUNNING, framework and simulator RSS, status updates sent, agent retries and
 * duplicates; then it checks the invariants (every instance launched exactly once, every task
 * RUNNING on both sides, no status update left unacknowledged) and exits 1 if one fails.
 *
 *   npm run bench:scale -- --tasks 20000 --agents 200 --timeout 300 --cpu-prof /tmp/prof
 *
 * `--cpu-prof DIR` writes V8 CPU profiles of both children there (open them in Chrome DevTools).
 * `--heap-snapshot DIR` writes a heap snapshot of the framework's process there at the end (and
 * `--heap-snapshot-at S` one S seconds in); writing one costs the process about twice its heap in
 * RSS for a while, so the RSS figures of such a run are not the framework's own.
 * `--max-launching N` sets the framework's `maxLaunchingTasks` (`Infinity`: every task launched in
 * the first offers, as before the launch window).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { report } from './report.js';

/** What the simulator child reports when asked. */
interface SimSample {
  rss: number;
  cpuMs: number;
  heapUsed: number;
  tasks: number;
  running: number;
  pendingUpdates: number;
  launched: number;
  distinctLaunched: number;
  updatesSent: number;
  updateRetries: number;
  acks: number;
  maxQueuedBytes: number;
  updatesHeldBack: number;
  offersWithheld: number;
}

/** What the framework child reports every second. */
interface FrameworkSample {
  rss: number;
  cpuMs: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** V8's heap spaces: MB reserved (`space_size`) / used, by space name. */
  spaces: Record<string, [number, number]>;
  counts: Record<string, number>;
}

const self = fileURLToPath(import.meta.url);
const role = process.argv[2];
// A child whose parent went away ends too.
if (role?.startsWith('--child')) process.on('disconnect', () => process.exit(0));

if (role === '--child-sim') await simChild(Number(process.argv[3]), Number(process.argv[4]));
else if (role === '--child-framework') await frameworkChild(process.argv[3]!, Number(process.argv[4]), process.argv[5] === undefined ? undefined : Number(process.argv[5]));
else await parent();

async function simChild(agents: number, tasksPerAgent: number): Promise<void> {
  const { SimulatedMaster } = await import('../src/simulator/simulated-master.js');
  const sim = await SimulatedMaster.start({
    agents: Array.from({ length: agents }, (_, i) => ({ cpus: Math.max(4, tasksPerAgent * 0.1 + 1), mem: Math.max(8192, tasksPerAgent * 32 + 1024), attributes: { rack: `r${i % 20}` } })),
    taskBehaviours: [{ outcome: 'running-forever' }],
    heartbeatIntervalSeconds: 15,
  });
  process.on('message', (m: { ask?: string }) => {
    if (m.ask === 'stop') {
      void sim.stop().then(() => process.exit(0));
      return;
    }
    let running = 0;
    let pendingUpdates = 0;
    for (const t of sim.engine.tasks.values()) {
      if (t.state === 'TASK_RUNNING') running++;
      pendingUpdates += t.updates.pending.length;
    }
    const fw = [...sim.engine.frameworks.values()].find((f) => f.connected);
    const stream = fw ? sim.streamStats(fw.id) : undefined;
    const mem = process.memoryUsage();
    const sample: SimSample = {
      rss: mem.rss,
      cpuMs: cpuMs(),
      heapUsed: mem.heapUsed,
      tasks: sim.engine.tasks.size,
      running,
      pendingUpdates,
      launched: sim.engine.stats.launched,
      distinctLaunched: m.ask === 'final' ? new Set(sim.engine.launchLog.map((l) => `${l.frameworkId}/${l.taskId}`)).size : -1,
      updatesSent: sim.engine.stats.updatesSent,
      updateRetries: sim.engine.stats.updateRetries,
      acks: sim.engine.stats.acks,
      maxQueuedBytes: stream?.maxQueuedBytes ?? 0,
      updatesHeldBack: stream?.updatesHeldBack ?? 0,
      offersWithheld: stream?.offersWithheld ?? 0,
    };
    process.send!(sample);
  });
  process.send!({ url: sim.url });
}

async function frameworkChild(master: string, tasks: number, maxLaunchingTasks: number | undefined): Promise<void> {
  const { createFramework, TOKENS } = await import('../src/index.js');
  const v8 = await import('node:v8');
  const fw = createFramework({
    master,
    framework: { name: 'scale' },
    tasks: [{ name: 'scale', instances: tasks, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'sleep 1000000' } }],
    ...(maxLaunchingTasks === undefined ? {} : { maxLaunchingTasks }),
  });
  await fw.start();
  const tm = fw.get(TOKENS.TaskManager);
  const sample = () => {
    const mem = process.memoryUsage();
    process.send!({ rss: mem.rss, cpuMs: cpuMs(), heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers, spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, [mb(x.space_size), mb(x.space_used_size)]])), counts: tm.counts() } satisfies FrameworkSample);
  };
  const timer = setInterval(sample, 1000);
  process.on('message', (m: { ask?: string; dir?: string; mid?: boolean }) => {
    if (m.ask === 'heap-snapshot') {
      const name = `${m.dir}/framework-${m.mid ? 'mid-' : ''}${Date.now()}.heapsnapshot`;
      process.send!({ snapshot: v8.writeHeapSnapshot(name) });
      return;
    }
    if (m.ask !== 'stop') return;
    clearInterval(timer);
    void fw.stop({ teardown: true }).then(() => process.exit(0));
  });
  sample();
}

function nextMessage<T>(child: ChildProcess, pick: (m: unknown) => m is T, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`no answer from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: unknown) => {
      if (!pick(m)) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(m);
    };
    child.on('message', on);
  });
}

function isSimSample(m: unknown): m is SimSample {
  return typeof m === 'object' && m !== null && 'pendingUpdates' in m;
}

async function parent(): Promise<void> {
  const o = new Command()
    .name('bench:scale')
    .option('--tasks <n>', 'instances of the task definition', (v) => Number.parseInt(v, 10), 100_000)
    .option('--agents <n>', 'simulated agents', (v) => Number.parseInt(v, 10), 1000)
    .option('--timeout <s>', 'give up after this long', (v) => Number.parseInt(v, 10), 900)
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of both children to this directory')
    .option('--heap-snapshot <dir>', "write a V8 heap snapshot of the framework's process to this directory at the end")
    .option('--heap-snapshot-at <s>', 'and one this many seconds after the framework started (with --heap-snapshot)', (v) => Number.parseInt(v, 10))
    .option('--max-launching <n>', "the framework's maxLaunchingTasks (default: the SDK's; Infinity for no bound)", (v) => Number(v))
    .parse(process.argv)
    .opts<{ tasks: number; agents: number; timeout: number; cpuProf?: string; heapSnapshot?: string; heapSnapshotAt?: number; maxLaunching?: number }>();
  const prof = (name: string) => (o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProf}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const tasksPerAgent = Math.ceil(o.tasks / o.agents);
  const sim = fork(self, ['--child-sim', String(o.agents), String(tasksPerAgent)], { execArgv: prof('simulator'), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { url } = await nextMessage(sim, (m): m is { url: string } => typeof m === 'object' && m !== null && 'url' in m, 60_000);
  console.log(`# scale: ${o.tasks} tasks on ${o.agents} agents, simulator at ${url}`);
  const started = Date.now();
  const framework = fork(self, ['--child-framework', url, String(o.tasks), ...(o.maxLaunching === undefined ? [] : [String(o.maxLaunching)])], { execArgv: prof('framework'), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let last: FrameworkSample = { rss: 0, cpuMs: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, spaces: {}, counts: {} };
  let fwRssMax = 0;
  let simRssMax = 0;
  framework.on('message', (m) => {
    if (typeof m !== 'object' || m === null || !('rss' in m)) return;
    last = m as FrameworkSample;
    fwRssMax = Math.max(fwRssMax, last.rss);
  });
  const simSample = async (ask = 'sample') => {
    sim.send({ ask });
    const s = await nextMessage(sim, isSimSample, 60_000);
    simRssMax = Math.max(simRssMax, s.rss);
    return s;
  };
  if (o.heapSnapshot && o.heapSnapshotAt !== undefined) {
    setTimeout(() => framework.send({ ask: 'heap-snapshot', dir: o.heapSnapshot, mid: true }), o.heapSnapshotAt * 1000).unref();
  }
  let s = await simSample();
  let allRunningS: number | undefined;
  const deadline = started + o.timeout * 1000;
  let printed = 0;
  while (Date.now() < deadline) {
    // Every 2 s: the simulator's sample walks all its tasks (about 10 ms at 100,000), counted in its CPU.
    await new Promise((r) => setTimeout(r, 2000));
    s = await simSample();
    const running = last.counts['TASK_RUNNING'] ?? 0;
    if (Date.now() - printed >= 10_000) {
      printed = Date.now();
      console.log(`# ${((Date.now() - started) / 1000).toFixed(0)} s: framework ${running} RUNNING (rss ${mb(last.rss)} MB, heap ${mb(last.heapUsed)}/${mb(last.heapTotal)} MB, cpu ${(last.cpuMs / 1000).toFixed(1)} s); simulator ${s.running} RUNNING, ${s.pendingUpdates} updates unacknowledged, ${s.updateRetries} retries (rss ${mb(s.rss)} MB, cpu ${(s.cpuMs / 1000).toFixed(1)} s)`);
    }
    if (allRunningS === undefined && running >= o.tasks && s.running >= o.tasks) allRunningS = (Date.now() - started) / 1000;
    if (allRunningS !== undefined && s.pendingUpdates === 0) break;
  }
  const ok = allRunningS !== undefined;
  s = await simSample('final');
  report('scale.tasks', o.tasks, 'tasks');
  report('scale.agents', o.agents, 'agents');
  if (ok) report('scale.time_to_all_running_s', allRunningS!, 's');
  else console.log(`scale.time_to_all_running_s: not reached within ${o.timeout} s (framework ${last.counts['TASK_RUNNING'] ?? 0} RUNNING, simulator ${s.running})`);
  report('scale.framework_rss_mb', mb(last.rss), 'MB');
  report('scale.framework_rss_max_mb', mb(fwRssMax), 'MB');
  report('scale.framework_heap_mb', mb(last.heapUsed), 'MB');
  // Where the framework's memory is: V8's heap (used, reserved) and memory outside it (Buffers and other ArrayBuffers).
  report('scale.framework_heap_total_mb', mb(last.heapTotal), 'MB');
  report('scale.framework_external_mb', mb(last.external), 'MB');
  report('scale.framework_array_buffers_mb', mb(last.arrayBuffers), 'MB');
  console.log(`# framework heap spaces (MB reserved/used): ${Object.entries(last.spaces).map(([k, [size, used]]) => `${k} ${size}/${used}`).join(', ')}`);
  report('scale.framework_heap_bytes_per_task', Math.round(last.heapUsed / o.tasks), 'B');
  report('scale.simulator_rss_mb', mb(s.rss), 'MB');
  report('scale.simulator_rss_max_mb', mb(simRssMax), 'MB');
  report('scale.simulator_heap_mb', mb(s.heapUsed), 'MB');
  report('scale.simulator_heap_bytes_per_task', s.tasks ? Math.round(s.heapUsed / s.tasks) : 0, 'B');
  // CPU time each process used (the machine's cores are shared: wall time alone hides who was busy).
  report('scale.framework_cpu_s', last.cpuMs / 1000, 's');
  report('scale.simulator_cpu_s', s.cpuMs / 1000, 's');
  report('scale.framework_cpu_ms_per_task', last.cpuMs / o.tasks, 'ms');
  report('scale.simulator_cpu_ms_per_task', s.cpuMs / o.tasks, 'ms');
  report('scale.updates_sent', s.updatesSent, 'updates');
  report('scale.agent_retries', s.updateRetries, 'updates');
  // Each task has two updates to deliver (STARTING, RUNNING); everything sent beyond that is a duplicate.
  report('scale.duplicate_updates', Math.max(0, s.updatesSent - 2 * s.launched), 'updates');
  report('scale.acks', s.acks, 'acks');
  report('scale.stream_max_queued_kb', Math.round(s.maxQueuedBytes / 1024), 'KB');
  report('scale.updates_held_back', s.updatesHeldBack, 'updates');
  const failures: string[] = [];
  if (!ok) failures.push('not every task reached RUNNING');
  if (s.launched !== o.tasks) failures.push(`${s.launched} launches for ${o.tasks} instances`);
  if (s.distinctLaunched !== s.launched) failures.push(`${s.launched - s.distinctLaunched} task ids launched twice`);
  if (s.running !== o.tasks) failures.push(`simulator: ${s.running} RUNNING of ${o.tasks}`);
  if ((last.counts['TASK_RUNNING'] ?? 0) !== o.tasks) failures.push(`framework: ${last.counts['TASK_RUNNING'] ?? 0} RUNNING of ${o.tasks}`);
  if (s.pendingUpdates !== 0) failures.push(`${s.pendingUpdates} status updates left unacknowledged`);
  console.log(failures.length ? `# invariants FAILED: ${failures.join('; ')}` : '# invariants hold: every instance launched exactly once, all RUNNING on both sides, nothing left unacknowledged');
  if (o.heapSnapshot) {
    framework.send({ ask: 'heap-snapshot', dir: o.heapSnapshot });
    const { snapshot } = await nextMessage(framework, (m): m is { snapshot: string } => typeof m === 'object' && m !== null && 'snapshot' in m && !String(m.snapshot).includes('-mid-'), 300_000);
    console.log(`# framework heap snapshot: ${snapshot}`);
  }
  framework.send({ ask: 'stop' });
  await waitExit(framework, 30_000);
  sim.send({ ask: 'stop' });
  await waitExit(sim, 30_000);
  if (o.cpuProf) console.log(`# CPU profiles in ${o.cpuProf}`);
  process.exit(failures.length ? 1 : 0);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e6);
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
