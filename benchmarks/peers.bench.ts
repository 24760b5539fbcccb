/**
 * Side by side with the peer, tobilg's `mesos-framework` (npm, a devDependency used only here),
 * in one run, alternating, each reader or framework in a process of its own:
 *
 * 1. Decode, one record per chunk (as HTTP delivers): a local server streams a recorded event
 *    stream (OFFERS of 5 offers, UPDATEs, HEARTBEATs; JSON, one RecordIO record per HTTP chunk) to
 *    this SDK's `MesosHttpClient` subscription, to the peer's real `Scheduler` (its stream handling,
 *    `JSON.parse`, handler call and emit) and to a bare `http.request` + `JSON.parse` reader.
 *    Events/s and CPU per event (medians of `PEERS_DECODE_ROUNDS`, 5) and ratios.
 * 2. Launch: 1,000 and 5,000 short tasks (0.1 cpus, 32 MiB, run 10 ms) to TASK_FINISHED on a fresh
 *    embedded simulator each time (50 agents of 4 cpus / 8 GiB: 2,000 tasks at once), by this SDK
 *    (`createFramework` with a task definition) and by the peer (its `Scheduler` with a `tasks`
 *    map; its default handlers launch and acknowledge). Tasks/s, framework CPU ms per task
 *    (`process.cpuUsage` of the framework's process), peak RSS, and ratios. Medians of
 *    `PEERS_ROUNDS` (3) rounds at 1,000 and `PEERS_ROUNDS_5000` (1, to keep the default run near
 *    two minutes) at 5,000.
 *
 * The peer's logging is switched off (`logging.level: 'none'`, which its winston logger treats
 * as no transport matching) and ours logs from `error` up (nothing in these runs): at the quietest
 * documented level (`error`) the peer writes one line per pending task per offer ("Offer ... has
 * no fitting resources left"), through a file transport whose queue then grows quadratically:
 * with 2,000 tasks its event loop stays blocked past its own 10 s master connection timeout and it
 * exits; with 5,000 none finishes within minutes (see CHANGELOG). `PEERS_PEER_LOG=error` runs it so.
 * Every run checks that every task reached TASK_FINISHED, on the framework's side and, for the
 * simulator, in the master's own records (acknowledged and retired).
 */
import { DecodeBench, type DecodeRun, type DecodeVariant } from './peers/decode.js';
import { launchRun, PEER_LOG_LEVEL, type LaunchRun, type Variant } from './peers/launch.js';
import { peerVersion } from './peers/peer-sdk.js';
import { report } from './report.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rounds = (name: string, fallback: number): number => Math.max(1, Number(process.env[name] ?? fallback) || fallback);

async function decode(): Promise<void> {
  const bench = new DecodeBench();
  await bench.start();
  const runs: Record<DecodeVariant, DecodeRun[]> = { ours: [], peer: [], bare: [] };
  try {
    for (let round = 0; round < rounds('PEERS_DECODE_ROUNDS', 5); round++) {
      for (const variant of ['ours', 'peer', 'bare'] as const) runs[variant].push(await bench.run(variant));
    }
  } finally {
    await bench.stop();
  }
  const rate = (v: DecodeVariant) => median(runs[v].map((r) => r.events / r.seconds));
  const cpu = (v: DecodeVariant) => median(runs[v].map((r) => (r.cpuMs * 1000) / r.events));
  for (const v of ['ours', 'peer', 'bare'] as const) {
    const name = v === 'bare' ? 'bare_json_parse' : v;
    report(`peers.decode.json.per_chunk.${name}.events_per_s`, Math.round(rate(v)), 'events/s');
    report(`peers.decode.json.per_chunk.${name}.cpu_us_per_event`, cpu(v), 'µs');
    const lost = Math.max(...runs[v].map((r) => bench.total - r.received));
    if (lost > 0 || runs[v].some((r) => r.errors > 0)) report(`peers.decode.json.per_chunk.${name}.events_lost`, lost, 'events');
  }
  report('peers.decode.json.per_chunk.ours_vs_peer', rate('ours') / rate('peer'), 'x');
  report('peers.decode.json.per_chunk.ours_vs_bare', rate('ours') / rate('bare'), 'x');
  report('peers.decode.json.per_chunk.peer_vs_bare', rate('peer') / rate('bare'), 'x');
  // CPU per event is steadier than wall time on a shared machine (a reader waiting for a core).
  report('peers.decode.json.per_chunk.ours_vs_peer.cpu_per_event', cpu('ours') / cpu('peer'), 'x');
  report('peers.decode.json.per_chunk.ours_vs_bare.cpu_per_event', cpu('ours') / cpu('bare'), 'x');
}

async function launch(tasks: number, n: number): Promise<void> {
  const peerLogLevel = process.env['PEERS_PEER_LOG'] ?? PEER_LOG_LEVEL;
  const runs: Record<Variant, LaunchRun[]> = { ours: [], peer: [] };
  for (let round = 0; round < n; round++) {
    for (const variant of ['ours', 'peer'] as const) {
      const run = await launchRun(variant, tasks, { peerLogLevel, timeoutMs: 180_000 });
      if (run.finished !== tasks || run.masterFinished !== tasks) {
        throw new Error(`${variant}: ${run.finished} of ${tasks} tasks seen TASK_FINISHED (${run.failed} other ends; master: ${run.masterFinished}); errors: ${run.errors.join(' | ')}`);
      }
      runs[variant].push(run);
    }
  }
  const rate = (v: Variant) => median(runs[v].map((r) => tasks / r.seconds));
  const cpu = (v: Variant) => median(runs[v].map((r) => r.cpuMs / tasks));
  const rss = (v: Variant) => median(runs[v].map((r) => r.maxRssMb));
  for (const v of ['ours', 'peer'] as const) {
    report(`peers.launch.${tasks}.${v}.tasks_per_s`, Math.round(rate(v)), 'tasks/s');
    report(`peers.launch.${tasks}.${v}.cpu_ms_per_task`, cpu(v), 'ms');
    report(`peers.launch.${tasks}.${v}.peak_rss_mb`, Math.round(rss(v)), 'MB');
  }
  report(`peers.launch.${tasks}.ours_vs_peer.tasks_per_s`, rate('ours') / rate('peer'), 'x');
  report(`peers.launch.${tasks}.ours_vs_peer.cpu_per_task`, cpu('ours') / cpu('peer'), 'x');
  report(`peers.launch.${tasks}.ours_vs_peer.peak_rss`, rss('ours') / rss('peer'), 'x');
}

export async function run(): Promise<void> {
  console.log(`# peer: mesos-framework ${peerVersion()}`);
  await decode();
  await launch(1000, rounds('PEERS_ROUNDS', 3));
  await launch(5000, rounds('PEERS_ROUNDS_5000', 1));
}
