/**
 * mesos-sdk: a TypeScript SDK for the Apache Mesos V1 HTTP scheduler and executor APIs.
 *
 * Low level: message types (`v1`, `scheduler`, `executor`, `master`), codecs, RecordIO, the HTTP
 * client and call builders. High level: `createFramework()` with decorated event controllers,
 * wired by an inversify container from providers bound to `TOKENS`.
 *
 * The other entries hold parts of it for smaller imports: `mesos-sdk/protocol` (the wire layer
 * alone), `mesos-sdk/executor` (the executor SDK alone), `mesos-sdk/simulator` (the simulated
 * master) and `mesos-sdk/testing`.
 *
 * @module mesos-sdk
 */
import 'reflect-metadata';

// wire layer
// allocator, maintenance, quota and google_protobuf: the types the master (operator API) messages refer to.
export type { v1, scheduler, executor, master, allocator, maintenance, quota, google_protobuf } from './protocol/generated/index.js';
export { codecFor, schema, MessageCodec, MEDIA_TYPES, encodingOf, type Encoding } from './protocol/codec.js';
export { Codecs } from './protocol/messages.js';
export { encodeRecord, decodeRecords, RecordIODecoder, RecordIOParser, DEFAULT_MAX_FRAME_SIZE, type RecordIOOptions } from './protocol/recordio.js';

// errors and tokens
export * from './errors/index.js';
export { TOKENS, token, type Token, type ServiceOf, type SdkToken, type SdkServices, type SdkTokenIds, type SdkTokenOf, type UntypedServiceIdentifier } from './tokens.js';

// client, scheduler, executor
export * from './client/index.js';
export * from './scheduler/index.js';
// Types that public members refer to: MesosHttpClient.options, MesosScheduler.observe(), EventDispatcher's constructor.
export type { ResolvedClientOptions } from './client/client-options.js';
export type { SchedulerObserver } from './scheduler/scheduler.interface.js';
export type { OfferRelease } from './discovery/event-dispatcher.js';
export * from './executor/index.js';

// IoC: decorators, dispatch, modules, bootstrap
export * from './decorators/index.js';
export * from './discovery/index.js';
export * from './modules/index.js';
export * from './bootstrap/index.js';

// providers
export * from './logging/index.js';
export * from './resource-manager/index.js';

// the simulated master
export * from './simulator/index.js';
export * from './task-spec/index.js';
export * from './storage/index.js';
export * from './task-manager/index.js';
export * from './ha/index.js';
export * from './server/index.js';
