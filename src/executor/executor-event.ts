import type { executor } from '../protocol/generated/index.js';
import { carriesPayload, type EventOfType } from '../scheduler/scheduler-event.js';

/** Which field of `executor.Event` carries the payload of each event type (`SHUTDOWN` and `HEARTBEAT` have none). */
export const EXECUTOR_EVENT_FIELDS = {
  /** `subscribed`: the executor, framework and agent info and the container id. */
  SUBSCRIBED: 'subscribed',
  /** `launch`: the task to run. */
  LAUNCH: 'launch',
  /** `launch_group`: the task group to run. */
  LAUNCH_GROUP: 'launch_group',
  /** `kill`: the task id and, when given, its kill policy. */
  KILL: 'kill',
  /** `acknowledged`: the task id and uuid of an update the scheduler acknowledged. */
  ACKNOWLEDGED: 'acknowledged',
  /** `message`: data from the scheduler. */
  MESSAGE: 'message',
  /** `error`: a message from the agent. */
  ERROR: 'error',
  /** No payload: shut down. */
  SHUTDOWN: undefined,
  /** No payload. */
  HEARTBEAT: undefined,
} as const satisfies Record<Exclude<executor.Event.Type, 'UNKNOWN'>, keyof executor.Event | undefined>;

/** The payload field of each executor event type, as a type (`never` for `SHUTDOWN` and `HEARTBEAT`). */
export type ExecutorEventFields = { [K in keyof typeof EXECUTOR_EVENT_FIELDS]: Exclude<(typeof EXECUTOR_EVENT_FIELDS)[K], undefined> };

/** The event types an agent sends to executors. */
export type ExecutorEventType = keyof ExecutorEventFields;

/**
 * An executor event (the wire's `executor.Event`, as decoded) as a union discriminated by `type`:
 * `if (event.type === 'LAUNCH') event.launch.task` needs no `!`. `ExecutorEvent<'KILL'>` is the
 * KILL event alone; the full union also holds an event of a type this SDK does not know. Only a
 * type: the wire format is the generated `executor.Event`'s.
 */
export type ExecutorEvent<K extends ExecutorEventType = ExecutorEventType> =
  | { [T in K]: EventOfType<executor.Event, T, ExecutorEventFields[T]> }[K]
  | (ExecutorEventType extends K ? UnknownExecutorEvent : never);

/** An executor event whose type this SDK does not know (`UNKNOWN`, or absent). */
export type UnknownExecutorEvent = Omit<executor.Event, 'type'> & {
  /** `'UNKNOWN'`, or absent. */
  type?: 'UNKNOWN';
};

/** Whether a decoded executor event is of the given type and carries its payload field; narrows it to `ExecutorEvent<K>`. */
export function isExecutorEvent<K extends ExecutorEventType>(event: executor.Event, type: K): event is executor.Event & ExecutorEvent<K> {
  return carriesPayload(event, type, EXECUTOR_EVENT_FIELDS);
}
