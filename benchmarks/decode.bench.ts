import { Readable } from 'node:stream';
import { Codecs } from '../src/protocol/messages.js';
import { decodeRecords, encodeRecord } from '../src/protocol/recordio.js';
import type { Encoding } from '../src/protocol/codec.js';
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

export async function run(): Promise<void> {
  const evs = events();
  const codec = Codecs.schedulerEvent();
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
