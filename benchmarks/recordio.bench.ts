import { Readable } from 'node:stream';
import { decodeRecords, encodeRecord } from '../src/protocol/recordio.js';
import { opsPerSecond, report } from './report.js';

/** RecordIO framing alone: 10,000 records of 512 bytes, delivered in 16 KiB chunks. */
export async function run(): Promise<void> {
  const stream = Buffer.concat(Array.from({ length: 10_000 }, () => encodeRecord(Buffer.alloc(512, 0x61))));
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 16 * 1024) chunks.push(stream.subarray(i, i + 16 * 1024));
  const rate = await opsPerSecond(async () => {
    let n = 0;
    for await (const _ of decodeRecords(Readable.from(chunks))) n++;
    if (n !== 10_000) throw new Error(`decoded ${n} records`);
  }, 1000, 10_000);
  report('recordio.decode.records_per_s', Math.round(rate), 'records/s');
  report('recordio.decode.mb_per_s', (rate * 516) / 1e6, 'MB/s');
}
