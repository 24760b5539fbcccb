import type { Storage, StorageOperation } from './storage.interface.js';

/**
 * Writes `operations` with the storage's atomic {@link Storage.batch}. `batch` is required by the
 * `Storage` type; a backend without it (plain JavaScript written before it existed) gets the
 * operations one by one, in the order given (so a caller orders them such that a crash after any
 * prefix can be recovered from: the task manager writes the next attempt before it marks the old
 * one ended).
 */
export async function writeOperations(storage: Omit<Storage, 'batch'> & Partial<Pick<Storage, 'batch'>>, operations: readonly StorageOperation[]): Promise<void> {
  if (operations.length === 0) return;
  if (typeof storage.batch === 'function') return storage.batch(operations);
  for (const op of operations) {
    if (op.type === 'put') await storage.put(op.key, op.value);
    else await storage.delete(op.key);
  }
}
