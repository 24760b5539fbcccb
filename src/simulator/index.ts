export { SimulatedMaster, type SimulatedMasterOptions, type Fault } from './simulated-master.js';
export type { AgentSpec, TaskBehaviour, SimulatorOptions, UpdateFaults } from './sim-types.js';
export { SimEngine, type SimFramework, type SimTask } from './sim-engine.js';
export { ExecutorHost, COMMAND_EXECUTOR_PATH, type SimExecutorOptions, type SimExecutor, type ExecutorHostRuns } from './executor-host.js';
