import axios from 'axios';
import { MesosSdkError } from '../errors/mesos-sdk.error.js';
import { authorizationHeader, type AuthOptions } from './client-options.js';

/** What replaces a secret in messages, bodies and causes. */
const REDACTED = '[REDACTED]';

/** An `Authorization`-style credential anywhere in a text: `Basic <b64>`, `Bearer <token>`. */
const CREDENTIAL = /\b(Basic|Bearer)(\s+|%20|\+)[A-Za-z0-9+/=._~%-]{4,}/gi;

/** Secrets shorter than this are not searched for verbatim (they would blot out ordinary words); the header forms still are. */
const MIN_VERBATIM = 4;

/**
 * Takes the credentials out of everything an error of the client carries, so that
 * `console.error(err)` or `util.inspect(err, { depth: Infinity })` shows none (issue 16 #8):
 *
 * - the message, the stack, an `ApiError`'s `body` (a master, or a proxy, may echo the request's
 *   `Authorization` header in a 401 page) and every string in `details`: the configured secret,
 *   token and header value, verbatim, and any `Basic …` / `Bearer …` credential;
 * - the cause chain: an axios error (whose `config.headers`, `request._header` and `response.config`
 *   hold the `Authorization` header) is replaced by a plain `Error` keeping its name, message,
 *   `code`, `status` and its own cause (Node's socket or TLS error, which carries no header).
 */
export class SecretRedactor {
  private readonly secrets: string[];

  constructor(auth: AuthOptions | undefined) {
    const header = authorizationHeader(auth);
    // The header's credential part, not the scheme: "Basic [REDACTED]" still says which it was.
    const values = header ? [header.replace(/^\S+\s+/, '')] : [];
    if (auth?.type === 'basic') values.push(`${auth.principal}:${auth.secret}`, auth.secret);
    if (auth?.type === 'bearer') values.push(auth.token);
    // Longest first, so that a secret inside another does not leave the rest behind.
    this.secrets = [...new Set(values.filter((v) => v.length >= MIN_VERBATIM))].sort((a, b) => b.length - a.length);
  }

  /** A text without the secrets. */
  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out.replace(CREDENTIAL, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  }

  /**
   * The same error, redacted in place (a `MesosSdkError`), or a redacted plain copy (anything
   * else, such as an axios error). Returns what to throw.
   */
  error<E>(err: E): E {
    return this.redact(err, 0) as E;
  }

  private redact(err: unknown, depth: number): unknown {
    if (depth > 8 || err === null || typeof err !== 'object') return typeof err === 'string' ? this.text(err) : err;
    if (err instanceof MesosSdkError) {
      const e = err as MesosSdkError & { body?: unknown; details?: Record<string, unknown> };
      const writable = e as unknown as Record<string, unknown>;
      e.message = this.text(e.message);
      if (typeof e.stack === 'string') e.stack = this.text(e.stack);
      if (typeof e.body === 'string') writable['body'] = this.text(e.body);
      if (e.details) writable['details'] = this.deep(e.details, 0);
      if (e.cause !== undefined) writable['cause'] = this.redact(e.cause, depth + 1);
      return e;
    }
    if (axios.isAxiosError(err)) {
      const copy = new Error(this.text(err.message), err.cause === undefined ? undefined : { cause: this.redact(err.cause, depth + 1) });
      copy.name = err.name;
      if (typeof err.stack === 'string') copy.stack = this.text(err.stack);
      const extra = copy as unknown as Record<string, unknown>;
      if (err.code !== undefined) extra['code'] = err.code;
      if (err.response?.status !== undefined) extra['status'] = err.response.status;
      return copy;
    }
    if (err instanceof Error) {
      // Node's own errors (ECONNREFUSED, a TLS verification failure) carry no request; their text
      // is still checked, and a cause below them too.
      err.message = this.text(err.message);
      if (typeof err.stack === 'string') err.stack = this.text(err.stack);
      if (err.cause !== undefined) (err as { cause?: unknown }).cause = this.redact(err.cause, depth + 1);
      return err;
    }
    return err;
  }

  private deep(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, depth + 1));
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, this.deep(v, depth + 1)]));
  }
}
