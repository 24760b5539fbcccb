/**
 * `mesos-sdk/simulator`: a simulated Mesos master with its agents, in process, speaking the V1
 * scheduler and operator APIs over HTTP as Mesos 1.11 does. Tasks follow configurable behaviours,
 * or run their commands for real (`commands: 'real'`), and real executors can be launched
 * (`executors`); faults (dropped streams, failovers, partitioned or removed agents...) are injected with
 * `SimulatedMaster.fault()` or `POST /__sim/faults`. `npx mesos-sim` runs it from the command line.
 *
 * @example
 * ```ts
 * import { SimulatedMaster } from 'mesos-sdk/simulator';
 *
 * const master = await SimulatedMaster.start({ agents: 3 });
 * console.log(master.url); // give it to createFramework({ master: master.url, ... })
 * master.fault({ action: 'drop-stream' });
 * await master.stop();
 * ```
 *
 * @module mesos-sdk/simulator
 */
export { SimulatedMaster, type SimulatedMasterOptions, type Fault } from './simulated-master.js';
export type { AgentSpec, TaskBehaviour, SimulatorOptions, UpdateFaults } from './sim-types.js';
export { SimEngine, type SimFramework, type SimTask } from './sim-engine.js';
export { ExecutorHost, COMMAND_EXECUTOR_PATH, type SimExecutorOptions, type SimExecutor, type ExecutorHostRuns } from './executor-host.js';
// The records a test reads from `SimulatedMaster.engine` (agents, offers, completed tasks, launches...).
export type { SimAgent, AgentState, SimOffer } from './sim-types.js';
export type { Holding, SimVolume } from './sim-holdings.js';
export type { Quantities } from './sim-resources.js';
export type { CompletedTask, LaunchRecord, OperationStatusRecord, FrameworkMessageRecord, InverseOfferAnswer } from './engine/cluster-state.js';
export type { OutboxStats } from './event-outbox.js';
