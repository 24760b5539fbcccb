import type { Etcd3, IOptions, Namespace } from 'etcd3';
import { StorageError } from '../errors/families.js';
import type { Storage } from './storage.interface.js';
import { checkKey, StorageErrorCodes, underPrefix } from './storage-keys.js';

export interface EtcdStorageOptions {
  /** etcd endpoints, e.g. `['http://127.0.0.1:2379']`. */
  hosts: string[];
  /** Key prefix of this framework's data. @default 'mesos-sdk/' */
  namespace?: string;
  /** Time allowed for one operation, ms; past it the call fails with a retryable `ERR_STORAGE_UNAVAILABLE`. @default 5000 */
  timeoutMs?: number;
  /** Further options of the `etcd3` client (TLS credentials, auth). */
  client?: Omit<IOptions, 'hosts'>;
}

/**
 * Storage on etcd v3 (through `etcd3`): for several scheduler instances and HA. Compare-and-set is
 * an etcd transaction. When etcd is unreachable every call fails with the retryable
 * `ERR_STORAGE_UNAVAILABLE` (after etcd3's own retries), so callers can pause and try again.
 *
 * `etcd3` (and gRPC under it) is loaded by the first operation, not when `mesos-sdk` is imported.
 */
export class EtcdStorage implements Storage {
  private etcd: { client: Etcd3; ns: Namespace } | undefined;
  private connecting: Promise<{ client: Etcd3; ns: Namespace }> | undefined;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(readonly options: EtcdStorageOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The `etcd3` client, once the first operation has created it. */
  get client(): Etcd3 | undefined {
    return this.etcd?.client;
  }

  private connect(): Promise<{ client: Etcd3; ns: Namespace }> {
    this.connecting ??= import('etcd3').then(({ Etcd3 }) => {
      const client = new Etcd3({ ...this.options.client, hosts: this.options.hosts });
      this.etcd = { client, ns: client.namespace(this.options.namespace ?? 'mesos-sdk/') };
      if (this.closed) client.close();
      return this.etcd;
    });
    return this.connecting;
  }

  private async call<T>(what: string, fn: (ns: Namespace) => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed');
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connect().then(({ ns }) => fn(ns)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (cause) {
      if (cause instanceof StorageError) throw cause;
      throw new StorageError(StorageErrorCodes.UNAVAILABLE, `etcd ${what} failed: ${(cause as Error).message}`, { cause, retryable: true });
    } finally {
      clearTimeout(timer);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    const value = await this.call('get', (ns) => ns.get(key).buffer());
    return value ? new Uint8Array(value) : undefined;
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    await this.call('put', (ns) => ns.put(key).value(Buffer.from(value)).exec());
  }
  async delete(key: string): Promise<boolean> {
    checkKey(key);
    const res = await this.call('delete', (ns) => ns.delete().key(key).exec());
    return Number(res.deleted) > 0;
  }
  async list(prefix: string): Promise<Array<{ key: string; value: Uint8Array }>> {
    checkKey(prefix);
    const [exact, below] = await this.call('list', (ns) => Promise.all([ns.get(prefix).buffer(), ns.getAll().prefix(`${prefix}/`).buffers()]));
    const out = exact ? [{ key: prefix, value: new Uint8Array(exact) }] : [];
    for (const [key, value] of Object.entries(below).sort(([a], [b]) => (a < b ? -1 : 1))) if (underPrefix(key, prefix)) out.push({ key, value: new Uint8Array(value) });
    return out;
  }
  async deletePrefix(prefix: string): Promise<number> {
    checkKey(prefix);
    const [a, b] = await this.call('deletePrefix', (ns) => Promise.all([ns.delete().key(prefix).exec(), ns.delete().prefix(`${prefix}/`).exec()]));
    return Number(a.deleted) + Number(b.deleted);
  }
  async compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean> {
    checkKey(key);
    const res = await this.call('compareAndSet', (ns) => {
      const cond = expected === undefined ? ns.if(key, 'Create', '==', 0) : ns.if(key, 'Value', '==', Buffer.from(expected));
      const action = next === undefined ? ns.delete().key(key) : ns.put(key).value(Buffer.from(next));
      return cond.then(action).commit();
    });
    return res.succeeded;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.etcd?.client.close();
  }
}
