/**
 * One inversify service identifier per provider interface. Bind, rebind or override providers by
 * these tokens, never by concrete class:
 *
 * ```ts
 * container.rebind(TOKENS.Storage).toConstantValue(new MyStorage());
 * ```
 */
export const TOKENS = {
  /** Options for the whole framework (master URLs, FrameworkInfo, ...). */
  FrameworkOptions: Symbol.for('mesos-sdk.FrameworkOptions'),
  /** HTTP transport to the master's scheduler API (`MesosClient`). */
  Client: Symbol.for('mesos-sdk.Client'),
  /** Options of the HTTP client (TLS, auth, timeouts). */
  ClientOptions: Symbol.for('mesos-sdk.ClientOptions'),
  /** Options of the scheduler state machine (`SchedulerOptions`: FrameworkInfo, heartbeat watchdog, backoff). */
  SchedulerOptions: Symbol.for('mesos-sdk.SchedulerOptions'),
  /** Every scheduler call, the subscription state machine and the event stream (`Scheduler`). */
  Scheduler: Symbol.for('mesos-sdk.Scheduler'),
  /** Options of the event dispatcher's built-in rules (`DispatcherOptions`). */
  DispatcherOptions: Symbol.for('mesos-sdk.DispatcherOptions'),
  /** Dispatches scheduler events to the user's decorated controllers. */
  EventDispatcher: Symbol.for('mesos-sdk.EventDispatcher'),
  /** User event controllers (multi-bound). */
  Controller: Symbol.for('mesos-sdk.Controller'),
  /** Task lifecycle, retries, kills and reconciliation (`TaskManager`). */
  TaskManager: Symbol.for('mesos-sdk.TaskManager'),
  /** Offer pool, resource algebra and placement (`ResourceManager`). */
  ResourceManager: Symbol.for('mesos-sdk.ResourceManager'),
  /** Placement strategy used by the resource manager. */
  PlacementStrategy: Symbol.for('mesos-sdk.PlacementStrategy'),
  /** Key-value storage (`Storage`): in-memory, on-disk or etcd. */
  Storage: Symbol.for('mesos-sdk.Storage'),
  /** Leader election (`LeaderElection`): always-leader by default, etcd for HA. */
  LeaderElection: Symbol.for('mesos-sdk.LeaderElection'),
  /** Structured logger (`Logger`), MLOG line format by default. */
  Logger: Symbol.for('mesos-sdk.Logger'),
  /** Framework HTTP server: API, /health, /metrics, artifacts (`FrameworkServer`). */
  Server: Symbol.for('mesos-sdk.Server'),
  /** Metrics registry (`Metrics`). */
  Metrics: Symbol.for('mesos-sdk.Metrics'),
  /** Executor side: the agent's executor API client (`MesosExecutorClient`). */
  ExecutorClient: Symbol.for('mesos-sdk.ExecutorClient'),
  /** Executor side: configuration read from the agent's environment (`ExecutorEnvironment`). */
  ExecutorEnvironment: Symbol.for('mesos-sdk.ExecutorEnvironment'),
  /** Executor side: dispatches executor events to the user's controllers (`ExecutorDispatcher`). */
  ExecutorDispatcher: Symbol.for('mesos-sdk.ExecutorDispatcher'),
  /** Clock and timers, swappable in tests. */
  Clock: Symbol.for('mesos-sdk.Clock'),
} as const;

export type Token = (typeof TOKENS)[keyof typeof TOKENS];
