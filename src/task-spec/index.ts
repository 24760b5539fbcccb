export { DEFAULT_EXECUTOR_RESOURCES, type TaskDefinition, type FetchUri } from './task-definition.js';
export type { TaskDefinitionInput } from './task-definition-input.js';
export { validateTaskDefinitions, loadTaskDefinitions, TASK_DEFINITION_SCHEMA, TaskSpecErrorCodes } from './task-spec-validator.js';
export { toTaskInfo, toPlacementRequest, executorAmountsOf, taskCommandOf, type TaskPlacement, type TaskCommand } from './to-task-info.js';
