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
export type Token<T = any> = symbol &
  AbstractNewable<T> & {
    /** Compile-time brand that makes the type invariant in `T`; never present at run time. */
    readonly [serviceType]?: (service: T) => T;
  };

declare const serviceType: unique symbol;

/**
 * A service identifier that is not a {@link Token}: a string, a plain symbol or a class. Overrides
 * of these are not checked against a service type.
 */
export type UntypedServiceIdentifier = (string | symbol | Newable<unknown> | AbstractNewable<unknown>) & {
  /** Typed `never`, so a {@link Token} (whose brand has a function type) is not an untyped identifier. */
  readonly [serviceType]?: never;
};

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

/**
 * The symbol type of each SDK token, by name: one `unique symbol` per token, so the overrides of
 * the SDK's tokens form a union discriminated by `token` ({@link AnyProviderOverride}) and a wrong
 * value is reported against the right service type. At run time each is
 * `Symbol.for('mesos-sdk.<Name>')`.
 */
export interface SdkTokenIds {
  /** The symbol of `TOKENS.FrameworkOptions`, `Symbol.for('mesos-sdk.FrameworkOptions')`. */
  readonly FrameworkOptions: unique symbol;
  /** The symbol of `TOKENS.Client`, `Symbol.for('mesos-sdk.Client')`. */
  readonly Client: unique symbol;
  /** The symbol of `TOKENS.ClientOptions`, `Symbol.for('mesos-sdk.ClientOptions')`. */
  readonly ClientOptions: unique symbol;
  /** The symbol of `TOKENS.SchedulerOptions`, `Symbol.for('mesos-sdk.SchedulerOptions')`. */
  readonly SchedulerOptions: unique symbol;
  /** The symbol of `TOKENS.Scheduler`, `Symbol.for('mesos-sdk.Scheduler')`. */
  readonly Scheduler: unique symbol;
  /** The symbol of `TOKENS.DispatcherOptions`, `Symbol.for('mesos-sdk.DispatcherOptions')`. */
  readonly DispatcherOptions: unique symbol;
  /** The symbol of `TOKENS.EventDispatcher`, `Symbol.for('mesos-sdk.EventDispatcher')`. */
  readonly EventDispatcher: unique symbol;
  /** The symbol of `TOKENS.Controller`, `Symbol.for('mesos-sdk.Controller')`. */
  readonly Controller: unique symbol;
  /** The symbol of `TOKENS.TaskManager`, `Symbol.for('mesos-sdk.TaskManager')`. */
  readonly TaskManager: unique symbol;
  /** The symbol of `TOKENS.ResourceManager`, `Symbol.for('mesos-sdk.ResourceManager')`. */
  readonly ResourceManager: unique symbol;
  /** The symbol of `TOKENS.PlacementStrategy`, `Symbol.for('mesos-sdk.PlacementStrategy')`. */
  readonly PlacementStrategy: unique symbol;
  /** The symbol of `TOKENS.Storage`, `Symbol.for('mesos-sdk.Storage')`. */
  readonly Storage: unique symbol;
  /** The symbol of `TOKENS.LeaderElection`, `Symbol.for('mesos-sdk.LeaderElection')`. */
  readonly LeaderElection: unique symbol;
  /** The symbol of `TOKENS.Logger`, `Symbol.for('mesos-sdk.Logger')`. */
  readonly Logger: unique symbol;
  /** The symbol of `TOKENS.Server`, `Symbol.for('mesos-sdk.Server')`. */
  readonly Server: unique symbol;
  /** The symbol of `TOKENS.Metrics`, `Symbol.for('mesos-sdk.Metrics')`. */
  readonly Metrics: unique symbol;
  /** The symbol of `TOKENS.ExecutorClient`, `Symbol.for('mesos-sdk.ExecutorClient')`. */
  readonly ExecutorClient: unique symbol;
  /** The symbol of `TOKENS.ExecutorEnvironment`, `Symbol.for('mesos-sdk.ExecutorEnvironment')`. */
  readonly ExecutorEnvironment: unique symbol;
  /** The symbol of `TOKENS.ExecutorDispatcher`, `Symbol.for('mesos-sdk.ExecutorDispatcher')`. */
  readonly ExecutorDispatcher: unique symbol;
  /** The symbol of `TOKENS.Clock`, `Symbol.for('mesos-sdk.Clock')`. */
  readonly Clock: unique symbol;
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
  FrameworkOptions: Symbol.for('mesos-sdk.FrameworkOptions'),
  Client: Symbol.for('mesos-sdk.Client'),
  ClientOptions: Symbol.for('mesos-sdk.ClientOptions'),
  SchedulerOptions: Symbol.for('mesos-sdk.SchedulerOptions'),
  Scheduler: Symbol.for('mesos-sdk.Scheduler'),
  DispatcherOptions: Symbol.for('mesos-sdk.DispatcherOptions'),
  EventDispatcher: Symbol.for('mesos-sdk.EventDispatcher'),
  Controller: Symbol.for('mesos-sdk.Controller'),
  TaskManager: Symbol.for('mesos-sdk.TaskManager'),
  ResourceManager: Symbol.for('mesos-sdk.ResourceManager'),
  PlacementStrategy: Symbol.for('mesos-sdk.PlacementStrategy'),
  Storage: Symbol.for('mesos-sdk.Storage'),
  LeaderElection: Symbol.for('mesos-sdk.LeaderElection'),
  Logger: Symbol.for('mesos-sdk.Logger'),
  Server: Symbol.for('mesos-sdk.Server'),
  Metrics: Symbol.for('mesos-sdk.Metrics'),
  ExecutorClient: Symbol.for('mesos-sdk.ExecutorClient'),
  ExecutorEnvironment: Symbol.for('mesos-sdk.ExecutorEnvironment'),
  ExecutorDispatcher: Symbol.for('mesos-sdk.ExecutorDispatcher'),
  Clock: Symbol.for('mesos-sdk.Clock'),
} as { readonly [K in keyof SdkServices]: symbol } as { readonly [K in keyof SdkServices]: SdkTokenOf<K> };

/** Any of the SDK's tokens. */
export type SdkToken = (typeof TOKENS)[keyof typeof TOKENS];
