import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { decodeRecords, encodeRecord, RecordIOParser } from '../../src/protocol/recordio.js';
import { Codecs } from '../../src/protocol/messages.js';
import { MesosSdkError } from '../../src/errors/index.js';

/** Splits bytes at the given cut points. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** True for the SDK's own typed errors (a stable ERR_ code), false for anything else. */
const typed = (err: unknown) => err instanceof MesosSdkError && /^ERR_[A-Z0-9_]+$/.test(err.code);

describe('fuzz: RecordIO decoding (fixed seeds)', () => {
  it('round-trips any records split at any chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), async (records, cuts) => {
        const wire = Buffer.concat(records.map((r) => encodeRecord(r)));
        const out: Buffer[] = [];
        for await (const r of decodeRecords(Readable.from(chunked(wire, cuts)))) out.push(r);
        assert.deepEqual(out.map((b) => b.toString('hex')), records.map((r) => Buffer.from(r).toString('hex')));
      }),
      { seed: 1101, numRuns: 300 },
    );
  });

  it('garbage only ever gives records or a typed framing error, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const parser = new RecordIOParser({ maxFrameSize: 4096 });
        try {
          for (const c of chunked(bytes, cuts)) parser.push(c);
          parser.end();
        } catch (err) {
          assert.ok(typed(err), `untyped error: ${String(err)}`);
        }
      }),
      { seed: 1102, numRuns: 2000 },
    );
  });

  it('a huge declared length is refused at the prefix, before any of it is buffered', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 4097n, max: 10n ** 30n }), (len) => {
        const parser = new RecordIOParser({ maxFrameSize: 4096 });
        const before = process.memoryUsage().arrayBuffers;
        assert.throws(() => parser.push(Buffer.from(`${len}\n`)), (e: unknown) => typed(e) && (e as MesosSdkError).code === 'ERR_RECORDIO_FRAME_TOO_LARGE');
        assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
        // and it stays failed: nothing more is accepted
        assert.throws(() => parser.push(Buffer.from('1\nx')), (e: unknown) => typed(e));
      }),
      { seed: 1103, numRuns: 200 },
    );
  });

  it('memory stays bounded by the frame size while a large frame trickles in', () => {
    const max = 64 * 1024;
    const parser = new RecordIOParser({ maxFrameSize: max });
    parser.push(Buffer.from(`${max}\n`));
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < max / 64 - 1; i++) assert.deepEqual(parser.push(Buffer.alloc(64, 1)), []);
    assert.ok(process.memoryUsage().arrayBuffers - before < 4 * max);
    assert.equal(parser.push(Buffer.alloc(64, 1)).length, 1);
  });
});

describe('fuzz: event decoding (fixed seeds)', () => {
  const codecs = [['scheduler.Event', Codecs.schedulerEvent()], ['executor.Event', Codecs.executorEvent()], ['scheduler.Call', Codecs.schedulerCall()], ['executor.Call', Codecs.executorCall()]] as const;

  for (const [name, codec] of codecs) {
    it(`${name}: random protobuf bytes decode or fail with ERR_PROTOCOL_DECODE`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
          try {
            codec.decode(bytes, 'protobuf');
          } catch (err) {
            assert.ok(typed(err) && (err as MesosSdkError).code === 'ERR_PROTOCOL_DECODE', `${name}: ${String(err)}`);
          }
        }),
        { seed: 1201, numRuns: 1500 },
      );
    });

    it(`${name}: random JSON decodes or fails with a typed error`, () => {
      fc.assert(
        // JSON of any shape, objects with arbitrary keys, and text that is not JSON at all
        fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.object().map((v) => JSON.stringify(v) ?? '{}'), fc.string()), (text) => {
          try {
            codec.decode(Buffer.from(text), 'json');
          } catch (err) {
            assert.ok(typed(err), `${name}: ${String(err)} for ${text.slice(0, 200)}`);
          }
        }),
        { seed: 1202, numRuns: 1500 },
      );
    });
  }

  it('valid events with mutated bytes: typed errors only, and valid ones round-trip both encodings', () => {
    const codec = Codecs.schedulerEvent();
    const sample = {
      type: 'UPDATE',
      update: { status: { task_id: { value: 't-1' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', agent_id: { value: 'a' }, uuid: new Uint8Array([1, 2, 3, 4]), timestamp: 1.5, message: 'ok' } },
    } as const;
    for (const enc of ['protobuf', 'json'] as const) {
      const bytes = codec.encode(sample as never, enc);
      assert.deepEqual(codec.encode(codec.decode(bytes, enc), enc), bytes, `${enc} round trip`);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
          const copy = Buffer.from(bytes);
          for (const [at, v] of flips) copy[at % copy.length] = v;
          try {
            codec.decode(copy, enc);
          } catch (err) {
            assert.ok(typed(err), `${enc}: ${String(err)}`);
          }
        }),
        { seed: 1203, numRuns: 1000 },
      );
    }
  });
});
