import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { Scheduler, LifecycleEvent } from '../scheduler/scheduler.interface.js';
import type { Logger } from '../logging/logger.js';
import { SubscriptionError } from '../errors/index.js';
import { HandlerTable } from './handler-table.js';
import type { ControllerEvent } from '../decorators/events.js';
import { currentCorrelationId, withCorrelationId } from '../logging/correlation.js';
import { ValidationError } from '../errors/families.js';
import { CallPipeline } from './call-pipeline.js';
import { DispatcherErrorCodes } from './handler-table.js';

/** Default of {@link DispatcherOptions.ackConcurrency}. */
export const DEFAULT_ACK_CONCURRENCY = 32;
/**
 * Acknowledgements pending (in flight or waiting for a slot) above which the event queue waits
 * before handling the next event: a master slower to take ACKNOWLEDGEs than the handlers are to
 * run cannot make them pile up without bound (the reader's queue then fills, and TCP backpressure
 * reaches the master).
 */
export const MAX_PENDING_ACKS = 1024;

/** Built-in rules of the dispatcher; each can be turned off. */
export interface DispatcherOptions {
  /**
   * Acknowledge every status update that carries a uuid once all handlers ran. When a handler
   * failed with a retryable error (storage unavailable, say) the update is left unacknowledged so
   * the agent resends it later; so is an update whose handler's storage write was fenced off
   * (`ERR_FENCED` anywhere in the cause chain: this instance no longer leads, and the next leader
   * gets it resent). After any other failure it is acknowledged all the same, so that a
   * bug in a handler cannot make Mesos resend an update forever. @default true
   */
  autoAcknowledge?: boolean;
  /**
   * How many ACKNOWLEDGE calls may be in flight at once. An update's ACKNOWLEDGE is handed to a
   * background sender once every handler of the update ran (and so after whatever they persist,
   * as they await their writes); the next event is handled meanwhile. Acknowledgements of one task
   * go out in the order its updates were handled, each after the previous one settled. A failed
   * ACKNOWLEDGE is logged and not retried: the agent resends an unacknowledged update, so nothing
   * is lost. When 1,024 are pending, the next event waits for one of them to settle.
   * An integer from 1 to 1024. @defaultValue 32
   */
  ackConcurrency?: number;
  /**
   * Send each ACKNOWLEDGE inside the event queue and wait for the master's answer before the next
   * event is handled (the behaviour before acknowledgements were pipelined: one HTTP round trip
   * per update). For comparisons and debugging. @defaultValue false
   */
  awaitAcknowledgements?: boolean;
  /** Deliver Mesos ERROR events to `@OnError` as `SubscriptionError` (`ERR_MESOS_ERROR_EVENT`). @default true */
  errorEventsAsErrors?: boolean;
  /**
   * When an `@OnOffers` handler throws, DECLINE the offers of that event that no handler accepted
   * or declined (for an `@OnOffer` handler: the offer it was given), once every handler of the
   * event ran, with this `refuse_seconds`: Mesos has no offer timeout by default, so offers kept
   * by a failed handler would be lost to every framework until the next re-subscription.
   * `false` leaves them held. @default { refuseSeconds: 5 }
   */
  declineOnHandlerFailure?:
    | false
    | {
        /** `refuse_seconds` of that DECLINE. @defaultValue 5 */
        refuseSeconds?: number;
      };
}

/** Where offers held outside the dispatcher are dropped when it declines them (the resource manager's pool). */
export interface OfferRelease {
  /** Forgets these offers: the dispatcher declined them. */
  release(offerIds: v1.OfferID[]): void;
}

export { DispatcherErrorCodes, isRetryableFailure } from './handler-table.js';

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
  private readonly declineRefuseSeconds: number | undefined;
  private readonly awaitAcks: boolean;
  /** ACKNOWLEDGEs (and the DECLINEs after a failed handler) sent in the background. */
  private readonly calls: CallPipeline;
  private droppedAcks = 0;
  private connectedOnce = false;
  /** Offer ids named by an ACCEPT or DECLINE that succeeded while the current OFFERS event is handled. */
  private spentOffers: Set<string> | undefined;
  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    options: DispatcherOptions = {},
    private readonly offerRelease?: OfferRelease,
  ) {
    this.handlers = new HandlerTable(logger, 'ERROR');
    this.autoAck = options.autoAcknowledge ?? true;
    this.errorsAsErrors = options.errorEventsAsErrors ?? true;
    this.declineRefuseSeconds = options.declineOnHandlerFailure === false ? undefined : (options.declineOnHandlerFailure?.refuseSeconds ?? 5);
    const concurrency = options.ackConcurrency ?? DEFAULT_ACK_CONCURRENCY;
    if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_PENDING_ACKS) {
      throw new ValidationError(
        DispatcherErrorCodes.OPTIONS_INVALID,
        `dispatcher.ackConcurrency must be an integer from 1 to ${MAX_PENDING_ACKS} (ACKNOWLEDGE calls in flight at once), not ${JSON.stringify(concurrency)}; leave it out for ${DEFAULT_ACK_CONCURRENCY}`,
        [{ path: 'dispatcher.ackConcurrency', message: `must be an integer from 1 to ${MAX_PENDING_ACKS}` }],
      );
    }
    this.awaitAcks = options.awaitAcknowledgements === true;
    // Each call catches and logs its own failure; this only sees a bug in that code.
    this.calls = new CallPipeline(concurrency, MAX_PENDING_ACKS, (err) => this.logger.error(`background call failed: ${(err as Error)?.message ?? String(err)}`));
  }

  /** Acknowledgements in flight or waiting for a slot (for metrics and tests). */
  get pendingAcknowledgements(): number {
    return this.calls.pending;
  }

  /**
   * Acknowledgements not sent: the subscription was over when their turn came, or {@link flush}
   * dropped them at stop (the agent resends those updates to the next subscription, where they are
   * handled and acknowledged again).
   */
  get droppedAcknowledgements(): number {
    return this.droppedAcks;
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
    // Schedulers written for tests may lack observe(): offers are then never counted as spent.
    const unobserve = typeof this.scheduler.observe !== 'function' ? () => {} : this.scheduler.observe({
      onCall: (type, _seconds, error, call) => {
        if (error !== undefined || !this.spentOffers) return;
        const ids = type === 'ACCEPT' ? call.accept?.offer_ids : type === 'DECLINE' ? call.decline?.offer_ids : undefined;
        for (const id of ids ?? []) this.spentOffers.add(id.value);
      },
    });
    const unlisten = this.scheduler.onLifecycle((e) => {
      // The queue may be waiting for room behind acknowledgements of the subscription that just
      // ended; the next subscription's events must not wait for those calls to time out.
      if (e.type === 'disconnected') this.calls.releaseRoom();
      void this.lifecycle(e);
    });
    return () => {
      unobserve();
      unlisten();
    };
  }

  /**
   * Handles one Mesos event; resolves when every handler is done (an UPDATE's acknowledgement is
   * then on its way, see `ackConcurrency`; {@link drain} waits for it). Log lines written while it
   * is handled carry the correlation id `<type>-<n>` (e.g. `update-42`).
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

  /**
   * Waits until everything queued so far was handled, and every acknowledgement (and DECLINE)
   * the built-in rules sent for it settled: answered by the master, failed (logged), or dropped
   * because the subscription ended.
   */
  async drain(): Promise<void> {
    await this.queue;
    await this.calls.idle();
  }

  /**
   * What `stop()` waits for: everything queued handled, then the acknowledgements (and DECLINEs)
   * pending, for `withinMs` at most. Those not started by then are dropped (counted in
   * {@link droppedAcknowledgements}): a master that does not answer must not hold up a stop for
   * 1,024 request timeouts, and the agent resends an unacknowledged update to the next subscription
   * (or leader). The ones in flight end with the scheduler's connections.
   * @returns how many were dropped.
   */
  async flush(withinMs: number): Promise<number> {
    // The deadline runs from now: the queue itself may be waiting for room behind calls in flight.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), withinMs)));
    const timedOut = await Promise.race([this.drain().then(() => false), deadline]);
    clearTimeout(timer);
    if (!timedOut) return 0;
    // Dropping the waiting calls makes room, so the queue finishes; what it submits then is dropped too.
    let dropped = this.calls.dropWaiting();
    await this.queue;
    dropped += this.calls.dropWaiting();
    if (dropped) this.logger.info(`${dropped} acknowledgement(s) not sent: the master did not take them within ${withinMs} ms of stop(); the agents resend those updates`);
    return dropped;
  }

  private enqueue(work: () => Promise<unknown>): Promise<void> {
    const next = this.queue.then(work, work).then(() => undefined);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Runs the OFFERS then the OFFER handlers; the offers a failed handler was given and nobody
   * accepted or declined are declined afterwards (see `declineOnHandlerFailure`).
   */
  private async handleOffers(event: scheduler.Event): Promise<void> {
    const offers = event.offers?.offers ?? [];
    const spent = (this.spentOffers = new Set<string>());
    const orphaned = new Map<string, v1.Offer>();
    try {
      let before = this.handlers.failures;
      await this.handlers.run('OFFERS', [offers, event]);
      if (this.handlers.failures > before) for (const o of offers) orphaned.set(o.id.value, o);
      for (const offer of offers) {
        before = this.handlers.failures;
        await this.handlers.run('OFFER', [offer, event]);
        if (this.handlers.failures > before) orphaned.set(offer.id.value, offer);
      }
    } finally {
      this.spentOffers = undefined;
    }
    if (this.declineRefuseSeconds === undefined) return;
    const ids = [...orphaned.values()].filter((o) => !spent.has(o.id.value)).map((o) => o.id);
    if (ids.length === 0) return;
    this.offerRelease?.release(ids);
    const filters = { refuse_seconds: this.declineRefuseSeconds };
    // In the background: nothing that follows depends on the answer (the offers are released already).
    this.calls.submit(`decline:${ids[0]!.value}`, () => this.declineOrphans(ids, filters));
  }

  /** DECLINE of the offers a failed handler held, tried up to 3 times while subscribed. */
  private async declineOrphans(ids: v1.OfferID[], filters: v1.Filters): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.scheduler.decline(ids, filters);
        this.logger.warn(`declined ${ids.length} offer(s) a failed handler held (${ids.map((i) => i.value).join(', ')}), refused for ${filters.refuse_seconds} s`);
        return;
      } catch (err) {
        if (attempt >= 3 || this.scheduler.state !== 'subscribed') {
          this.logger.warn(`could not decline ${ids.length} offer(s) a failed handler held (${ids.map((i) => i.value).join(', ')}); they stay outstanding until rescinded or the next re-subscription: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  /**
   * ACKNOWLEDGE of one update. Sent on the subscription current when its turn comes, even when the
   * update came on an earlier one: Mesos matches an acknowledgement to the agent's pending update
   * by task and uuid, not by stream (an agent resending the update to the new subscription stops
   * once it is acknowledged). When no subscription is up, it is dropped: it could not be sent, and
   * the agent resends the update to the next subscription.
   */
  private async acknowledge(status: v1.TaskStatus, correlationId?: string): Promise<void> {
    if (this.scheduler.state !== undefined && this.scheduler.state !== 'subscribed') return this.dropped(status, `the subscription ended (${this.scheduler.state})`);
    try {
      await this.scheduler.acknowledge(status.agent_id!, status.task_id, status.uuid!);
    } catch (err) {
      // Not fatal: the agent resends unacknowledged updates, so the update is not lost.
      const log = () => this.logger.warn(`could not acknowledge the ${status.state} update of ${status.task_id.value}; the agent will resend it: ${(err as Error).message}`);
      // With the correlation id of the update's event (a background call may start in another's).
      if (correlationId === undefined) log();
      else withCorrelationId(correlationId, log);
    }
  }

  private dropped(status: v1.TaskStatus, why: string): void {
    this.droppedAcks++;
    this.logger.debug(`the ${status.state} update of ${status.task_id.value} is not acknowledged: ${why}; the agent resends it`);
  }

  private async handle(event: scheduler.Event): Promise<unknown> {
    switch (event.type) {
      case 'SUBSCRIBED':
        return this.handlers.run('SUBSCRIBED', [event.subscribed, event]);
      case 'OFFERS':
        return this.handleOffers(event);
      case 'INVERSE_OFFERS':
        return this.handlers.run('INVERSE_OFFERS', [event.inverse_offers?.inverse_offers ?? [], event]);
      case 'RESCIND':
        return this.handlers.run('RESCIND', [event.rescind?.offer_id, event]);
      case 'RESCIND_INVERSE_OFFER':
        return this.handlers.run('RESCIND_INVERSE_OFFER', [event.rescind_inverse_offer?.inverse_offer_id, event]);
      case 'UPDATE': {
        const status = event.update!.status;
        const hold = await this.handlers.run('UPDATE', [status, event]);
        if (hold === 'fenced') {
          // Not saved, and not ours to acknowledge any more: the next leader gets the update resent.
          this.logger.warn(`the ${status.state} update of ${status.task_id.value} is left unacknowledged (a storage write was fenced off: this instance no longer leads); the agent resends it to the next leader`);
        } else if (hold === 'retryable') {
          this.logger.warn(`the ${status.state} update of ${status.task_id.value} is left unacknowledged (a handler failed with a retryable error); the agent will resend it`);
        } else if (this.autoAck && status.uuid && status.uuid.length > 0 && status.agent_id) {
          if (this.awaitAcks) return this.acknowledge(status);
          const cid = currentCorrelationId();
          this.calls.submit(status.task_id.value, () => this.acknowledge(status, cid), () => this.dropped(status, 'the framework is stopping'));
          // Too many pending: the queue waits for room (backpressure) rather than piling them up.
          return this.calls.room();
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
