/**
 * Every stable error code the SDK defines. Codes are never renamed once released; new codes may be
 * added. Components add their codes here so the full list is documented in one place.
 */
export const ErrorCodes = {
  // framing / protocol
  RECORDIO_BAD_LENGTH: 'ERR_RECORDIO_BAD_LENGTH',
  RECORDIO_FRAME_TOO_LARGE: 'ERR_RECORDIO_FRAME_TOO_LARGE',
  RECORDIO_TRUNCATED: 'ERR_RECORDIO_TRUNCATED',
  PROTOCOL_DECODE: 'ERR_PROTOCOL_DECODE',
  PROTOCOL_ENCODE: 'ERR_PROTOCOL_ENCODE',
  PROTOCOL_UNKNOWN_TYPE: 'ERR_PROTOCOL_UNKNOWN_TYPE',
  PROTOCOL_CONTENT_TYPE: 'ERR_PROTOCOL_CONTENT_TYPE',
  // configuration
  CONFIG_INVALID: 'ERR_CONFIG_INVALID',
  // reaching the master (the client's ClientErrorCodes has the others)
  MASTER_UNREACHABLE: 'ERR_MASTER_UNREACHABLE',
  NOT_A_MESOS_MASTER: 'ERR_NOT_A_MESOS_MASTER',
  WRONG_SCHEME: 'ERR_WRONG_SCHEME',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
