import type { scheduler } from '../protocol/generated/index.js';
import type { Scheduler, LifecycleEvent } from '../scheduler/scheduler.interface.js';
import type { Logger } from '../logging/logger.js';
import { MesosSdkError, SubscriptionError } from '../errors/index.js';
import { MetadataAccessor } from '../decorators/metadata.js';
import type { ControllerEvent } from '../decorators/events.js';

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

export const DispatcherErrorCodes = {
  HANDLER_FAILED: 'ERR_HANDLER_FAILED',
  ACK_FAILED: 'ERR_ACK_FAILED',
} as const;

interface BoundHandler {
  controller: string;
  method: string;
  fn: (...args: unknown[]) => unknown;
}

/**
 * Routes scheduler events and lifecycle changes to the decorated methods of the controllers.
 * Events are handled one at a time; every handler of an event runs, controllers in `order` then
 * registration order, methods in declaration order. A handler that throws is logged and reported to
 * `@OnError` handlers; the other handlers and the subscription go on.
 */
export class EventDispatcher {
  private readonly table = new Map<ControllerEvent, BoundHandler[]>();
  private queue: Promise<void> = Promise.resolve();
  private readonly autoAck: boolean;
  private readonly errorsAsErrors: boolean;
  private connectedOnce = false;
  /** Handler failures, counted (for metrics and tests). */
  failures = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
  ) {
    this.autoAck = options.autoAcknowledge ?? true;
    this.errorsAsErrors = options.errorEventsAsErrors ?? true;
  }

  /** Binds the handlers of controller instances (call before the scheduler starts). */
  register(instances: object[]): void {
    const sorted = instances
      .map((instance, index) => ({ instance, index, order: MetadataAccessor.controller(instance.constructor)?.order ?? 0 }))
      .sort((a, b) => a.order - b.order || a.index - b.index);
    for (const { instance } of sorted) {
      for (const meta of MetadataAccessor.handlers(instance.constructor)) {
        const fn = (instance as Record<string | symbol, unknown>)[meta.method];
        if (typeof fn !== 'function') continue;
        const list = this.table.get(meta.event) ?? [];
        list.push({ controller: instance.constructor.name, method: String(meta.method), fn: (fn as (...a: unknown[]) => unknown).bind(instance) });
        this.table.set(meta.event, list);
      }
    }
  }

  /** How many handlers listen to an event. */
  handlerCount(event: ControllerEvent): number {
    return this.table.get(event)?.length ?? 0;
  }

  /** Installs itself on the scheduler: events and lifecycle changes flow in from now on. */
  attach(): () => void {
    this.scheduler.setEventHandler((event) => this.dispatch(event));
    return this.scheduler.onLifecycle((e) => void this.lifecycle(e));
  }

  /** Handles one Mesos event; resolves when every handler (and the acknowledgement) is done. */
  dispatch(event: scheduler.Event): Promise<void> {
    return this.enqueue(() => this.handle(event));
  }

  /** Handles an SDK lifecycle change, in order with the events. */
  lifecycle(e: LifecycleEvent | { type: 'elected' } | { type: 'lost_leadership' }): Promise<void> {
    return this.enqueue(async () => {
      switch (e.type) {
        case 'connected': {
          const event: ControllerEvent = this.connectedOnce ? 'RECONNECTED' : 'CONNECTED';
          this.connectedOnce = true;
          return this.run(event, [{ frameworkId: e.frameworkId, streamId: e.streamId }]);
        }
        case 'disconnected':
          return this.run('DISCONNECTED', [e.error]);
        case 'elected':
          return this.run('ELECTED', []);
        case 'lost_leadership':
          return this.run('LOST_LEADERSHIP', []);
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
        return this.run('SUBSCRIBED', [event.subscribed, event]);
      case 'OFFERS': {
        const offers = event.offers?.offers ?? [];
        await this.run('OFFERS', [offers, event]);
        for (const offer of offers) await this.run('OFFER', [offer, event]);
        return;
      }
      case 'INVERSE_OFFERS':
        return this.run('INVERSE_OFFERS', [event.inverse_offers?.inverse_offers ?? [], event]);
      case 'RESCIND':
        return this.run('RESCIND', [event.rescind?.offer_id, event]);
      case 'RESCIND_INVERSE_OFFER':
        return this.run('RESCIND_INVERSE_OFFER', [event.rescind_inverse_offer?.inverse_offer_id, event]);
      case 'UPDATE': {
        const status = event.update!.status;
        const retryableFailure = await this.run('UPDATE', [status, event]);
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
        return this.run('UPDATE_OPERATION_STATUS', [event.update_operation_status?.status, event]);
      case 'MESSAGE':
        return this.run('MESSAGE', [event.message, event]);
      case 'FAILURE':
        return this.run('FAILURE', [event.failure, event]);
      case 'ERROR': {
        const message = event.error?.message ?? '';
        this.logger.error(`master sent ERROR: ${message}`);
        if (!this.errorsAsErrors) return this.run('ERROR', [event.error, event]);
        return this.run('ERROR', [new SubscriptionError('ERR_MESOS_ERROR_EVENT', `master sent ERROR: ${message}`), event]);
      }
      case 'HEARTBEAT':
        return this.run('HEARTBEAT', [event]);
      default:
        this.logger.debug(`event of unknown type ${String(event.type)} ignored`);
    }
  }

  /** Runs every handler of an event; resolves true when one failed with a retryable error. */
  private async run(event: ControllerEvent, args: unknown[]): Promise<boolean> {
    let retryable = false;
    for (const h of this.table.get(event) ?? []) {
      try {
        await h.fn(...args);
      } catch (cause) {
        this.failures++;
        if (cause instanceof MesosSdkError && cause.retryable) retryable = true;
        const error = new MesosSdkError(DispatcherErrorCodes.HANDLER_FAILED, `${h.controller}.${h.method} failed on ${event}: ${(cause as Error)?.message ?? String(cause)}`, {
          cause,
          details: { controller: h.controller, method: h.method, event },
        });
        this.logger.error(error.message);
        if (event !== 'ERROR') await this.reportToErrorHandlers(error, args.at(-1));
      }
    }
    return retryable;
  }

  private async reportToErrorHandlers(error: MesosSdkError, event: unknown): Promise<void> {
    for (const h of this.table.get('ERROR') ?? []) {
      try {
        await h.fn(error, event);
      } catch (cause) {
        this.logger.error(`${h.controller}.${h.method} failed while handling an error: ${(cause as Error)?.message ?? String(cause)}`);
      }
    }
  }
}
