import type { scheduler } from '../protocol/generated/index.js';

/**
 * Which field of `scheduler.Event` carries the payload of each event type (`HEARTBEAT` has none).
 * Mesos sets the field named after the event's type.
 */
export const SCHEDULER_EVENT_FIELDS = {
  /** SUBSCRIBED: `subscribed` (framework id, heartbeat interval). */
  SUBSCRIBED: 'subscribed',
  /** OFFERS: `offers`. */
  OFFERS: 'offers',
  /** INVERSE_OFFERS: `inverse_offers`. */
  INVERSE_OFFERS: 'inverse_offers',
  /** RESCIND: `rescind` (the offer id taken back). */
  RESCIND: 'rescind',
  /** RESCIND_INVERSE_OFFER: `rescind_inverse_offer`. */
  RESCIND_INVERSE_OFFER: 'rescind_inverse_offer',
  /** UPDATE: `update` (a task status). */
  UPDATE: 'update',
  /** UPDATE_OPERATION_STATUS: `update_operation_status`. */
  UPDATE_OPERATION_STATUS: 'update_operation_status',
  /** MESSAGE: `message` (bytes from an executor). */
  MESSAGE: 'message',
  /** FAILURE: `failure` (an agent or executor lost). */
  FAILURE: 'failure',
  /** ERROR: `error` (the master's message). */
  ERROR: 'error',
  /** HEARTBEAT: no payload. */
  HEARTBEAT: undefined,
} as const satisfies Record<Exclude<scheduler.Event.Type, 'UNKNOWN'>, keyof scheduler.Event | undefined>;

/** The payload field of each scheduler event type, as a type (`never` for `HEARTBEAT`). */
export type SchedulerEventFields = { [K in keyof typeof SCHEDULER_EVENT_FIELDS]: Exclude<(typeof SCHEDULER_EVENT_FIELDS)[K], undefined> };

/** The event types Mesos 1.11 sends to schedulers. */
export type SchedulerEventType = keyof SchedulerEventFields;

/**
 * One member of an event union: the wire message with `type` fixed to `K` and the payload field
 * `F` required. The other fields keep their wire types (Mesos leaves them unset).
 */
export type EventOfType<
  E extends {
    /** The wire message's type field. */
    type?: unknown;
  },
  K extends string, F extends keyof E> = Omit<E, 'type' | F> & {
  /** The event type. */
  type: K;
} & { [P in F]-?: Exclude<E[P], undefined> };

/**
 * A scheduler event (the wire's `scheduler.Event`, as decoded) typed as a union discriminated by
 * `type`, so that checking the type gives its payload without `!`:
 *
 * ```ts
 * if (event.type === 'OFFERS') for (const offer of event.offers.offers ?? []) console.log(offer.hostname);
 * ```
 *
 * `SchedulerEvent<'UPDATE'>` is the UPDATE event alone. The full union also holds
 * {@link UnknownSchedulerEvent}, an event of a type this SDK does not know (a newer master). Only
 * a type: the codec and the wire format stay the generated `scheduler.Event`'s, and every
 * `SchedulerEvent` is a `scheduler.Event`. Event handlers get it as the last argument
 * (`@OnOffers() f(offers, event: SchedulerEvent<'OFFERS'>)`); {@link isSchedulerEvent} narrows a
 * wire event to it.
 */
export type SchedulerEvent<K extends SchedulerEventType = SchedulerEventType> =
  | { [T in K]: EventOfType<scheduler.Event, T, SchedulerEventFields[T]> }[K]
  | (SchedulerEventType extends K ? UnknownSchedulerEvent : never);

/** An event whose type this SDK does not know (`UNKNOWN`, or absent). */
export type UnknownSchedulerEvent = Omit<scheduler.Event, 'type'> & {
  /** `UNKNOWN` or absent: the master sent a type this SDK does not know. */
  type?: 'UNKNOWN';
};

/**
 * Whether a decoded event is of the given type and carries that type's payload field; narrows it
 * to `SchedulerEvent<K>`.
 *
 * @example
 * ```ts
 * scheduler.setEventHandler(async (event) => {
 *   if (isSchedulerEvent(event, 'UPDATE')) console.log(event.update.status.state);
 * });
 * ```
 */
export function isSchedulerEvent<K extends SchedulerEventType>(event: scheduler.Event, type: K): event is scheduler.Event & SchedulerEvent<K> {
  return carriesPayload(event, type, SCHEDULER_EVENT_FIELDS);
}

/**
 * Whether `event` is of `type` and its payload field (from `fields`, none for payload-less types)
 * is present: the check behind {@link isSchedulerEvent} and the executor's `isExecutorEvent`.
 * @internal
 */
export function carriesPayload<E extends { type?: string | null }>(event: E, type: string, fields: Readonly<Record<string, keyof E | undefined>>): boolean {
  if (event.type !== type) return false;
  const field = fields[type];
  return field === undefined || (event[field] !== undefined && event[field] !== null);
}
