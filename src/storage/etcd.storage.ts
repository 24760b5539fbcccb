import type { Etcd3, IOptions, Namespace, ITxnResponse as TxnResponse } from 'etcd3';
import { StorageError } from '../errors/families.js';
import type { Storage, StorageEntry, StorageOperation } from './storage.interface.js';
import { etcdBatch } from './etcd-batch.js';
import type { EtcdFenceSource, EtcdWriteFence } from '../ha/etcd-leader-election.js';
import { HaErrorCodes } from '../ha/leader-election.interface.js';
import { checkKey, StorageErrorCodes, underPrefix } from './storage-keys.js';

/** Options of {@link EtcdStorage}. */
export interface EtcdStorageOptions {
  /** etcd endpoints, e.g. `['http://127.0.0.1:2379']`. */
  hosts: string[];
  /** Key prefix of this framework's data. @default 'mesos-sdk/' */
  namespace?: string;
  /** Time allowed for one operation, ms; past it the call fails with a retryable `ERR_STORAGE_UNAVAILABLE`. @default 5000 */
  timeoutMs?: number;
  /** Further options of the `etcd3` client (TLS credentials, auth). */
  client?: Omit<IOptions, 'hosts'>;
  /**
   * The leader election whose leadership every write requires (an `EtcdLeaderElection` on the
   * same etcd). Each put, delete and compare-and-set is then an etcd transaction that also
   * compares the election key's create revision, so etcd refuses the writes of an instance that
   * no longer leads, whether it has noticed or not (`ERR_FENCED`). Reads are not fenced.
   * `createFramework` sets it with the `ha` option. Without it, writes carry no precondition.
   */
  fence?: EtcdFenceSource;
}

/**
 * Storage on etcd v3 (through `etcd3`): for several scheduler instances and HA. Compare-and-set is
 * an etcd transaction. When etcd is unreachable every call fails with the retryable
 * `ERR_STORAGE_UNAVAILABLE` (after etcd3's own retries), so callers can pause and try again.
 *
 * With a {@link EtcdStorageOptions.fence}, every write is conditioned on this instance's
 * leadership and checked by etcd in the same transaction: a refused write throws a `StorageError`
 * `ERR_FENCED` (not retryable; nothing was written) and tells the election, which drops the
 * leadership.
 *
 * `etcd3` (and gRPC under it) is loaded by the first operation, not when `mesos-sdk` is imported.
 */
export class EtcdStorage implements Storage {
  private etcd: { client: Etcd3; ns: Namespace } | undefined;
  private connecting: Promise<{ client: Etcd3; ns: Namespace }> | undefined;
  private readonly timeoutMs: number;
  private closed = false;

  private readonly prefix: string;

  constructor(
    /** The options given. */
    readonly options: EtcdStorageOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.prefix = options.namespace ?? 'mesos-sdk/';
  }

  /** The `etcd3` client, once the first operation has created it. */
  get client(): Etcd3 | undefined {
    return this.etcd?.client;
  }

  private connect(): Promise<{ client: Etcd3; ns: Namespace }> {
    this.connecting ??= import('etcd3').then(({ Etcd3 }) => {
      const client = new Etcd3({ ...this.options.client, hosts: this.options.hosts });
      this.etcd = { client, ns: client.namespace(this.prefix) };
      if (this.closed) client.close();
      return this.etcd;
    });
    return this.connecting;
  }

  private async call<T>(what: string, fn: (etcd: { client: Etcd3; ns: Namespace }) => Promise<T>): Promise<T> {
    if (this.closed) throw new StorageError(StorageErrorCodes.CLOSED, 'storage is closed', { retryable: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connect().then(fn),
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
    const value = await this.call('get', ({ ns }) => ns.get(key).buffer());
    return value ? new Uint8Array(value) : undefined;
  }
  async put(key: string, value: Uint8Array): Promise<void> {
    checkKey(key);
    await this.write('put', key, ({ ns }) => [ns.put(key).value(Buffer.from(value))]);
  }
  async delete(key: string): Promise<boolean> {
    checkKey(key);
    const res = await this.write('delete', key, ({ ns }) => [ns.delete().key(key)]);
    return deletedCount(res, 0) > 0;
  }
  async list(prefix: string): Promise<StorageEntry[]> {
    checkKey(prefix);
    const [exact, below] = await this.call('list', ({ ns }) => Promise.all([ns.get(prefix).buffer(), ns.getAll().prefix(`${prefix}/`).buffers()]));
    const out = exact ? [{ key: prefix, value: new Uint8Array(exact) }] : [];
    for (const [key, value] of Object.entries(below).sort(([a], [b]) => (a < b ? -1 : 1))) if (underPrefix(key, prefix)) out.push({ key, value: new Uint8Array(value) });
    return out;
  }
  /** Deletes `prefix` and everything below it in one transaction. */
  async deletePrefix(prefix: string): Promise<number> {
    checkKey(prefix);
    const res = await this.write('deletePrefix', prefix, ({ ns }) => [ns.delete().key(prefix), ns.delete().prefix(`${prefix}/`)]);
    return deletedCount(res, 0) + deletedCount(res, 1);
  }
  async compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean> {
    checkKey(key);
    const full = `${this.prefix}${key}`;
    const res = await this.call('compareAndSet', async ({ client, ns }) => {
      const fence = this.currentFence('compareAndSet', key);
      const [column, value] = expected === undefined ? (['Create', 0] as const) : (['Value', Buffer.from(expected)] as const);
      const builder = fence ? client.if(fence.key, 'Create', '==', fence.createRevision).and(full, column, '==', value) : client.if(full, column, '==', value);
      const action = next === undefined ? ns.delete().key(key) : ns.put(key).value(Buffer.from(next));
      // On failure, the election key tells whether the fence or the comparison failed.
      const out = await (fence ? builder.then(action).else(client.get(fence.key)) : builder.then(action)).commit();
      if (fence && !out.succeeded && out.responses[0]?.response_range?.kvs[0]?.create_revision !== fence.createRevision) this.refused(fence, 'compareAndSet', key);
      return out;
    });
    return res.succeeded;
  }

  /**
   * Applies every operation as one etcd transaction: all of them are stored, or none. Fenced like
   * {@link EtcdStorage.put}: the transaction also compares the election key's create revision, and
   * a refusal throws `ERR_FENCED` (nothing of the batch written) and tells the election. A key
   * written more than once keeps its last operation, as when they are applied in order (etcd
   * refuses a key twice in a transaction, so the earlier ones are dropped before sending). Past
   * etcd's limit of 128 operations per transaction the batch is split into consecutive
   * transactions, each atomic and fenced; the task manager's transitions are a few operations.
   */
  async batch(operations: readonly StorageOperation[]): Promise<void> {
    if (operations.length === 0) return;
    const last = new Map<string, StorageOperation>();
    for (const op of operations) last.set(checkKey(op.key), op);
    const ops = operations.filter((op) => last.get(op.key) === op);
    const first = ops[0]!.key;
    await this.call('batch', async ({ client, ns }) => {
      const fence = this.currentFence('batch', first);
      await etcdBatch(ns, ops, fence ? { start: () => client.if(fence.key, 'Create', '==', fence.createRevision), refused: () => this.refusal(fence, 'batch', first) } : {});
    });
  }

  /** The fence the next write carries: `undefined` without a fence source; throws when the source does not lead. */
  private currentFence(what: string, key: string): EtcdWriteFence | undefined {
    const source = this.options.fence;
    if (!source) return undefined;
    const fence = source.writeFence();
    if (!fence) {
      throw new StorageError(HaErrorCodes.FENCED, `etcd ${what} of ${JSON.stringify(key)} not sent: this instance is not the leader (not elected, or its leadership was lost), so its storage writes are fenced off`, { retryable: false, details: { key } });
    }
    return fence;
  }

  /** etcd refused a fenced write: the leadership is gone (the election hears of it). */
  private refused(fence: EtcdWriteFence, what: string, key: string): never {
    throw this.refusal(fence, what, key);
  }

  /** The `ERR_FENCED` error of a write etcd refused, after telling the election. */
  private refusal(fence: EtcdWriteFence, what: string, key: string): StorageError {
    const reason = `etcd refused a storage write: election key ${fence.key} no longer has create revision ${fence.createRevision} (the lease expired or the key was deleted)`;
    this.options.fence?.fenceFailed(fence, reason);
    return new StorageError(HaErrorCodes.FENCED, `etcd ${what} of ${JSON.stringify(key)} refused: ${reason}; another instance may lead now, nothing was written`, { retryable: false, details: { key, electionKey: fence.key, createRevision: fence.createRevision } });
  }

  /** One write transaction: the operations, conditioned on the fence when there is one. */
  private write(what: string, key: string, ops: (etcd: { client: Etcd3; ns: Namespace }) => Array<{ op(): Promise<unknown> }>): Promise<TxnResponse> {
    return this.call(what, async (etcd) => {
      const fence = this.currentFence(what, key);
      const clauses = ops(etcd) as Parameters<ReturnType<Etcd3['if']>['then']>;
      // Unfenced, the condition always holds (every key's version is at least 0): the transaction just makes the operations atomic.
      const cond = fence ? etcd.client.if(fence.key, 'Create', '==', fence.createRevision) : etcd.client.if(`${this.prefix}${key}`, 'Version', '>', -1);
      const res = await cond.then(...clauses).commit();
      if (!res.succeeded && fence) this.refused(fence, what, key);
      return res;
    });
  }
  async close(): Promise<void> {
    this.closed = true;
    this.etcd?.client.close();
  }
}

/** How many keys the delete at `index` of a transaction removed. */
function deletedCount(res: TxnResponse, index: number): number {
  return Number(res.responses[index]?.response_delete_range?.deleted ?? 0);
}
