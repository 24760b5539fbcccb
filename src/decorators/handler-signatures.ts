import type { executor, scheduler, v1 } from '../protocol/generated/index.js';
import type { MesosSdkError } from '../errors/mesos-sdk.error.js';
import type { SchedulerEvent } from '../scheduler/scheduler-event.js';
import type { ExecutorEvent } from '../executor/executor-event.js';
import type { ControllerEvent } from './events.js';

/** What `@OnConnected` and `@OnReconnected` handlers receive. */
export interface ConnectionInfo {
  /** The framework id Mesos confirmed at SUBSCRIBED. */
  frameworkId: string;
  /** The `Mesos-Stream-Id` of this subscription, sent with every call on it. */
  streamId: string;
}

/**
 * The arguments each event's handlers receive, as the method type a decorator accepts. A handler
 * may declare fewer parameters, or wider ones (`unknown`, `any`), but not other ones: `@OnUpdate()
 * f(offers: v1.Offer[])` does not compile. Where the scheduler and the executor side both have an
 * event (SUBSCRIBED, MESSAGE, HEARTBEAT), either side's form is accepted.
 */
export interface HandlerSignatures {
  /** `@OnSubscribed()`: every SUBSCRIBED, the first and the later ones (scheduler), or the agent's SUBSCRIBED (executor). */
  SUBSCRIBED:
    | ((subscribed: scheduler.Event.Subscribed, event: SchedulerEvent<'SUBSCRIBED'>) => unknown)
    | ((subscribed: executor.Event.Subscribed, event: ExecutorEvent<'SUBSCRIBED'>) => unknown);
  /** `@OnOffers()`: the whole batch of an OFFERS event. */
  OFFERS: (offers: v1.Offer[], event: SchedulerEvent<'OFFERS'>) => unknown;
  /** `@OnOffer()`: each offer of an OFFERS batch, one call per offer, in order. */
  OFFER: (offer: v1.Offer, event: SchedulerEvent<'OFFERS'>) => unknown;
  /** `@OnInverseOffers()`: the batch of an INVERSE_OFFERS event (maintenance asking for resources back). */
  INVERSE_OFFERS: (inverseOffers: v1.InverseOffer[], event: SchedulerEvent<'INVERSE_OFFERS'>) => unknown;
  /** `@OnRescind()`: the id of an offer that is no longer valid. */
  RESCIND: (offerId: v1.OfferID, event: SchedulerEvent<'RESCIND'>) => unknown;
  /** `@OnRescindInverseOffer()`: the id of an inverse offer that is no longer valid. */
  RESCIND_INVERSE_OFFER: (inverseOfferId: v1.OfferID, event: SchedulerEvent<'RESCIND_INVERSE_OFFER'>) => unknown;
  /** `@OnUpdate()`: a task status update; acknowledged after every handler ran (when it has a uuid). */
  UPDATE: (status: v1.TaskStatus, event: SchedulerEvent<'UPDATE'>) => unknown;
  /** `@OnOperationUpdate()`: an offer operation's status update. */
  UPDATE_OPERATION_STATUS: (status: v1.OperationStatus, event: SchedulerEvent<'UPDATE_OPERATION_STATUS'>) => unknown;
  /** `@OnMessage()`: a framework message from an executor (scheduler), or the scheduler's data (executor). */
  MESSAGE:
    | ((message: scheduler.Event.Message, event: SchedulerEvent<'MESSAGE'>) => unknown)
    | ((data: Uint8Array, event: ExecutorEvent<'MESSAGE'>) => unknown);
  /** `@OnFailure()`: an agent or an executor failed. */
  FAILURE: (failure: scheduler.Event.Failure, event: SchedulerEvent<'FAILURE'>) => unknown;
  /**
   * A Mesos or agent ERROR event as a typed error (`ERR_MESOS_ERROR_EVENT`, `ERR_AGENT_ERROR_EVENT`;
   * with the dispatcher's `errorEventsAsErrors: false`, Mesos's `scheduler.Event.Error` as sent),
   * or a handler that failed (`ERR_HANDLER_FAILED`). The second argument is the failed
   * handler's last argument (usually its event) or the ERROR event, hence `unknown`.
   */
  ERROR: (error: MesosSdkError, context: unknown) => unknown;
  /** `@OnHeartbeat()`: the master's (or agent's) HEARTBEAT. */
  HEARTBEAT: ((event: SchedulerEvent<'HEARTBEAT'>) => unknown) | ((event: ExecutorEvent<'HEARTBEAT'>) => unknown);
  /** `@OnConnected()`: the first subscription of this framework instance. */
  CONNECTED: (connection: ConnectionInfo) => unknown;
  /** `@OnReconnected()`: every later subscription, after the SDK reconnected. */
  RECONNECTED: (connection: ConnectionInfo) => unknown;
  /** `@OnDisconnected()`: the subscription was lost (the error, when there was one); the SDK reconnects. */
  DISCONNECTED: (error: MesosSdkError | undefined) => unknown;
  /** `@OnElected()`: this instance became the leader (at once, without HA). */
  ELECTED: () => unknown;
  /** `@OnLostLeadership()`: this instance lost the leadership; calls are refused from then on. */
  LOST_LEADERSHIP: () => unknown;
  /** `@OnLaunch()` (executor): a task to run. */
  LAUNCH: (task: v1.TaskInfo, event: ExecutorEvent<'LAUNCH'>) => unknown;
  /** `@OnLaunchGroup()` (executor): a task group to run together. */
  LAUNCH_GROUP: (group: v1.TaskGroupInfo, event: ExecutorEvent<'LAUNCH_GROUP'>) => unknown;
  /** `@OnKill()` (executor): kill a task (with its kill policy, when it has one), then report TASK_KILLED. */
  KILL: (taskId: v1.TaskID, killPolicy: v1.KillPolicy | undefined, event: ExecutorEvent<'KILL'>) => unknown;
  /** `@OnAcknowledged()` (executor): the scheduler acknowledged the update with this uuid. */
  ACKNOWLEDGED: (taskId: v1.TaskID, uuid: Uint8Array, event: ExecutorEvent<'ACKNOWLEDGED'>) => unknown;
  /** `@OnShutdown()` (executor): stop every task and exit; the agent kills the executor after its grace period. */
  SHUTDOWN: (event: ExecutorEvent<'SHUTDOWN'>) => unknown;
}

/** The method type a handler of event `K` may have (and a compile-time check that every controller event has one). */
export type HandlerOf<K extends ControllerEvent> = HandlerSignatures[K];

/**
 * Under standard (TC39) decorators, a decorator is called with a context object; this type does
 * not match one, so the compiler's error names the compiler options to set.
 */
export interface NeedsExperimentalDecorators {
  /** Never present: its name is the message the compiler shows. */
  readonly 'mesos-sdk decorators need "experimentalDecorators": true and "emitDecoratorMetadata": true in the compilerOptions of tsconfig.json': true;
}

/**
 * The same for method decorators; also what a compiler error names when an event decorator is put
 * on a property (under `experimentalDecorators`).
 */
export interface UseOnMethodsUnderExperimentalDecorators extends NeedsExperimentalDecorators {}

/**
 * A method decorator that accepts only methods of handler type `H` (under TypeScript's
 * `experimentalDecorators`). The first signature exists for standard decorators, where the
 * compiler then reports {@link NeedsExperimentalDecorators}'s message.
 *
 * @typeParam H - the handler type of the decorated event, from {@link HandlerSignatures}.
 */
export interface HandlerDecorator<H extends (...args: never[]) => unknown> {
  /** The standard-decorator call: it does not compile, and its error says which compiler options to set. */
  (value: unknown, context: UseOnMethodsUnderExperimentalDecorators): void;
  /**
   * The `experimentalDecorators` call on a method.
   *
   * @typeParam M - the decorated method's type, which must be assignable to `H`.
   */
  <M extends H>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void;
}

/** A class decorator (under `experimentalDecorators`; standard decorators get {@link NeedsExperimentalDecorators}'s message). */
export type ControllerDecorator = (target: Function, context?: NeedsExperimentalDecorators) => void;
