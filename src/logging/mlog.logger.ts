import { inspect } from 'node:util';
import { Logger as TsLogger, type ILogObj, type ILogObjMeta, type IMeta } from 'tslog';
import { ConfigurationError } from '../errors/families.js';
import { currentCorrelationId } from './correlation.js';
import { LOG_LEVELS, LevelLogger, type LogLevel, type Logger } from './logger.js';
import { formatMlogLines, LoggingErrorCodes, type MlogRecord, type MlogSeverity } from './mlog-format.js';
import { SecretSet } from './secrets.js';

/** Output of {@link MlogLogger}: `mlog` lines, or `json` (one {@link MlogRecord} object per line). */
export type LogFormat = 'mlog' | 'json';
/** Every {@link LogFormat}, for validating a `--log-format` flag or `LOG_FORMAT`. */
export const LOG_FORMATS: readonly LogFormat[] = ['mlog', 'json'];

/** Options of {@link MlogLogger}; every one is optional. */
export interface MlogLoggerOptions {
  /** Root logger name (the MLOG `name` field; children append `.child`). Default `mesos-sdk`. */
  name?: string;
  /** Lowest level written. Default: `LOG_LEVEL` from the environment, else `info`. */
  level?: LogLevel;
  /** `mlog` lines or one JSON object per line. Default: `LOG_FORMAT` from the environment, else `mlog`. */
  format?: LogFormat;
  /** Where lines go (without the trailing newline). Default: stderr. */
  write?: (text: string) => void;
  /**
   * Environment the static fields come from (`MESOS_TASK_ID`, else `MESOS_EXECUTOR_ID`, `MLOG_GROUP`,
   * `MLOG_APPLICATION`, `LOG_LEVEL`, `LOG_FORMAT`). Default `process.env`. A Mesos agent sets no
   * `MESOS_TASK_ID`; under the command executor `MESOS_EXECUTOR_ID` is the task id.
   */
  env?: Record<string, string | undefined>;
  /** Record the caller's `file:line` (costs a stack capture per line). Default true. */
  caller?: boolean;
  /** Object keys whose values are always masked in logged objects (case-insensitive). */
  maskKeys?: string[];
  /** Secret values redacted from every line (more can be added with `addSecrets`). */
  secrets?: string[];
}

/** Keys masked in logged objects unless `maskKeys` says otherwise. */
export const DEFAULT_MASK_KEYS = ['password', 'secret', 'token', 'authorization', 'apiKey', 'credential', 'credentials'];

const TSLOG_LEVEL_ID: Record<LogLevel, number> = { trace: 1, debug: 2, info: 3, warn: 4, error: 5, fatal: 6 };
/** Frames of this module and the level-method base class are skipped when finding the caller. */
const INTERNAL_FRAMES = [/[\\/]logging[\\/](?:logger|mlog\.logger)\.[cm]?[jt]s\b/];

interface Shared {
  format: LogFormat;
  write: (text: string) => void;
  taskId: string;
  group: string;
  application: string;
}

/**
 * The MLOG logging provider, on `tslog`: level filtering, key masking of logged objects, caller
 * position and sub-loggers come from tslog; every record is written as MLOG lines
 * (`*|1|SEVERITY|taskId|pid|group|application|name|correlationId|file:line|UTC time|message`,
 * one line per message line) or as one JSON object per line. The correlation id is the one set
 * by `withCorrelationId` around the call (the framework server sets one per request, the event
 * dispatcher one per Mesos event). Secrets are redacted from everything written.
 *
 * @example
 * ```ts
 * const logger = new MlogLogger({ name: 'my-framework', level: 'debug' });
 * createFramework({ ..., overrides: [{ token: TOKENS.Logger, useValue: logger }] });
 * ```
 */
export class MlogLogger extends LevelLogger {
  private readonly tslog: TsLogger<ILogObj>;
  private readonly shared: Shared;

  /**
   * @throws ConfigurationError `ERR_LOG_BAD_LEVEL` when the level (option or `LOG_LEVEL`) is not a
   * {@link LogLevel}, `ERR_LOG_BAD_FORMAT` when the format (option or `LOG_FORMAT`) is not a {@link LogFormat}.
   */
  constructor(options?: MlogLoggerOptions);
  /** @internal a child sharing its parent's tslog sub-logger, output and secrets. */
  constructor(options: MlogLoggerOptions, internal: { tslog: TsLogger<ILogObj>; shared: Shared; secrets: SecretSet });
  constructor(options: MlogLoggerOptions = {}, internal?: { tslog: TsLogger<ILogObj>; shared: Shared; secrets: SecretSet }) {
    super(internal?.secrets);
    if (internal) {
      this.tslog = internal.tslog;
      this.shared = internal.shared;
      return;
    }
    const env = options.env ?? process.env;
    const level = options.level ?? parseLevel(env['LOG_LEVEL']);
    if (!LOG_LEVELS.includes(level)) {
      throw new ConfigurationError(LoggingErrorCodes.BAD_LOG_LEVEL, `log level ${JSON.stringify(level)} is not one of ${LOG_LEVELS.join(', ')}`);
    }
    const format = options.format ?? parseFormat(env['LOG_FORMAT']);
    if (!LOG_FORMATS.includes(format)) {
      throw new ConfigurationError(LoggingErrorCodes.BAD_LOG_FORMAT, `log format ${JSON.stringify(format)} is not one of ${LOG_FORMATS.join(', ')}`);
    }
    this.shared = {
      format,
      write: options.write ?? ((text) => process.stderr.write(`${text}\n`)),
      taskId: env['MESOS_TASK_ID'] ?? env['MESOS_EXECUTOR_ID'] ?? '',
      group: env['MLOG_GROUP'] ?? '',
      application: env['MLOG_APPLICATION'] ?? '',
    };
    this.tslog = new TsLogger<ILogObj>({
      type: 'hidden',
      name: options.name ?? 'mesos-sdk',
      minLevel: TSLOG_LEVEL_ID[level],
      mask: { keys: options.maskKeys ?? DEFAULT_MASK_KEYS, caseInsensitive: true, placeholder: '[masked]' },
      stack: { capture: options.caller === false ? 'off' : 'full', internalFramePatterns: INTERNAL_FRAMES },
      meta: { attachContext: false },
    });
    this.secrets.add(...(options.secrets ?? []));
    this.tslog.attachTransport({ name: 'mlog', write: (record) => this.writeRecord(record) });
  }

  protected log(level: LogLevel, message: string, args: unknown[]): void {
    this.tslog.log(TSLOG_LEVEL_ID[level], level.toUpperCase(), message, ...args);
  }

  child(name: string): Logger {
    return new MlogLogger({}, { tslog: this.tslog.getSubLogger({ name }), shared: this.shared, secrets: this.secrets });
  }

  private writeRecord(record: ILogObj & ILogObjMeta): void {
    const meta = record['_logMeta'] as IMeta;
    const parts: string[] = [];
    for (let i = 0; `${i}` in record; i++) parts.push(render(record[`${i}`]));
    const mlog: MlogRecord = {
      severity: meta.logLevelName as MlogSeverity,
      taskId: this.shared.taskId,
      pid: process.pid,
      group: this.shared.group,
      application: this.shared.application,
      name: [...(meta.parentNames ?? []), meta.name ?? ''].filter(Boolean).join('.'),
      correlationId: currentCorrelationId() ?? '',
      source: meta.path?.filePathWithLine ?? '',
      time: new Date(meta.date).toISOString(),
      message: parts.join(' '),
    };
    const text = this.shared.format === 'json' ? JSON.stringify(mlog) : formatMlogLines(mlog).join('\n');
    this.shared.write(this.secrets.redact(text));
  }
}

function parseLevel(value: string | undefined): LogLevel {
  return (value === undefined || value === '' ? 'info' : value.toLowerCase()) as LogLevel;
}

function parseFormat(value: string | undefined): LogFormat {
  return (value === undefined || value === '' ? 'mlog' : value.toLowerCase()) as LogFormat;
}

/** One logged value as text: errors as `Name [code]: message`, objects as JSON. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && 'nativeError' in value) {
    const err = (value as { nativeError: Error & { code?: unknown }; name: string; message: string });
    const code = typeof err.nativeError?.code === 'string' ? ` [${err.nativeError.code}]` : '';
    return `${err.name}${code}: ${err.message}`;
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return inspect(value, { depth: 3, breakLength: Infinity });
  }
}
