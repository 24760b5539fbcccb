import { Readable } from 'node:stream';
import { decodeRecords, encodeRecord, RecordIOParser } from '../src/protocol/recordio.js';
import { opsPerSecond, report } from './report.js';

/**
 * RecordIO framing alone: 10,000 records of 512 bytes, delivered in 16 KiB chunks; then one
 * record per chunk (as HTTP delivers a master's events), read by decodeRecords and by a parser fed
 * synchronously as the HTTP client does, copying records and not.
 */
export async function run(): Promise<void> {
  const frames = Array.from({ length: 10_000 }, () => encodeRecord(Buffer.alloc(512, 0x61)));
  const stream = Buffer.concat(frames);
  const chunks: Buffer[] = [];
  for (let i = 0; i < stream.length; i += 16 * 1024) chunks.push(stream.subarray(i, i + 16 * 1024));
  const rate = await opsPerSecond(async () => {
    let n = 0;
    for await (const _ of decodeRecords(Readable.from(chunks))) n++;
    if (n !== 10_000) throw new Error(`decoded ${n} records`);
  }, 1000, 10_000);
  report('recordio.decode.records_per_s', Math.round(rate), 'records/s');
  report('recordio.decode.mb_per_s', (rate * 516) / 1e6, 'MB/s');

  const perChunk = async (copyRecords: boolean): Promise<void> => {
    const parser = new RecordIOParser({ copyRecords });
    let n = 0;
    for await (const chunk of Readable.from(frames)) n += parser.push(chunk as Buffer).length;
    parser.end();
    if (n !== 10_000) throw new Error(`decoded ${n} records`);
  };
  const viaGenerator = async (): Promise<void> => {
    let n = 0;
    for await (const _ of decodeRecords(Readable.from(frames))) n++;
    if (n !== 10_000) throw new Error(`decoded ${n} records`);
  };
  report('recordio.per_chunk.decode_records.records_per_s', Math.round(await opsPerSecond(viaGenerator, 700, 10_000)), 'records/s');
  report('recordio.per_chunk.parser_copy.records_per_s', Math.round(await opsPerSecond(() => perChunk(true), 700, 10_000)), 'records/s');
  report('recordio.per_chunk.parser_view.records_per_s', Math.round(await opsPerSecond(() => perChunk(false), 700, 10_000)), 'records/s');
}
