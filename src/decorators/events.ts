/** Every event a controller method can handle: the Mesos scheduler events and the SDK lifecycle events. */
export const CONTROLLER_EVENTS = [
  // Mesos scheduler events
  'SUBSCRIBED', 'OFFERS', 'INVERSE_OFFERS', 'RESCIND', 'RESCIND_INVERSE_OFFER', 'UPDATE', 'UPDATE_OPERATION_STATUS',
  'MESSAGE', 'FAILURE', 'ERROR', 'HEARTBEAT',
  // one offer of an OFFERS batch at a time
  'OFFER',
  // SDK lifecycle
  'CONNECTED', 'RECONNECTED', 'DISCONNECTED', 'ELECTED', 'LOST_LEADERSHIP',
  // Mesos executor events (an executor controller also receives SUBSCRIBED, MESSAGE, ERROR and
  // HEARTBEAT, with the executor API's payloads)
  'LAUNCH', 'LAUNCH_GROUP', 'KILL', 'ACKNOWLEDGED', 'SHUTDOWN',
] as const;

/** The name of one of the {@link CONTROLLER_EVENTS}, as `@OnEvent()` takes it. */
export type ControllerEvent = (typeof CONTROLLER_EVENTS)[number];

export function isControllerEvent(value: unknown): value is ControllerEvent {
  return typeof value === 'string' && (CONTROLLER_EVENTS as readonly string[]).includes(value);
}
