/**
 * Key-value storage for framework state (bound to `TOKENS.Storage`).
 *
 * Keys are `/`-separated paths. Prefix operations work on whole segments: `list('tasks/app')`
 * returns `tasks/app` and `tasks/app/...`, never `tasks/app-1`.
 */
export interface Storage {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Entries at `prefix` and below it, sorted by key. */
  list(prefix: string): Promise<Array<{ key: string; value: Uint8Array }>>;
  /** Deletes `prefix` and everything below it; returns how many keys went. */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Atomically replaces the value if it still equals `expected` (`undefined`: the key must be
   * absent). `next === undefined` deletes. Returns false when the comparison failed.
   */
  compareAndSet(key: string, expected: Uint8Array | undefined, next: Uint8Array | undefined): Promise<boolean>;
  close(): Promise<void>;
}
