import { Container, type ContainerModule, type Newable, type ServiceIdentifier } from 'inversify';
import { TOKENS } from '../tokens.js';
import { loggingModule } from '../modules/logging.module.js';
import type { Logger } from '../logging/logger.js';
import { isSecretAware } from '../logging/secrets.js';
import { ConfigurationError } from '../errors/index.js';
import { MetadataAccessor } from '../decorators/metadata.js';
import { MesosExecutorClient, type ExecutorClientOptions, type ExecutorStatusUpdate } from '../executor/executor-client.js';
import { executorEnvironment, type ExecutorEnvironment } from '../executor/executor-env.js';
import { ExecutorDispatcher } from '../executor/executor-dispatcher.js';
import { applyOverride, BootstrapErrorCodes, type ProviderOverride } from './overrides.js';
import { Lifecycle } from './framework-lifecycle.js';

/** Options of {@link createExecutor}. */
export interface ExecutorOptions {
  /** Executor controller classes (`@EventController()` with `@OnLaunch`, `@OnKill`, ...). */
  controllers: Array<Newable<object>>;
  /** The environment the agent gave (default `process.env`), or a configuration already read. */
  env?: NodeJS.ProcessEnv | ExecutorEnvironment;
  /** Client options (encoding, frame size, timeouts). */
  client?: ExecutorClientOptions;
  /** Extra container modules, loaded after the defaults. */
  modules?: ContainerModule[];
  /** Providers to replace, applied after all modules. */
  overrides?: ProviderOverride[];
}

/** An executor built by {@link createExecutor}, ready to start. */
export interface ExecutorHandle {
  /** The inversify container holding the executor's providers (see `TOKENS`). */
  readonly container: Container;
  /** The V1 executor API client (`TOKENS.ExecutorClient`), the one the controllers inject. */
  readonly client: MesosExecutorClient;
  /**
   * Subscribes to the agent; resolves at SUBSCRIBED. Runs once: a second call returns the same
   * promise; after `stop()` it rejects with `ERR_EXECUTOR_STOPPED` (create a new executor instead).
   */
  start(): Promise<void>;
  /**
   * Closes the subscription (unacknowledged updates stay in memory). Idempotent: a second call
   * returns the same promise; a failure rejects with a {@link StopError} `ERR_STOP_FAILED`.
   */
  stop(): Promise<void>;
  /** Resolves when the executor ends cleanly (SHUTDOWN), rejects when it gives up on the agent. */
  readonly done: Promise<void>;
  /** Sends a status update (kept until acknowledged, resent on re-subscription). */
  update(status: ExecutorStatusUpdate): Promise<Uint8Array>;
  /** The provider bound to `token`: `executor.get(TOKENS.Logger)` is a `Logger`; a controller class gives its instance. */
  get<T>(token: ServiceIdentifier<T>): T;
}

/**
 * Builds an executor from controllers, on the same container and discovery machinery as the
 * scheduler side. Controllers inject `TOKENS.ExecutorClient` to send updates and messages, and
 * `TOKENS.Logger`.
 *
 * @example
 * ```ts
 * @EventController()
 * class Runner {
 *   constructor(@inject(TOKENS.ExecutorClient) private readonly exec: MesosExecutorClient) {}
 *   @OnLaunch() async launch(task: v1.TaskInfo) { await this.exec.update({ task_id: task.task_id, state: 'TASK_RUNNING' }); }
 * }
 * const executor = createExecutor({ controllers: [Runner] });
 * await executor.start();
 * await executor.done;
 * ```
 */
export function createExecutor(options: ExecutorOptions): ExecutorHandle {
  const env = isEnvironment(options.env) ? options.env : executorEnvironment(options.env ?? process.env);
  const container = new Container();
  container.load(loggingModule);
  container.bind(TOKENS.ExecutorEnvironment).toConstantValue(env);
  container.bind(TOKENS.ExecutorClient).toDynamicValue((ctx) => {
    const logger = ctx.get<Logger>(TOKENS.Logger).child('executor');
    return new MesosExecutorClient(ctx.get<ExecutorEnvironment>(TOKENS.ExecutorEnvironment), { logger, ...options.client });
  }).inSingletonScope();
  container.bind(TOKENS.ExecutorDispatcher).toDynamicValue((ctx) => new ExecutorDispatcher(ctx.get<Logger>(TOKENS.Logger).child('dispatcher'))).inSingletonScope();
  for (const m of options.modules ?? []) container.load(m);
  for (const o of options.overrides ?? []) applyOverride(container, o);
  const logger = container.get<Logger>(TOKENS.Logger);
  const secret = env.authenticationToken;
  if (secret && isSecretAware(logger)) logger.addSecrets(secret);

  for (const cls of options.controllers) {
    if (!MetadataAccessor.controller(cls)) {
      throw new ConfigurationError(BootstrapErrorCodes.NOT_A_CONTROLLER, `${cls.name} is listed in controllers but has no @EventController() decorator; add it`);
    }
    if (!container.isBound(cls)) container.bind(cls).toSelf().inSingletonScope();
  }
  const client = container.get<MesosExecutorClient>(TOKENS.ExecutorClient);
  const dispatcher = container.get<ExecutorDispatcher>(TOKENS.ExecutorDispatcher);
  dispatcher.register(options.controllers.map((c) => container.get<object>(c)));
  dispatcher.attach(client);
  // start() once (a second call gets the same promise), stop() once; start() after stop() is ERR_EXECUTOR_STOPPED.
  const lifecycle = new Lifecycle('executor', logger);
  lifecycle.onStop('executor client', () => client.stop());
  return {
    container,
    client,
    start: () => lifecycle.start(() => client.start()),
    stop: () => lifecycle.stop(),
    get done() {
      return client.done;
    },
    update: (status) => client.update(status),
    get: <T>(token: ServiceIdentifier<T>) => container.get<T>(token),
  };
}

function isEnvironment(value: unknown): value is ExecutorEnvironment {
  return typeof value === 'object' && value !== null && typeof (value as ExecutorEnvironment).agentUrl === 'string' && typeof (value as ExecutorEnvironment).executorId === 'string';
}
