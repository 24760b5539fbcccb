/** Stable error codes of the HTTP client. `ERR_HTTP_<status>` covers every other status. */
export const ClientErrorCodes = {
  /** The master answered 307 to a call: the subscription belongs to a master that no longer leads. */
  NOT_LEADER: 'ERR_NOT_LEADER',
  /** Too many 307s in a row (a redirect loop or a leader election in progress). */
  TOO_MANY_REDIRECTS: 'ERR_TOO_MANY_REDIRECTS',
  /** 503 (no leader elected / master recovering) persisted through every retry. */
  SERVICE_UNAVAILABLE: 'ERR_SERVICE_UNAVAILABLE',
  /** The master could not be reached (refused, reset, timeout). */
  CONNECTION: 'ERR_CONNECTION',
  /** The master's TLS certificate failed verification. */
  TLS: 'ERR_TLS',
  /** The master's response headers or body were not what the protocol promises. */
  BAD_RESPONSE: 'ERR_BAD_RESPONSE',
  /** The subscription stream ended. */
  STREAM_ENDED: 'ERR_STREAM_ENDED',
} as const;

/** `ERR_HTTP_400`, `ERR_HTTP_403`, ... for a master status code. */
export function httpErrorCode(status: number): string {
  return `ERR_HTTP_${status}`;
}
