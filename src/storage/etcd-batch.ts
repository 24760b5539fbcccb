import type { ComparatorBuilder, Namespace } from 'etcd3';
import { StorageError } from '../errors/families.js';
import type { StorageOperation } from './storage.interface.js';
import { checkKey, StorageErrorCodes } from './storage-keys.js';

/** etcd's default limit of operations in one transaction (`--max-txn-ops`). */
export const ETCD_MAX_TXN_OPS = 128;

/** Options of {@link etcdBatch}. */
export interface EtcdBatchOptions {
  /**
   * Adds the transaction's preconditions (the HA leader's fencing compare, say) to each
   * transaction; without it every transaction applies unconditionally.
   */
  guard?: (txn: ComparatorBuilder) => ComparatorBuilder;
  /** The error thrown when a guarded transaction's compare failed (nothing of it was written). */
  refused?: () => Error;
  /**
   * The transaction each chunk starts from, its comparisons included: `EtcdStorage` starts from
   * `client.if(electionKey, 'Create', '==', revision)` on the un-namespaced client, since the
   * election key is outside the storage's namespace. The operations are added to it (they are
   * `ns`'s, so namespaced either way). Without it a chunk starts unconditional on `ns`.
   */
  start?: () => ComparatorBuilder;
  /** Most operations per transaction. @defaultValue 128 */
  maxOps?: number;
}

/**
 * The body of `EtcdStorage.batch`: writes `operations` in etcd transactions (one, when there are
 * at most `maxOps`; otherwise consecutive transactions of `maxOps`, each atomic, in order).
 * A key may appear once per batch (etcd refuses duplicate keys in a transaction).
 *
 * @param ns - The storage's namespace.
 * @throws StorageError `ERR_STORAGE_BAD_KEY` (nothing written), or what `refused()` returns.
 */
export async function etcdBatch(ns: Namespace, operations: readonly StorageOperation[], options: EtcdBatchOptions = {}): Promise<void> {
  const seen = new Set<string>();
  for (const op of operations) {
    checkKey(op.key);
    if (seen.has(op.key)) throw new StorageError(StorageErrorCodes.BAD_KEY, `key ${op.key} appears twice in one batch; etcd refuses that`);
    seen.add(op.key);
  }
  const size = options.maxOps ?? ETCD_MAX_TXN_OPS;
  for (let i = 0; i < operations.length; i += size) {
    const chunk = operations.slice(i, i + size);
    // "Version > -1" holds for every key, present or absent: an unconditional transaction.
    const base = options.start ? options.start() : ns.if(chunk[0]!.key, 'Version', '>', -1);
    const txn = (options.guard ? options.guard(base) : base).then(
      ...chunk.map((op) => (op.type === 'put' ? ns.put(op.key).value(Buffer.from(op.value)) : ns.delete().key(op.key))),
    );
    const res = await txn.commit();
    if (!res.succeeded) throw options.refused?.() ?? new StorageError(StorageErrorCodes.UNAVAILABLE, 'an etcd batch was refused by its precondition; nothing of it was written', { retryable: true });
  }
}
