export { SimulatedMaster, type SimulatedMasterOptions, type Fault } from './simulated-master.js';
export type { AgentSpec, TaskBehaviour, SimulatorOptions, UpdateFaults } from './sim-types.js';
export { SimEngine, type SimFramework, type SimTask } from './sim-engine.js';
export { ExecutorHost, type SimExecutorOptions, type SimExecutor } from './executor-host.js';
