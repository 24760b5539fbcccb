import type { executor } from '../protocol/generated/index.js';
import type { Logger } from '../logging/logger.js';
import { withCorrelationId } from '../logging/correlation.js';
import { SubscriptionError } from '../errors/index.js';
import { HandlerTable } from '../discovery/handler-table.js';
import type { MesosExecutorClient } from './executor-client.js';

/**
 * Delivers executor events to the decorated methods of executor controllers, with the same
 * discovery and error policy as the scheduler side (`HandlerTable`): every handler of an event
 * runs, one that throws is logged and reported to the `@OnError` handlers, and the others go on.
 *
 * | event | decorator | arguments |
 * |---|---|---|
 * | SUBSCRIBED | `@OnSubscribed` | `(subscribed, event)` |
 * | LAUNCH | `@OnLaunch` | `(task: v1.TaskInfo, event)` |
 * | LAUNCH_GROUP | `@OnLaunchGroup` | `(group: v1.TaskGroupInfo, event)` |
 * | KILL | `@OnKill` | `(taskId, killPolicy, event)` |
 * | ACKNOWLEDGED | `@OnAcknowledged` | `(taskId, uuid, event)` |
 * | MESSAGE | `@OnMessage` | `(data: Uint8Array, event)` |
 * | ERROR | `@OnError` | `(error: SubscriptionError, event)` |
 * | SHUTDOWN | `@OnShutdown` | `(event)` |
 * | HEARTBEAT | `@OnHeartbeat` | `(event)` |
 *
 * Events are delivered one at a time: a LAUNCH handler should start the task and return, not wait
 * for it to end.
 */
export class ExecutorDispatcher {
  private readonly handlers: HandlerTable;
  private seq = 0;

  constructor(logger: Logger) {
    this.handlers = new HandlerTable(logger, 'ERROR');
  }

  /** Binds the handlers of controller instances. */
  register(instances: object[]): void {
    this.handlers.register(instances);
  }

  /** Handler failures, counted. */
  get failures(): number {
    return this.handlers.failures;
  }

  /** Installs itself as the client's event handler. */
  attach(client: MesosExecutorClient): void {
    client.onEvent(async (event) => {
      await this.dispatch(event);
    });
  }

  /** Handles one executor event; resolves when every handler is done. */
  dispatch(event: executor.Event): Promise<unknown> {
    return withCorrelationId(`${String(event.type).toLowerCase()}-${++this.seq}`, () => this.handle(event));
  }

  private handle(event: executor.Event): Promise<unknown> {
    switch (event.type) {
      case 'SUBSCRIBED':
        return this.handlers.run('SUBSCRIBED', [event.subscribed, event]);
      case 'LAUNCH':
        return this.handlers.run('LAUNCH', [event.launch?.task, event]);
      case 'LAUNCH_GROUP':
        return this.handlers.run('LAUNCH_GROUP', [event.launch_group?.task_group, event]);
      case 'KILL':
        return this.handlers.run('KILL', [event.kill?.task_id, event.kill?.kill_policy, event]);
      case 'ACKNOWLEDGED':
        return this.handlers.run('ACKNOWLEDGED', [event.acknowledged?.task_id, event.acknowledged?.uuid, event]);
      case 'MESSAGE':
        return this.handlers.run('MESSAGE', [event.message?.data, event]);
      case 'ERROR':
        return this.handlers.run('ERROR', [new SubscriptionError('ERR_AGENT_ERROR_EVENT', `agent sent ERROR: ${event.error?.message ?? ''}`), event]);
      case 'SHUTDOWN':
        return this.handlers.run('SHUTDOWN', [event]);
      case 'HEARTBEAT':
        return this.handlers.run('HEARTBEAT', [event]);
      default:
        return Promise.resolve();
    }
  }
}
