export { LOG_LEVELS, SilentLogger, MemoryLogger, type Logger, type LogLevel } from './logger.js';
export { ConsoleLogger } from './console.logger.js';
