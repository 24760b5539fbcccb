import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { decodeRecords, encodeRecord, RecordIODecoder, RecordIOParser } from '../../src/protocol/recordio.js';
import { FramingError } from '../../src/errors/families.js';

const records = [
  Buffer.from('{"type":"SUBSCRIBED"}'),
  Buffer.from('{"type":"HEARTBEAT"}'),
  Buffer.alloc(0),
  Buffer.from([0x08, 0x08]),
  Buffer.alloc(70_000, 7),
];
const stream = Buffer.concat(records.map((r) => encodeRecord(r)));

/** Splits a buffer at the given cut points. */
function split(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(buf.subarray(prev, c));
    prev = c;
  }
  out.push(buf.subarray(prev));
  return out;
}

async function collect(chunks: Buffer[], maxFrameSize?: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const r of decodeRecords(Readable.from(chunks), maxFrameSize === undefined ? {} : { maxFrameSize })) out.push(r);
  return out;
}

describe('encodeRecord', () => {
  it('writes the decimal length, a line feed and the payload with no trailing newline', () => {
    assert.equal(encodeRecord(Buffer.from('{"type":"HEARTBEAT"}')).toString(), '20\n{"type":"HEARTBEAT"}');
  });
});

describe('decodeRecords', () => {
  it('decodes a stream delivered one byte at a time', async () => {
    const chunks = [...stream].map((b) => Buffer.from([b]));
    assert.deepEqual(await collect(chunks), records);
  });

  it('decodes the stream under 200 random splits', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 200; n++) {
      const cuts = Array.from({ length: 1 + Math.floor(rand() * 10) }, () => Math.floor(rand() * stream.length));
      assert.deepEqual(await collect(split(stream, cuts)), records);
    }
  });

  it('decodes half-buffer chunks', async () => {
    assert.deepEqual(await collect(split(stream, [Math.floor(stream.length / 2)])), records);
  });

  it('yields an empty record for a zero length prefix', async () => {
    assert.deepEqual(await collect([Buffer.from('0\n2\nab')]), [Buffer.alloc(0), Buffer.from('ab')]);
  });

  it('fails with ERR_RECORDIO_FRAME_TOO_LARGE before buffering an oversized frame', async () => {
    await assert.rejects(collect([Buffer.from('1025\n')], 1024), (err: unknown) => {
      assert.ok(err instanceof FramingError);
      assert.equal(err.code, 'ERR_RECORDIO_FRAME_TOO_LARGE');
      return true;
    });
  });

  it('fails on a 21-digit length even with a huge limit', async () => {
    await assert.rejects(collect([Buffer.from('000000000000000000001\n')], Number.MAX_SAFE_INTEGER), { code: 'ERR_RECORDIO_FRAME_TOO_LARGE' });
  });

  it('accepts a frame of exactly the maximum size', async () => {
    const payload = Buffer.alloc(1024, 1);
    assert.deepEqual(await collect([encodeRecord(payload)], 1024), [payload]);
  });

  it('fails with ERR_RECORDIO_TRUNCATED when the stream stops inside a frame', async () => {
    await assert.rejects(collect([Buffer.from('10\nabc')]), { code: 'ERR_RECORDIO_TRUNCATED' });
  });

  it('fails with ERR_RECORDIO_TRUNCATED when the stream stops inside a length prefix', async () => {
    await assert.rejects(collect([Buffer.from('2\nab12')]), { code: 'ERR_RECORDIO_TRUNCATED' });
  });

  for (const garbage of ['x\n', '12a\nabc', '\n', '-1\n', ' 2\nab', 'HTTP/1.1 200 OK\r\n']) {
    it(`fails with ERR_RECORDIO_BAD_LENGTH on ${JSON.stringify(garbage)}`, async () => {
      await assert.rejects(collect([Buffer.from(garbage)]), { code: 'ERR_RECORDIO_BAD_LENGTH' });
    });
  }

  it('stays failed after an error', () => {
    const parser = new RecordIOParser();
    assert.throws(() => parser.push(Buffer.from('z')), { code: 'ERR_RECORDIO_BAD_LENGTH' });
    assert.throws(() => parser.push(Buffer.from('2\nab')), { code: 'ERR_RECORDIO_BAD_LENGTH' });
  });

  it('stops reading the source while the consumer does not pull (backpressure)', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 1000; i++) {
        produced++;
        yield encodeRecord(Buffer.from(`r${i}`));
      }
    }
    const it = decodeRecords(source());
    await it.next();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(produced <= 2, `source was read ahead ${produced} chunks`);
    await it.return();
  });
});

describe('RecordIODecoder', () => {
  it('emits one Buffer per record as a Transform stream', async () => {
    const out: Buffer[] = [];
    const decoder = Readable.from(split(stream, [3, 30, 31])).pipe(new RecordIODecoder());
    for await (const r of decoder) out.push(r as Buffer);
    assert.deepEqual(out, records);
  });

  it('emits a FramingError for garbage', async () => {
    const decoder = Readable.from([Buffer.from('nope')]).pipe(new RecordIODecoder());
    await assert.rejects(async () => {
      for await (const _ of decoder) void _;
    }, { code: 'ERR_RECORDIO_BAD_LENGTH' });
  });
});
