import { ProtocolError } from '../errors/families.js';

/** First field of every MLOG line. */
export const MLOG_MARKER = '*';
/** Second field: the version of the line format. */
export const MLOG_VERSION = '1';
/** The SEVERITY field's values, lowest first (the {@link LogLevel}s in upper case). */
export const MLOG_SEVERITIES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
/** One of {@link MLOG_SEVERITIES}. */
export type MlogSeverity = (typeof MLOG_SEVERITIES)[number];

/** Codes of the errors the logging providers throw. */
export const LoggingErrorCodes = {
  /** `ProtocolError` from {@link parseMlogLine}: the text is not an MLOG line. */
  MLOG_PARSE: 'ERR_MLOG_PARSE',
  /** `ConfigurationError`: a log level that is not one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`. */
  BAD_LOG_LEVEL: 'ERR_LOG_BAD_LEVEL',
  /** `ConfigurationError`: a log format that is not `mlog` or `json`. */
  BAD_LOG_FORMAT: 'ERR_LOG_BAD_FORMAT',
} as const;

/**
 * One MLOG record (one output line). The MLOG line format:
 *
 *     *|1|SEVERITY|taskId|pid|group|application|name|correlationId|file:line|UTC time|message
 *
 * `*` marks an MLOG line and `1` is the format version. Every field but the message has `|`, CR
 * and LF replaced by `_` and an empty value written as `-`, so the first eleven `|` always
 * delimit fields and the message (the rest of the line) may hold anything but a line break. A
 * multi-line message is written as one line per message line, each with the full prefix.
 */
export interface MlogRecord {
  /** Level of the line. */
  severity: MlogSeverity;
  /** Mesos task id of the process writing (`MESOS_TASK_ID`), `-` outside a task. */
  taskId: string;
  /** Process id of the writer. */
  pid: number;
  /** Deployment group (`MLOG_GROUP`). */
  group: string;
  /** Application (`MLOG_APPLICATION`). */
  application: string;
  /** Logger name, e.g. `mesos-sdk.scheduler`. */
  name: string;
  /** Id tying the lines of one request or Mesos event together (see `withCorrelationId`); empty when none. */
  correlationId: string;
  /** Caller position `file:line`. */
  source: string;
  /** UTC time, ISO 8601 with milliseconds. */
  time: string;
  /** The message; may hold `|` but no line break. */
  message: string;
}

const FIELD_COUNT = 11; // fields before the message

/** A field value safe to place between `|` delimiters. */
export function mlogField(value: string | number | undefined): string {
  const s = value === undefined ? '' : String(value);
  return s === '' ? '-' : s.replace(/[|\r\n]/g, '_');
}

/** The lines for a record: one per line of its message (a trailing line break adds no empty line). */
export function formatMlogLines(record: MlogRecord): string[] {
  const prefix = [
    MLOG_MARKER,
    MLOG_VERSION,
    record.severity,
    mlogField(record.taskId),
    mlogField(record.pid),
    mlogField(record.group),
    mlogField(record.application),
    mlogField(record.name),
    mlogField(record.correlationId),
    mlogField(record.source),
    mlogField(record.time),
  ].join('|');
  const lines = record.message.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return lines.map((line) => `${prefix}|${line}`);
}

/** Parses one MLOG line back into its fields; throws `ProtocolError` `ERR_MLOG_PARSE` when it is not one. */
export function parseMlogLine(line: string): MlogRecord {
  const fail = (why: string): never => {
    throw new ProtocolError(LoggingErrorCodes.MLOG_PARSE, `not an MLOG line (${why}): ${JSON.stringify(line.slice(0, 120))}; expected *|1|SEVERITY|taskId|pid|group|application|name|correlationId|file:line|time|message`);
  };
  if (/[\r\n]/.test(line)) fail('holds a line break');
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < FIELD_COUNT; i++) {
    const bar = line.indexOf('|', from);
    if (bar < 0) fail(`only ${i + 1} fields`);
    parts.push(line.slice(from, bar));
    from = bar + 1;
  }
  const [marker, version, severity, taskId, pid, group, application, name, correlationId, source, time] = parts as [string, string, string, string, string, string, string, string, string, string, string];
  if (marker !== MLOG_MARKER) fail(`marker is ${JSON.stringify(marker)}`);
  if (version !== MLOG_VERSION) fail(`version ${JSON.stringify(version)} is not ${MLOG_VERSION}`);
  if (!(MLOG_SEVERITIES as readonly string[]).includes(severity)) fail(`severity ${JSON.stringify(severity)}`);
  if (!/^\d+$/.test(pid)) fail(`pid ${JSON.stringify(pid)}`);
  if (Number.isNaN(Date.parse(time)) || !time.endsWith('Z')) fail(`time ${JSON.stringify(time)} is not UTC ISO 8601`);
  return {
    severity: severity as MlogSeverity,
    taskId,
    pid: Number(pid),
    group,
    application,
    name,
    correlationId,
    source,
    time,
    message: line.slice(from),
  };
}
