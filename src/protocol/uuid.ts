import { randomUUID } from 'node:crypto';

/**
 * A fresh uuid for a status update (or an operation status): the 16 bytes of an RFC 4122
 * version-4 UUID.
 *
 * A Mesos agent refuses an executor UPDATE whose `status.uuid` is not 16 bytes forming a UUID of a
 * known version (1 to 5, the high nibble of byte 6): `400 Failed to validate Executor::Call: Not a
 * valid UUID`. Sixteen random bytes pass only 5 times in 16; an invalid uuid resent in
 * `SUBSCRIBE.unacknowledged_updates` makes a Mesos 1.11 agent abort.
 */
export function newUpdateUuid(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

/** True when `bytes` is a uuid Mesos accepts (stout's `UUID::fromBytes`): 16 bytes, version nibble 1 to 5. */
export function isValidUpdateUuid(bytes: Uint8Array | undefined): boolean {
  if (!bytes || bytes.length !== 16) return false;
  const version = bytes[6]! >> 4;
  return version >= 1 && version <= 5;
}

/** The canonical text form (`8-4-4-4-12` hex digits) of 16 uuid bytes. */
export function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
