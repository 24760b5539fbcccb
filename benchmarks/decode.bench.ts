import { Readable } from 'node:stream';
import { Codecs } from '../src/protocol/messages.js';
import { decodeRecords, encodeRecord, RecordIOParser } from '../src/protocol/recordio.js';
import { schema, type Encoding } from '../src/protocol/codec.js';
import type { scheduler, v1 } from '../src/protocol/generated/index.js';
import { opsPerSecond, report } from './report.js';

function offer(i: number): v1.Offer {
  const role = { allocation_info: { role: 'web' } };
  return {
    id: { value: `5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-O${i}` },
    framework_id: { value: '5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-0000' },
    agent_id: { value: `5f1b0a8e-7d6c-4a1b-9e2f-3c4d5e6f7a8b-S${i % 100}` },
    hostname: `agent-${i % 100}.cluster.local`,
    url: { scheme: 'http', address: { hostname: `agent-${i % 100}.cluster.local`, ip: '10.0.0.1', port: 5051 }, path: '/slave(1)' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 7.5 }, ...role },
      { name: 'mem', type: 'SCALAR', scalar: { value: 30_000 }, ...role },
      { name: 'disk', type: 'SCALAR', scalar: { value: 200_000 }, ...role },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31500 }, { begin: 31600, end: 32000 }] }, ...role },
    ],
    attributes: [
      { name: 'rack', type: 'TEXT', text: { value: `r${i % 10}` } },
      { name: 'zone', type: 'TEXT', text: { value: `z${i % 3}` } },
    ],
    allocation_info: { role: 'web' },
  };
}

/** A recorded stream: 200 OFFERS × 10 offers, 5,000 UPDATEs, 1,000 HEARTBEATs, interleaved. */
function events(): scheduler.Event[] {
  const out: scheduler.Event[] = [];
  for (let i = 0; i < 5000; i++) {
    out.push({
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: `web.${i}.7f3e` }, state: i % 3 === 0 ? 'TASK_RUNNING' : 'TASK_FINISHED', source: 'SOURCE_EXECUTOR',
          agent_id: { value: `agent-S${i % 100}` }, executor_id: { value: `web.${i}.7f3e` }, timestamp: 1_700_000_000.5 + i,
          uuid: Uint8Array.from({ length: 16 }, (_, k) => (i + k) & 0xff), message: 'Command exited with status 0',
        },
      },
    });
    if (i % 25 === 0) out.push({ type: 'OFFERS', offers: { offers: Array.from({ length: 10 }, (_, k) => offer(i + k)) } });
    if (i % 5 === 0) out.push({ type: 'HEARTBEAT' });
  }
  return out;
}

async function decodeRun(stream: Buffer, encoding: Encoding, expected: number): Promise<void> {
  const codec = Codecs.schedulerEvent();
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 64 * 1024) chunks.push(stream.subarray(i, i + 64 * 1024));
  let n = 0;
  for await (const record of decodeRecords(Readable.from(chunks))) {
    codec.decode(record, encoding);
    n++;
  }
  if (n !== expected) throw new Error(`decoded ${n} of ${expected} events`);
}

/**
 * The event stream as the HTTP client reads it: chunks fed synchronously to one
 * {@link RecordIOParser} inside the generator that yields decoded events (src/client/http-client.ts;
 * it no longer copies records, round 1 copied protobuf ones).
 */
async function* clientEvents<T>(source: AsyncIterable<Uint8Array>, decode: (record: Buffer) => T, copyRecords: boolean): AsyncGenerator<T> {
  const parser = new RecordIOParser({ copyRecords });
  for await (const chunk of source) {
    for (const record of parser.push(chunk)) yield decode(record);
  }
  parser.end();
}

/** The event stream as it was read before: decodeRecords (its own async generator) under the generator that decodes. */
async function* stackedEvents<T>(source: AsyncIterable<Uint8Array>, decode: (record: Buffer) => T): AsyncGenerator<T> {
  for await (const record of decodeRecords(source)) yield decode(record);
}

async function drain(events: AsyncIterable<unknown>, expected: number): Promise<void> {
  let n = 0;
  for await (const _ of events) n++;
  if (n !== expected) throw new Error(`decoded ${n} of ${expected} events`);
}

/** What one `Readable` delivers: one chunk per record, as an HTTP response carries a master's events. */
function source(chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

/**
 * One record per chunk (as HTTP delivers): events/s of this library's event stream against bare
 * `JSON.parse` and bare protobufjs `Event.decode` of the same payloads fed from the same stream with
 * the minimal framing (find the line feed, cut). `before` is the first version (decodeRecords under
 * the decoding generator, then fromObject/toObject/required walk or protobufjs decode + toObject);
 * for protobuf, `round1` is the synchronous parser copying each record, then protobufjs decode +
 * toObject; `after` is what the HTTP client does now (records as views, the generated converter or
 * decoder). Ratios are printed from the same run. Runs alternate in short slices (the machine is
 * shared), medians of 7.
 */
async function perChunk(evs: scheduler.Event[]): Promise<void> {
  const codec = Codecs.schedulerEvent();
  const type = schema().lookupType('mesos.v1.scheduler.Event');
  const payload = (record: Buffer): Buffer => record.subarray(record.indexOf(0x0a) + 1);
  for (const encoding of ['json', 'protobuf'] as const) {
    const chunks = evs.map((e) => encodeRecord(codec.encode(e, encoding)));
    const n = chunks.length;
    const variants: Record<string, () => Promise<void>> =
      encoding === 'json'
        ? {
            bare: () => drain(bareStream(source(chunks), (r) => JSON.parse(payload(r).toString('utf8'))), n),
            before: () => drain(stackedEvents(source(chunks), (r) => codec.fromJsonObjectSlow(JSON.parse(r.toString('utf8')) as Record<string, unknown>)), n),
            after: () => drain(clientEvents(source(chunks), (r) => codec.decode(r, 'json'), false), n),
          }
        : {
            bare: () => drain(bareStream(source(chunks), (r) => type.decode(payload(r))), n),
            before: () => drain(stackedEvents(source(chunks), (r) => codec.decodeProtobufSlow(r)), n),
            round1: () => drain(clientEvents(source(chunks), (r) => codec.decodeProtobufSlow(r), true), n),
            after: () => drain(clientEvents(source(chunks), (r) => codec.decode(r, 'protobuf'), false), n),
          };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let round = 0; round < 7; round++) {
      for (const [name, fn] of Object.entries(variants)) samples[name]!.push(await opsPerSecond(fn, 250, n));
    }
    const med: Record<string, number> = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
    const bareName = encoding === 'json' ? 'bare_json_parse' : 'bare_protobufjs_decode';
    report(`decode.${encoding}.per_chunk.${bareName}.events_per_s`, Math.round(med['bare']!), 'events/s');
    for (const name of Object.keys(variants).filter((k) => k !== 'bare')) {
      report(`decode.${encoding}.per_chunk.${name}.events_per_s`, Math.round(med[name]!), 'events/s');
    }
    report(`decode.${encoding}.per_chunk.after_vs_before`, med['after']! / med['before']!, 'x');
    if (med['round1'] !== undefined) report(`decode.${encoding}.per_chunk.after_vs_round1`, med['after']! / med['round1']!, 'x');
    report(`decode.${encoding}.per_chunk.after_vs_bare`, med['after']! / med['bare']!, 'x');
    report(`decode.${encoding}.per_chunk.before_vs_bare`, med['before']! / med['bare']!, 'x');
    if (med['round1'] !== undefined) report(`decode.${encoding}.per_chunk.round1_vs_bare`, med['round1']! / med['bare']!, 'x');
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Bare decoding of one record per chunk: no parser state, the record is cut at its line feed. */
async function* bareStream<T>(chunks: AsyncIterable<Buffer>, decode: (record: Buffer) => T): AsyncGenerator<T> {
  for await (const chunk of chunks) yield decode(chunk);
}

export async function run(): Promise<void> {
  const evs = events();
  const codec = Codecs.schedulerEvent();
  await perChunk(evs);
  for (const encoding of ['protobuf', 'json'] as const) {
    const stream = Buffer.concat(evs.map((e) => encodeRecord(codec.encode(e, encoding))));
    const rate = await opsPerSecond(() => decodeRun(stream, encoding, evs.length), 2000, evs.length);
    report(`decode.${encoding}.events_per_s`, Math.round(rate), 'events/s');
    report(`decode.${encoding}.mb_per_s`, (rate / evs.length) * (stream.length / 1e6), 'MB/s');
    const encodeRate = await opsPerSecond(() => {
      for (const e of evs) codec.encode(e, encoding);
    }, 1000, evs.length);
    report(`encode.${encoding}.events_per_s`, Math.round(encodeRate), 'events/s');
  }
}
