import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The correlation id of the work in progress (an API request, a Mesos event being dispatched),
 * carried across `await`, timers and callbacks by `AsyncLocalStorage`. Loggers put it in the
 * `correlationId` field of every line written while it is set.
 */
const storage = new AsyncLocalStorage<string>();

/** Runs `fn` with `id` as the current correlation id; nested calls replace it for their extent. */
export function withCorrelationId<T>(id: string, fn: () => T): T {
  return storage.run(id, fn);
}

/** The correlation id set by the closest enclosing `withCorrelationId`, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}
