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

const sdk = <T>(name: string): Token<T> => token<T>(`mesos-sdk.${name}`);

/**
 * One inversify service identifier per provider interface, each typed with its service (see
 * {@link Token}). Bind, rebind or override providers by these tokens, never by concrete class:
 *
 * ```ts
 * container.rebind(TOKENS.Storage).toConstantValue(new MyStorage());
 * const tasks = fw.get(TOKENS.TaskManager); // TaskManager
 * ```
 */
export const TOKENS = {
  /** Options for the whole framework (master URLs, FrameworkInfo, ...). */
  FrameworkOptions: sdk<FrameworkOptions>('FrameworkOptions'),
  /** HTTP transport to the master's scheduler API (`MesosHttpClient`). */
  Client: sdk<MesosHttpClient>('Client'),
  /** Options of the HTTP client (TLS, auth, timeouts). */
  ClientOptions: sdk<MesosClientOptions>('ClientOptions'),
  /** Options of the scheduler state machine (`SchedulerOptions`: FrameworkInfo, heartbeat watchdog, backoff). */
  SchedulerOptions: sdk<SchedulerOptions>('SchedulerOptions'),
  /** Every scheduler call, the subscription state machine and the event stream (`Scheduler`). */
  Scheduler: sdk<Scheduler>('Scheduler'),
  /** Options of the event dispatcher's built-in rules (`DispatcherOptions`). */
  DispatcherOptions: sdk<DispatcherOptions>('DispatcherOptions'),
  /** Dispatches scheduler events to the user's decorated controllers (`EventDispatcher`). */
  EventDispatcher: sdk<EventDispatcher>('EventDispatcher'),
  /** User event controllers (multi-bound): instances of `@EventController()` classes. */
  Controller: sdk<object>('Controller'),
  /** Task lifecycle, retries, kills and reconciliation (`TaskManager`). */
  TaskManager: sdk<TaskManager>('TaskManager'),
  /** Offer pool, resource algebra and placement (`ResourceManager`). */
  ResourceManager: sdk<ResourceManager>('ResourceManager'),
  /** Placement strategy used by the resource manager (`PlacementStrategy`). */
  PlacementStrategy: sdk<PlacementStrategy>('PlacementStrategy'),
  /** Key-value storage (`Storage`): in-memory, on-disk or etcd. */
  Storage: sdk<Storage>('Storage'),
  /** Leader election (`LeaderElection`): always-leader by default, etcd for HA. */
  LeaderElection: sdk<LeaderElection>('LeaderElection'),
  /** Structured logger (`Logger`), MLOG line format by default. */
  Logger: sdk<Logger>('Logger'),
  /** Framework HTTP server: API, /health, /metrics, artifacts (`FrameworkServer`). */
  Server: sdk<FrameworkServer>('Server'),
  /** Metrics registry (`FrameworkMetrics`). */
  Metrics: sdk<FrameworkMetrics>('Metrics'),
  /** Executor side: the agent's executor API client (`MesosExecutorClient`). */
  ExecutorClient: sdk<MesosExecutorClient>('ExecutorClient'),
  /** Executor side: configuration read from the agent's environment (`ExecutorEnvironment`). */
  ExecutorEnvironment: sdk<ExecutorEnvironment>('ExecutorEnvironment'),
  /** Executor side: dispatches executor events to the user's controllers (`ExecutorDispatcher`). */
  ExecutorDispatcher: sdk<ExecutorDispatcher>('ExecutorDispatcher'),
  /** Clock of the offer pool's hold timers (`ResourceClock`), swappable in tests. */
  Clock: sdk<ResourceClock>('Clock'),
} as const;

/** Any of the SDK's tokens. */
export type SdkToken = (typeof TOKENS)[keyof typeof TOKENS];
