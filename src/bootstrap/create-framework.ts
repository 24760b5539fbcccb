import 'reflect-metadata';
import { Container, type ContainerModule, type ServiceIdentifier, type Newable } from 'inversify';
import { TOKENS } from '../tokens.js';
import { applyOverride, BootstrapErrorCodes, type ProviderOverride } from './overrides.js';
export { applyOverride, BootstrapErrorCodes, type ProviderOverride };
import type { v1 } from '../protocol/generated/index.js';
import type { TaskDefinitionInput } from '../task-spec/task-definition-input.js';
import type { Encoding } from '../protocol/codec.js';
import type { AuthOptions, MesosClientOptions, TlsOptions } from '../client/client-options.js';
import type { SchedulerOptions } from '../scheduler/mesos-scheduler.js';
import type { Scheduler, SubscriptionState } from '../scheduler/scheduler.interface.js';
import type { EventDispatcher, DispatcherOptions } from '../discovery/event-dispatcher.js';
import { MetadataAccessor } from '../decorators/metadata.js';
import { ConfigurationError } from '../errors/families.js';
import { defaultModules } from '../modules/default.modules.js';
import { DefaultTaskController } from '../task-manager/default-task.controller.js';
import type { TaskManager } from '../task-manager/task-manager.js';
import type { Storage } from '../storage/storage.interface.js';
import type { Logger } from '../logging/logger.js';
import { EtcdStorage } from '../storage/etcd.storage.js';
import { EtcdLeaderElection } from '../ha/etcd-leader-election.js';
import type { LeaderElection } from '../ha/leader-election.interface.js';
import { fromBytes, toBytes } from '../storage/storage-keys.js';
import { FrameworkMetrics, type FrameworkMetricsOptions } from '../server/framework-metrics.js';
import { FrameworkServer, type ServerOptions } from '../server/framework-server.js';
import type { ResourceManager } from '../resource-manager/resource-manager.js';
import { isSecretAware } from '../logging/index.js';

/** Storage key of the framework id (with its failover timeout). */
export const FRAMEWORK_ID_KEY = 'framework/id';

/** Replaces one provider before anything is built (like NestJS `overrideProvider`). */
/** Options of {@link createFramework}. */
export interface FrameworkOptions {
  /** Master URL(s), e.g. `'http://127.0.0.1:5050'` or several for leader discovery. */
  master: string | string[];
  /** The framework to register; `user` defaults to the OS user, `failover_timeout` to one week. */
  framework: Partial<v1.FrameworkInfo> & { name: string };
  /** Event controller classes (decorated with `@EventController()`). */
  controllers?: Array<Newable<object>>;
  /** Extra container modules, loaded after the defaults (bind or rebind tokens there). */
  modules?: ContainerModule[];
  /** Providers to replace, applied after all modules. */
  overrides?: ProviderOverride[];
  /** Wire encoding. @default 'protobuf' */
  encoding?: Encoding;
  auth?: AuthOptions;
  tls?: TlsOptions;
  /** Further HTTP client options (timeouts, frame size, retries). */
  client?: Partial<MesosClientOptions>;
  /** Scheduler state machine options (heartbeat watchdog, backoff). */
  scheduler?: Partial<Omit<SchedulerOptions, 'frameworkInfo'>>;
  /** Built-in dispatcher rules (auto-acknowledge, ERROR as typed errors). */
  dispatcher?: DispatcherOptions;
  /**
   * Task definitions to run with the built-in task manager (one, an array, or `{ tasks: [...] }`).
   * When given, or when `taskManager` is true, the SDK places, launches, relaunches and reconciles
   * them: no handler of your own is needed. Validated before use whatever their static type
   * (definitions read from a JSON file too), failing with `ERR_TASK_DEFINITION_INVALID`.
   */
  tasks?: TaskDefinitionInput;
  /** Run the built-in task manager controller even without `tasks` (submit later). @default !!tasks */
  taskManager?: boolean;
  /** Period of the implicit reconciliation the task controller runs while subscribed; 0 turns it off. @default 900 */
  reconcileIntervalSeconds?: number;
  /**
   * High availability on etcd: instances campaign for leadership and only the leader subscribes.
   * State goes to etcd too (`TOKENS.Storage`), so a standby that takes over resumes the same
   * framework and reconciles before launching anything. A leader that loses its lease stops
   * sending calls at once and stops (run it under a supervisor that restarts it as a standby).
   */
  ha?: { etcd: string[]; ttlSeconds?: number; name?: string; useEtcdStorage?: boolean; client?: EtcdLeaderElection['options']['client'] };
  /**
   * Serve the framework's HTTP API, `/health`, `/metrics` and artifacts (`TOKENS.Server`) while it
   * runs; `true` for the defaults (loopback, a free port). The URL is `handle.serverUrl` after `start()`.
   */
  server?: ServerOptions | true;
  /** Prometheus metrics (`TOKENS.Metrics`), served at `/metrics` when the server runs. @default {} */
  metrics?: FrameworkMetricsOptions;
}

/** A running (or ready to run) framework. */
export interface FrameworkHandle {
  readonly container: Container;
  /** Resolves once the controllers are bound (before any SUBSCRIBE). */
  readonly ready: Promise<void>;
  readonly state: SubscriptionState;
  readonly frameworkId: string | undefined;
  /** The server's base URL once `start()` has it listening (with the `server` option). */
  readonly serverUrl: string | undefined;
  /** Subscribes; resolves at the first SUBSCRIBED. */
  start(): Promise<void>;
  /** Stops taking events, lets the handler in flight finish, then stops the scheduler. With `teardown` the framework is removed from Mesos. */
  stop(options?: { teardown?: boolean }): Promise<void>;
  /**
   * A provider from the container. The SDK's tokens carry their type: `fw.get(TOKENS.TaskManager)`
   * is a `TaskManager`; a controller class gives its instance.
   */
  get<T>(token: ServiceIdentifier<T>): T;
}


/** One week, the failover timeout frameworks should use at the least. */
const DEFAULT_FAILOVER_TIMEOUT = 7 * 24 * 3600;

/**
 * Builds a framework: container → default modules → user modules → overrides → controllers
 * discovered and bound → ready. `start()` then subscribes, so no event arrives before its handlers exist.
 *
 * @example
 * ```ts
 * const fw = createFramework({ master: 'http://127.0.0.1:5050', framework: { name: 'demo' }, controllers: [MyController] });
 * await fw.start();
 * ```
 */
export function createFramework(options: FrameworkOptions): FrameworkHandle {
  const masters = Array.isArray(options.master) ? options.master : [options.master];
  const frameworkInfo: v1.FrameworkInfo = {
    user: options.framework.user ?? process.env['USER'] ?? 'root',
    failover_timeout: DEFAULT_FAILOVER_TIMEOUT,
    capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
    roles: ['*'],
    ...options.framework,
  };
  const useTasks = options.taskManager ?? options.tasks !== undefined;
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.FrameworkOptions).toConstantValue(options);
  container.bind(TOKENS.ClientOptions).toConstantValue({ ...options.client, masters, encoding: options.encoding ?? options.client?.encoding ?? 'protobuf', auth: options.auth, tls: options.tls });
  container.bind(TOKENS.SchedulerOptions).toConstantValue({ ...options.scheduler, frameworkInfo });
  container.bind(TOKENS.DispatcherOptions).toConstantValue(options.dispatcher ?? {});
  container.bind(TOKENS.Metrics).toConstantValue(new FrameworkMetrics(options.metrics));
  container.load(...defaultModules(), ...(options.modules ?? []));
  if (options.ha) {
    const name = options.ha.name ?? frameworkInfo.name;
    container.rebind(TOKENS.LeaderElection).toConstantValue(new EtcdLeaderElection({ hosts: options.ha.etcd, name, ttlSeconds: options.ha.ttlSeconds, client: options.ha.client }));
    if (options.ha.useEtcdStorage ?? true) container.rebind(TOKENS.Storage).toConstantValue(new EtcdStorage({ hosts: options.ha.etcd, namespace: `mesos-sdk/${name}/`, client: options.ha.client }));
  }
  if (options.server) {
    const serverOptions = options.server === true ? {} : options.server;
    container.bind(TOKENS.Server).toDynamicValue((ctx) => new FrameworkServer({
      scheduler: ctx.get<Scheduler>(TOKENS.Scheduler),
      election: ctx.get<LeaderElection>(TOKENS.LeaderElection),
      tasks: useTasks ? ctx.get<TaskManager>(TOKENS.TaskManager) : undefined,
      resources: ctx.get<ResourceManager>(TOKENS.ResourceManager),
      metrics: ctx.get<FrameworkMetrics>(TOKENS.Metrics),
      logger: ctx.get<Logger>(TOKENS.Logger).child('server'),
    }, serverOptions)).inSingletonScope();
  }
  for (const override of options.overrides ?? []) applyOverride(container, override);
  // Secrets given in configuration never reach a log line.
  const logger = container.get<Logger>(TOKENS.Logger);
  if (isSecretAware(logger)) logger.addSecrets(...configuredSecrets(options));

  const controllers = [...(useTasks ? [DefaultTaskController] : []), ...(options.controllers ?? [])];
  for (const cls of controllers) {
    if (!MetadataAccessor.controller(cls)) {
      throw new ConfigurationError(BootstrapErrorCodes.NOT_A_CONTROLLER, `${cls.name} is listed in controllers but has no @EventController() decorator; add it`);
    }
    if (!container.isBound(cls)) container.bind(cls).toSelf().inSingletonScope();
  }
  const extra = container.isBound(TOKENS.Controller) ? container.getAll<object>(TOKENS.Controller) : [];
  const dispatcher = container.get<EventDispatcher>(TOKENS.EventDispatcher);
  dispatcher.register([...controllers.map((c) => container.get<object>(c)), ...extra]);
  const scheduler = container.get<Scheduler>(TOKENS.Scheduler);
  const server = container.isBound(TOKENS.Server) ? container.get<FrameworkServer>(TOKENS.Server) : undefined;
  let detach: (() => void) | undefined;
  let unsubscribeId: (() => void) | undefined;
  let unsubscribeLeader: (() => void) | undefined;

  const handle: FrameworkHandle = {
    container,
    ready: Promise.resolve(),
    get state() {
      return scheduler.state;
    },
    get frameworkId() {
      return scheduler.frameworkId;
    },
    get serverUrl() {
      return server?.url;
    },
    async start() {
      const election = container.get<LeaderElection>(TOKENS.LeaderElection);
      const metrics = container.get<FrameworkMetrics>(TOKENS.Metrics);
      metrics.attach({ scheduler, election, resources: container.get<ResourceManager>(TOKENS.ResourceManager), ...(useTasks ? { tasks: container.get<TaskManager>(TOKENS.TaskManager) } : {}) });
      // The server runs on standbys too: their /health says not-ready (not leading).
      if (server && !server.url) logger.info(`framework API listening on ${await server.listen()}`);
      await election.campaign();
      scheduler.setCallGuard(() => election.assertLeader());
      unsubscribeLeader ??= election.onChange((leading) => {
        if (leading) return;
        // Fenced already (calls throw ERR_NOT_LEADER); tell the controllers and stop the subscription.
        void dispatcher.lifecycle({ type: 'lost_leadership' });
        void scheduler.stop();
      });
      if (useTasks) {
        // Stored tasks first (a restart), then the given definitions: nothing launches before SUBSCRIBE and reconciliation.
        const tasks = container.get<TaskManager>(TOKENS.TaskManager);
        await tasks.load();
        if (options.tasks !== undefined) await tasks.submit(options.tasks);
      }
      // The framework id is kept in storage: a restarted framework fails over to itself.
      const storage = container.get<Storage>(TOKENS.Storage);
      const stored = await storage.get(FRAMEWORK_ID_KEY);
      if (stored && !options.framework.id) scheduler.resumeFramework(fromBytes<{ id: string }>(stored, FRAMEWORK_ID_KEY).id);
      // Kept trying while storage is down: the id must survive a restart, or the tasks would be orphaned.
      const saveFrameworkId = async (id: string, attempt = 0): Promise<void> => {
        try {
          await storage.put(FRAMEWORK_ID_KEY, toBytes({ id, failoverTimeout: frameworkInfo.failover_timeout, savedAt: Date.now() }));
        } catch (err) {
          logger.warn(`could not store the framework id ${id} (attempt ${attempt + 1}), retrying: ${(err as Error).message}`);
          if (unsubscribeId) setTimeout(() => void saveFrameworkId(id, attempt + 1), Math.min(10_000, 250 * 2 ** attempt)).unref();
        }
      };
      unsubscribeId ??= scheduler.onLifecycle((e) => {
        if (e.type === 'connected' && !e.resubscribed) void saveFrameworkId(e.frameworkId);
      });
      detach ??= dispatcher.attach();
      await dispatcher.lifecycle({ type: 'elected' });
      await scheduler.start();
    },
    async stop(stopOptions = {}) {
      // Let the event in flight (and its acknowledgement) finish, then stop the subscription.
      await dispatcher.drain();
      await scheduler.stop(stopOptions);
      if (stopOptions.teardown) await container.get<Storage>(TOKENS.Storage).delete(FRAMEWORK_ID_KEY);
      unsubscribeId?.();
      unsubscribeId = undefined;
      unsubscribeLeader?.();
      unsubscribeLeader = undefined;
      await container.get<LeaderElection>(TOKENS.LeaderElection).close();
      container.get<FrameworkMetrics>(TOKENS.Metrics).detach();
      await server?.close();
      if (useTasks) container.get<DefaultTaskController>(DefaultTaskController).dispose();
      detach?.();
      detach = undefined;
    },
    get<T>(token: ServiceIdentifier<T>): T {
      return container.get<T>(token);
    },
  };
  return handle;
}

/** The secrets in the options (auth, server token, etcd password), and the basic-auth header forms of them. */
function configuredSecrets(options: FrameworkOptions): string[] {
  const out: string[] = [];
  const auth = options.auth;
  if (auth?.type === 'basic') out.push(auth.secret, Buffer.from(`${auth.principal}:${auth.secret}`).toString('base64'));
  if (auth?.type === 'bearer') out.push(auth.token);
  if (options.server && options.server !== true && options.server.token) out.push(options.server.token);
  const etcdAuth = options.ha?.client?.auth;
  if (etcdAuth?.password) out.push(etcdAuth.password);
  return out;
}

