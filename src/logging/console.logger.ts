import { LOG_LEVELS, type LogLevel, type Logger } from './logger.js';

/**
 * A plain logger writing `LEVEL name: message` lines to stderr, filtered by level
 * (`LOG_LEVEL` env, default `info`). The MLOG/tslog provider replaces it through `TOKENS.Logger`.
 */
export class ConsoleLogger implements Logger {
  private readonly min: number;
  constructor(
    readonly name = 'mesos-sdk',
    level: LogLevel = (process.env['LOG_LEVEL'] as LogLevel | undefined) ?? 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.min = Math.max(0, LOG_LEVELS.indexOf(level));
  }
  private log(level: LogLevel, message: string, args: unknown[]): void {
    if (LOG_LEVELS.indexOf(level) < this.min) return;
    const extra = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    this.write(`${new Date().toISOString()} ${level.toUpperCase()} ${this.name}: ${message}${extra ? ` ${extra}` : ''}`);
  }
  trace(m: string, ...a: unknown[]): void { this.log('trace', m, a); }
  debug(m: string, ...a: unknown[]): void { this.log('debug', m, a); }
  info(m: string, ...a: unknown[]): void { this.log('info', m, a); }
  warn(m: string, ...a: unknown[]): void { this.log('warn', m, a); }
  error(m: string, ...a: unknown[]): void { this.log('error', m, a); }
  fatal(m: string, ...a: unknown[]): void { this.log('fatal', m, a); }
  child(name: string): Logger {
    return new ConsoleLogger(`${this.name}.${name}`, LOG_LEVELS[this.min], this.write);
  }
}
