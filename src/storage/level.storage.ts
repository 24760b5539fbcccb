import type { ClassicLevel } from 'classic-level';
import { StorageError } from '../errors/families.js';
import type { Storage, StorageEntry, StorageOperation } from './storage.interface.js';
import { checkKey, sameBytes, StorageErrorCodes, underPrefix } from './storage-keys.js';
import { toStorageError } from './storage-errors.js';

/**
 * Embedded on-disk storage for one machine, on LevelDB (`classic-level`, which ships prebuilt
 * binaries). Writes are durable per operation (`sync`); compare-and-set is atomic within this
 * process (LevelDB allows one process per directory), and so is a {@link LevelStorage.batch}
 * (one LevelDB write batch). `classic-level` is loaded when a `LevelStorage` is created, not when
 * `mesos-sdk` is imported.
 *
 * Every failure is a {@link StorageError}: `ERR_STORAGE_LOCKED` when the folder is open in this or
 * another process, `ERR_STORAGE_FULL` when the disk is full or the file size limit is reached,
 * `ERR_STORAGE_CORRUPT`, `ERR_STORAGE_IO`; all retryable, so the framework never acknowledges a
 * status update whose record was not written.
 */
export class LevelStorage implements Storage {
  private db: ClassicLevel<string, Uint8Array> | undefined;
  private lock: Promise<void> = Promise.resolve();
  private opened: Promise<ClassicLevel<string, Uint8Array>>;
  private readonly name: string;

  /**
   * @param location - Directory of the database (created if missing).
   * @param options - `sync: false` trades durability of the last writes for speed (default true).
   */
  constructor(readonly location: string, private readonly options: { sync?: boolean } = {}) {
    this.name = `LevelStorage at ${location}`;
    this.opened = import('classic-level').then(async ({ ClassicLevel }) => {
      const db = new ClassicLevel<string, Uint8Array>(location, { valueEncoding: 'view' });
      this.db = db;
      await db.open();
      return db;
    }).catch((cause: unknown) => {
      throw toStorageError(this.name, 'open', cause);
    });
    this.opened.catch(() => {});
  }

  private async ready(): Promise<ClassicLevel<string, Uint8Array>> {
    const db = await this.opened;
    // Retryable: an update whose record could not be written because the store closed is not acknowledged.
    if (db.status !== 'open') throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed', { retryable: true });
    return db;
  }

  /** Runs a backend call, turning what it throws into a typed StorageError. */
  private async guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toStorageError(this.name, operation, cause);
    }
  }

  /** Runs `fn` after every earlier mutation: keeps CAS atomic. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => {}, () => {});
    return run;
  }

  private get sync(): boolean {
    return this.options.sync ?? true;
  }

  /** The value at `key`, or `undefined`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    const db = await this.ready();
    checkKey(key);
    return this.guard(`get ${key}`, async () => (await db.get(key)) ?? undefined);
  }
  /** Writes `value` at `key`, durably (unless `sync: false`). */
  async put(key: string, value: Uint8Array): Promise<void> {
    const db = await this.ready();
    checkKey(key);
    await this.exclusive(() => this.guard(`put ${key}`, () => db.put(key, value, { sync: this.sync })));
  }
  /** Deletes `key`; true when it existed. */
  async delete(key: string): Promise<boolean> {
    const db = await this.ready();
    checkKey(key);
    return this.exclusive(() => this.guard(`delete ${key}`, async () => {
      const had = (await db.get(key)) !== undefined;
      if (had) await db.del(key, { sync: this.sync });
      return had;
    }));
  }
  /** Entries at `prefix` and below it (whole segments), sorted by key. */
  async list(prefix: string): Promise<StorageEntry[]> {
    const db = await this.ready();
    checkKey(prefix);
    return this.guard(`list ${prefix}`, async () => {
      const out: StorageEntry[] = [];
      // `prefix` itself, then everything in [prefix + '/', prefix + '0'): '0' follows '/' in byte order.
      const exact = await db.get(prefix);
      if (exact !== undefined) out.push({ key: prefix, value: exact });
      for await (const [key, value] of db.iterator({ gte: `${prefix}/`, lt: `${prefix}0` })) {
        if (underPrefix(key, prefix)) out.push({ key, value });
      }
      return out;
    });
  }
  /** Deletes `prefix` and everything below it, in one write batch; returns how many keys went. */
  async deletePrefix(prefix: string): Promise<number> {
    const entries = await this.list(prefix);
    const db = await this.ready();
    await this.exclusive(() => this.guard(`deletePrefix ${prefix}`, () => db.batch(entries.map((e) => ({ type: 'del' as const, key: e.key })), { sync: this.sync })));
    return entries.length;
  }
  /** Replaces the value if it equals `expected` (`undefined`: absent); `next === undefined` deletes. False when the comparison failed. */
  async compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean> {
    const db = await this.ready();
    checkKey(key);
    return this.exclusive(() => this.guard(`compareAndSet ${key}`, async () => {
      const current = (await db.get(key)) ?? undefined;
      if (!sameBytes(current, expected)) return false;
      if (next === undefined) await db.del(key, { sync: this.sync });
      else await db.put(key, next, { sync: this.sync });
      return true;
    }));
  }
  /** Applies every operation as one LevelDB write batch: all of them are stored, or none. */
  async batch(operations: readonly StorageOperation[]): Promise<void> {
    const db = await this.ready();
    for (const op of operations) checkKey(op.key);
    if (operations.length === 0) return;
    const ops = operations.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key }));
    await this.exclusive(() => this.guard(`batch of ${ops.length} (${ops.map((o) => o.key).join(', ').slice(0, 200)})`, () => db.batch(ops, { sync: this.sync })));
  }
  /** Closes the database and releases its folder (after the writes in flight); later calls fail with `ERR_STORAGE_CLOSED`. */
  async close(): Promise<void> {
    await this.opened.catch(() => {});
    await this.lock;
    if (this.db?.status === 'open') await this.db.close();
  }
}
