/**
 * `mesos-sdk/executor`: the executor SDK on its own, small enough to bundle into the one script an
 * agent fetches: `createExecutor()`, the executor event decorators, the V1 executor API client,
 * `taskCommandOf()`, `TOKENS`, the logger types and the typed errors. No scheduler, task manager,
 * simulator, storage or server code.
 *
 * @example
 * ```ts
 * import { inject } from 'inversify';
 * import { createExecutor, EventController, OnLaunch, TOKENS, type MesosExecutorClient, type v1 } from 'mesos-sdk/executor';
 *
 * @EventController()
 * class Runner {
 *   constructor(@inject(TOKENS.ExecutorClient) private readonly exec: MesosExecutorClient) {}
 *   @OnLaunch() async launch(task: v1.TaskInfo) {
 *     await this.exec.update({ task_id: task.task_id, state: 'TASK_FINISHED' });
 *   }
 * }
 * await createExecutor({ controllers: [Runner] }).start();
 * ```
 *
 * @module mesos-sdk/executor
 */
// No `import 'reflect-metadata'` here: inversify loads the metadata API it needs itself, and the
// full polyfill would add 40 kB to every executor bundle.
export { MesosExecutorClient, type ExecutorClientOptions, type ExecutorEventHandler, type ExecutorState, type ExecutorStatusUpdate, type ExecutorLogger } from './executor-client.js';
export { executorEnvironment, parseMesosDuration, ExecutorErrorCodes, type ExecutorEnvironment } from './executor-env.js';
export { ExecutorDispatcher } from './executor-dispatcher.js';
export { isExecutorEvent, EXECUTOR_EVENT_FIELDS, type ExecutorEvent, type ExecutorEventType, type ExecutorEventFields, type UnknownExecutorEvent } from './executor-event.js';
export { newUpdateUuid, isValidUpdateUuid, uuidText } from '../protocol/uuid.js';
export { createExecutor, type ExecutorOptions, type ExecutorHandle } from '../bootstrap/create-executor.js';
export type { ProviderOverride } from '../bootstrap/overrides.js';
export { EventController, OnLaunch, OnLaunchGroup, OnKill, OnAcknowledged, OnShutdown, OnSubscribed, OnMessage, OnError, OnHeartbeat, OnEvent } from '../decorators/index.js';
export { taskCommandOf, type TaskCommand } from '../task-spec/to-task-info.js';
export { TOKENS, token, type Token, type ServiceOf, type SdkToken, type SdkServices } from '../tokens.js';
export { LOG_LEVELS, SilentLogger, MemoryLogger, LevelLogger, type Logger, type LogLevel } from '../logging/logger.js';
export type { v1, executor } from '../protocol/generated/index.js';
export * from '../errors/index.js';
