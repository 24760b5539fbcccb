import type { Logger } from '../logging/logger.js';
import { MesosSdkError } from '../errors/index.js';
import { MetadataAccessor } from '../decorators/metadata.js';
import type { ControllerEvent } from '../decorators/events.js';
import { isFencedError } from '../ha/fenced.js';

/** Codes of the errors the event dispatcher reports (to the ERROR handlers and the log). */
export const DispatcherErrorCodes = {
  /** A handler threw or rejected; its `cause` is what it threw. The other handlers still run. */
  HANDLER_FAILED: 'ERR_HANDLER_FAILED',
  /** Reserved for a failed automatic ACKNOWLEDGE; not thrown at present. */
  ACK_FAILED: 'ERR_ACK_FAILED',
  /** A dispatcher option is out of range (`dispatcher.ackConcurrency`, say); the message says what it must be. */
  OPTIONS_INVALID: 'ERR_DISPATCHER_OPTIONS_INVALID',
} as const;

/**
 * True when what a handler threw is, or was caused by, a retryable `MesosSdkError` (a storage
 * write that failed, say, even when wrapped by user code): the update is then not acknowledged.
 */
export function isRetryableFailure(thrown: unknown): boolean {
  for (let e = thrown, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof MesosSdkError && e.retryable) return true;
  }
  return false;
}

/**
 * Why the acknowledgement of an update is held back after its handlers ran: `'retryable'` (a
 * handler failed with a retryable error: the agent resends the update and it is handled again) or
 * `'fenced'` (a storage write was refused with `ERR_FENCED`: this instance no longer leads, the
 * update was not saved, and the next leader gets it resent). `undefined`: acknowledge.
 */
export type AckHold = 'retryable' | 'fenced' | undefined;

interface BoundHandler {
  controller: string;
  method: string;
  fn: (...args: unknown[]) => unknown;
}

/**
 * The handlers discovered on controller instances, by event, with the error policy shared by the
 * scheduler and executor dispatchers: every handler of an event runs (controllers in `order`, then
 * registration order; methods in declaration order); one that throws is logged as
 * `ERR_HANDLER_FAILED` and reported to the handlers of `errorEvent`, and the others go on.
 */
export class HandlerTable {
  private readonly table = new Map<ControllerEvent, BoundHandler[]>();
  /** Handler failures, counted (for metrics and tests). */
  failures = 0;

  constructor(
    private readonly logger: Logger,
    private readonly errorEvent: ControllerEvent,
  ) {}

  /** Binds the handlers of controller instances. */
  register(instances: object[]): void {
    const sorted = instances
      .map((instance, index) => ({ instance, index, order: MetadataAccessor.controller(instance.constructor)?.order ?? 0 }))
      .sort((a, b) => a.order - b.order || a.index - b.index);
    for (const { instance } of sorted) {
      for (const meta of MetadataAccessor.handlers(instance.constructor)) {
        const fn = (instance as Record<string | symbol, unknown>)[meta.method];
        if (typeof fn !== 'function') continue;
        const list = this.table.get(meta.event) ?? [];
        list.push({ controller: instance.constructor.name, method: String(meta.method), fn: (fn as (...a: unknown[]) => unknown).bind(instance) });
        this.table.set(meta.event, list);
      }
    }
  }

  /** How many handlers listen to an event. */
  count(event: ControllerEvent): number {
    return this.table.get(event)?.length ?? 0;
  }

  /**
   * Runs every handler of an event; resolves with why an acknowledgement is held back: `'fenced'`
   * when one failed with `ERR_FENCED` anywhere in its cause chain, else `'retryable'` when one failed
   * with a retryable error, else `undefined`.
   */
  async run(event: ControllerEvent, args: unknown[]): Promise<AckHold> {
    let hold: AckHold;
    for (const h of this.table.get(event) ?? []) {
      try {
        const result = h.fn(...args);
        // A synchronous handler's result is not awaited: no microtask per handler per event.
        if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof (result as PromiseLike<unknown>).then === 'function') await result;
      } catch (cause) {
        this.failures++;
        if (isFencedError(cause)) hold = 'fenced';
        else if (hold === undefined && isRetryableFailure(cause)) hold = 'retryable';
        const error = new MesosSdkError(DispatcherErrorCodes.HANDLER_FAILED, `${h.controller}.${h.method} failed on ${event}: ${(cause as Error)?.message ?? String(cause)}`, {
          cause,
          details: { controller: h.controller, method: h.method, event },
        });
        this.logger.error(`${error.message}\n${stackOf(cause)}`);
        if (event !== this.errorEvent) await this.reportError(error, args.at(-1));
      }
    }
    return hold;
  }

  private async reportError(error: MesosSdkError, event: unknown): Promise<void> {
    for (const h of this.table.get(this.errorEvent) ?? []) {
      try {
        await h.fn(error, event);
      } catch (cause) {
        this.logger.error(`${h.controller}.${h.method} failed while handling an error: ${(cause as Error)?.message ?? String(cause)}\n${stackOf(cause)}`);
      }
    }
  }
}

/**
 * The stack of what a handler threw, with its `cause` chain (`caused by: ...`), so that a log line
 * shows where it failed; a thrown non-Error is shown as it is.
 */
export function stackOf(thrown: unknown, depth = 0): string {
  if (!(thrown instanceof Error)) return `thrown: ${typeof thrown === 'string' ? JSON.stringify(thrown) : String(thrown)}`;
  const own = thrown.stack ?? `${thrown.name}: ${thrown.message}`;
  const cause = (thrown as { cause?: unknown }).cause;
  return cause !== undefined && depth < 4 ? `${own}\ncaused by: ${stackOf(cause, depth + 1)}` : own;
}
