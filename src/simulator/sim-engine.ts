import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { AgentSpec, SimAgent, SimOffer, SimulatorOptions, UpdateFaults } from './sim-types.js';
import type { ExecutorHost, ExecutorHostEngine } from './executor-host.js';
import { AgentFaults } from './engine/agent-faults.js';
import { Allocator } from './engine/allocator.js';
import {
  ClusterState,
  type CompletedTask,
  type EventSink,
  type FrameworkMessageRecord,
  type InverseOfferAnswer,
  type LaunchRecord,
  type OperationStatusRecord,
  type SimFramework,
  type SimTask,
} from './engine/cluster-state.js';
import { FrameworkLifecycle } from './engine/framework-lifecycle.js';
import { Maintenance } from './engine/maintenance.js';
import { OfferOperations } from './engine/offer-operations.js';
import { OperationReconciliation } from './engine/operation-reconciliation.js';
import { TaskCalls } from './engine/task-calls.js';
import { TaskRunner } from './engine/task-runner.js';
import { TaskUpdates } from './engine/task-updates.js';

export type { EventSink, SimFramework, SimTask } from './engine/cluster-state.js';

/**
 * The state machine of the simulated master and its agents: frameworks, offers, the allocator,
 * task lifecycles with acknowledged status updates, reconciliation and agent faults. It knows no
 * HTTP: the server feeds it calls and gives it a sink for events.
 *
 * A facade over the parts in `./engine/`: the cluster state they share (shown here as read-only
 * views), the allocator, offer operations, the task runner, maintenance and agent faults.
 */
export class SimEngine implements ExecutorHostEngine {
  private readonly state = new ClusterState();
  private readonly allocator: Allocator;
  private readonly updates: TaskUpdates;
  private readonly runner: TaskRunner;
  private readonly calls: TaskCalls;
  private readonly operations: OfferOperations;
  private readonly operationReconciliation: OperationReconciliation;
  private readonly lifecycle: FrameworkLifecycle;
  private readonly maintenance: Maintenance;
  private readonly faults: AgentFaults;

  /** Builds the cluster with its agents; nothing runs until {@link start}. */
  constructor(
    /** The options it was built with. */
    readonly options: SimulatorOptions,
  ) {
    const { state } = this;
    this.allocator = new Allocator(state, options.allocationIntervalMs ?? 1000);
    this.updates = new TaskUpdates(state, options);
    this.runner = new TaskRunner(state, options, this.allocator, this.updates);
    this.calls = new TaskCalls(state, this.runner, this.updates);
    this.operations = new OfferOperations(state, this.allocator, this.runner, this.updates);
    this.operationReconciliation = new OperationReconciliation(state);
    this.lifecycle = new FrameworkLifecycle(state, this.allocator, this.runner);
    this.maintenance = new Maintenance(state);
    this.faults = new AgentFaults(state, this.allocator, this.runner, this.updates);
    const agents = options.agents ?? 3;
    const specs: AgentSpec[] = typeof agents === 'number' ? Array.from({ length: agents }, () => ({})) : agents;
    for (const spec of specs) this.addAgent(spec);
  }

  // ---------- views ----------
  /** Id of the simulated master; framework, agent and offer ids start with it. */
  get masterId(): string {
    return this.state.masterId;
  }
  /** Agents by id, in any state. */
  get agents(): ReadonlyMap<string, SimAgent> {
    return this.state.agents;
  }
  /** Frameworks by id, removed ones included. */
  get frameworks(): ReadonlyMap<string, SimFramework> {
    return this.state.frameworks;
  }
  /** Outstanding offers by id. */
  get offers(): ReadonlyMap<string, SimOffer> {
    return this.state.offers;
  }
  /** Tasks not yet retired, by `frameworkId/taskId`. */
  get tasks(): ReadonlyMap<string, SimTask> {
    return this.state.tasks;
  }
  /** Ended tasks, oldest first (at most `completedTaskHistory`). */
  get completedTasks(): readonly CompletedTask[] {
    this.state.trimCompleted(this.options.completedTaskHistory ?? 10_000);
    return this.state.completedTasks;
  }
  /** Fault switches on every status update; change them in place. */
  get updateFaults(): UpdateFaults {
    return this.state.updateFaults;
  }
  /** Counters since start. */
  get stats(): {
    /** Offers sent in OFFERS events. */
    readonly offersSent: number;
    /** Status updates sent in UPDATE events (retries included). */
    readonly updatesSent: number;
    /** Agent status updates sent again because no acknowledgement came within the retry interval. */
    readonly updateRetries: number;
    /** ACKNOWLEDGE calls accepted. */
    readonly acks: number;
    /** Tasks launched. */
    readonly launched: number;
  } {
    return this.state.stats;
  }
  /** Every task launched, in order (for invariant checks: nothing launched twice). */
  get launchLog(): LaunchRecord[] {
    return this.state.launchLog;
  }
  /** Every operation status sent, oldest first. */
  get operationStatuses(): readonly OperationStatusRecord[] {
    return this.state.operationStatuses;
  }
  /** Messages schedulers sent to executors (MESSAGE calls), oldest first. */
  get frameworkMessages(): FrameworkMessageRecord[] {
    return this.state.frameworkMessages;
  }
  /** Inverse offers outstanding, by id. */
  get inverseOffers(): ReadonlyMap<string, {
    /** Framework the inverse offer went to. */
    frameworkId: string;
    /** Agent it asks back. */
    agentId: string;
  }> {
    return this.state.inverseOffers;
  }
  /** Answers to inverse offers (ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS), oldest first. */
  get inverseOfferAnswers(): readonly InverseOfferAnswer[] {
    return this.state.inverseOfferAnswers;
  }
  /** Runs tasks as real processes, when the simulator was asked to (`executors`, `commands: 'real'`); set by {@link SimulatedMaster.start}. */
  get executorHost(): ExecutorHost | undefined {
    return this.state.executorHost;
  }
  /** @internal */
  set executorHost(host: ExecutorHost | undefined) {
    this.state.executorHost = host;
  }
  /** @internal where events for a framework go: the leading master's stream for it. */
  get sink(): EventSink {
    return this.state.sink;
  }
  /** @internal */
  set sink(sink: EventSink) {
    this.state.sink = sink;
  }

  /** Starts the allocation cycle. */
  start(): void {
    this.allocator.start();
  }

  /** Stops the allocation cycle and every task and failover timer. */
  stop(): void {
    this.allocator.stop();
    for (const t of this.state.tasks.values()) this.runner.clearTask(t);
    for (const f of this.state.frameworks.values()) clearTimeout(f.failoverTimer);
  }

  // ---------- agents ----------
  /** Registers an agent (as the `add-agent` fault does); offers for it follow in the next allocation cycle. */
  addAgent(spec: AgentSpec = {}): SimAgent {
    const agent = this.state.addAgent(spec);
    this.allocator.schedule();
    return agent;
  }

  // ---------- frameworks ----------
  /** Handles SUBSCRIBE after the HTTP checks. Returns the framework or an error message for an ERROR event. */
  subscribe(call: scheduler.Call):
    | {
        /** The new or re-subscribed framework. */
        framework: SimFramework;
        /** It had subscribed before (SUBSCRIBE carried its framework id). */
        resubscribed: boolean;
      }
    | {
        /** Why the subscription is refused (sent as an ERROR event). */
        error: string;
      } {
    return this.lifecycle.subscribe(call);
  }

  /** After SUBSCRIBED went out: agents resend pending updates at once, and offers follow. */
  afterSubscribed(fw: SimFramework): void {
    this.lifecycle.afterSubscribed(fw);
  }

  /** The framework's stream closed: offers are rescinded and the failover timer starts. */
  disconnected(frameworkId: string): void {
    this.lifecycle.disconnected(frameworkId);
  }

  /** TEARDOWN, or the failover timeout expired: the framework's tasks are killed and its offers taken back. */
  removeFramework(fw: SimFramework): void {
    this.lifecycle.remove(fw);
  }

  // ---------- allocation ----------
  /** Runs an allocation cycle soon (after resources were freed or a framework revived), not waiting for the interval. */
  scheduleAllocation(): void {
    this.allocator.schedule();
  }

  /** One allocation cycle: every free, allocatable agent is offered to one framework role, round-robin. */
  allocate(): void {
    this.allocator.allocate();
  }

  /** Sends RESCIND for the offers (all of a framework's, or all) and takes them back. */
  rescindOffers(filter?: (o: SimOffer) => boolean): number {
    return this.allocator.rescindOffers(filter);
  }

  // ---------- calls ----------
  /** ACCEPT: applies the operations (LAUNCH, LAUNCH_GROUP, RESERVE, CREATE...) to the offers; what is left over goes back, refused for `filters.refuse_seconds`. */
  accept(fw: SimFramework, offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters: v1.Filters | undefined): void {
    this.operations.accept(fw, offerIds, operations, filters);
  }

  /** DECLINE: the offers go back, refused for `filters.refuse_seconds` (5 s by default). */
  decline(fw: SimFramework, offerIds: v1.OfferID[], filters: v1.Filters | undefined): void {
    this.operations.decline(fw, offerIds, filters);
  }

  /** REVIVE: clears the framework's filters and unsuppresses the roles (all when none given). */
  revive(fw: SimFramework, roles: string[] | undefined): void {
    this.lifecycle.revive(fw, roles);
  }

  /** SUPPRESS: no more offers for the roles (all when none given) until REVIVE. */
  suppress(fw: SimFramework, roles: string[] | undefined): void {
    this.lifecycle.suppress(fw, roles);
  }

  /** ACKNOWLEDGE: the status update is acknowledged; the next one of the task's stream may go out. */
  acknowledge(fw: SimFramework, ack: scheduler.Call.Acknowledge): void {
    this.calls.acknowledge(fw, ack);
  }

  /** KILL: the task goes KILLING (if the framework asked for it) then KILLED; an unknown task gets a reconciliation answer. */
  kill(fw: SimFramework, kill: scheduler.Call.Kill): void {
    this.calls.kill(fw, kill, (f, tasks) => this.reconcile(f, tasks));
  }

  /** SHUTDOWN: the executor and its tasks are stopped. */
  shutdown(fw: SimFramework, executorId: string): void {
    this.calls.shutdown(fw, executorId);
  }

  /** RECONCILE: an update (reason RECONCILIATION) for each named task, or for every task when none is named. */
  reconcile(fw: SimFramework, tasks: scheduler.Call.Reconcile.Task[]): void {
    this.calls.reconcile(fw, tasks);
  }

  /** UPDATE_FRAMEWORK: the 400 text when refused, else undefined (applied). */
  updateFramework(fw: SimFramework, info: v1.FrameworkInfo, suppressed: string[] | undefined): string | undefined {
    return this.lifecycle.updateFramework(fw, info, suppressed);
  }

  /** RECONCILE_OPERATIONS: one UPDATE_OPERATION_STATUS (no uuid) per operation, or per known one when none is named. */
  reconcileOperations(fw: SimFramework, operations: scheduler.Call.ReconcileOperations.Operation[]): void {
    this.operationReconciliation.reconcile(fw, operations);
  }

  /** ACKNOWLEDGE_OPERATION_STATUS: the operation status is acknowledged; an acknowledged terminal one is forgotten. */
  acknowledgeOperationStatus(fw: SimFramework, ack: scheduler.Call.AcknowledgeOperationStatus): void {
    this.operationReconciliation.acknowledge(fw, ack);
  }

  /** Sends a framework message as if from the task's executor. */
  executorMessage(frameworkId: string, agentId: string, executorId: string, data: Uint8Array): boolean {
    return this.state.sink(frameworkId, { type: 'MESSAGE', message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data } });
  }

  // ---------- real executors (ExecutorHost) ----------
  /** The `AgentInfo` of an agent, as executors are given it; undefined for an unknown agent. */
  agentInfo(agentId: string): v1.AgentInfo | undefined {
    return this.state.agentInfo(agentId);
  }

  /** The framework's `FrameworkInfo` with its id; undefined for an unknown framework. */
  frameworkInfo(frameworkId: string): v1.FrameworkInfo | undefined {
    return this.state.frameworkInfo(frameworkId);
  }

  /**
   * A status update a real executor sent (or resent after re-subscribing): queued on the task's
   * status update stream like an agent does, once per uuid.
   */
  executorStatus(frameworkId: string, status: v1.TaskStatus): 'new' | 'pending' | 'acknowledged' | 'unknown-task' {
    return this.runner.executorStatus(frameworkId, status);
  }

  /** A real executor exited: the framework gets FAILURE with its wait status, as from a Mesos master. */
  executorExited(frameworkId: string, agentId: string, executorId: string, status: number): void {
    this.state.sink(frameworkId, { type: 'FAILURE', failure: { agent_id: { value: agentId }, executor_id: { value: executorId }, status } });
  }

  /** A real executor exited (or could not start): its tasks that have not ended fail, or end KILLED if a kill was asked. */
  executorTerminated(frameworkId: string, executorId: string, message: string, reason: v1.TaskStatus.Reason): void {
    this.runner.executorTerminated(frameworkId, executorId, message, reason);
  }

  /** The agent itself ends a task run by a real executor (source SOURCE_AGENT). */
  agentTaskUpdate(frameworkId: string, taskId: string, state: v1.TaskState, message: string, reason: v1.TaskStatus.Reason): void {
    this.runner.agentTaskUpdate(frameworkId, taskId, state, message, reason);
  }

  // ---------- maintenance ----------
  /**
   * Schedules maintenance of an agent: every connected framework with tasks or offers there (or all
   * connected frameworks) gets an INVERSE_OFFERS event asking for the agent back.
   */
  scheduleMaintenance(agentId: string, startInMs?: number, durationMs?: number): string[] {
    return this.maintenance.schedule(agentId, startInMs, durationMs);
  }

  /** Withdraws outstanding inverse offers (maintenance cancelled) with RESCIND_INVERSE_OFFER. */
  cancelMaintenance(agentId?: string): number {
    return this.maintenance.cancel(agentId);
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS: the answer is recorded and the inverse offer used up. */
  answerInverseOffers(fw: SimFramework, ids: v1.OfferID[], accepted: boolean): void {
    this.maintenance.answer(fw, ids, accepted);
  }

  // ---------- agent faults ----------
  /** The agent stops answering: its tasks become unreachable (LOST for others), offers are rescinded. */
  partitionAgent(agentId: string): void {
    this.faults.partition(agentId);
  }

  /** The agent comes back: its unreachable tasks report RUNNING again. */
  healAgent(agentId: string): void {
    this.faults.heal(agentId);
  }

  /** The agent is marked gone: its tasks are GONE_BY_OPERATOR (LOST for others). */
  removeAgent(agentId: string): void {
    this.faults.remove(agentId);
  }
}
