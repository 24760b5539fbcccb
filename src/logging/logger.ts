import { SecretSet, type SecretAware } from './secrets.js';

/** Log severities, lowest first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** One of {@link LOG_LEVELS}: `trace`, `debug`, `info`, `warn`, `error`, `fatal`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The logging provider every SDK component writes to (bound to `TOKENS.Logger`). Swap it by
 * rebinding the token; any object with these methods fits.
 */
export interface Logger {
  /** Writes a `trace` line: wire-level detail (every call and event). `args` are extra values (objects, errors) logged after the message. */
  trace(message: string, ...args: unknown[]): void;
  /** Writes a `debug` line: internal decisions useful when diagnosing. */
  debug(message: string, ...args: unknown[]): void;
  /** Writes an `info` line: lifecycle milestones (subscribed, task running). */
  info(message: string, ...args: unknown[]): void;
  /** Writes a `warn` line: something failed but is being retried or worked around. */
  warn(message: string, ...args: unknown[]): void;
  /** Writes an `error` line: an operation failed; pass the `Error` in `args` to keep its stack. */
  error(message: string, ...args: unknown[]): void;
  /** Writes a `fatal` line: the component cannot go on. */
  fatal(message: string, ...args: unknown[]): void;
  /** A logger for a sub-component, e.g. `logger.child('scheduler')`. */
  child(name: string): Logger;
}

/**
 * Implements the six level methods on top of one `log()`; extend it to write a logger. Secrets
 * added with `addSecrets` are redacted from the message and the arguments before `log()` sees
 * them; pass `this.secrets` to children so a whole logger tree shares one set.
 */
export abstract class LevelLogger implements Logger, SecretAware {
  /** @param secrets - Values to redact; give a parent's set to share it (default: a new, empty set). */
  constructor(
    /** The values redacted from this logger's lines (shared with its children). */
    protected readonly secrets: SecretSet = new SecretSet(),
  ) {}
  /** Writes one line; `message` and `args` are already redacted. The one method a subclass implements (besides `child`). */
  protected abstract log(level: LogLevel, message: string, args: unknown[]): void;
  /** A logger for a sub-component, named below this one. */
  abstract child(name: string): Logger;
  /** Redacts these values from every line this logger and its children write from now on. */
  addSecrets(...secrets: Array<string | undefined>): void {
    this.secrets.add(...secrets);
  }
  private emit(level: LogLevel, message: string, args: unknown[]): void {
    if (this.secrets.size === 0) this.log(level, message, args);
    else this.log(level, this.secrets.redact(String(message)), args.map((a) => this.secrets.redactValue(a)));
  }
  trace(m: string, ...a: unknown[]): void { this.emit('trace', m, a); }
  debug(m: string, ...a: unknown[]): void { this.emit('debug', m, a); }
  info(m: string, ...a: unknown[]): void { this.emit('info', m, a); }
  warn(m: string, ...a: unknown[]): void { this.emit('warn', m, a); }
  error(m: string, ...a: unknown[]): void { this.emit('error', m, a); }
  fatal(m: string, ...a: unknown[]): void { this.emit('fatal', m, a); }
}

/** A logger that writes nothing. */
export class SilentLogger implements Logger {
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  fatal(): void {}
  child(): Logger {
    return this;
  }
}

/** A logger that keeps its lines in memory, for tests. */
export class MemoryLogger extends LevelLogger {
  /** Every line written by this logger and its children, oldest first (shared with the children). */
  readonly lines: Array<{
    /** Severity of the line. */
    level: LogLevel;
    /** Dotted name of the logger that wrote it, e.g. `mesos-sdk.scheduler`. */
    name: string;
    /** The message, secrets redacted. */
    message: string;
    /** The extra values, secrets redacted. */
    args: unknown[];
  }>;
  /**
   * @param name - Name of this logger; children get `<name>.<child>`.
   * @param lines - Array to append to (children share their parent's; default: a new array).
   * @param secrets - Values to redact (children share their parent's).
   */
  constructor(
    /** Dotted name of this logger. */
    readonly name = 'mesos-sdk',
    lines?: MemoryLogger['lines'],
    secrets?: SecretSet,
  ) {
    super(secrets);
    this.lines = lines ?? [];
  }
  protected log(level: LogLevel, message: string, args: unknown[]): void {
    this.lines.push({ level, name: this.name, message, args });
  }
  child(name: string): Logger {
    return new MemoryLogger(`${this.name}.${name}`, this.lines, this.secrets);
  }
}
