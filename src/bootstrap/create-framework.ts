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
import type { TaskHistoryOptions } from '../task-manager/task-history.js';
import type { Storage } from '../storage/storage.interface.js';
import type { Logger } from '../logging/logger.js';
import { EtcdStorage } from '../storage/etcd.storage.js';
import { EtcdLeaderElection } from '../ha/etcd-leader-election.js';
import { HaErrorCodes, type LeaderElection } from '../ha/leader-election.interface.js';
import { fromBytes, toBytes } from '../storage/storage-keys.js';
import { FrameworkMetrics, type FrameworkMetricsOptions } from '../server/framework-metrics.js';
import { FrameworkServer, type ServerOptions } from '../server/framework-server.js';
import type { ResourceManager } from '../resource-manager/resource-manager.js';
import { isSecretAware } from '../logging/index.js';
import { NotSubscribedError } from '../errors/families.js';
import { checkFrameworkOptions } from './check-framework-options.js';
import { Lifecycle, LifecycleErrorCodes } from './framework-lifecycle.js';
export { LifecycleError, LifecycleErrorCodes, StopError, type LifecyclePhase, type StopFailure } from './framework-lifecycle.js';

/** Storage key of the framework id (with its failover timeout). */
export const FRAMEWORK_ID_KEY = 'framework/id';

/** Options of {@link createFramework}. */
export interface FrameworkOptions {
  /** Master URL(s), e.g. `'http://127.0.0.1:5050'` or several for leader discovery. */
  master: string | string[];
  /** The framework to register; `user` defaults to the OS user, `failover_timeout` to one week. */
  framework: Partial<v1.FrameworkInfo> & {
    /** The framework's name as Mesos shows it; also the default HA election name (`ha.name`). */
    name: string;
  };
  /** Event controller classes (decorated with `@EventController()`). */
  controllers?: Array<Newable<object>>;
  /** Extra container modules, loaded after the defaults (bind or rebind tokens there). */
  modules?: ContainerModule[];
  /** Providers to replace, applied after all modules. */
  overrides?: ProviderOverride[];
  /** Wire encoding. @default 'protobuf' */
  encoding?: Encoding;
  /** Credentials sent to the master: HTTP Basic (`principal`, `secret`) or a bearer token. Never logged. */
  auth?: AuthOptions;
  /** TLS settings (CA, client certificate) for `https://` masters. */
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
   * The built-in task manager's launch window: the most tasks launched and not yet running at once
   * (`LAUNCHING`, `TASK_STAGING`, `TASK_STARTING`). More wait for offers until some start, so the
   * framework is never handed more updates at once than it can acknowledge before the agents resend
   * them. A positive integer, or `Infinity` for no bound. @default 2000 (see `DEFAULT_MAX_LAUNCHING_TASKS`)
   */
  maxLaunchingTasks?: number;
  /** How many ended attempts of the built-in task manager are kept (per slot, and for how long); older ones are pruned, their counts kept. Default: 5 per slot, one day. */
  taskHistory?: TaskHistoryOptions;
  /**
   * High availability on etcd: instances campaign for leadership and only the leader subscribes.
   * State goes to etcd too (`TOKENS.Storage`), so a standby that takes over resumes the same
   * framework and reconciles before launching anything. A leader's calls to Mesos and its storage
   * writes are fenced: once it has lost its lease it sends nothing, and etcd refuses its writes
   * even before it notices. It then stops and, by default, exits (see {@link HaOptions.onLostLeadership}):
   * run it under a supervisor that restarts it as a standby.
   */
  ha?: HaOptions;
  /**
   * Serve the framework's HTTP API, `/health`, `/metrics` and artifacts (`TOKENS.Server`) while it
   * runs; `true` for the defaults (loopback, a free port). The URL is `handle.serverUrl` after `start()`.
   */
  server?: ServerOptions | true;
  /** Prometheus metrics (`TOKENS.Metrics`), served at `/metrics` when the server runs. @default {} */
  metrics?: FrameworkMetricsOptions;
}

/** What a framework does once it has lost the leadership (see {@link HaOptions.onLostLeadership}). */
export type LostLeadershipPolicy = 'exit' | 'stop' | ((lost: LostLeadership) => void | Promise<void>);

/** Told to an `onLostLeadership` handler, after the framework has stopped. */
export interface LostLeadership {
  /** Why the leadership went, e.g. `lease not confirmed in time` or `etcd refused a storage write: ...`. */
  reason: string;
  /** The framework id the instance ran as, if it had subscribed. */
  frameworkId: string | undefined;
}

/** The `ha` option of {@link createFramework}: leader election and storage on etcd. */
export interface HaOptions {
  /** etcd endpoints, e.g. `['http://127.0.0.1:2379']`. */
  etcd: string[];
  /** Lease TTL of the leadership, in seconds: a leader that dies is replaced within about this long. @defaultValue 10 */
  ttlSeconds?: number;
  /**
   * Election name, the same for every instance of one framework; the etcd storage keys live
   * under `mesos-sdk/<name>/`. Defaults to `framework.name`.
   */
  name?: string;
  /**
   * Keep the framework's state (`TOKENS.Storage`) in etcd, so a new leader resumes it; its writes
   * are fenced by the election (`ERR_FENCED` once this instance no longer leads). @defaultValue true
   */
  useEtcdStorage?: boolean;
  /** Further `etcd3` client options (auth, TLS, timeouts), used by the election and the storage. */
  client?: EtcdLeaderElection['options']['client'];
  /**
   * What happens once this instance has lost the leadership (its lease expired, it was cut off
   * from etcd, or etcd refused one of its writes). In every case calls and writes are fenced at
   * once and the framework stops (as `stop()`, without teardown: the new leader carries on with
   * the same framework and tasks). Then:
   *
   * - `'exit'`: the process exits with {@link HaOptions.exitCode}, so its supervisor (systemd,
   *   Kubernetes, Marathon) starts it again, as a standby;
   * - `'stop'`: nothing more (the process lives on; create a new framework to campaign again);
   * - a function: called with the reason once stopped (to exit your own way, say).
   *
   * @defaultValue 'exit'
   */
  onLostLeadership?: LostLeadershipPolicy;
  /** Exit code of `onLostLeadership: 'exit'` (EX_TEMPFAIL: try again). @defaultValue 75 */
  exitCode?: number;
}

/** How long a framework that lost the leadership waits for its stop before it exits all the same. */
const LOST_LEADERSHIP_STOP_MS = 30_000;

/** A running (or ready to run) framework. */
export interface FrameworkHandle {
  /** The inversify container holding every provider (see `TOKENS`). */
  readonly container: Container;
  /** Resolves once the controllers are bound (before any SUBSCRIBE). */
  readonly ready: Promise<void>;
  /** Where the scheduler's subscription stands now (`Scheduler.state`). */
  readonly state: SubscriptionState;
  /** The framework id: set once Mesos assigned it at SUBSCRIBED, or resumed from storage or `framework.id` by `start()`. */
  readonly frameworkId: string | undefined;
  /** The server's base URL once `start()` has it listening (with the `server` option). */
  readonly serverUrl: string | undefined;
  /**
   * Starts the metrics and the server (with `server`), campaigns for leadership (with `ha`),
   * loads stored tasks, resumes the stored framework id, then subscribes; resolves at the first
   * SUBSCRIBED. Runs once: a second call returns the same promise; after `stop()` it rejects with
   * `ERR_FRAMEWORK_STOPPED` (create a new framework instead). A `start()` that fails undoes what
   * it had set up.
   */
  start(): Promise<void>;
  /**
   * Stops taking events, lets the handler in flight finish, then stops the scheduler; with
   * `teardown: true` and a live subscription, the framework is then removed from Mesos (TEARDOWN)
   * and its stored id deleted. Idempotent (a second call returns the same promise); undoes the start in reverse
   * order and closes the storage, also when the framework never started. Every step runs even
   * when one fails; then it rejects with a {@link StopError} `ERR_STOP_FAILED` listing the failed
   * steps.
   */
  stop(options?: {
    /** Remove the framework from Mesos (which kills its tasks) instead of leaving it to fail over within its `failover_timeout`. */
    teardown?: boolean;
  }): Promise<void>;
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
  // Everything is checked before anything is built, listens or connects (every problem at once).
  const inlineTasks = checkFrameworkOptions(options);
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
    const haElection = new EtcdLeaderElection({ hosts: options.ha.etcd, name, ttlSeconds: options.ha.ttlSeconds, client: options.ha.client });
    container.rebind(TOKENS.LeaderElection).toConstantValue(haElection);
    // Every write carries the leadership as a precondition that etcd checks (ERR_FENCED once lost).
    if (options.ha.useEtcdStorage ?? true) container.rebind(TOKENS.Storage).toConstantValue(new EtcdStorage({ hosts: options.ha.etcd, namespace: `mesos-sdk/${name}/`, client: options.ha.client, fence: haElection }));
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
  const storage = container.get<Storage>(TOKENS.Storage);
  const election = container.get<LeaderElection>(TOKENS.LeaderElection);
  const taskManager = useTasks ? container.get<TaskManager>(TOKENS.TaskManager) : undefined;
  const taskController = useTasks ? container.get<DefaultTaskController>(DefaultTaskController) : undefined;

  const lifecycle = new Lifecycle<{ teardown?: boolean }>('framework', logger);
  /** Calls let through after stop() began: only the TEARDOWN of a `stop({ teardown: true })`. */
  let callTickets = 0;
  let fenced = false;
  const fence = (): void => {
    if (!fenced) return;
    if (callTickets > 0) {
      callTickets--;
      return;
    }
    throw new NotSubscribedError(LifecycleErrorCodes.FRAMEWORK_STOPPED, 'the framework is stopping or stopped: no call is sent to the master after stop(); create a new framework with createFramework() to go on', { retryable: false });
  };
  scheduler.setCallGuard(fence);
  let idSave: Promise<void> = Promise.resolve();

  // Created with the framework, so released by stop() even when it never started (last, in reverse).
  lifecycle.onStop('storage', async () => {
    await taskManager?.settled();
    await idSave;
    await storage.close();
  });
  lifecycle.onStop('leader election', () => election.close());
  lifecycle.onStop('scheduler', (stopOptions) => stopScheduler(stopOptions ?? {}));

  /**
   * Stops taking events (handlers detached, the task controller's timers gone), lets the handler in
   * flight finish, then fences the scheduler: nothing but the TEARDOWN reaches the master from then
   * on, so no DECLINE or SUPPRESS follows a teardown (the master would answer 400).
   */
  async function stopScheduler(stopOptions: { teardown?: boolean }): Promise<void> {
    scheduler.setEventHandler(async () => {});
    detach?.();
    detach = undefined;
    taskController?.dispose();
    // Acknowledgements pending are sent first, for 5 s at most (a master that does not answer them must not hold up the stop).
    await dispatcher.flush(5000);
    // The task controller's DECLINEs are not awaited by its offer cycle: answered before the fence (and a TEARDOWN).
    await taskController?.settled();
    fenced = true;
    let teardownError: unknown;
    if (stopOptions.teardown) {
      if (scheduler.state === 'subscribed') {
        callTickets = 1;
        try {
          await scheduler.teardown();
          await storage.delete(FRAMEWORK_ID_KEY).catch((err: Error) => logger.warn(`the framework was torn down, but its id stays in storage: ${err.message}`));
        } catch (err) {
          teardownError = err;
        } finally {
          callTickets = 0;
        }
      } else if (scheduler.frameworkId) {
        // Never subscribed (or not now): nothing to tear down unless Mesos knows the framework.
        logger.warn(`stop({ teardown: true }) while ${scheduler.state}: framework ${scheduler.frameworkId} is not torn down (Mesos removes it after its failover_timeout)`);
      }
    }
    // Always stopped, even when the TEARDOWN failed: the subscription must not outlive stop().
    await scheduler.stop();
    if (teardownError) throw teardownError;
  }

  let detach: (() => void) | undefined;

  /** The leadership is lost: the framework stops (no teardown), then `ha.onLostLeadership` runs. */
  async function lostLeadership(ha: HaOptions): Promise<void> {
    const policy = ha.onLostLeadership ?? 'exit';
    const exitCode = ha.exitCode ?? 75;
    const reason = (election as { fencedReason?: string }).fencedReason ?? 'leadership lost';
    const frameworkId = scheduler.frameworkId;
    logger.error(`lost the leadership (${reason}): the framework stops${policy === 'exit' ? ` and the process exits with ${exitCode}, for its supervisor to start it again as a standby` : ''}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      handle.stop().catch((err: Error) => logger.error(`stopping after the lost leadership: ${err.message}`)),
      new Promise<void>((r) => (timer = setTimeout(() => {
        logger.error(`the framework did not stop within ${LOST_LEADERSHIP_STOP_MS} ms of losing the leadership`);
        r();
      }, LOST_LEADERSHIP_STOP_MS))),
    ]);
    clearTimeout(timer);
    if (policy === 'exit') process.exit(exitCode);
    if (typeof policy === 'function') {
      try {
        await policy({ reason, frameworkId });
      } catch (err) {
        logger.error(`the onLostLeadership handler failed: ${(err as Error)?.stack ?? String(err)}`);
      }
    }
  }

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
    start() {
      return lifecycle.start(async () => {
        const metrics = container.get<FrameworkMetrics>(TOKENS.Metrics);
        lifecycle.onStop('metrics', () => metrics.detach());
        metrics.attach({ scheduler, election, resources: container.get<ResourceManager>(TOKENS.ResourceManager), ...(taskManager ? { tasks: taskManager } : {}) });
        // The server runs on standbys too: their /health says not-ready (not leading).
        if (server) {
          lifecycle.onStop('server', () => server.close());
          logger.info(`framework API listening on ${await listen(server, options.server === true ? {} : options.server ?? {})}`);
        }
        lifecycle.checkpoint();
        lifecycle.onStop('leader election', () => election.close());
        await election.campaign();
        lifecycle.checkpoint();
        scheduler.setCallGuard(() => {
          fence();
          election.assertLeader();
        });
        lifecycle.onStop('leadership listener', election.onChange((leading) => {
          if (leading || lifecycle.closing) return;
          // Fenced already (calls throw ERR_NOT_LEADER, writes ERR_FENCED); tell the controllers and stop the subscription.
          void dispatcher.lifecycle({ type: 'lost_leadership' });
          void scheduler.stop();
          if (options.ha) void lostLeadership(options.ha);
        }));
        if (taskManager) {
          // Stored tasks first (a restart), then the given definitions: nothing launches before SUBSCRIBE and reconciliation.
          await taskManager.load();
          if (inlineTasks) await taskManager.submit(inlineTasks);
        }
        // The framework id is kept in storage: a restarted framework fails over to itself.
        const stored = await storage.get(FRAMEWORK_ID_KEY);
        lifecycle.checkpoint();
        if (stored && !options.framework.id) scheduler.resumeFramework(fromBytes<{ id: string }>(stored, FRAMEWORK_ID_KEY).id);
        let watching = true;
        // Kept trying while storage is down: the id must survive a restart, or the tasks would be orphaned.
        const saveFrameworkId = async (id: string, attempt = 0): Promise<void> => {
          try {
            await storage.put(FRAMEWORK_ID_KEY, toBytes({ id, failoverTimeout: frameworkInfo.failover_timeout, savedAt: Date.now() }));
          } catch (err) {
            // A fenced write will never succeed: this instance no longer leads (and is stopping).
            if (!watching || (err as { code?: string }).code === HaErrorCodes.FENCED) return;
            logger.warn(`could not store the framework id ${id} (attempt ${attempt + 1}), retrying: ${(err as Error).message}`);
            setTimeout(() => {
              if (watching) idSave = saveFrameworkId(id, attempt + 1);
            }, Math.min(10_000, 250 * 2 ** attempt)).unref();
          }
        };
        const unsubscribeId = scheduler.onLifecycle((e) => {
          if (e.type === 'connected' && !e.resubscribed) idSave = saveFrameworkId(e.frameworkId);
        });
        lifecycle.onStop('framework id listener', () => {
          watching = false;
          unsubscribeId();
        });
        detach = dispatcher.attach();
        await dispatcher.lifecycle({ type: 'elected' });
        lifecycle.checkpoint();
        lifecycle.onStop('scheduler', (stopOptions) => stopScheduler(stopOptions ?? {}));
        await scheduler.start();
      });
    },
    stop(stopOptions = {}) {
      return lifecycle.stop(stopOptions);
    },
    get<T>(token: ServiceIdentifier<T>): T {
      return container.get<T>(token);
    },
  };
  return handle;
}

/** Starts the API server; a taken port is a typed error saying which port and what to do. */
async function listen(server: FrameworkServer, options: ServerOptions): Promise<string> {
  try {
    return await server.listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const port = options.port ?? 0;
      throw new ConfigurationError(LifecycleErrorCodes.PORT_IN_USE, `port ${port} on ${options.host ?? '127.0.0.1'} is in use; pick another server.port (0 picks a free one)`, { cause: err, details: { port, host: options.host ?? '127.0.0.1' } });
    }
    throw err;
  }
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

