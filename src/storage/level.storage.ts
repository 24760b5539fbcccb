import type { ClassicLevel } from 'classic-level';
import { StorageError } from '../errors/families.js';
import type { Storage } from './storage.interface.js';
import { checkKey, sameBytes, StorageErrorCodes, underPrefix } from './storage-keys.js';

/**
 * Embedded on-disk storage for one machine, on LevelDB (`classic-level`, which ships prebuilt
 * binaries). Writes are durable per operation (`sync`); compare-and-set is atomic within this
 * process (LevelDB allows one process per directory). `classic-level` is loaded when a
 * `LevelStorage` is created, not when `mesos-sdk` is imported.
 */
export class LevelStorage implements Storage {
  private db: ClassicLevel<string, Uint8Array> | undefined;
  private lock: Promise<void> = Promise.resolve();
  private opened: Promise<ClassicLevel<string, Uint8Array>>;

  /** @param location directory of the database (created if missing). */
  constructor(readonly location: string, private readonly options: { sync?: boolean } = {}) {
    this.opened = import('classic-level').then(async ({ ClassicLevel }) => {
      const db = new ClassicLevel<string, Uint8Array>(location, { valueEncoding: 'view' });
      this.db = db;
      await db.open();
      return db;
    }).catch((cause: Error) => {
      throw new StorageError(StorageErrorCodes.UNAVAILABLE, `cannot open the on-disk store at ${location}: ${cause.message}`, { cause, retryable: false });
    });
    this.opened.catch(() => {});
  }

  private async ready(): Promise<ClassicLevel<string, Uint8Array>> {
    const db = await this.opened;
    if (db.status !== 'open') throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed');
    return db;
  }

  /** Runs `fn` after every earlier mutation: keeps CAS atomic. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(() => {}, () => {});
    return run;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const db = await this.ready();
    return (await db.get(checkKey(key))) ?? undefined;
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    const db = await this.ready();
    checkKey(key);
    await this.exclusive(() => db.put(key, value, { sync: this.options.sync ?? true }));
  }
  async delete(key: string): Promise<boolean> {
    const db = await this.ready();
    checkKey(key);
    return this.exclusive(async () => {
      const had = (await db.get(key)) !== undefined;
      if (had) await db.del(key, { sync: this.options.sync ?? true });
      return had;
    });
  }
  async list(prefix: string): Promise<Array<{ key: string; value: Uint8Array }>> {
    const db = await this.ready();
    checkKey(prefix);
    const out: Array<{ key: string; value: Uint8Array }> = [];
    // `prefix` itself, then everything in [prefix + '/', prefix + '0'): '0' follows '/' in byte order.
    const exact = await db.get(prefix);
    if (exact !== undefined) out.push({ key: prefix, value: exact });
    for await (const [key, value] of db.iterator({ gte: `${prefix}/`, lt: `${prefix}0` })) {
      if (underPrefix(key, prefix)) out.push({ key, value });
    }
    return out;
  }
  async deletePrefix(prefix: string): Promise<number> {
    const entries = await this.list(prefix);
    const db = await this.ready();
    await this.exclusive(() => db.batch(entries.map((e) => ({ type: 'del' as const, key: e.key })), { sync: this.options.sync ?? true }));
    return entries.length;
  }
  async compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean> {
    const db = await this.ready();
    checkKey(key);
    return this.exclusive(async () => {
      const current = (await db.get(key)) ?? undefined;
      if (!sameBytes(current, expected)) return false;
      if (next === undefined) await db.del(key, { sync: this.options.sync ?? true });
      else await db.put(key, next, { sync: this.options.sync ?? true });
      return true;
    });
  }
  async close(): Promise<void> {
    await this.opened.catch(() => {});
    await this.lock;
    if (this.db?.status === 'open') await this.db.close();
  }
}
