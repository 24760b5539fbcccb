/**
 * mesos-sdk: a TypeScript SDK for the Apache Mesos V1 HTTP scheduler and executor APIs.
 *
 * Low level: message types (`v1`, `scheduler`, `executor`, `master`), codecs, RecordIO, the HTTP
 * client and call builders. High level: `createFramework()` with decorated event controllers,
 * wired by an inversify container from providers bound to `TOKENS`.
 */
import 'reflect-metadata';

// wire layer
export type { v1, scheduler, executor, master } from './protocol/generated/index.js';
export { codecFor, schema, MessageCodec, MEDIA_TYPES, encodingOf, type Encoding } from './protocol/codec.js';
export { Codecs } from './protocol/messages.js';
export { encodeRecord, decodeRecords, RecordIODecoder, RecordIOParser, DEFAULT_MAX_FRAME_SIZE, type RecordIOOptions } from './protocol/recordio.js';

// errors and tokens
export * from './errors/index.js';
export { TOKENS, token, type Token, type ServiceOf, type SdkToken, type SdkServices, type SdkTokenIds, type SdkTokenOf, type UntypedServiceIdentifier } from './tokens.js';

// client, scheduler, executor
export * from './client/index.js';
export * from './scheduler/index.js';
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
