/**
 * One reader of a recorded Mesos event stream, in a process of its own: `node decode-child.js
 * <ours|peer|bare> <url> <events> <warmup> <logdir>`. It subscribes to the
 * {@link RecordedStreamServer} at `url`, reads `events` events after SUBSCRIBED and sends the
 * parent `{ events, seconds, cpuMs }` for the events after the first `warmup` (IPC).
 *
 * - `ours`: this SDK's `MesosHttpClient.subscribe()` with JSON, iterating `subscription.events`
 *   (the scheduler reads exactly that iterator; decoded events are what its handlers get).
 * - `peer`: the peer's real `Scheduler.subscribe()`: its `res.on('data')` RecordIO handling,
 *   `JSON.parse`, the handler call (handlers given for every type, doing nothing else than count)
 *   and its per-type `emit`.
 * - `bare`: `http.request` and `JSON.parse` of each chunk's payload (the least any reader does).
 */
import http from 'node:http';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { loadPeer } from './peer-sdk.js';

const [variant, url, totalArg, warmupArg, logdir] = process.argv.slice(2);
const total = Number(totalArg);
const warmup = Number(warmupArg);
const target = new URL(url!);

let count = 0;
let cpu0: NodeJS.CpuUsage | undefined;
let t0 = 0n;
let errors = 0;
let finished = false;

function seen(): void {
  count++;
  if (count === warmup) {
    t0 = process.hrtime.bigint();
    cpu0 = process.cpuUsage();
  } else if (count === total) finish();
  armIdle();
}

let idle: NodeJS.Timeout | undefined;
let lastAt = 0n;
/** A reader that loses events never reaches `total`: it reports what it got once the stream is idle. */
function armIdle(): void {
  lastAt = process.hrtime.bigint();
  if (!idle) {
    idle = setInterval(() => {
      if (process.hrtime.bigint() - lastAt > 1_000_000_000n) finish(lastAt);
    }, 250);
  }
}

function finish(at = process.hrtime.bigint()): void {
  if (finished) return;
  finished = true;
  const cpu = process.cpuUsage(cpu0);
  const seconds = Number(at - t0) / 1e9;
  process.send!({ variant, events: count - warmup, received: count, seconds, cpuMs: (cpu.user + cpu.system) / 1000, errors }, () => process.exit(0));
}

async function ours(): Promise<void> {
  const client = new MesosHttpClient({ masters: [url!], encoding: 'json' });
  const sub = await client.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'bench', name: 'decode-bench' } } });
  let first = true;
  for await (const event of sub.events) {
    if (first) {
      first = false; // SUBSCRIBED
      continue;
    }
    if (event.type === undefined) errors++;
    seen();
  }
}

function peer(): void {
  const { Scheduler } = loadPeer();
  // Each handler gets the event's body (`event.offers`, `event.update`; HEARTBEAT has none).
  const count1 = (_body: unknown) => seen();
  const scheduler = new Scheduler({
    masterUrl: target.hostname,
    port: Number(target.port),
    frameworkName: 'decode-bench',
    logging: { path: logdir!, fileName: 'peer-decode.log', level: 'error' },
    handlers: { SUBSCRIBED: (_s: unknown) => undefined, OFFERS: count1, UPDATE: count1, HEARTBEAT: count1 },
  });
  scheduler.on('error', (e: unknown) => {
    if (errors++ < 3) process.stderr.write(`peer error: ${JSON.stringify(e).slice(0, 300)}\n`);
  });
  scheduler.on('ready', () => scheduler.subscribe());
}

function bare(): void {
  const req = http.request({ host: target.hostname, port: Number(target.port), path: '/api/v1/scheduler', method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
    let first = true;
    let pending: Buffer | undefined;
    const record = (payload: Buffer) => {
      const event = JSON.parse(payload.toString('utf8')) as { type?: string };
      if (first) {
        first = false;
        return;
      }
      if (!event.type) errors++;
      seen();
    };
    res.on('data', (chunk: Buffer) => {
      // Whole records (the common case) are parsed from the chunk; a record cut by a TCP read is joined first.
      if (pending) {
        chunk = Buffer.concat([pending, chunk]);
        pending = undefined;
      }
      const nl = chunk.indexOf(0x0a);
      const length = nl < 0 ? Infinity : Number(chunk.toString('latin1', 0, nl));
      if (nl < 0 || chunk.length - nl - 1 < length) {
        pending = chunk;
        return;
      }
      record(chunk.subarray(nl + 1, nl + 1 + length));
    });
  });
  req.end(JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'bench', name: 'decode-bench' } } }));
}

if (variant === 'ours') await ours();
else if (variant === 'peer') peer();
else if (variant === 'bare') bare();
else throw new Error(`unknown variant ${variant}`);
