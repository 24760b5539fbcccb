/** Stable error codes of the HTTP client. `ERR_HTTP_<status>` covers every other status. */
export const ClientErrorCodes = {
  /** The master answered 307 to a call: the subscription belongs to a master that no longer leads. */
  NOT_LEADER: 'ERR_NOT_LEADER',
  /** A leader redirect named a host that is neither a configured master nor in `redirectHosts`: not followed, so the credentials are not sent there. */
  REDIRECT_NOT_ALLOWED: 'ERR_REDIRECT_NOT_ALLOWED',
  /** Too many 307s in a row (a redirect loop or a leader election in progress). */
  TOO_MANY_REDIRECTS: 'ERR_TOO_MANY_REDIRECTS',
  /** 503 (no leader elected / master recovering) persisted through every retry. */
  SERVICE_UNAVAILABLE: 'ERR_SERVICE_UNAVAILABLE',
  /** The master could not be reached (refused, reset, timeout). */
  CONNECTION: 'ERR_CONNECTION',
  /** The master's TLS certificate failed verification. */
  TLS: 'ERR_TLS',
  /** The URL's scheme does not match the master: `https://` against a plain-HTTP master, or `http://` against a TLS one. */
  WRONG_SCHEME: 'ERR_WRONG_SCHEME',
  /** What answers at the URL is not a Mesos master (a 404, an HTML page, an agent, another service). */
  NOT_A_MESOS_MASTER: 'ERR_NOT_A_MESOS_MASTER',
  /** `start()` gave up: no master accepted the subscription within `startTimeoutMs`, or every master failed for a reason retrying cannot fix. */
  MASTER_UNREACHABLE: 'ERR_MASTER_UNREACHABLE',
  /** The master's response headers or body were not what the protocol promises. */
  BAD_RESPONSE: 'ERR_BAD_RESPONSE',
  /** The subscription stream ended. */
  STREAM_ENDED: 'ERR_STREAM_ENDED',
} as const;

/** `ERR_HTTP_400`, `ERR_HTTP_403`, ... for a master status code. */
export function httpErrorCode(status: number): string {
  return `ERR_HTTP_${status}`;
}
