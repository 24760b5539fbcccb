import { ContainerModule } from 'inversify';
import { TOKENS } from '../tokens.js';
import { MesosHttpClient } from '../client/http-client.js';
import type { MesosClientOptions } from '../client/client-options.js';
import { MesosScheduler, type SchedulerOptions } from '../scheduler/mesos-scheduler.js';
import type { Scheduler } from '../scheduler/scheduler.interface.js';
import { EventDispatcher, type DispatcherOptions } from '../discovery/event-dispatcher.js';
import { loggingModule } from './logging.module.js';
import type { Logger } from '../logging/logger.js';
import { ResourceManager } from '../resource-manager/resource-manager.js';
import { InMemoryStorage } from '../storage/in-memory.storage.js';
import type { Storage } from '../storage/storage.interface.js';
import { TaskManager } from '../task-manager/task-manager.js';
import type { TaskHistoryOptions } from '../task-manager/task-history.js';
import { AlwaysLeader } from '../ha/always-leader.js';

/**
 * `TOKENS.Client`: the axios HTTP client, built from `TOKENS.ClientOptions`. It writes to
 * `TOKENS.Logger.child('client')` (redirects, 503 retries) unless the options carry a logger.
 */
export const clientModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Client)
    .toDynamicValue((ctx) => {
      const options = ctx.get<MesosClientOptions>(TOKENS.ClientOptions);
      return new MesosHttpClient({ ...options, logger: options.logger ?? ctx.get<Logger>(TOKENS.Logger).child('client') });
    })
    .inSingletonScope();
});

/**
 * `TOKENS.Scheduler`: the subscription state machine and every call. It writes to
 * `TOKENS.Logger.child('scheduler')` (subscribing, lost, re-subscribed) unless the options carry a logger.
 */
export const schedulerModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Scheduler)
    .toDynamicValue((ctx) => {
      const options = ctx.get<SchedulerOptions>(TOKENS.SchedulerOptions);
      return new MesosScheduler(ctx.get<MesosHttpClient>(TOKENS.Client), { ...options, logger: options.logger ?? ctx.get<Logger>(TOKENS.Logger).child('scheduler') });
    })
    .inSingletonScope();
});

export { loggingModule };

/** `TOKENS.EventDispatcher`: routes events to the decorated controllers. */
export const dispatcherModule = new ContainerModule(({ bind, isBound }) => {
  if (!isBound(TOKENS.DispatcherOptions)) bind(TOKENS.DispatcherOptions).toConstantValue({});
  bind(TOKENS.EventDispatcher)
    .toDynamicValue((ctx) => {
      // Offers the dispatcher declines for a failed handler leave the resource manager's pool too.
      const resources = ctx.get<ResourceManager>(TOKENS.ResourceManager, { optional: true });
      return new EventDispatcher(
        ctx.get<Scheduler>(TOKENS.Scheduler),
        ctx.get<Logger>(TOKENS.Logger).child('dispatcher'),
        ctx.get<DispatcherOptions>(TOKENS.DispatcherOptions),
        resources ? { release: (ids) => void resources.pool.take(ids) } : undefined,
      );
    })
    .inSingletonScope();
});

/** `TOKENS.ResourceManager`: offer pool and placement. */
export const resourceManagerModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ResourceManager).to(ResourceManager).inSingletonScope();
});

/** `TOKENS.Storage`: in-memory storage (swap for the on-disk or etcd backends). */
export const storageModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Storage).to(InMemoryStorage).inSingletonScope();
});

/** `TOKENS.TaskManager`: task lifecycle on top of Storage and the scheduler, keeping the history the framework option `taskHistory` says. */
export const taskManagerModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.TaskManager)
    .toDynamicValue((ctx) => {
      const history = ctx.get<{ taskHistory?: TaskHistoryOptions }>(TOKENS.FrameworkOptions, { optional: true })?.taskHistory;
      return new TaskManager(ctx.get<Storage>(TOKENS.Storage), ctx.get<Scheduler>(TOKENS.Scheduler), Date.now, { logger: ctx.get<Logger>(TOKENS.Logger).child('tasks'), ...(history ? { history } : {}) });
    })
    .inSingletonScope();
});

/** `TOKENS.LeaderElection`: a single instance always leads (`ha` option or a rebind for etcd). */
export const haModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.LeaderElection).toConstantValue(new AlwaysLeader());
});

/** The modules `createFramework()` loads before the user's own. */
export const defaultModules = (): ContainerModule[] => [loggingModule, clientModule, schedulerModule, dispatcherModule, resourceManagerModule, storageModule, taskManagerModule, haModule];
