export { LOG_LEVELS, SilentLogger, MemoryLogger, LevelLogger, type Logger, type LogLevel } from './logger.js';
export { ConsoleLogger } from './console.logger.js';
