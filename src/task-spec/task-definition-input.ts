import type { TaskDefinition } from './task-definition.js';

/**
 * What the SDK accepts as task definitions: one definition, an array of them, or the task file's
 * form `{ tasks: [...] }`. Typed input is checked by the compiler; all input, typed or parsed
 * from a JSON file at run time (`JSON.parse` gives `any`), is validated again before anything
 * runs (`validateTaskDefinitions`, `ERR_TASK_DEFINITION_INVALID`).
 *
 * @example
 * ```ts
 * const tasks: TaskDefinitionInput = { tasks: [{ name: 'web', resources: { cpus: 0.5, mem: 128 }, command: { shell: 'sleep 60' } }] };
 * ```
 */
export type TaskDefinitionInput =
  | TaskDefinition
  | readonly TaskDefinition[]
  | {
      /** The definitions, as in a task file. */
      tasks: readonly TaskDefinition[];
    };
