import type { scheduler } from '../protocol/generated/index.js';
import type { Scheduler, LifecycleEvent } from '../scheduler/scheduler.interface.js';
import type { Logger } from '../logging/logger.js';
import { SubscriptionError } from '../errors/index.js';
import { HandlerTable } from './handler-table.js';
import type { ControllerEvent } from '../decorators/events.js';
import { withCorrelationId } from '../logging/correlation.js';

/** Built-in rules of the dispatcher; each can be turned off. */
export interface DispatcherOptions {
  /**
   * Acknowledge every status update that carries a uuid once all handlers ran. When a handler
   * failed with a retryable error (storage unavailable, say) the update is left unacknowledged so
   * the agent resends it later; after any other failure it is acknowledged all the same, so that a
   * bug in a handler cannot make Mesos resend an update forever. @default true
   */
  autoAcknowledge?: boolean;
  /** Deliver Mesos ERROR events to `@OnError` as `SubscriptionError` (`ERR_MESOS_ERROR_EVENT`). @default true */
  errorEventsAsErrors?: boolean;
}

export { DispatcherErrorCodes } from './handler-table.js';

/**
 * Routes scheduler events and lifecycle changes to the decorated methods of the controllers.
 * Events are handled one at a time; every handler of an event runs, controllers in `order` then
 * registration order, methods in declaration order. A handler that throws is logged and reported to
 * `@OnError` handlers; the other handlers and the subscription go on.
 */
export class EventDispatcher {
  private readonly handlers: HandlerTable;
  private queue: Promise<void> = Promise.resolve();
  private readonly autoAck: boolean;
  private readonly errorsAsErrors: boolean;
  private connectedOnce = false;
  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.handlers = new HandlerTable(logger, 'ERROR');
    this.autoAck = options.autoAcknowledge ?? true;
    this.errorsAsErrors = options.errorEventsAsErrors ?? true;
  }

  /** Binds the handlers of controller instances (call before the scheduler starts). */
  register(instances: object[]): void {
    this.handlers.register(instances);
  }

  /** How many handlers listen to an event. */
  handlerCount(event: ControllerEvent): number {
    return this.handlers.count(event);
  }

  private eventSeq = 0;

  /** Handler failures, counted (for metrics and tests). */
  get failures(): number {
    return this.handlers.failures;
  }

  /** Installs itself on the scheduler: events and lifecycle changes flow in from now on. */
  attach(): () => void {
    this.scheduler.setEventHandler((event) => this.dispatch(event));
    return this.scheduler.onLifecycle((e) => void this.lifecycle(e));
  }

  /**
   * Handles one Mesos event; resolves when every handler (and the acknowledgement) is done. Log
   * lines written while it is handled carry the correlation id `<type>-<n>` (e.g. `update-42`).
   */
  dispatch(event: scheduler.Event): Promise<void> {
    const id = `${String(event.type).toLowerCase()}-${++this.eventSeq}`;
    return this.enqueue(() => withCorrelationId(id, () => this.handle(event)));
  }

  /** Handles an SDK lifecycle change, in order with the events. */
  lifecycle(e: LifecycleEvent | { type: 'elected' } | { type: 'lost_leadership' }): Promise<void> {
    return this.enqueue(async () => {
      switch (e.type) {
        case 'connected': {
          const event: ControllerEvent = this.connectedOnce ? 'RECONNECTED' : 'CONNECTED';
          this.connectedOnce = true;
          return this.handlers.run(event, [{ frameworkId: e.frameworkId, streamId: e.streamId }]);
        }
        case 'disconnected':
          return this.handlers.run('DISCONNECTED', [e.error]);
        case 'elected':
          return this.handlers.run('ELECTED', []);
        case 'lost_leadership':
          return this.handlers.run('LOST_LEADERSHIP', []);
        default:
          return;
      }
    });
  }

  /** Waits until everything queued so far was handled. */
  drain(): Promise<void> {
    return this.queue;
  }

  private enqueue(work: () => Promise<unknown>): Promise<void> {
    const next = this.queue.then(work, work).then(() => undefined);
    this.queue = next.catch(() => {});
    return next;
  }

  private async handle(event: scheduler.Event): Promise<unknown> {
    switch (event.type) {
      case 'SUBSCRIBED':
        return this.handlers.run('SUBSCRIBED', [event.subscribed, event]);
      case 'OFFERS': {
        const offers = event.offers?.offers ?? [];
        await this.handlers.run('OFFERS', [offers, event]);
        for (const offer of offers) await this.handlers.run('OFFER', [offer, event]);
        return;
      }
      case 'INVERSE_OFFERS':
        return this.handlers.run('INVERSE_OFFERS', [event.inverse_offers?.inverse_offers ?? [], event]);
      case 'RESCIND':
        return this.handlers.run('RESCIND', [event.rescind?.offer_id, event]);
      case 'RESCIND_INVERSE_OFFER':
        return this.handlers.run('RESCIND_INVERSE_OFFER', [event.rescind_inverse_offer?.inverse_offer_id, event]);
      case 'UPDATE': {
        const status = event.update!.status;
        const retryableFailure = await this.handlers.run('UPDATE', [status, event]);
        if (retryableFailure) {
          this.logger.warn(`the ${status.state} update of ${status.task_id.value} is left unacknowledged (a handler failed with a retryable error); the agent will resend it`);
        } else if (this.autoAck && status.uuid && status.uuid.length > 0 && status.agent_id) {
          try {
            await this.scheduler.acknowledge(status.agent_id, status.task_id, status.uuid);
          } catch (err) {
            // Not fatal: the agent resends unacknowledged updates, so the update is not lost.
            this.logger.warn(`could not acknowledge the ${status.state} update of ${status.task_id.value}; the agent will resend it: ${(err as Error).message}`);
          }
        }
        return;
      }
      case 'UPDATE_OPERATION_STATUS':
        return this.handlers.run('UPDATE_OPERATION_STATUS', [event.update_operation_status?.status, event]);
      case 'MESSAGE':
        return this.handlers.run('MESSAGE', [event.message, event]);
      case 'FAILURE':
        return this.handlers.run('FAILURE', [event.failure, event]);
      case 'ERROR': {
        const message = event.error?.message ?? '';
        this.logger.error(`master sent ERROR: ${message}`);
        if (!this.errorsAsErrors) return this.handlers.run('ERROR', [event.error, event]);
        return this.handlers.run('ERROR', [new SubscriptionError('ERR_MESOS_ERROR_EVENT', `master sent ERROR: ${message}`), event]);
      }
      case 'HEARTBEAT':
        return this.handlers.run('HEARTBEAT', [event]);
      default:
        this.logger.debug(`event of unknown type ${String(event.type)} ignored`);
    }
  }
}
