export { TaskManager, TaskManagerErrorCodes, type TaskManagerCalls, type TaskQuery } from './task-manager.js';
export { DefaultTaskController } from './default-task.controller.js';
export { TERMINAL_STATES, isTerminal, type TaskRecord, type TaskRecordState, type LocalState } from './task-record.js';
