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

// Issue 17: a record read whole from one chunk takes a fast path; byte-by-byte feeding never does.
// Both must give the same records and the same errors (code and offset).
describe('RecordIOParser: whole-record fast path against byte-wise feeding', () => {
  /** Records, or the error's code and message, of feeding `chunks` to one parser. */
  function feed(chunks: Buffer[], options: ConstructorParameters<typeof RecordIOParser>[0] = {}): { records: string[]; error?: string } {
    const parser = new RecordIOParser(options);
    const records: string[] = [];
    try {
      for (const chunk of chunks) for (const r of parser.push(chunk)) records.push(r.toString('hex'));
      parser.end();
      return { records };
    } catch (err) {
      return { records, error: `${(err as FramingError).code} ${(err as Error).message}` };
    }
  }
  const bytewise = (buf: Buffer): Buffer[] => Array.from(buf, (b) => Buffer.from([b]));
  const many = Buffer.concat([...records, ...records].map((r) => encodeRecord(r)));
  const cases: Array<[string, Buffer, number | undefined]> = [
    ['valid records, one of them empty', many, undefined],
    ['a bad byte in a length prefix after good records', Buffer.concat([many, Buffer.from('12x\n')]), undefined],
    ['a line feed with no length', Buffer.concat([encodeRecord(Buffer.from('ab')), Buffer.from('\nxx')]), undefined],
    ['a frame above maxFrameSize after good ones', Buffer.concat([encodeRecord(Buffer.from('abc')), Buffer.from('2000\n'), Buffer.alloc(2000)]), 1024],
    ['a length prefix of 21 digits', Buffer.from('000000000000000000001\nx'), undefined],
    ['a stream ending in a payload', Buffer.concat([encodeRecord(Buffer.from('abc')), Buffer.from('10\nabc')]), undefined],
    ['a stream ending in a length prefix', Buffer.concat([encodeRecord(Buffer.from('abc')), Buffer.from('1')]), undefined],
  ];
  for (const [what, buf, maxFrameSize] of cases) {
    it(`${what}: one chunk, byte by byte, and at every cut give the same`, () => {
      const options = maxFrameSize === undefined ? {} : { maxFrameSize };
      // A push that fails returns nothing, so the records its chunk completed before the bad
      // bytes are not handed out (as before this fast path): with an error only the error and the
      // records of earlier chunks are compared.
      const want = feed(bytewise(buf), options);
      const same = (got: { records: string[]; error?: string }, why: string): void => {
        assert.equal(got.error, want.error, why);
        if (want.error === undefined) assert.deepEqual(got.records, want.records, why);
        else assert.deepEqual(got.records, want.records.slice(0, got.records.length), why);
      };
      same(feed([buf], options), 'one chunk');
      same(feed([buf], { ...options, copyRecords: false }), 'one chunk, no copy');
      for (let cut = 1; cut < buf.length; cut += Math.max(1, Math.floor(buf.length / 97))) {
        same(feed([buf.subarray(0, cut), buf.subarray(cut)], options), `cut at ${cut}`);
      }
      if (want.error === undefined) assert.equal(feed([buf]).records.length, buf === many ? 10 : want.records.length);
    });
  }

  it('copies records by default; copyRecords: false hands out views into the chunk', () => {
    const chunk = Buffer.concat([encodeRecord(Buffer.from('abc')), encodeRecord(Buffer.from('de'))]);
    const copied = new RecordIOParser().push(Buffer.from(chunk));
    const viewChunk = Buffer.from(chunk);
    const views = new RecordIOParser({ copyRecords: false }).push(viewChunk);
    assert.deepEqual(copied.map(String), ['abc', 'de']);
    assert.deepEqual(views.map(String), ['abc', 'de']);
    assert.equal(views[0]!.buffer, viewChunk.buffer);
    viewChunk.fill(0x7a);
    assert.deepEqual(views.map(String), ['zzz', 'zz']);
    const source = Buffer.from(chunk);
    const kept = new RecordIOParser().push(source);
    source.fill(0x7a);
    assert.deepEqual(kept.map(String), ['abc', 'de']);
  });
});
