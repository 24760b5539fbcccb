import type { Encoding } from '../protocol/codec.js';
import { ConfigurationError } from '../errors/families.js';
import { ErrorCodes } from '../errors/codes.js';

/** TLS settings for `https://` masters. Certificate verification is on unless turned off explicitly. */
export interface TlsOptions {
  /** CA certificate(s) (PEM) that sign the master's certificate. @default the system CAs */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (PEM), when the master requires one. */
  cert?: string | Buffer;
  /** Client private key (PEM). */
  key?: string | Buffer;
  /** Verify the master's certificate. Turning this off is unsafe outside tests. @default true */
  rejectUnauthorized?: boolean;
  /** Server name used for SNI and hostname verification, if it differs from the URL's host. */
  servername?: string;
}

/** HTTP authentication: Basic (principal/secret, as Mesos's `--credentials`) or a bearer token. */
export type AuthOptions =
  | {
      /** HTTP Basic authentication. */
      type: 'basic';
      /** The framework's principal (also put in `FrameworkInfo.principal` by `createFramework`). */
      principal: string;
      /** Its secret; redacted from logs. */
      secret: string;
    }
  | {
      /** `Authorization: Bearer <token>`. */
      type: 'bearer';
      /** The token; redacted from logs. */
      token: string;
    };

/** Where the HTTP client and the scheduler log; any {@link Logger} fits. */
export interface ClientLogger {
  /** Each call and its answer, redirects followed. */
  debug(message: string, ...args: unknown[]): void;
  /** Which master it subscribes to. */
  info(message: string, ...args: unknown[]): void;
  /** A master unavailable, a subscription lost: retrying. */
  warn(message: string, ...args: unknown[]): void;
  /** A failure that is not retried. */
  error(message: string, ...args: unknown[]): void;
}

/** Options of {@link MesosHttpClient}. */
export interface MesosClientOptions {
  /** Master URLs, e.g. `['http://m1:5050', 'http://m2:5050']`. The first reachable leader is used. */
  masters: string[];
  /** Encoding of calls and events. @default 'protobuf' */
  encoding?: Encoding;
  /** TLS settings for `https://` masters. */
  tls?: TlsOptions;
  /** Authentication sent with every request. Default: none. */
  auth?: AuthOptions;
  /** Timeout of one non-streaming call, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Time allowed for one SUBSCRIBE attempt to get its response headers (TCP connect and TLS
   * handshake included), in ms; the attempt then fails with "no answer within N ms
   * (connectTimeoutMs)" and is retried. `startTimeoutMs` of the scheduler bounds all attempts. @default 10000
   */
  connectTimeoutMs?: number;
  /** Largest event frame accepted, in bytes. @default 4 MiB */
  maxFrameSize?: number;
  /** 307 redirects followed in a row before giving up. @default 3 */
  maxRedirects?: number;
  /**
   * Which hosts a 307 leader redirect may send the client to (with its `Authorization` header).
   * `'configured'`: only the hosts of `masters` and of {@link redirectHosts}; a redirect elsewhere
   * is refused with `ApiError` `ERR_REDIRECT_NOT_ALLOWED` naming the host, and the next master
   * of the list is tried. `'any'`: every host a master names (only where every host that can
   * answer on the masters' URLs is trusted with the credentials).
   *
   * A Mesos master redirects to the leader as it knows itself: its `--hostname` (or, without it,
   * its IP address) and port, e.g. `//10.0.0.12:5050`. List each master the way the masters name
   * themselves, or add the other spelling (IP or name) to `redirectHosts`.
   * @default 'configured'
   */
  followRedirects?: 'configured' | 'any';
  /**
   * More hosts a leader redirect may go to under `followRedirects: 'configured'`: `host:port`
   * (that port only) or `host` (any port), e.g. `['10.0.0.12:5050', 'mesos-master-2.internal']`.
   * @default []
   */
  redirectHosts?: string[];
  /** Retries of 503 answers: attempts and jittered exponential backoff. @default { attempts: 5, baseDelayMs: 250, maxDelayMs: 5000 } */
  retry503?: {
    /** Tries in all, the first included. */
    attempts?: number;
    /** Wait before the first retry, ms (doubled each time, jittered). */
    baseDelayMs?: number;
    /** Longest wait between retries, ms. */
    maxDelayMs?: number;
  };
  /** Where the client writes redirects (info) and 503 retries (warn). `createFramework` gives it `TOKENS.Logger.child('client')`. */
  logger?: ClientLogger;
}

/** {@link MesosClientOptions} after {@link resolveClientOptions}: validated, URLs without trailing `/`, every default filled in. */
export type ResolvedClientOptions = Required<Omit<MesosClientOptions, 'tls' | 'auth' | 'logger' | 'retry503'>> &
  Pick<MesosClientOptions, 'tls' | 'auth' | 'logger'> & {
    /** 503 retry policy, every field set. */
    retry503: {
      /** Tries in all. */
      attempts: number;
      /** Wait before the first retry, ms. */
      baseDelayMs: number;
      /** Longest wait, ms. */
      maxDelayMs: number;
    };
  };

/** Validates options and fills in defaults. @throws ConfigurationError ERR_CONFIG_INVALID */
export function resolveClientOptions(options: MesosClientOptions): ResolvedClientOptions {
  const masters = (options.masters ?? []).map((m) => m.replace(/\/+$/, ''));
  if (masters.length === 0) {
    throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, 'no master URL given; pass masters: ["http://host:5050"]');
  }
  for (const m of masters) {
    let url: URL;
    try {
      url = new URL(m);
    } catch {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `master URL ${JSON.stringify(m)} is not a URL; expected e.g. http://host:5050`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `master URL ${JSON.stringify(m)} must use http or https`);
    }
    if (url.username || url.password) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, 'put credentials in the auth option, not in the master URL (URLs end up in logs)');
    }
  }
  const followRedirects = options.followRedirects ?? 'configured';
  if (followRedirects !== 'configured' && followRedirects !== 'any') {
    throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `followRedirects must be 'configured' or 'any', got ${JSON.stringify(followRedirects)}`);
  }
  const redirectHosts = (options.redirectHosts ?? []).map((h) => {
    const host = typeof h === 'string' ? h.trim().toLowerCase() : '';
    if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `redirectHosts entry ${JSON.stringify(h)} is not a host or host:port (e.g. "10.0.0.12:5050" or "master-2.internal"; no scheme, no path)`);
    }
    return host;
  });
  if (options.auth?.type === 'basic' && options.auth.principal.includes(':')) {
    throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, 'a basic-auth principal cannot contain ":" (Mesos splits principal:secret on it)');
  }
  return {
    masters,
    encoding: options.encoding ?? 'protobuf',
    tls: options.tls,
    auth: options.auth,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxFrameSize: options.maxFrameSize ?? 4 * 1024 * 1024,
    maxRedirects: options.maxRedirects ?? 3,
    followRedirects,
    redirectHosts,
    retry503: { attempts: 5, baseDelayMs: 250, maxDelayMs: 5000, ...options.retry503 },
    logger: options.logger,
  };
}

/** `host:port` of a URL, lower-case, with the scheme's default port written out. */
function hostPort(url: URL): string {
  return `${url.hostname.toLowerCase()}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

/**
 * Whether a leader redirect to `target` may be followed (and the credentials sent there): under
 * `followRedirects: 'configured'`, only to the host:port of a configured master or an entry of
 * `redirectHosts` (`host:port`, or `host` for any port).
 */
export function redirectAllowed(options: Pick<ResolvedClientOptions, 'masters' | 'followRedirects' | 'redirectHosts'>, target: string): boolean {
  if (options.followRedirects === 'any') return true;
  const url = new URL(target);
  const wanted = hostPort(url);
  if (options.masters.some((m) => hostPort(new URL(m)) === wanted)) return true;
  return options.redirectHosts.some((h) => (/:\d+$/.test(h) && !h.endsWith(']') ? h === wanted : h === url.hostname.toLowerCase()));
}

/** The Authorization header value for the configured auth; never logged. */
export function authorizationHeader(auth: AuthOptions | undefined): string | undefined {
  if (!auth) return undefined;
  if (auth.type === 'basic') return `Basic ${Buffer.from(`${auth.principal}:${auth.secret}`).toString('base64')}`;
  return `Bearer ${auth.token}`;
}

/** A copy of the options safe to log: secrets, tokens and keys replaced by `[REDACTED]`. */
export function redactClientOptions(options: MesosClientOptions): Record<string, unknown> {
  const auth = options.auth
    ? options.auth.type === 'basic'
      ? { type: 'basic', principal: options.auth.principal, secret: '[REDACTED]' }
      : { type: 'bearer', token: '[REDACTED]' }
    : undefined;
  const tls = options.tls ? { ...options.tls, key: options.tls.key ? '[REDACTED]' : undefined } : undefined;
  return { ...options, auth, tls, logger: undefined };
}
