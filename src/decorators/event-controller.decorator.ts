import { assertExperimentalDecorators, writeControllerMetadata, writeHandlerMetadata } from './metadata.js';
import type { ControllerEvent } from './events.js';
import type { ControllerDecorator, HandlerDecorator, HandlerOf } from './handler-signatures.js';

/**
 * Marks a class as an event controller: its decorated methods receive Mesos and SDK events.
 * Pass it to `createFramework({ controllers: [...] })`. Controllers may inject SDK providers
 * (`@inject(TOKENS.Scheduler)`, ...).
 *
 * The SDK's decorators are TypeScript's legacy decorators: set `"experimentalDecorators": true`
 * and `"emitDecoratorMetadata": true` in tsconfig.json. Under standard decorators they fail to
 * compile, and at run time throw `ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS`.
 *
 * @example
 * ```ts
 * @EventController()
 * class Tasks {
 *   @OnUpdate() onUpdate(status: v1.TaskStatus) { console.log(status.state); }
 * }
 * ```
 */
export function EventController(options: { order?: number } = {}): ControllerDecorator {
  return (target: Function, context?: unknown) => {
    assertExperimentalDecorators('@EventController()', context);
    writeControllerMetadata(target, { order: options.order ?? 0 });
  };
}

function decorator<K extends ControllerEvent>(event: K, name: string): HandlerDecorator<HandlerOf<K>> {
  return ((target: object, key: string | symbol, descriptor?: PropertyDescriptor) => {
    assertExperimentalDecorators(name, key);
    writeHandlerMetadata(target, key, descriptor, event, name);
  }) as HandlerDecorator<HandlerOf<K>>;
}

function handler<K extends ControllerEvent>(event: K, name: string): () => HandlerDecorator<HandlerOf<K>> {
  return () => decorator(event, name);
}

/** `(subscribed: scheduler.Event.Subscribed, event)` — every SUBSCRIBED, first and later ones. On an executor: `(subscribed: executor.Event.Subscribed, event)`. */
export const OnSubscribed = handler('SUBSCRIBED', '@OnSubscribed()');
/** `(offers: v1.Offer[], event)` — the whole OFFERS batch. */
export const OnOffers = handler('OFFERS', '@OnOffers()');
/** `(offer: v1.Offer, event)` — once per offer of each batch, in order. */
export const OnOffer = handler('OFFER', '@OnOffer()');
/** `(inverseOffers: v1.InverseOffer[], event)` */
export const OnInverseOffers = handler('INVERSE_OFFERS', '@OnInverseOffers()');
/** `(offerId: v1.OfferID, event)` */
export const OnRescind = handler('RESCIND', '@OnRescind()');
/** `(inverseOfferId: v1.OfferID, event)` */
export const OnRescindInverseOffer = handler('RESCIND_INVERSE_OFFER', '@OnRescindInverseOffer()');
/** `(status: v1.TaskStatus, event)` — acknowledged automatically after all handlers ran (if it has a uuid). */
export const OnUpdate = handler('UPDATE', '@OnUpdate()');
/** `(status: v1.OperationStatus, event)` */
export const OnOperationUpdate = handler('UPDATE_OPERATION_STATUS', '@OnOperationUpdate()');
/** `(message: scheduler.Event.Message, event)` — a message from an executor. On an executor: `(data: Uint8Array, event)` from the scheduler. */
export const OnMessage = handler('MESSAGE', '@OnMessage()');
/** `(failure: scheduler.Event.Failure, event)` — an agent or executor failed. */
export const OnFailure = handler('FAILURE', '@OnFailure()');
/** `(error: MesosSdkError, context: unknown)` — Mesos ERROR events (as `ERR_MESOS_ERROR_EVENT` errors) and failed handlers (`ERR_HANDLER_FAILED`, with the failed handler's last argument). */
export const OnError = handler('ERROR', '@OnError()');
/** `(event)` */
export const OnHeartbeat = handler('HEARTBEAT', '@OnHeartbeat()');
/** `({ frameworkId, streamId })` — the first subscription. */
export const OnConnected = handler('CONNECTED', '@OnConnected()');
/** `({ frameworkId, streamId })` — every later re-subscription. */
export const OnReconnected = handler('RECONNECTED', '@OnReconnected()');
/** `(error: MesosSdkError | undefined)` — the subscription was lost; the SDK reconnects. */
export const OnDisconnected = handler('DISCONNECTED', '@OnDisconnected()');
/** `()` — this instance became the leader (always, without HA). */
export const OnElected = handler('ELECTED', '@OnElected()');
/** `()` — this instance lost the leadership; it stops sending calls. */
export const OnLostLeadership = handler('LOST_LEADERSHIP', '@OnLostLeadership()');

// Executor side (controllers given to `createExecutor`); @OnSubscribed, @OnMessage, @OnError and
// @OnHeartbeat work there too, with the executor events' payloads.
/** `(task: v1.TaskInfo, event)`: the agent asks this executor to run a task. */
export const OnLaunch = handler('LAUNCH', '@OnLaunch()');
/** `(group: v1.TaskGroupInfo, event)`: a task group to run together. */
export const OnLaunchGroup = handler('LAUNCH_GROUP', '@OnLaunchGroup()');
/** `(taskId: v1.TaskID, killPolicy: v1.KillPolicy | undefined, event)`: kill a task, then report TASK_KILLED. */
export const OnKill = handler('KILL', '@OnKill()');
/** `(taskId: v1.TaskID, uuid: Uint8Array, event)`: the scheduler acknowledged an update. */
export const OnAcknowledged = handler('ACKNOWLEDGED', '@OnAcknowledged()');
/** `(event)`: stop every task and exit; the agent kills the executor after its grace period. */
export const OnShutdown = handler('SHUTDOWN', '@OnShutdown()');

/**
 * Handles any event by name: `@OnEvent('UPDATE')`, with that event's handler signature. Unknown
 * names fail at once.
 */
export function OnEvent<K extends ControllerEvent>(event: K): HandlerDecorator<HandlerOf<K>> {
  return decorator(event, `@OnEvent(${JSON.stringify(event)})`);
}
