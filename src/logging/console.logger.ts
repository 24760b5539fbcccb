import type { SecretSet } from './secrets.js';
import { LOG_LEVELS, LevelLogger, type LogLevel, type Logger } from './logger.js';

/**
 * A plain logger writing `LEVEL name: message` lines to stderr, filtered by level
 * (`LOG_LEVEL` env, default `info`). The MLOG/tslog provider replaces it through `TOKENS.Logger`.
 */
export class ConsoleLogger extends LevelLogger {
  private readonly min: number;
  /**
   * @param name - Logger name shown on each line; children get `<name>.<child>`.
   * @param level - Lowest level written (default: `LOG_LEVEL` from the environment, else `info`).
   * @param write - Where a finished line goes (default: `process.stderr`).
   * @param secrets - Values to redact (children share their parent's).
   */
  constructor(
    /** Dotted name of this logger. */
    readonly name = 'mesos-sdk',
    level: LogLevel = (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    secrets?: SecretSet,
  ) {
    super(secrets);
    this.min = Math.max(0, LOG_LEVELS.indexOf(level));
  }
  protected log(level: LogLevel, message: string, args: unknown[]): void {
    if (LOG_LEVELS.indexOf(level) < this.min) return;
    const extra = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    this.write(`${new Date().toISOString()} ${level.toUpperCase()} ${this.name}: ${message}${extra ? ` ${extra}` : ''}`);
  }
  child(name: string): Logger {
    return new ConsoleLogger(`${this.name}.${name}`, LOG_LEVELS[this.min], this.write, this.secrets);
  }
}
