export type { Storage, StorageEntry, StorageOperation } from './storage.interface.js';
export { InMemoryStorage } from './in-memory.storage.js';
export { LevelStorage } from './level.storage.js';
export { EtcdStorage, type EtcdStorageOptions } from './etcd.storage.js';
export { StorageErrorCodes, checkKey, underPrefix, toBytes, fromBytes } from './storage-keys.js';
export { toStorageError } from './storage-errors.js';
export { writeOperations } from './storage-batch.js';
