import type { AbstractNewable, Newable } from 'inversify';
// Type-only imports: tokens.ts loads nothing at run time, so every module can import it without cycles.
import type { FrameworkOptions } from './bootstrap/create-framework.js';
import type { MesosHttpClient } from './client/http-client.js';
import type { MesosClientOptions } from './client/client-options.js';
import type { SchedulerOptions } from './scheduler/mesos-scheduler.js';
import type { Scheduler } from './scheduler/scheduler.interface.js';
import type { DispatcherOptions, EventDispatcher } from './discovery/event-dispatcher.js';
import type { TaskManager } from './task-manager/task-manager.js';
import type { ResourceManager } from './resource-manager/resource-manager.js';
import type { PlacementStrategy } from './resource-manager/placement/placement-types.js';
import type { ResourceClock } from './resource-manager/offer-pool.js';
import type { Storage } from './storage/storage.interface.js';
import type { LeaderElection } from './ha/leader-election.interface.js';
import type { Logger } from './logging/logger.js';
import type { FrameworkServer } from './server/framework-server.js';
import type { FrameworkMetrics } from './server/framework-metrics.js';
import type { MesosExecutorClient } from './executor/executor-client.js';
import type { ExecutorEnvironment } from './executor/executor-env.js';
import type { ExecutorDispatcher } from './executor/executor-dispatcher.js';

/**
 * An inversify service identifier that carries the type of its service: at run time a plain
 * `Symbol.for('mesos-sdk.<Name>')`, at compile time a symbol that inversify's
 * `ServiceIdentifier<T>` infers `T` from. So `container.get(TOKENS.Logger)` is a `Logger`,
 * `container.bind(TOKENS.Logger).toConstantValue(42)` does not compile, and neither does
 * `overrideProvider(TOKENS.Logger).useValue(42)`.
 *
 * (The type is a symbol intersected with an abstract construct signature returning `T`: that
 * signature is what inversify's `ServiceIdentifier<T>` — `string | symbol | Newable<T> |
 * AbstractNewable<T>` — infers `T` from. Being abstract, a token cannot be `new`-ed. A phantom
 * brand makes the type invariant in `T`, so a `Token<Logger>` is not a `Token<object>`.)
 *
 * Make your own for your providers with {@link token}.
 *
 * @typeParam T - the type of the service bound to the token.
 */
export type Token<T = any> = symbol & AbstractNewable<T> & { readonly [serviceType]?: (service: T) => T };

declare const serviceType: unique symbol;

/**
 * A service identifier that is not a {@link Token}: a string, a plain symbol or a class. Overrides
 * of these are not checked against a service type.
 */
export type UntypedServiceIdentifier = (string | symbol | Newable<unknown> | AbstractNewable<unknown>) & { readonly [serviceType]?: never };

/** The service type a token carries: `ServiceOf<typeof TOKENS.Logger>` is `Logger`. */
export type ServiceOf<K> = K extends Token<infer T> ? T : never;

/**
 * A typed token for a provider of your own: `Symbol.for(key)` at run time.
 *
 * @example
 * ```ts
 * const CLOCK = token<Clock>('my-app.Clock');
 * container.bind(CLOCK).toConstantValue(systemClock);
 * ```
 */
export function token<T>(key: string): Token<T> {
  return Symbol.for(key) as Token<T>;
}

// One `unique symbol` per SDK token: the overrides of the SDK's tokens are then a union
// discriminated by `token`, and a wrong value is reported against the right service type.
const FrameworkOptionsId: unique symbol = Symbol.for('mesos-sdk.FrameworkOptions');
const ClientId: unique symbol = Symbol.for('mesos-sdk.Client');
const ClientOptionsId: unique symbol = Symbol.for('mesos-sdk.ClientOptions');
const SchedulerOptionsId: unique symbol = Symbol.for('mesos-sdk.SchedulerOptions');
const SchedulerId: unique symbol = Symbol.for('mesos-sdk.Scheduler');
const DispatcherOptionsId: unique symbol = Symbol.for('mesos-sdk.DispatcherOptions');
const EventDispatcherId: unique symbol = Symbol.for('mesos-sdk.EventDispatcher');
const ControllerId: unique symbol = Symbol.for('mesos-sdk.Controller');
const TaskManagerId: unique symbol = Symbol.for('mesos-sdk.TaskManager');
const ResourceManagerId: unique symbol = Symbol.for('mesos-sdk.ResourceManager');
const PlacementStrategyId: unique symbol = Symbol.for('mesos-sdk.PlacementStrategy');
const StorageId: unique symbol = Symbol.for('mesos-sdk.Storage');
const LeaderElectionId: unique symbol = Symbol.for('mesos-sdk.LeaderElection');
const LoggerId: unique symbol = Symbol.for('mesos-sdk.Logger');
const ServerId: unique symbol = Symbol.for('mesos-sdk.Server');
const MetricsId: unique symbol = Symbol.for('mesos-sdk.Metrics');
const ExecutorClientId: unique symbol = Symbol.for('mesos-sdk.ExecutorClient');
const ExecutorEnvironmentId: unique symbol = Symbol.for('mesos-sdk.ExecutorEnvironment');
const ExecutorDispatcherId: unique symbol = Symbol.for('mesos-sdk.ExecutorDispatcher');
const ClockId: unique symbol = Symbol.for('mesos-sdk.Clock');

/** The service type of each SDK token, by name (the documentation of each entry of {@link TOKENS}). */
export interface SdkServices {
  /** Options for the whole framework (master URLs, FrameworkInfo, ...). */
  FrameworkOptions: FrameworkOptions;
  /** HTTP transport to the master's scheduler API (`MesosHttpClient`). */
  Client: MesosHttpClient;
  /** Options of the HTTP client (TLS, auth, timeouts). */
  ClientOptions: MesosClientOptions;
  /** Options of the scheduler state machine (`SchedulerOptions`: FrameworkInfo, heartbeat watchdog, backoff). */
  SchedulerOptions: SchedulerOptions;
  /** Every scheduler call, the subscription state machine and the event stream (`Scheduler`). */
  Scheduler: Scheduler;
  /** Options of the event dispatcher's built-in rules (`DispatcherOptions`). */
  DispatcherOptions: DispatcherOptions;
  /** Dispatches scheduler events to the user's decorated controllers (`EventDispatcher`). */
  EventDispatcher: EventDispatcher;
  /** User event controllers (multi-bound): instances of `@EventController()` classes. */
  Controller: object;
  /** Task lifecycle, retries, kills and reconciliation (`TaskManager`). */
  TaskManager: TaskManager;
  /** Offer pool, resource algebra and placement (`ResourceManager`). */
  ResourceManager: ResourceManager;
  /** Placement strategy used by the resource manager (`PlacementStrategy`). */
  PlacementStrategy: PlacementStrategy;
  /** Key-value storage (`Storage`): in-memory, on-disk or etcd. */
  Storage: Storage;
  /** Leader election (`LeaderElection`): always-leader by default, etcd for HA. */
  LeaderElection: LeaderElection;
  /** Structured logger (`Logger`), MLOG line format by default. */
  Logger: Logger;
  /** Framework HTTP server: API, /health, /metrics, artifacts (`FrameworkServer`). */
  Server: FrameworkServer;
  /** Metrics registry (`FrameworkMetrics`). */
  Metrics: FrameworkMetrics;
  /** Executor side: the agent's executor API client (`MesosExecutorClient`). */
  ExecutorClient: MesosExecutorClient;
  /** Executor side: configuration read from the agent's environment (`ExecutorEnvironment`). */
  ExecutorEnvironment: ExecutorEnvironment;
  /** Executor side: dispatches executor events to the user's controllers (`ExecutorDispatcher`). */
  ExecutorDispatcher: ExecutorDispatcher;
  /** Clock of the offer pool's hold timers (`ResourceClock`), swappable in tests. */
  Clock: ResourceClock;
}

/** The symbol type of each SDK token, by name. */
export interface SdkTokenIds {
  FrameworkOptions: typeof FrameworkOptionsId;
  Client: typeof ClientId;
  ClientOptions: typeof ClientOptionsId;
  SchedulerOptions: typeof SchedulerOptionsId;
  Scheduler: typeof SchedulerId;
  DispatcherOptions: typeof DispatcherOptionsId;
  EventDispatcher: typeof EventDispatcherId;
  Controller: typeof ControllerId;
  TaskManager: typeof TaskManagerId;
  ResourceManager: typeof ResourceManagerId;
  PlacementStrategy: typeof PlacementStrategyId;
  Storage: typeof StorageId;
  LeaderElection: typeof LeaderElectionId;
  Logger: typeof LoggerId;
  Server: typeof ServerId;
  Metrics: typeof MetricsId;
  ExecutorClient: typeof ExecutorClientId;
  ExecutorEnvironment: typeof ExecutorEnvironmentId;
  ExecutorDispatcher: typeof ExecutorDispatcherId;
  Clock: typeof ClockId;
}

/** An SDK token: its own symbol, typed with its service. */
export type SdkTokenOf<K extends keyof SdkServices> = SdkTokenIds[K] & Token<SdkServices[K]>;

/**
 * One inversify service identifier per provider interface, each typed with its service (see
 * {@link Token}). Bind, rebind or override providers by these tokens, never by concrete class:
 *
 * ```ts
 * container.rebind(TOKENS.Storage).toConstantValue(new MyStorage());
 * const tasks = fw.get(TOKENS.TaskManager); // TaskManager
 * ```
 */
export const TOKENS: { readonly [K in keyof SdkServices]: SdkTokenOf<K> } = {
  FrameworkOptions: FrameworkOptionsId,
  Client: ClientId,
  ClientOptions: ClientOptionsId,
  SchedulerOptions: SchedulerOptionsId,
  Scheduler: SchedulerId,
  DispatcherOptions: DispatcherOptionsId,
  EventDispatcher: EventDispatcherId,
  Controller: ControllerId,
  TaskManager: TaskManagerId,
  ResourceManager: ResourceManagerId,
  PlacementStrategy: PlacementStrategyId,
  Storage: StorageId,
  LeaderElection: LeaderElectionId,
  Logger: LoggerId,
  Server: ServerId,
  Metrics: MetricsId,
  ExecutorClient: ExecutorClientId,
  ExecutorEnvironment: ExecutorEnvironmentId,
  ExecutorDispatcher: ExecutorDispatcherId,
  Clock: ClockId,
} as { readonly [K in keyof SdkServices]: SdkTokenOf<K> };

/** Any of the SDK's tokens. */
export type SdkToken = (typeof TOKENS)[keyof typeof TOKENS];
