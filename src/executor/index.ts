export { MesosExecutorClient, type ExecutorClientOptions, type ExecutorEventHandler, type ExecutorState, type ExecutorStatusUpdate, type ExecutorLogger } from './executor-client.js';
export { executorEnvironment, parseMesosDuration, ExecutorErrorCodes, type ExecutorEnvironment } from './executor-env.js';
export { ExecutorDispatcher } from './executor-dispatcher.js';
export { isExecutorEvent, EXECUTOR_EVENT_FIELDS, type ExecutorEvent, type ExecutorEventType, type ExecutorEventFields, type UnknownExecutorEvent } from './executor-event.js';
export { newUpdateUuid, isValidUpdateUuid, uuidText } from '../protocol/uuid.js';
