/**
 * `mesos-sdk/protocol`: the wire layer on its own, with no dependency injection, HTTP client or
 * framework runtime: the message types generated from our declaration of the Mesos 1.11 v1 schema
 * (`v1`, `scheduler`, `executor`, `master`, ...), the protobuf and Mesos-JSON codecs, RecordIO
 * framing, the pure scheduler call builders, the status update uuid helpers and the typed errors
 * these throw.
 *
 * @example
 * ```ts
 * import { Codecs, encodeRecord, Calls, type scheduler } from 'mesos-sdk/protocol';
 *
 * const call: scheduler.Call = Calls.subscribe({ user: 'me', name: 'raw', failover_timeout: 60 });
 * const framed = encodeRecord(Codecs.schedulerCall().encode(call, 'protobuf'));
 * ```
 *
 * @module mesos-sdk/protocol
 */
// allocator, maintenance, quota and google_protobuf: the types the master (operator API) messages refer to.
export type { v1, scheduler, executor, master, allocator, maintenance, quota, google_protobuf } from './generated/index.js';
export { codecFor, schema, MessageCodec, MEDIA_TYPES, encodingOf, type Encoding } from './codec.js';
export { Codecs } from './messages.js';
export { encodeRecord, decodeRecords, RecordIODecoder, RecordIOParser, DEFAULT_MAX_FRAME_SIZE, type RecordIOOptions } from './recordio.js';
export { newUpdateUuid, isValidUpdateUuid, uuidText } from './uuid.js';
export { Calls } from '../scheduler/call-builders.js';
export { isSchedulerEvent, SCHEDULER_EVENT_FIELDS, type SchedulerEvent, type SchedulerEventType, type SchedulerEventFields, type UnknownSchedulerEvent, type EventOfType } from '../scheduler/scheduler-event.js';
export { isExecutorEvent, EXECUTOR_EVENT_FIELDS, type ExecutorEvent, type ExecutorEventType, type ExecutorEventFields, type UnknownExecutorEvent } from '../executor/executor-event.js';
export * from '../errors/index.js';
