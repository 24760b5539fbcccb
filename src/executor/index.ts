export { MesosExecutorClient, type ExecutorClientOptions, type ExecutorEventHandler, type ExecutorState, type ExecutorStatusUpdate, type ExecutorLogger } from './executor-client.js';
export { executorEnvironment, parseMesosDuration, ExecutorErrorCodes, type ExecutorEnvironment } from './executor-env.js';
export { ExecutorDispatcher } from './executor-dispatcher.js';
export { newUpdateUuid, isValidUpdateUuid, uuidText } from '../protocol/uuid.js';
