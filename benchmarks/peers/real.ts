/**
 * The launch comparison of benchmarks/peers.bench.ts once on a real Mesos master (not part of
 * `npm run bench`): `node dist/benchmarks/peers/real.js --master http://127.0.0.1:5050 [--tasks 200]`.
 * Runs this SDK, then the peer (`mesos-framework`), each in its own process, each launching
 * `--tasks` command tasks (`true`, 0.1 cpus, 32 MiB) to TASK_FINISHED and tearing its framework
 * down; checks the master lists every task TASK_FINISHED; prints the figures and ratios.
 */
import { Command } from 'commander';
import { launchRun, type LaunchRun } from './launch.js';
import { peerVersion } from './peer-sdk.js';
import { report } from '../report.js';

const program = new Command()
  .name('peers-real')
  .requiredOption('--master <url>', 'a real Mesos master, e.g. http://127.0.0.1:5050')
  .option('--tasks <n>', 'tasks per framework', '200')
  .option('--peer-log <level>', "the peer's logging.level ('none': nothing, as in the benchmark)", 'none')
  .parse();
const opts = program.opts<{ master: string; tasks: string; peerLog: string }>();
const tasks = Number(opts.tasks);
if (!Number.isInteger(tasks) || tasks < 1) program.error('--tasks must be a positive integer');

console.log(`# peers on a real master ${opts.master}: ${tasks} tasks each; peer mesos-framework ${peerVersion()}`);
const runs: Record<string, LaunchRun> = {};
for (const variant of ['ours', 'peer'] as const) {
  const run = await launchRun(variant, tasks, { master: opts.master, timeoutMs: 600_000, peerLogLevel: opts.peerLog });
  if (run.finished !== tasks || run.masterFinished !== tasks) {
    console.error(`${variant}: ${run.finished} of ${tasks} TASK_FINISHED (master lists ${run.masterFinished}; ${run.failed} other ends); errors: ${run.errors.join(' | ')}`);
    process.exit(1);
  }
  runs[variant] = run;
  report(`peers.real.${tasks}.${variant}.tasks_per_s`, tasks / run.seconds, 'tasks/s');
  report(`peers.real.${tasks}.${variant}.seconds`, run.seconds, 's');
  report(`peers.real.${tasks}.${variant}.cpu_ms_per_task`, run.cpuMs / tasks, 'ms');
  report(`peers.real.${tasks}.${variant}.peak_rss_mb`, Math.round(run.maxRssMb), 'MB');
  report(`peers.real.${tasks}.${variant}.master_finished`, run.masterFinished!, 'tasks');
}
const ours = runs['ours']!;
const peer = runs['peer']!;
report(`peers.real.${tasks}.ours_vs_peer.tasks_per_s`, peer.seconds / ours.seconds, 'x');
report(`peers.real.${tasks}.ours_vs_peer.cpu_per_task`, ours.cpuMs / peer.cpuMs, 'x');
