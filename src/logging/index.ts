export { LOG_LEVELS, SilentLogger, MemoryLogger, LevelLogger, type Logger, type LogLevel } from './logger.js';
export { ConsoleLogger } from './console.logger.js';
export { MlogLogger, DEFAULT_MASK_KEYS, LOG_FORMATS, type LogFormat, type MlogLoggerOptions } from './mlog.logger.js';
export { formatMlogLines, parseMlogLine, mlogField, LoggingErrorCodes, MLOG_SEVERITIES, type MlogRecord, type MlogSeverity } from './mlog-format.js';
export { withCorrelationId, currentCorrelationId } from './correlation.js';
export { SecretSet, isSecretAware, REDACTED, MIN_SECRET_LENGTH, type SecretAware } from './secrets.js';
