/** One key and its value, as {@link Storage.list} returns them. */
export interface StorageEntry {
  /** The entry's full key. */
  key: string;
  /** Its value. */
  value: Uint8Array;
}

/** One write of a {@link Storage.batch}: set `key` to `value`, or delete `key`. */
export type StorageOperation =
  | {
      /** Sets the value. */
      type: 'put';
      /** The key. */
      key: string;
      /** Its new value. */
      value: Uint8Array;
    }
  | {
      /** Deletes the key (nothing when absent). */
      type: 'del';
      /** The key. */
      key: string;
    };

/**
 * Key-value storage for framework state (bound to `TOKENS.Storage`).
 *
 * Keys are `/`-separated paths. Prefix operations work on whole segments: `list('tasks/app')`
 * returns `tasks/app` and `tasks/app/...`, never `tasks/app-1`.
 */
export interface Storage {
  /**
   * The value at `key`, or `undefined` when there is none.
   * @throws StorageError `ERR_STORAGE_BAD_KEY`, `ERR_STORAGE_CLOSED`, or a retryable backend failure
   * (`ERR_STORAGE_UNAVAILABLE`, `ERR_STORAGE_IO`, `ERR_STORAGE_LOCKED`, `ERR_STORAGE_CORRUPT`).
   */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes `value` at `key` (durably, for the on-disk and etcd backends). */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Deletes `key`; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Entries at `prefix` and below it, sorted by key. */
  list(prefix: string): Promise<StorageEntry[]>;
  /** Deletes `prefix` and everything below it; returns how many keys went. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Atomically replaces the value if it still equals `expected` (`undefined`: the key must be
   * absent). `next === undefined` deletes. Returns false when the comparison failed.
   */
  compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean>;
  /**
   * Applies every operation, in order, as one atomic write: after a crash either all of them are
   * stored or none is. The task manager writes a task's new state, its supersede mark and the next
   * attempt this way, and under HA the batch carries the leader's fence like every other write.
   * Required: every built-in backend has it, and a backend of your own needs it for crash-safe
   * transitions (a key-value store without transactions can apply the operations under its write
   * lock). A backend in plain JavaScript written before it existed still works: without it the
   * task manager writes the operations one by one, in an order that a restart recovers from (see
   * `writeOperations`), but not atomically.
   * @throws StorageError as {@link Storage.put}; when it throws, nothing was written.
   */
  batch(operations: readonly StorageOperation[]): Promise<void>;
  /**
   * Releases the store (the database lock, the etcd connection); later operations fail with
   * `ERR_STORAGE_CLOSED`. A framework's `stop()` closes the storage it used, as its last step, so
   * a new store on the same folder (a second `LevelStorage`) can open it in the same process.
   */
  close(): Promise<void>;
}
