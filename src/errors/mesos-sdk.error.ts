/**
 * Base class for every error the SDK raises on purpose.
 *
 * Each error carries a stable, machine-readable `code` (never reworded once published), a
 * human-readable message that says what was wrong and how to fix it, an optional `cause`, and a
 * `retryable` flag that retry policies use to decide whether the same operation may succeed later.
 *
 * @example
 * ```ts
 * try { await scheduler.kill(taskId, agentId); }
 * catch (err) {
 *   if (err instanceof MesosSdkError && err.retryable) scheduleRetry();
 * }
 * ```
 */
export class MesosSdkError extends Error {
  /** Stable identifier of the failure, e.g. `ERR_RECORDIO_FRAME_TOO_LARGE`. */
  readonly code: string;
  /** True when repeating the same operation later may succeed. */
  readonly retryable: boolean;
  /** Optional structured details (never contains secrets). */
  readonly details?: Record<string, unknown>;

  /**
   * @param code - Stable identifier, `ERR_` + upper-case words.
   * @param message - What was wrong and how to fix it.
   * @param options - `cause` (kept as `Error.cause`), `retryable` (default false) and `details`.
   */
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.details) this.details = options.details;
  }

  /** A plain object for logs and HTTP answers: `name`, `code`, `message`, `retryable`, `details` (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}
