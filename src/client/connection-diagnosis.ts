import net from 'node:net';
import tls from 'node:tls';
import { ClientErrorCodes } from './client-error-codes.js';

/**
 * What a failed attempt to reach a master means for the user: a stable code, a reason short enough
 * for a log line (`connection refused (ECONNREFUSED)`), a hint saying what to check, and whether
 * trying again may help. Built from the low-level error (Node's `code`, axios' wrapper) by
 * {@link diagnoseConnectionFailure} and from an answer that is not a Mesos one by
 * {@link diagnoseForeignAnswer}.
 */
export interface Diagnosis {
  code: string;
  /** What went wrong, e.g. `connection refused (ECONNREFUSED)`. */
  reason: string;
  /** What to check, e.g. `is a Mesos master running at http://h:5050?`. */
  hint: string;
  /** True when the same attempt may succeed later (the master starting, a network blip). */
  retryable: boolean;
}

/** Certificate verification failures as OpenSSL/Node name them, in words, with what to do. */
const CERT_PROBLEMS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a self-signed CA this process does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by a CA this process does not know',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of its certificate is unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of its certificate is unknown',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clocks)',
  CERT_REVOKED: 'its certificate was revoked',
  CERT_SIGNATURE_FAILURE: 'its certificate signature is invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name the host of the URL',
};

interface ErrnoLike {
  code?: unknown;
  message?: unknown;
  reason?: unknown;
  cause?: unknown;
}

/** The Node error code of a failure (axios wraps it and copies the code; the cause has it too). */
function errorCode(err: ErrnoLike | undefined): string {
  if (!err) return '';
  if (typeof err.code === 'string' && err.code !== 'ERR_BAD_RESPONSE' && err.code !== 'ERR_CANCELED') return err.code;
  const cause = err.cause as ErrnoLike | undefined;
  return typeof cause?.code === 'string' ? cause.code : typeof err.code === 'string' ? err.code : '';
}

function errorMessage(err: ErrnoLike | undefined): string {
  return typeof err?.message === 'string' ? err.message : String(err ?? 'failed');
}

/**
 * Turns a network-level failure of a request to `master` into a {@link Diagnosis}.
 *
 * - `ECONNREFUSED` → nothing listens there: is a master running at that address?
 * - `ENOTFOUND` / `EAI_AGAIN` → the host name does not resolve;
 * - `EPROTO` / OpenSSL "wrong version number" on an `https://` URL → the master speaks plain HTTP
 *   (not retryable: use `http://` or enable TLS on the master);
 * - certificate errors → which problem, and `tls.ca` / `tls.servername` (not retryable);
 * - a timeout → no answer within `connectTimeoutMs`.
 *
 * @param context.timedOut the request was aborted by the client's own connect timer.
 */
export function diagnoseConnectionFailure(cause: unknown, master: string, context: { timedOut?: boolean; connectTimeoutMs?: number } = {}): Diagnosis {
  const err = cause as ErrnoLike | undefined;
  const code = errorCode(err);
  const message = errorMessage(err);
  const url = safeUrl(master);
  const https = url?.protocol === 'https:';
  if (context.timedOut) {
    return {
      code: ClientErrorCodes.CONNECTION,
      reason: `no answer within ${context.connectTimeoutMs ?? '?'} ms (connectTimeoutMs)`,
      hint: `check that ${master} is reachable from here (firewall, host, port)`,
      retryable: true,
    };
  }
  const certProblem = CERT_PROBLEMS[code];
  if (certProblem || /certificate/i.test(message)) {
    const what = certProblem ?? message;
    const hint =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `use a host name the certificate holds in the master URL, or set tls.servername to one`
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || code === 'CERT_REVOKED'
          ? 'renew the master\'s certificate'
          : `give the master's CA certificate (PEM) in tls.ca`;
    return { code: ClientErrorCodes.TLS, reason: `TLS verification failed: ${what} (${code || 'certificate'})`, hint, retryable: false };
  }
  if (https && (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|unknown protocol/i.test(message))) {
    return {
      code: ClientErrorCodes.WRONG_SCHEME,
      reason: `TLS handshake failed: the master answered in plain HTTP (${code || 'EPROTO'})`,
      hint: `the master speaks plain HTTP? use ${url ? `http://${url.host}` : 'http://'} or check the master's TLS set-up`,
      retryable: false,
    };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { code: ClientErrorCodes.CONNECTION, reason: 'connection refused (ECONNREFUSED)', hint: `is a Mesos master running at ${master}?`, retryable: true };
    case 'ENOTFOUND':
      return { code: ClientErrorCodes.CONNECTION, reason: `host ${url?.hostname ?? master} not found (ENOTFOUND)`, hint: 'check the host name of the master URL (DNS)', retryable: true };
    case 'EAI_AGAIN':
      return { code: ClientErrorCodes.CONNECTION, reason: `host ${url?.hostname ?? master} could not be resolved now (EAI_AGAIN)`, hint: 'check DNS on this machine', retryable: true };
    case 'ECONNRESET':
      return {
        code: ClientErrorCodes.CONNECTION,
        reason: 'the connection was reset before an answer (ECONNRESET)',
        hint: https ? `is ${master} a Mesos master?` : 'if the master serves TLS, use https://',
        retryable: true,
      };
    case 'ETIMEDOUT':
    case 'ECONNABORTED':
      return { code: ClientErrorCodes.CONNECTION, reason: `timed out (${code})`, hint: `check that ${master} is reachable from here (firewall, host, port)`, retryable: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: ClientErrorCodes.CONNECTION, reason: `no route to the host (${code})`, hint: `check the network between here and ${master}`, retryable: true };
    default:
      return { code: ClientErrorCodes.CONNECTION, reason: code ? `${message} (${code})` : message, hint: `check that a Mesos master runs at ${master}`, retryable: true };
  }
}

/**
 * Recognises an answer that does not come from a Mesos master's `/api/v1/scheduler`: a 404 (an
 * agent, a web server, a wrong port), an HTML page, or a 200 without `Mesos-Stream-Id`. A Mesos
 * master answers SUBSCRIBE with 200 + RecordIO, 307 (not the leader), 503 (no leader yet) or a
 * plain-text 4xx naming what was wrong with the call. Returns undefined for those.
 */
export function diagnoseForeignAnswer(status: number, contentType: string, body: string, master: string): Diagnosis | undefined {
  // A Mesos agent routes /api/v1/scheduler to its own operator API (/api/v1) and says so.
  if (status === 400 && /agent::Call/.test(body)) return agentAnswer(master, `400 "${body.trim().slice(0, 80)}"`);
  const html = /text\/html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body);
  if (status !== 404 && !html) return undefined;
  const what = html ? `${status} with an HTML page${htmlTitle(body)}` : `${status}${body.trim() ? ` "${body.trim().slice(0, 80)}"` : ''}`;
  return {
    code: ClientErrorCodes.NOT_A_MESOS_MASTER,
    reason: `answered POST /api/v1/scheduler with ${what}: this is not a Mesos master`,
    hint: `check the URL and port (a Mesos master listens on 5050 by default, an agent on 5051)`,
    retryable: false,
  };
}

/** The diagnosis for a Mesos agent (or anything else without `/master/health`) given as the master. */
export function agentAnswer(master: string, what: string): Diagnosis {
  return {
    code: ClientErrorCodes.NOT_A_MESOS_MASTER,
    reason: `answered POST /api/v1/scheduler with ${what}: this looks like a Mesos agent (it has no /master/health), not a master`,
    hint: `use the master's URL (a master listens on 5050 by default, an agent on 5051); ${master} is not it`,
    retryable: false,
  };
}

function htmlTitle(body: string): string {
  const m = /<title[^>]*>([^<]{1,80})/i.exec(body);
  return m ? ` ("${m[1]!.trim()}")` : '';
}

function safeUrl(master: string): URL | undefined {
  try {
    return new URL(master);
  } catch {
    return undefined;
  }
}

/**
 * Whether something at `host:port` completes a TLS handshake (certificate not checked): used after
 * a plain-HTTP request was reset, to tell "the master speaks TLS" from a crash.
 */
export function speaksTls(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  const socket = tls.connect({ host, port, rejectUnauthorized: false, servername: /^[\d.]+$|:/.test(host) ? undefined : host });
  return probe(socket, timeoutMs, (done) => socket.once('secureConnect', () => done(true)));
}

/**
 * Whether something at `host:port` answers a plain-HTTP request: used after a TLS connection was
 * reset (Mesos closes a TLS handshake on its plain-HTTP port without a word), to tell "the master
 * speaks plain HTTP" from a crash.
 */
export function speaksPlainHttp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  const socket = net.connect({ host, port });
  let seen = '';
  return probe(socket, timeoutMs, (done) => {
    socket.once('connect', () => socket.write(`GET /version HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.length >= 8) done(seen.startsWith('HTTP/1.'));
    });
    socket.once('end', () => done(seen.startsWith('HTTP/1.')));
  });
}

/**
 * Settles a one-shot socket probe: `listen` wires the events that decide the answer; an error or
 * `timeoutMs` without an answer is `false`. The socket is destroyed once answered.
 */
function probe(socket: net.Socket, timeoutMs: number, listen: (done: (result: boolean) => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (result: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    socket.once('error', () => done(false));
    listen(done);
  });
}
