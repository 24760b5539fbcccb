export { TaskManager, TaskManagerErrorCodes, type TaskManagerCalls, type TaskManagerOptions, type TaskQuery } from './task-manager.js';
export type { TaskHistoryOptions, TaskTotals } from './task-history.js';
export { DefaultTaskController, DEFAULT_MAX_LAUNCHING_TASKS, TaskControllerErrorCodes, type TaskControllerOptions } from './default-task.controller.js';
export { TERMINAL_STATES, isTerminal, type TaskRecord, type TaskRecordState, type LocalState } from './task-record.js';
