import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { MesosSdkError, SubscriptionError } from '../errors/index.js';
import type { SchedulerEvent } from './scheduler-event.js';
export type { SchedulerEvent, SchedulerEventType, SchedulerEventFields, UnknownSchedulerEvent, EventOfType } from './scheduler-event.js';

/** Where the subscription stands. */
export type SubscriptionState = 'disconnected' | 'subscribing' | 'subscribed' | 'stopped';

/** What happens to the subscription, for SDK lifecycle handlers. */
export type LifecycleEvent =
  | {
      /** SUBSCRIBED arrived: the scheduler is subscribed. */
      type: 'connected';
      /** Framework id the master assigned (or kept, on re-subscription). */
      frameworkId: string;
      /** `Mesos-Stream-Id` of the new stream; every call carries it. */
      streamId: string;
      /** True when this was a re-subscription (after a reconnect or failover). */
      resubscribed: boolean;
    }
  | {
      /** The subscription was lost (stream ended, heartbeat missed, master gone); the scheduler reconnects with backoff. */
      type: 'disconnected';
      /** Why, when known. */
      error?: MesosSdkError;
    }
  | {
      /** The event handler threw or rejected; the subscription goes on. */
      type: 'handler_error';
      /** What it threw. */
      error: unknown;
      /** The event it was handling. */
      event: scheduler.Event;
    }
  | {
      /** The master sent an ERROR event. Failed over, removed, or refused before SUBSCRIBED: the scheduler stops; otherwise the subscription goes on. */
      type: 'error_event';
      /** The ERROR as an error (`ERR_FRAMEWORK_FAILED_OVER`, `ERR_FRAMEWORK_REMOVED`, `ERR_SUBSCRIPTION_REFUSED` or `ERR_MESOS_ERROR_EVENT`), with the master's message. */
      error: SubscriptionError;
    }
  | {
      /** The scheduler stopped, by `stop()` or for good after an error. */
      type: 'stopped';
      /** The error that stopped it, if it was not `stop()`. */
      error?: MesosSdkError;
    };

/** Watches the scheduler's traffic without taking part in it (metrics, tracing). Exceptions it throws are ignored. */
export interface SchedulerObserver {
  /** After every call: its type, how long it took, and the error when it failed. */
  onCall?(type: scheduler.Call['type'], seconds: number, error: unknown, call: scheduler.Call): void;
  /** Before every event reaches the handler. */
  onEvent?(event: scheduler.Event): void;
}

/**
 * Receives every event; the next event is read only after the returned promise settles. Events
 * come as decoded from the wire; `isSchedulerEvent(event, 'OFFERS')` narrows one to the typed
 * `SchedulerEvent<'OFFERS'>`.
 */
export type EventHandler = (event: scheduler.Event) => Promise<void>;

/** A handler of the typed {@link SchedulerEvent} union (what `Scheduler.setEventHandler` is to take once `MesosScheduler` hands its events over as `SchedulerEvent`). */
export type SchedulerEventHandler = (event: SchedulerEvent) => Promise<void>;

/**
 * Every call a scheduler makes, plus the subscription that carries the events.
 * Calls made while not subscribed reject at once with `NotSubscribedError` (`ERR_NOT_SUBSCRIBED`).
 */
export interface Scheduler {
  /** Where the subscription stands now. */
  readonly state: SubscriptionState;
  /** The framework id, once a SUBSCRIBED arrived (or given to `resumeFramework`). */
  readonly frameworkId: string | undefined;
  /** `Mesos-Stream-Id` of the current subscription; undefined while not subscribed. */
  readonly streamId: string | undefined;
  /** Events are delivered strictly one at a time: the next one is read only after the returned promise settles. */
  setEventHandler(handler: SchedulerEventHandler): void;
  /** Listens to lifecycle changes; returns a function that removes the listener. */
  onLifecycle(listener: (e: LifecycleEvent) => void): () => void;
  /** Adds an observer of calls and events; returns a function that removes it. */
  observe(observer: SchedulerObserver): () => void;
  /** Fencing: `guard` runs before every call and throws to stop it (e.g. leadership lost). */
  setCallGuard(guard: () => void): void;
  /** Before `start()`: subscribe as this existing framework (failover after a restart). */
  resumeFramework(frameworkId: string): void;
  /** Subscribes; resolves at the first SUBSCRIBED; afterwards keeps the subscription alive (reconnect, failover). */
  start(): Promise<void>;
  /** Stops. With `teardown: true` sends TEARDOWN first (framework removed); otherwise it stays registered for failover. */
  stop(options?: { teardown?: boolean }): Promise<void>;

  /** ACCEPT: applies `operations` (LAUNCH, LAUNCH_GROUP, RESERVE, CREATE...) to offers of one agent; unused resources are declined with `filters`. */
  accept(offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters?: v1.Filters): Promise<void>;
  /** DECLINE: gives the offers back; `filters.refuse_seconds` (Mesos default 5) keeps them away that long. */
  decline(offerIds: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  /** ACCEPT_INVERSE_OFFERS: agrees to free the agents of these inverse offers for maintenance. */
  acceptInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  /** DECLINE_INVERSE_OFFERS: refuses to free the agents of these inverse offers. */
  declineInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  /** Removes decline filters and resumes offers, for the given roles or all roles. */
  revive(roles?: string[]): Promise<void>;
  /** Stops offers for the given roles or all roles. */
  suppress(roles?: string[]): Promise<void>;
  /** KILL: asks the agent to kill the task (with `killPolicy` overriding the task's); the outcome arrives as an UPDATE. */
  kill(taskId: v1.TaskID, agentId?: v1.AgentID, killPolicy?: v1.KillPolicy): Promise<void>;
  /** SHUTDOWN: stops a custom executor and its tasks. */
  shutdown(executorId: v1.ExecutorID, agentId: v1.AgentID): Promise<void>;
  /** ACKNOWLEDGE: confirms a status update that carried a `uuid`; the agent resends it until then. */
  acknowledge(agentId: v1.AgentID, taskId: v1.TaskID, uuid: Uint8Array): Promise<void>;
  /** ACKNOWLEDGE_OPERATION_STATUS: confirms an operation status update that carried a `uuid`. */
  acknowledgeOperationStatus(args: scheduler.Call.AcknowledgeOperationStatus): Promise<void>;
  /** Explicit reconciliation for the given tasks; none (or []) asks for implicit reconciliation. */
  reconcile(tasks?: scheduler.Call.Reconcile.Task[]): Promise<void>;
  /** RECONCILE_OPERATIONS: asks for the status of these operations (none: all known); answers arrive as UPDATE_OPERATION_STATUS events. */
  reconcileOperations(operations?: scheduler.Call.ReconcileOperations.Operation[]): Promise<scheduler.Response.ReconcileOperations | undefined>;
  /** MESSAGE: sends opaque bytes to an executor (it gets a MESSAGE event). */
  message(agentId: v1.AgentID, executorId: v1.ExecutorID, data: Uint8Array): Promise<void>;
  /** REQUEST: asks the allocator for resources (ignored by Mesos's default allocator). */
  request(requests: v1.Request[]): Promise<void>;
  /** UPDATE_FRAMEWORK: changes the FrameworkInfo (name, roles, capabilities...), offer constraints and suppressed roles without re-subscribing. */
  updateFramework(frameworkInfo: v1.FrameworkInfo, offerConstraints?: scheduler.OfferConstraints, suppressedRoles?: string[]): Promise<void>;
  /** TEARDOWN: removes the framework from Mesos; its tasks are killed. `stop({ teardown: true })` does this and stops. */
  teardown(): Promise<void>;
}
