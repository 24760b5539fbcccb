import type { scheduler, v1 } from '../protocol/generated/index.js';
import type { MesosSdkError, SubscriptionError } from '../errors/index.js';
import type { SchedulerEvent } from './scheduler-event.js';
export type { SchedulerEvent, SchedulerEventType, SchedulerEventFields, UnknownSchedulerEvent, EventOfType } from './scheduler-event.js';

/** Where the subscription stands. */
export type SubscriptionState = 'disconnected' | 'subscribing' | 'subscribed' | 'stopped';

/** What happens to the subscription, for SDK lifecycle handlers. */
export type LifecycleEvent =
  | { type: 'connected'; frameworkId: string; streamId: string; resubscribed: boolean }
  | { type: 'disconnected'; error?: MesosSdkError }
  | { type: 'handler_error'; error: unknown; event: scheduler.Event }
  | { type: 'error_event'; error: SubscriptionError }
  | { type: 'stopped'; error?: MesosSdkError };

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
  readonly state: SubscriptionState;
  readonly frameworkId: string | undefined;
  readonly streamId: string | undefined;
  /** Events are delivered strictly one at a time: the next one is read only after the returned promise settles. */
  setEventHandler(handler: EventHandler): void;
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

  accept(offerIds: v1.OfferID[], operations: v1.Offer.Operation[], filters?: v1.Filters): Promise<void>;
  decline(offerIds: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  acceptInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  declineInverseOffers(ids: v1.OfferID[], filters?: v1.Filters): Promise<void>;
  /** Removes decline filters and resumes offers, for the given roles or all roles. */
  revive(roles?: string[]): Promise<void>;
  /** Stops offers for the given roles or all roles. */
  suppress(roles?: string[]): Promise<void>;
  kill(taskId: v1.TaskID, agentId?: v1.AgentID, killPolicy?: v1.KillPolicy): Promise<void>;
  shutdown(executorId: v1.ExecutorID, agentId: v1.AgentID): Promise<void>;
  acknowledge(agentId: v1.AgentID, taskId: v1.TaskID, uuid: Uint8Array): Promise<void>;
  acknowledgeOperationStatus(args: scheduler.Call.AcknowledgeOperationStatus): Promise<void>;
  /** Explicit reconciliation for the given tasks; none (or []) asks for implicit reconciliation. */
  reconcile(tasks?: scheduler.Call.Reconcile.Task[]): Promise<void>;
  reconcileOperations(operations?: scheduler.Call.ReconcileOperations.Operation[]): Promise<scheduler.Response.ReconcileOperations | undefined>;
  message(agentId: v1.AgentID, executorId: v1.ExecutorID, data: Uint8Array): Promise<void>;
  request(requests: v1.Request[]): Promise<void>;
  updateFramework(frameworkInfo: v1.FrameworkInfo, offerConstraints?: scheduler.OfferConstraints, suppressedRoles?: string[]): Promise<void>;
  teardown(): Promise<void>;
}
