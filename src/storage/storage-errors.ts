import { MesosSdkError } from '../errors/mesos-sdk.error.js';
import { StorageError } from '../errors/families.js';
import { StorageErrorCodes } from './storage-keys.js';

/** A backend's error code and message, read from the error and its `cause` chain (classic-level nests the reason of a failed open). */
function reasons(cause: unknown): Array<{ code: string; message: string }> {
  const out: Array<{ code: string; message: string }> = [];
  for (let e = cause, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    out.push({ code: String((e as { code?: unknown }).code ?? ''), message: String((e as { message?: unknown }).message ?? e) });
  }
  return out;
}

/**
 * Turns any failure of a storage backend into a typed, retryable {@link StorageError}, so that no
 * caller mistakes it for a bug and the event dispatcher holds back the acknowledgement of an update
 * whose record was not written (the agent resends it later). The code says what happened:
 * `ERR_STORAGE_LOCKED` (the folder is held by another store), `ERR_STORAGE_FULL` (no space left, or
 * the file size limit reached), `ERR_STORAGE_CORRUPT` (the backend found damaged data),
 * `ERR_STORAGE_IO` (any other read or write failure). A `StorageError` already typed is returned as
 * it is. Backends call it in their `catch`; `EtcdStorage` and user backends may use it too.
 *
 * @param backend - The backend's name for the message, e.g. `LevelStorage at /var/lib/fw`.
 * @param operation - What failed, e.g. `put tasks/app.0.0`.
 * @param cause - What the backend threw; kept as the error's `cause`.
 */
export function toStorageError(backend: string, operation: string, cause: unknown): StorageError {
  if (cause instanceof StorageError) return cause;
  if (cause instanceof MesosSdkError && cause.code.startsWith('ERR_STORAGE_')) return new StorageError(cause.code, cause.message, { cause, retryable: true });
  const all = reasons(cause);
  const text = all.map((r) => r.message).join(': ');
  const has = (code: string) => all.some((r) => r.code === code);
  const says = (re: RegExp) => all.some((r) => re.test(r.message));
  const details = { backend, operation, backendCode: all.find((r) => r.code)?.code ?? '' };
  if (has('LEVEL_LOCKED') || says(/\block\b.*already held|LOCK: .*(held|temporarily unavailable)/i)) {
    return new StorageError(StorageErrorCodes.LOCKED, `${backend}: ${operation} failed: the folder is open in this or another process (LevelDB allows one store per folder); stop() of the framework that uses it closes it, or give this store another folder (${text})`, { cause, retryable: true, details });
  }
  if (says(/no space left|file too large|disk quota|ENOSPC|EFBIG|EDQUOT/i)) {
    return new StorageError(StorageErrorCodes.FULL, `${backend}: ${operation} failed: the disk is full or the file size limit was reached; free space (or raise the limit) and restart the framework: nothing unsaved was acknowledged (${text})`, { cause, retryable: true, details });
  }
  if (has('LEVEL_CORRUPTION') || says(/corrupt/i)) {
    return new StorageError(StorageErrorCodes.CORRUPT, `${backend}: ${operation} failed: the stored data is damaged (${text})`, { cause, retryable: true, details });
  }
  return new StorageError(StorageErrorCodes.IO, `${backend}: ${operation} failed: ${text}`, { cause, retryable: true, details });
}
