import { injectable } from 'inversify';
import { StorageError } from '../errors/families.js';
import type { Storage, StorageEntry, StorageOperation } from './storage.interface.js';
import { checkKey, sameBytes, StorageErrorCodes, underPrefix } from './storage-keys.js';


/** Storage in process memory: the default, for one instance and for tests. Values are copied in and out; `close()` keeps the data for a `reopen()`. */
@injectable()
export class InMemoryStorage implements Storage {
  private readonly data = new Map<string, Uint8Array>();
  private closed = false;

  private open(): void {
    // Retryable: an update whose record could not be written because the store closed is not acknowledged.
    if (this.closed) throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed', { retryable: true });
  }
  /** The value at `key` (a copy), or `undefined`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.open();
    const v = this.data.get(checkKey(key));
    return v && Uint8Array.from(v);
  }
  /** Stores a copy of `value` at `key`. */
  async put(key: string, value: Uint8Array): Promise<void> {
    this.open();
    this.data.set(checkKey(key), Uint8Array.from(value));
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
    // one new buffer, each entry a view of its own bytes: one allocation instead of one per value
    // (200,000 task records: 1.3 s with Uint8Array.from, 0.36 s with a slice() each, 0.19 s so).
    const keys: string[] = [];
    for (const k of this.data.keys()) if (underPrefix(k, prefix)) keys.push(k);
    keys.sort();
    const values = keys.map((key) => this.data.get(key)!);
    let total = 0;
    for (const v of values) total += v.byteLength;
    const block = new Uint8Array(total);
    let at = 0;
    return keys.map((key, i) => {
      const v = values[i]!;
      block.set(v, at);
      at += v.byteLength;
      return { key, value: block.subarray(at - v.byteLength, at) };
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
    if (!sameBytes(this.data.get(checkKey(key)), expected)) return false;
    if (next === undefined) this.data.delete(key);
    else this.data.set(key, Uint8Array.from(next));
    return true;
  }
  /** Applies every operation, in order, at once (checked first: a bad key writes nothing). */
  async batch(operations: readonly StorageOperation[]): Promise<void> {
    this.open();
    for (const op of operations) checkKey(op.key);
    for (const op of operations) {
      if (op.type === 'put') this.data.set(op.key, op.value.slice());
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
