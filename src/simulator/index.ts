export { SimulatedMaster, type SimulatedMasterOptions, type Fault } from './simulated-master.js';
export type { AgentSpec, TaskBehaviour, SimulatorOptions, UpdateFaults } from './sim-types.js';
export { SimEngine, type SimFramework, type SimTask } from './sim-engine.js';
export { ExecutorHost, COMMAND_EXECUTOR_PATH, type SimExecutorOptions, type SimExecutor, type ExecutorHostRuns } from './executor-host.js';
// The records a test reads from `SimulatedMaster.engine` (agents, offers, completed tasks, launches...).
export type { SimAgent, AgentState, SimOffer } from './sim-types.js';
export type { Holding, SimVolume } from './sim-holdings.js';
export type { Quantities } from './sim-resources.js';
export type { CompletedTask, LaunchRecord, OperationStatusRecord, FrameworkMessageRecord, InverseOfferAnswer } from './engine/cluster-state.js';
