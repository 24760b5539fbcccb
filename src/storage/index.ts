export type { Storage } from './storage.interface.js';
export { InMemoryStorage } from './in-memory.storage.js';
export { StorageErrorCodes, checkKey, underPrefix, toBytes, fromBytes } from './storage-keys.js';
