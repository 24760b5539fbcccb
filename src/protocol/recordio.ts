import { Transform, type TransformCallback } from 'node:stream';
import { FramingError } from '../errors/families.js';
import { ErrorCodes } from '../errors/codes.js';

/** Default upper bound of one RecordIO frame: 4 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024;

/** The longest decimal length prefix we accept (uint64 has at most 20 digits). */
const MAX_LENGTH_DIGITS = 20;
const LF = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Options of {@link RecordIOParser}, {@link RecordIODecoder} and {@link decodeRecords}. */
export interface RecordIOOptions {
  /**
   * Largest frame accepted, in bytes. A length prefix above it fails with
   * `ERR_RECORDIO_FRAME_TOO_LARGE` before any byte of the frame is buffered.
   * @default 4 MiB
   */
  maxFrameSize?: number;
  /**
   * Whether a record read whole from one chunk is copied out of it (the default) or handed out as
   * a view into the chunk. A view is faster but keeps the whole chunk in memory for as long as the
   * record, or anything decoded from it that shares its bytes (protobuf `bytes` fields), is kept:
   * pass `false` only when each record is consumed, and nothing of it kept, before the next chunk.
   * @default true
   */
  copyRecords?: boolean;
}

/**
 * Encodes one record: the payload's decimal byte length, a line feed, then the payload.
 * There is no trailing newline (Mesos's own framing).
 */
export function encodeRecord(payload: Uint8Array): Buffer {
  const header = Buffer.from(`${payload.byteLength}\n`, 'ascii');
  return Buffer.concat([header, payload], header.byteLength + payload.byteLength);
}

/**
 * Incremental RecordIO parser. Feed it chunks of any size with {@link push}; it returns the
 * records completed by that chunk. Once it has failed it stays failed, like Mesos's decoder.
 * It never relies on chunk boundaries and never allocates more than the frame limit.
 */
export class RecordIOParser {
  private readonly maxFrameSize: number;
  private readonly copyRecords: boolean;
  private lengthSoFar = 0;
  private digits = 0;
  /** Bytes still missing from the current frame, or -1 while reading a length prefix. */
  private remaining = -1;
  private parts: Buffer[] = [];
  private failure: FramingError | undefined;
  /** Total number of bytes consumed, for error messages. */
  private offset = 0;

  /** @throws FramingError `ERR_RECORDIO_BAD_LENGTH` when `maxFrameSize` is not a non-negative integer. */
  constructor(options: RecordIOOptions = {}) {
    const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new FramingError(ErrorCodes.RECORDIO_BAD_LENGTH, `maxFrameSize must be a non-negative integer, got ${max}`);
    }
    this.maxFrameSize = max;
    this.copyRecords = options.copyRecords ?? true;
  }

  /** True while a record has been started but not completed. */
  get midRecord(): boolean {
    return this.digits > 0 || this.remaining >= 0;
  }

  /**
   * Consumes the next chunk of the stream.
   * @returns The records this chunk completed (possibly none), each a Buffer the caller may keep.
   * @throws FramingError `ERR_RECORDIO_BAD_LENGTH` (bad length prefix) or
   * `ERR_RECORDIO_FRAME_TOO_LARGE` (record above `maxFrameSize`); after that every call rethrows it.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failure) throw this.failure;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const out: Buffer[] = [];
    let i = 0;
    const size = buf.length;
    while (i < size) {
      if (this.remaining < 0 && this.digits === 0) {
        // Fast path, at a record boundary: when the whole record (prefix and payload) is in this
        // chunk, read it with locals only. Anything else (a record cut by the chunk's end, a bad
        // prefix) is left to the byte-wise path below, from the same position with no state
        // changed, so its results and errors are exactly the general ones.
        let j = i;
        let length = 0;
        while (j < size && j - i < MAX_LENGTH_DIGITS) {
          const byte = buf[j]!;
          if (byte < DIGIT_0 || byte > DIGIT_9) break;
          length = length * 10 + (byte - DIGIT_0);
          j++;
        }
        if (j > i && j < size && buf[j] === LF && length <= this.maxFrameSize && j + 1 + length <= size) {
          const start = j + 1;
          const record = buf.subarray(start, start + length);
          // By default a copy, so a record kept by the caller does not pin the whole chunk.
          out.push(length === 0 ? Buffer.alloc(0) : this.copyRecords ? Buffer.from(record) : record);
          this.offset += start + length - i;
          i = start + length;
          continue;
        }
      }
      if (this.remaining < 0) {
        const byte = buf[i]!;
        i++;
        this.offset++;
        if (byte === LF) {
          if (this.digits === 0) return this.fail(ErrorCodes.RECORDIO_BAD_LENGTH, 'empty record length prefix');
          this.digits = 0;
          if (this.lengthSoFar === 0) {
            out.push(Buffer.alloc(0));
            continue;
          }
          this.remaining = this.lengthSoFar;
          this.lengthSoFar = 0;
          continue;
        }
        if (byte < DIGIT_0 || byte > DIGIT_9) {
          return this.fail(
            ErrorCodes.RECORDIO_BAD_LENGTH,
            `unexpected byte 0x${byte.toString(16).padStart(2, '0')} in record length prefix`,
          );
        }
        this.digits++;
        this.lengthSoFar = this.lengthSoFar * 10 + (byte - DIGIT_0);
        if (this.digits > MAX_LENGTH_DIGITS || this.lengthSoFar > this.maxFrameSize) {
          return this.fail(
            ErrorCodes.RECORDIO_FRAME_TOO_LARGE,
            `record length exceeds the maximum frame size of ${this.maxFrameSize} bytes; ` +
              'raise maxFrameSize if the master legitimately sends larger events',
          );
        }
        continue;
      }
      const take = Math.min(this.remaining, buf.length - i);
      const piece = buf.subarray(i, i + take);
      i += take;
      this.offset += take;
      this.remaining -= take;
      if (this.remaining === 0 && this.parts.length === 0) {
        // Whole frame inside one chunk: hand out a copy so the caller may keep it safely.
        out.push(this.copyRecords ? Buffer.from(piece) : piece);
      } else {
        this.parts.push(piece);
        if (this.remaining === 0) {
          out.push(Buffer.concat(this.parts));
          this.parts = [];
        }
      }
      if (this.remaining === 0) this.remaining = -1;
    }
    return out;
  }

  /** Signals the end of input; throws `ERR_RECORDIO_TRUNCATED` if a record was cut short. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.midRecord) {
      this.fail(ErrorCodes.RECORDIO_TRUNCATED, 'stream ended in the middle of a record');
    }
  }

  private fail(code: string, what: string): never {
    this.failure = new FramingError(code, `RecordIO framing error at byte ${this.offset}: ${what}`, {
      details: { offset: this.offset },
    });
    throw this.failure;
  }
}

/**
 * Decodes a byte stream into records. Pull-based, so a slow consumer stops the reading of the
 * source (backpressure). Throws a {@link FramingError} on bad input.
 */
export async function* decodeRecords(
  source: AsyncIterable<Uint8Array>,
  options: RecordIOOptions = {},
): AsyncGenerator<Buffer, void, undefined> {
  const parser = new RecordIOParser(options);
  for await (const chunk of source) {
    for (const record of parser.push(chunk)) yield record;
  }
  parser.end();
}

/**
 * The same decoder as a Node.js Transform stream: bytes in, one Buffer per record out
 * (object mode on the readable side). Errors are emitted as {@link FramingError}.
 */
export class RecordIODecoder extends Transform {
  private readonly parser: RecordIOParser;
  constructor(options: RecordIOOptions = {}) {
    super({ readableObjectMode: true });
    this.parser = new RecordIOParser(options);
  }
  /** @internal Node's Transform hook. */
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    try {
      for (const record of this.parser.push(chunk)) this.push(record);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
  /** @internal Node's Transform hook: fails with `ERR_RECORDIO_TRUNCATED` when the input ends mid-record. */
  override _flush(callback: TransformCallback): void {
    try {
      this.parser.end();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}
