import { StorageError } from '../errors/families.js';

/** Codes of the `StorageError`s every storage backend throws. */
export const StorageErrorCodes = {
  /** A key is empty, longer than 1 KiB, holds NUL, or has an empty, `.` or `..` segment. */
  BAD_KEY: 'ERR_STORAGE_BAD_KEY',
  /** The storage was used after `close()`. */
  CLOSED: 'ERR_STORAGE_CLOSED',
  /** The on-disk store's folder is open in this or another process (LevelDB's lock); `stop()` of the framework using it closes it. Retryable. */
  LOCKED: 'ERR_STORAGE_LOCKED',
  /** A write failed for want of space (disk full, file size limit). Retryable: nothing unsaved is acknowledged. */
  FULL: 'ERR_STORAGE_FULL',
  /** A read or write of the backend failed for another reason (I/O error). Retryable. */
  IO: 'ERR_STORAGE_IO',
  /** The backend cannot be reached (etcd down). Retryable. An on-disk store that cannot be opened fails with `ERR_STORAGE_LOCKED`, `ERR_STORAGE_IO` or `ERR_STORAGE_CORRUPT`. */
  UNAVAILABLE: 'ERR_STORAGE_UNAVAILABLE',
  /** A stored value is not valid JSON. */
  CORRUPT: 'ERR_STORAGE_CORRUPT',
} as const;

const MAX_KEY = 1024;

/** Checks a key: non-empty, no NUL, no empty or `.`/`..` segments, at most 1 KiB. */
export function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY || key.includes('\0')) {
    throw new StorageError(StorageErrorCodes.BAD_KEY, `invalid storage key ${JSON.stringify(String(key).slice(0, 80))}: keys are 1 to ${MAX_KEY} characters without NUL`);
  }
  if (key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new StorageError(StorageErrorCodes.BAD_KEY, `invalid storage key ${JSON.stringify(key)}: no empty, "." or ".." segments (and no leading or trailing "/")`);
  }
  return key;
}

/** True when `key` is `prefix` or below it, segment-wise. */
export function underPrefix(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(`${prefix}/`);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** A value as stored: its JSON text in UTF-8. */
export const toBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
/**
 * A stored value back from its bytes.
 * @param key - The key it was read from, for the error message.
 * @throws StorageError `ERR_STORAGE_CORRUPT` when the bytes are not JSON.
 */
export function fromBytes<T>(bytes: Uint8Array, key: string): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new StorageError(StorageErrorCodes.CORRUPT, `value at ${key} is not valid JSON`, { cause });
  }
}

/** Byte equality where `undefined` stands for an absent key (the compare-and-set comparison). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}
