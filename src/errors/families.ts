import { MesosSdkError } from './mesos-sdk.error.js';

/** Bytes from the network could not be decoded into a Mesos message (protobuf or JSON). */
export class ProtocolError extends MesosSdkError {}

/** The RecordIO framing of an event stream is broken (bad length prefix, oversized or truncated frame). */
export class FramingError extends MesosSdkError {}

/** Input given by the user (task definition, call arguments, options) is invalid. */
export class ValidationError extends MesosSdkError {
  /** Every problem found, each with the path of the offending value. */
  readonly problems: ReadonlyArray<{
    /** Where the value is, e.g. `tasks[2].resources.cpus`. */
    path: string;
    /** What is wrong with it and how to fix it. */
    message: string;
  }>;
  /**
   * @param code - Stable code, e.g. `ERR_TASK_DEFINITION_INVALID`.
   * @param message - What is wrong, for people.
   * @param problems - Each invalid value with its path (default: none).
   * @param options - `cause` and structured `details`; a validation error is never retryable.
   */
  constructor(
    code: string,
    message: string,
    problems: ReadonlyArray<{ path: string; message: string }> = [],
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retryable: false });
    this.problems = problems;
  }
}

/** The SDK was wired or configured incorrectly; the message says how to fix it. */
export class ConfigurationError extends MesosSdkError {}

/** A storage backend failed (unreachable, conflict, corrupt value). */
export class StorageError extends MesosSdkError {}

/** The master answered an HTTP call with a non-success status. */
export class ApiError extends MesosSdkError {
  /** HTTP status the master answered with (400 bad call, 401/403 auth, 404 not a Mesos endpoint, 503 no leader...). */
  readonly status: number;
  /** The master's plain-text message, as sent. */
  readonly body: string;
  constructor(
    code: string,
    message: string,
    status: number,
    body: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.status = status;
    this.body = body;
  }
}

/** The master could not be reached (refused, reset, timeout, TLS failure). */
export class ConnectionError extends MesosSdkError {}

/** The subscription was lost or refused (stream ended, heartbeat missed, framework removed). */
export class SubscriptionError extends MesosSdkError {}

/** A call was made while the scheduler is not subscribed; it fails fast instead of hanging. */
export class NotSubscribedError extends MesosSdkError {}
