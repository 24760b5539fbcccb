import type { executor, scheduler, v1 } from '../protocol/generated/index.js';
import type { MesosSdkError } from '../errors/mesos-sdk.error.js';
import type { SchedulerEvent } from '../scheduler/scheduler-event.js';
import type { ExecutorEvent } from '../executor/executor-event.js';
import type { ControllerEvent } from './events.js';

/** What `@OnConnected` and `@OnReconnected` handlers receive. */
export interface ConnectionInfo {
  frameworkId: string;
  streamId: string;
}

/**
 * The arguments each event's handlers receive, as the method type a decorator accepts. A handler
 * may declare fewer parameters, or wider ones (`unknown`, `any`), but not other ones: `@OnUpdate()
 * f(offers: v1.Offer[])` does not compile. Where the scheduler and the executor side both have an
 * event (SUBSCRIBED, MESSAGE, HEARTBEAT), either side's form is accepted.
 */
export interface HandlerSignatures {
  SUBSCRIBED:
    | ((subscribed: scheduler.Event.Subscribed, event: SchedulerEvent<'SUBSCRIBED'>) => unknown)
    | ((subscribed: executor.Event.Subscribed, event: ExecutorEvent<'SUBSCRIBED'>) => unknown);
  OFFERS: (offers: v1.Offer[], event: SchedulerEvent<'OFFERS'>) => unknown;
  OFFER: (offer: v1.Offer, event: SchedulerEvent<'OFFERS'>) => unknown;
  INVERSE_OFFERS: (inverseOffers: v1.InverseOffer[], event: SchedulerEvent<'INVERSE_OFFERS'>) => unknown;
  RESCIND: (offerId: v1.OfferID, event: SchedulerEvent<'RESCIND'>) => unknown;
  RESCIND_INVERSE_OFFER: (inverseOfferId: v1.OfferID, event: SchedulerEvent<'RESCIND_INVERSE_OFFER'>) => unknown;
  UPDATE: (status: v1.TaskStatus, event: SchedulerEvent<'UPDATE'>) => unknown;
  UPDATE_OPERATION_STATUS: (status: v1.OperationStatus, event: SchedulerEvent<'UPDATE_OPERATION_STATUS'>) => unknown;
  MESSAGE:
    | ((message: scheduler.Event.Message, event: SchedulerEvent<'MESSAGE'>) => unknown)
    | ((data: Uint8Array, event: ExecutorEvent<'MESSAGE'>) => unknown);
  FAILURE: (failure: scheduler.Event.Failure, event: SchedulerEvent<'FAILURE'>) => unknown;
  /**
   * A Mesos or agent ERROR event as a typed error (`ERR_MESOS_ERROR_EVENT`, `ERR_AGENT_ERROR_EVENT`;
   * with the dispatcher's `errorEventsAsErrors: false`, Mesos's `scheduler.Event.Error` as sent),
   * or a handler that failed (`ERR_HANDLER_FAILED`). The second argument is the failed
   * handler's last argument (usually its event) or the ERROR event, hence `unknown`.
   */
  ERROR: (error: MesosSdkError, context: unknown) => unknown;
  HEARTBEAT: ((event: SchedulerEvent<'HEARTBEAT'>) => unknown) | ((event: ExecutorEvent<'HEARTBEAT'>) => unknown);
  CONNECTED: (connection: ConnectionInfo) => unknown;
  RECONNECTED: (connection: ConnectionInfo) => unknown;
  DISCONNECTED: (error: MesosSdkError | undefined) => unknown;
  ELECTED: () => unknown;
  LOST_LEADERSHIP: () => unknown;
  LAUNCH: (task: v1.TaskInfo, event: ExecutorEvent<'LAUNCH'>) => unknown;
  LAUNCH_GROUP: (group: v1.TaskGroupInfo, event: ExecutorEvent<'LAUNCH_GROUP'>) => unknown;
  KILL: (taskId: v1.TaskID, killPolicy: v1.KillPolicy | undefined, event: ExecutorEvent<'KILL'>) => unknown;
  ACKNOWLEDGED: (taskId: v1.TaskID, uuid: Uint8Array, event: ExecutorEvent<'ACKNOWLEDGED'>) => unknown;
  SHUTDOWN: (event: ExecutorEvent<'SHUTDOWN'>) => unknown;
}

/** The method type a handler of event `K` may have (and a compile-time check that every controller event has one). */
export type HandlerOf<K extends ControllerEvent> = HandlerSignatures[K];

/**
 * Under standard (TC39) decorators, a decorator is called with a context object; this type does
 * not match one, so the compiler's error names the compiler options to set.
 */
export interface NeedsExperimentalDecorators {
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
 */
export interface HandlerDecorator<H extends (...args: never[]) => unknown> {
  (value: unknown, context: UseOnMethodsUnderExperimentalDecorators): void;
  <M extends H>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void;
}

/** A class decorator (under `experimentalDecorators`; standard decorators get {@link NeedsExperimentalDecorators}'s message). */
export type ControllerDecorator = (target: Function, context?: NeedsExperimentalDecorators) => void;
