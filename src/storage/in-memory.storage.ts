import { injectable } from 'inversify';
import { StorageError } from '../errors/families.js';
import type { Storage, StorageEntry, StorageOperation } from './storage.interface.js';
import { checkKey, StorageErrorCodes, underPrefix } from './storage-keys.js';

/**
 * A value's bytes as a one-byte string, one character per byte (latin1 is a bijection between
 * bytes and the code units 0-255): one V8 heap object of about `byteLength + 16` bytes, instead
 * of a `Uint8Array` + `ArrayBuffer` + a native backing store (about 300 bytes more per value, and
 * one `malloc` each that fragments the process's memory).
 */
const pack = (value: Uint8Array): string => Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');

/** Copies `packed`'s bytes into `into` at `at`; returns the byte count. */
const unpackInto = (packed: string, into: Buffer, at: number): number => into.write(packed, at, packed.length, 'latin1');

/** A new plain `Uint8Array` holding `packed`'s bytes. */
function unpack(packed: string): Uint8Array {
  const out = new Uint8Array(packed.length);
  unpackInto(packed, Buffer.from(out.buffer, 0, out.byteLength), 0);
  return out;
}

/**
 * Storage in process memory: the default, for one instance and for tests. Values are copied in
 * and out (held as one compact string each; they come back as new `Uint8Array`s with the same
 * bytes); `close()` keeps the data for a `reopen()`.
 */
@injectable()
export class InMemoryStorage implements Storage {
  private readonly data = new Map<string, string>();
  private closed = false;

  private open(): void {
    // Retryable: an update whose record could not be written because the store closed is not acknowledged.
    if (this.closed) throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed', { retryable: true });
  }
  /** The value at `key` (a copy), or `undefined`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.open();
    const v = this.data.get(checkKey(key));
    return v === undefined ? undefined : unpack(v);
  }
  /** Stores a copy of `value` at `key`. */
  async put(key: string, value: Uint8Array): Promise<void> {
    this.open();
    this.data.set(checkKey(key), pack(value));
  }
  /** Deletes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    this.open();
    return this.data.delete(checkKey(key));
  }
  /** Entries at `prefix` and below it (whole segments), sorted by key; the values are copies (views of one new buffer). */
  async list(prefix: string): Promise<StorageEntry[]> {
    this.open();
    checkKey(prefix);
    // Keys sorted as strings (UTF-16 code units, as `<` compares them). The values are copied into
    // one new buffer, each entry a view of its own bytes: one allocation instead of one per value.
    const keys: string[] = [];
    for (const k of this.data.keys()) if (underPrefix(k, prefix)) keys.push(k);
    keys.sort();
    const values = keys.map((key) => this.data.get(key)!);
    let total = 0;
    for (const v of values) total += v.length;
    const block = new Uint8Array(total);
    const writer = Buffer.from(block.buffer, 0, total);
    let at = 0;
    return keys.map((key, i) => {
      const start = at;
      at += unpackInto(values[i]!, writer, at);
      return { key, value: block.subarray(start, at) };
    });
  }
  /** Deletes `prefix` and everything below it; returns how many keys went. */
  async deletePrefix(prefix: string): Promise<number> {
    this.open();
    checkKey(prefix);
    let n = 0;
    for (const k of [...this.data.keys()]) if (underPrefix(k, prefix) && this.data.delete(k)) n++;
    return n;
  }
  /** Replaces the value if it equals `expected` (`undefined`: absent); `next === undefined` deletes. False when the comparison failed. */
  async compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean> {
    this.open();
    const current = this.data.get(checkKey(key));
    if (current === undefined || expected === undefined ? current !== expected : current !== pack(expected)) return false;
    if (next === undefined) this.data.delete(key);
    else this.data.set(key, pack(next));
    return true;
  }
  /** Applies every operation, in order, at once (checked first: a bad key writes nothing). */
  async batch(operations: readonly StorageOperation[]): Promise<void> {
    this.open();
    for (const op of operations) checkKey(op.key);
    for (const op of operations) {
      if (op.type === 'put') this.data.set(op.key, pack(op.value));
      else this.data.delete(op.key);
    }
  }
  /** Closes the store: every later operation fails with `ERR_STORAGE_CLOSED` (until `reopen()`). A framework's `stop()` calls it. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * Opens a closed store again with its data, as a restarted process finds its disk: lets a test
   * restart a framework over the same state (`stop()` closes the storage it used).
   *
   * @example
   * ```ts
   * const storage = new InMemoryStorage();
   * const first = createFramework({ ...options, overrides: [{ token: TOKENS.Storage, useValue: storage }] });
   * await first.start(); await first.stop();
   * const second = createFramework({ ...options, overrides: [{ token: TOKENS.Storage, useValue: storage.reopen() }] });
   * ```
   */
  reopen(): this {
    this.closed = false;
    return this;
  }
}
