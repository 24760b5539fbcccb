/**
 * Every stable error code the SDK defines. Codes are never renamed once released; new codes may be
 * added. Components add their codes here so the full list is documented in one place.
 */
export const ErrorCodes = {
  // framing / protocol
  /** `FramingError`: a RecordIO length prefix is not a decimal number followed by a line feed. */
  RECORDIO_BAD_LENGTH: 'ERR_RECORDIO_BAD_LENGTH',
  /** `FramingError`: a RecordIO record is longer than the decoder's `maxFrameSize`. */
  RECORDIO_FRAME_TOO_LARGE: 'ERR_RECORDIO_FRAME_TOO_LARGE',
  /** `FramingError`: the stream ended in the middle of a record. */
  RECORDIO_TRUNCATED: 'ERR_RECORDIO_TRUNCATED',
  /** `ProtocolError`: bytes or JSON text could not be decoded into the expected message. */
  PROTOCOL_DECODE: 'ERR_PROTOCOL_DECODE',
  /** `ProtocolError`: a message could not be encoded (missing required field, wrong value type); nothing was sent. */
  PROTOCOL_ENCODE: 'ERR_PROTOCOL_ENCODE',
  /** `ProtocolError`: the Mesos schema has no message of the name asked for. */
  PROTOCOL_UNKNOWN_TYPE: 'ERR_PROTOCOL_UNKNOWN_TYPE',
  /** `ProtocolError`: a master or agent answered with a Content-Type that is neither protobuf nor JSON. */
  PROTOCOL_CONTENT_TYPE: 'ERR_PROTOCOL_CONTENT_TYPE',
  // configuration
  /** `ConfigurationError`: an option or argument is invalid; the message names it and what it must be. */
  CONFIG_INVALID: 'ERR_CONFIG_INVALID',
  // reaching the master (the client's ClientErrorCodes has the others)
  /** `ConnectionError`: `start()` gave up: no master accepted the subscription within `startTimeoutMs`, or every master failed for a reason retrying cannot fix; the message names each master and its last failure. */
  MASTER_UNREACHABLE: 'ERR_MASTER_UNREACHABLE',
  /** `ConnectionError`: what answers at the master URL is not a Mesos master (a 404, an HTML page, a Mesos agent). Not retried. */
  NOT_A_MESOS_MASTER: 'ERR_NOT_A_MESOS_MASTER',
  /** `ConnectionError`: the URL's scheme does not match the master (`https://` to a plain-HTTP master, or `http://` to a TLS one). Not retried. */
  WRONG_SCHEME: 'ERR_WRONG_SCHEME',
} as const;

/** One of the {@link ErrorCodes} values. Components' own codes (e.g. `SchedulerErrorCodes`) are plain strings on `MesosSdkError.code`. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
