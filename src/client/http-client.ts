import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { MEDIA_TYPES, encodingOf, type Encoding } from '../protocol/codec.js';
import { Codecs } from '../protocol/messages.js';
import { RecordIOParser } from '../protocol/recordio.js';
import type { scheduler } from '../protocol/generated/index.js';
import { ApiError, ConnectionError, MesosSdkError, ProtocolError } from '../errors/index.js';
import { ErrorCodes } from '../errors/codes.js';
import { ClientErrorCodes, httpErrorCode } from './client-error-codes.js';
import { SecretRedactor } from './redact.js';
import { agentAnswer, diagnoseConnectionFailure, diagnoseForeignAnswer, speaksPlainHttp, speaksTls, type Diagnosis } from './connection-diagnosis.js';
import {
  authorizationHeader,
  redactClientOptions,
  redirectAllowed,
  resolveClientOptions,
  type MesosClientOptions,
  type ResolvedClientOptions,
} from './client-options.js';

const SCHEDULER_PATH = '/api/v1/scheduler';
const MAX_ERROR_BODY = 64 * 1024;
const MAX_STREAM_ID = 128;

/** An open SUBSCRIBE stream. */
export interface Subscription {
  /** The `Mesos-Stream-Id` to send on every other call. */
  readonly streamId: string;
  /** Base URL of the master that accepted the subscription (the leader). */
  readonly masterUrl: string;
  /** Encoding the master chose for the event stream. */
  readonly encoding: Encoding;
  /** Decoded events, in order. Throws a typed error on bad frames or payloads; ends when the stream ends. */
  readonly events: AsyncIterable<scheduler.Event>;
  /** Closes the stream (idempotent). */
  close(): void;
}

/** Waits `ms`; an abort ends the wait early (the caller then sees the signal aborted). */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(done, ms);
    t.unref();
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Jittered exponential backoff: a random delay in [d/2, d] with d = min(max, base × 2^attempt). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** attempt);
  return d / 2 + Math.random() * (d / 2);
}

/**
 * Resolves a `Location` from a non-leading master against the current URL: Mesos sends a
 * protocol-relative `//host:port/path`; only host:port is taken, the scheme is kept.
 */
export function leaderFromLocation(location: string, current: string): string {
  const base = new URL(current);
  let target: URL;
  try {
    target = new URL(location.startsWith('//') ? `${base.protocol}${location}` : /^[a-z]+:\/\//i.test(location) ? location : `${base.protocol}//${location}`);
  } catch (cause) {
    throw new ProtocolError(ClientErrorCodes.BAD_RESPONSE, `master redirected to an unusable Location ${JSON.stringify(location.slice(0, 200))}`, { cause });
  }
  return `${base.protocol}//${target.host}`;
}

/**
 * HTTP transport of the Mesos V1 scheduler API, on axios.
 *
 * - `subscribe()` opens the long-lived SUBSCRIBE stream on a connection of its own;
 * - `call()` sends every other call on a separate keep-alive connection, with `Mesos-Stream-Id`;
 * - 307 from a non-leading master: host:port taken from the scheme-less `Location`, scheme kept;
 * - 503 retried with jittered exponential backoff; other statuses become {@link ApiError}s that
 *   carry the master's message; network failures become retryable {@link ConnectionError}s and the
 *   next master of the list is tried.
 *
 * Credentials are sent only in headers and never appear in logs or error messages.
 */
export class MesosHttpClient {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedClientOptions;
  private readonly streamHttp: AxiosInstance;
  private readonly callHttp: AxiosInstance;
  private readonly agents: Array<http.Agent | https.Agent> = [];
  private masterIndex = 0;
  /** Leader learned from a redirect or a successful subscription. */
  private leader: string | undefined;
  /** Takes the credentials out of every error this client throws. */
  private readonly redactor: SecretRedactor;

  constructor(options: MesosClientOptions) {
    this.options = resolveClientOptions(options);
    this.redactor = new SecretRedactor(this.options.auth);
    const tls = this.options.tls;
    const tlsOptions = {
      ca: tls?.ca,
      cert: tls?.cert,
      key: tls?.key,
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
      servername: tls?.servername,
    };
    const make = (keepAlive: boolean): AxiosInstance => {
      const httpAgent = new http.Agent({ keepAlive, maxSockets: keepAlive ? 4 : Infinity });
      const httpsAgent = new https.Agent({ keepAlive, maxSockets: keepAlive ? 4 : Infinity, ...tlsOptions });
      this.agents.push(httpAgent, httpsAgent);
      const headers: Record<string, string> = {};
      const authorization = authorizationHeader(this.options.auth);
      if (authorization) headers['Authorization'] = authorization;
      return axios.create({
        httpAgent,
        httpsAgent,
        headers,
        maxRedirects: 0,
        validateStatus: () => true,
        transformResponse: (data: unknown) => data,
        transformRequest: (data: unknown) => data,
        proxy: false,
      });
    };
    this.streamHttp = make(false);
    this.callHttp = make(true);
  }

  /** The master currently believed to lead. */
  get currentMaster(): string {
    return this.leader ?? this.options.masters[this.masterIndex % this.options.masters.length]!;
  }

  /** Safe to log: no secrets. */
  toJSON(): Record<string, unknown> {
    return redactClientOptions(this.options);
  }

  /** Forget the known leader and move on to the next master of the list. */
  rotateMaster(): void {
    this.leader = undefined;
    this.masterIndex = (this.masterIndex + 1) % this.options.masters.length;
  }

  /**
   * Sends SUBSCRIBE and returns the open event stream. Follows redirects to the leader and retries
   * 503s; throws a typed error otherwise, whose message names the master, the reason and what to
   * check (`details.master`, `details.reason`, `details.hint`). After a failure the next master of
   * the list is tried by the next call.
   *
   * @param options.signal aborts the attempt (a connection being made, a 503 backoff): the
   *   scheduler passes one so that `stop()` does not wait for `connectTimeoutMs`.
   */
  async subscribe(call: scheduler.Call, options: { signal?: AbortSignal } = {}): Promise<Subscription> {
    try {
      return await this.subscribeOnce(call, options);
    } catch (err) {
      throw this.redactor.error(err);
    }
  }

  private async subscribeOnce(call: scheduler.Call, options: { signal?: AbortSignal }): Promise<Subscription> {
    const body = Buffer.from(Codecs.schedulerCall().encodeComplete(call, this.options.encoding));
    const mediaType = MEDIA_TYPES[this.options.encoding];
    let redirects = 0;
    let unavailable = 0;
    for (;;) {
      const master = this.currentMaster;
      if (options.signal?.aborted) throw abortedError(master);
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let timedOut = false;
      const headerTimer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.options.connectTimeoutMs);
      let res: AxiosResponse<Readable>;
      try {
        res = await this.streamHttp.post<Readable>(master + SCHEDULER_PATH, body, {
          headers: { 'Content-Type': mediaType, Accept: mediaType },
          responseType: 'stream',
          signal: controller.signal,
          timeout: 0,
        });
      } catch (cause) {
        clearTimeout(headerTimer);
        options.signal?.removeEventListener('abort', onAbort);
        this.rotateMaster();
        if (options.signal?.aborted) throw abortedError(master, cause);
        throw await this.subscribeConnectionError(cause, master, timedOut);
      }
      clearTimeout(headerTimer);
      options.signal?.removeEventListener('abort', onAbort);
      const stream = res.data;
      const contentType = String(res.headers['content-type'] ?? '');
      if (res.status === 200 && !res.headers['mesos-stream-id'] && /text\/html/i.test(contentType)) {
        // A 200 HTML page without a stream id is some web server: no Mesos master answers so.
        const page = await readText(stream);
        this.rotateMaster();
        throw diagnosisError(diagnoseForeignAnswer(200, contentType, page, master)!, master, { status: 200 });
      }
      try {
        if (res.status === 200) return this.openSubscription(res, stream, master, controller);
      } catch (err) {
        this.rotateMaster();
        throw err;
      }
      const text = await readText(stream);
      if (res.status === 307) {
        if (++redirects > this.options.maxRedirects) {
          this.rotateMaster();
          throw new ApiError(ClientErrorCodes.TOO_MANY_REDIRECTS, `gave up after ${redirects - 1} redirects (last from ${master})`, 307, text, {
            retryable: true,
            details: { master, reason: `${redirects - 1} redirects in a row (a leader election in progress?)` },
          });
        }
        const leader = leaderFromLocation(String(res.headers['location'] ?? ''), master);
        if (!redirectAllowed(this.options, leader)) {
          this.rotateMaster();
          const host = new URL(leader).host;
          const reason = `redirected to ${leader}, which is not one of the configured masters; not followed, so that the credentials are not sent there`;
          const hint = `if ${host} is a master of this cluster, add it to masters or to the client option redirectHosts (a Mesos master names the leader by its --hostname or IP, which may be spelled differently from the URL configured), or set followRedirects: 'any'`;
          throw new ApiError(ClientErrorCodes.REDIRECT_NOT_ALLOWED, `master ${master} ${reason}; ${hint}`, 307, '', {
            retryable: false,
            details: { master, reason, hint, location: leader },
          });
        }
        this.leader = leader;
        this.options.logger?.info(`master ${master} is not the leader; following its redirect to ${this.leader}`);
        continue;
      }
      if (res.status === 503 && unavailable < this.options.retry503.attempts) {
        const delay = backoffDelay(unavailable++, this.options.retry503.baseDelayMs, this.options.retry503.maxDelayMs);
        this.options.logger?.warn(`master ${master} unavailable (503 ${text.trim() || 'Service Unavailable'}); retrying SUBSCRIBE in ${Math.round(delay)} ms`);
        if (unavailable > 1) this.rotateMaster();
        await sleep(delay, options.signal);
        continue;
      }
      this.rotateMaster();
      const foreign =
        diagnoseForeignAnswer(res.status, String(res.headers['content-type'] ?? ''), text, master) ??
        // A protobuf SUBSCRIBE an agent cannot parse: a master always has /master/health, an agent never.
        (res.status === 400 && /Failed to parse body/.test(text) && (await this.answers404(master + '/master/health')) ? agentAnswer(master, `400 "${text.trim().slice(0, 80)}"`) : undefined);
      if (foreign) throw diagnosisError(foreign, master, { status: res.status });
      throw statusError('SUBSCRIBE', res.status, text, master);
    }
  }

  /**
   * Sends a non-SUBSCRIBE call to the master holding the subscription.
   * @param options.retry503 false to fail at the first 503 instead of retrying (`retry503` option).
   * @param options.signal aborts the call (the scheduler aborts the calls of a subscription its
   *   watchdog declared dead): it rejects with a retryable `ConnectionError` `ERR_CONNECTION`.
   * @returns the decoded `Response` for calls answered 200 (RECONCILE_OPERATIONS), else undefined.
   */
  async call(call: scheduler.Call, subscription: Pick<Subscription, 'streamId' | 'masterUrl'>, options: { retry503?: boolean; signal?: AbortSignal } = {}): Promise<scheduler.Response | undefined> {
    try {
      return await this.callOnce(call, subscription, options);
    } catch (err) {
      throw this.redactor.error(err);
    }
  }

  private async callOnce(call: scheduler.Call, subscription: Pick<Subscription, 'streamId' | 'masterUrl'>, options: { retry503?: boolean; signal?: AbortSignal }): Promise<scheduler.Response | undefined> {
    const attempts503 = options.retry503 === false ? 0 : this.options.retry503.attempts;
    const body = Buffer.from(Codecs.schedulerCall().encodeComplete(call, this.options.encoding));
    const mediaType = MEDIA_TYPES[this.options.encoding];
    let unavailable = 0;
    for (;;) {
      let res: AxiosResponse<ArrayBuffer>;
      try {
        res = await this.callHttp.post<ArrayBuffer>(subscription.masterUrl + SCHEDULER_PATH, body, {
          headers: { 'Content-Type': mediaType, Accept: mediaType, 'Mesos-Stream-Id': subscription.streamId },
          responseType: 'arraybuffer',
          timeout: this.options.requestTimeoutMs,
          maxContentLength: this.options.maxFrameSize,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (cause) {
        if (options.signal?.aborted) {
          throw new ConnectionError(ClientErrorCodes.CONNECTION, `${call.type} to ${subscription.masterUrl} aborted: the subscription was declared dead; it is sent again on the next subscription if needed`, {
            cause,
            retryable: true,
            details: { master: subscription.masterUrl, reason: 'aborted' },
          });
        }
        throw this.connectionError(cause, subscription.masterUrl, false);
      }
      const bytes = Buffer.from(res.data ?? new ArrayBuffer(0));
      if (res.status === 202) return undefined;
      if (res.status === 200) {
        if (bytes.length === 0) return undefined;
        const enc = encodingOf(String(res.headers['content-type'] ?? '')) ?? this.options.encoding;
        return Codecs.schedulerResponse().decode(bytes, enc);
      }
      const text = bytes.subarray(0, MAX_ERROR_BODY).toString('utf8');
      if (res.status === 307) {
        throw new ApiError(
          ClientErrorCodes.NOT_LEADER,
          `${call.type} was redirected: ${subscription.masterUrl} no longer leads; the subscription must be re-established with the new leader`,
          307,
          text,
          { retryable: true },
        );
      }
      if (res.status === 503 && unavailable < attempts503) {
        await sleep(backoffDelay(unavailable++, this.options.retry503.baseDelayMs, this.options.retry503.maxDelayMs), options.signal);
        continue;
      }
      throw statusError(call.type ?? 'call', res.status, text, subscription.masterUrl);
    }
  }

  /** True when a GET of `url` is answered 404 (false on any other answer or failure). */
  private async answers404(url: string): Promise<boolean> {
    try {
      const res = await this.callHttp.get(url, { timeout: Math.min(2000, this.options.requestTimeoutMs), responseType: 'arraybuffer' });
      return res.status === 404;
    } catch {
      return false;
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private openSubscription(res: AxiosResponse<Readable>, stream: Readable, master: string, controller: AbortController): Subscription {
    const streamId = String(res.headers['mesos-stream-id'] ?? '');
    if (!streamId || streamId.length > MAX_STREAM_ID || !/^[\x21-\x7e]+$/.test(streamId)) {
      stream.destroy();
      throw new ProtocolError(ClientErrorCodes.BAD_RESPONSE, `master ${master} answered SUBSCRIBE without a valid Mesos-Stream-Id header`);
    }
    const encoding = encodingOf(String(res.headers['content-type'] ?? ''));
    if (!encoding) {
      stream.destroy();
      throw new ProtocolError(
        ErrorCodes.PROTOCOL_CONTENT_TYPE,
        `master ${master} answered SUBSCRIBE with Content-Type ${JSON.stringify(String(res.headers['content-type'] ?? ''))}; expected ${MEDIA_TYPES[this.options.encoding]}`,
      );
    }
    this.leader = master;
    const maxFrameSize = this.options.maxFrameSize;
    const codec = Codecs.schedulerEvent();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      controller.abort();
      stream.destroy();
    };
    const logger = this.options.logger;
    const redactor = this.redactor;
    async function* events(): AsyncGenerator<scheduler.Event> {
      let first = true;
      try {
        // The parser is fed here, synchronously, rather than through decodeRecords: one async
        // generator layer less per chunk (HTTP delivers about one event per chunk).
        // Records are views into the chunk, not copies: JSON records are read into text at once,
        // and the protobuf decoder copies `bytes` fields (uuid, data) out, so no decoded event
        // keeps the chunk alive.
        const parser = new RecordIOParser({ maxFrameSize, copyRecords: false });
        for await (const chunk of stream) {
          for (const record of parser.push(chunk as Buffer)) {
            // Once closed, records still buffered are not handed on (the master resends what was not acknowledged).
            if (closed) return;
            let event: scheduler.Event;
            try {
              event = codec.decode(record, encoding!);
            } catch (err) {
              // The first record must be SUBSCRIBED (or ERROR): without it there is no subscription.
              if (first || !(err instanceof ProtocolError)) throw err;
              // One event this SDK cannot decode (a value its Mesos 1.11 schema does not know) does
              // not end the subscription: re-subscribing would get it again, in a loop. It is
              // skipped, not acknowledged: the agent resends an unacknowledged update.
              logger?.warn(`skipped an event from ${master} that cannot be decoded (${record.length} bytes): ${err.message} [${err.code}]; it is not acknowledged (Mesos resends unacknowledged status updates)`);
              continue;
            }
            first = false;
            yield event;
          }
        }
        if (closed) return;
        parser.end();
      } catch (err) {
        if (closed) return;
        if (err instanceof MesosSdkError) throw redactor.error(err);
        throw redactor.error(new ConnectionError(ClientErrorCodes.CONNECTION, `subscription stream from ${master} failed: ${(err as Error).message}`, { cause: err, retryable: true }));
      } finally {
        close();
      }
    }
    return { streamId, masterUrl: master, encoding, events: events(), close };
  }

  private connectionError(cause: unknown, master: string, timedOut: boolean): MesosSdkError {
    return diagnosisError(diagnoseConnectionFailure(cause, master, { timedOut, connectTimeoutMs: this.options.connectTimeoutMs }), master, {}, cause);
  }

  /**
   * {@link connectionError}, with a probe after a reset connection: a plain-HTTP URL whose port
   * speaks TLS wants `https://`; an `https://` URL whose port answers plain HTTP (Mesos resets a
   * TLS handshake on its plain port) wants `http://`.
   */
  private async subscribeConnectionError(cause: unknown, master: string, timedOut: boolean): Promise<MesosSdkError> {
    const diagnosis = diagnoseConnectionFailure(cause, master, { timedOut, connectTimeoutMs: this.options.connectTimeoutMs });
    const url = new URL(master);
    if (!timedOut && url.protocol === 'http:' && /ECONNRESET/.test(diagnosis.reason) && (await speaksTls(url.hostname, Number(url.port || 80)))) {
      return diagnosisError(
        {
          code: ClientErrorCodes.WRONG_SCHEME,
          reason: 'the master closed a plain-HTTP connection and speaks TLS on that port',
          hint: `use https://${url.host} (and tls.ca when its certificate is not signed by a public CA)`,
          retryable: false,
        },
        master,
        {},
        cause,
      );
    }
    if (!timedOut && url.protocol === 'https:' && /ECONNRESET/.test(diagnosis.reason) && (await speaksPlainHttp(url.hostname, Number(url.port || 443)))) {
      return diagnosisError(
        {
          code: ClientErrorCodes.WRONG_SCHEME,
          reason: 'the master closed the TLS handshake and answers plain HTTP on that port',
          hint: `the master speaks plain HTTP? use http://${url.host} or check the master's TLS set-up`,
          retryable: false,
        },
        master,
        {},
        cause,
      );
    }
    return diagnosisError(diagnosis, master, {}, cause);
  }
}

/** A {@link ConnectionError} from a diagnosis: `cannot reach master <url>: <reason>; <hint>`. */
function diagnosisError(d: Diagnosis, master: string, details: Record<string, unknown>, cause?: unknown): ConnectionError {
  const verb = d.code === ClientErrorCodes.NOT_A_MESOS_MASTER ? `${master}` : `cannot reach master ${master}`;
  return new ConnectionError(d.code, `${verb}: ${d.reason}; ${d.hint}`, {
    ...(cause === undefined ? {} : { cause }),
    retryable: d.retryable,
    details: { master, reason: d.reason, hint: d.hint, ...details },
  });
}

function abortedError(master: string, cause?: unknown): ConnectionError {
  return new ConnectionError(ClientErrorCodes.CONNECTION, `SUBSCRIBE to ${master} aborted`, { ...(cause === undefined ? {} : { cause }), retryable: true, details: { master, reason: 'aborted' } });
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    if (size < MAX_ERROR_BODY) chunks.push(buf);
    size += buf.length;
    if (size > MAX_ERROR_BODY) {
      stream.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString('utf8');
}

/** What to check after a status a Mesos master gives to a scheduler that is set up wrongly. */
const STATUS_HINTS: Record<number, string> = {
  401: 'the master requires authentication: set auth ({ type: "basic", principal, secret })',
  403: 'the master refused these credentials or this principal: check auth and the master\'s ACLs',
  415: 'the master does not accept this encoding: try encoding "json"',
};

function statusError(what: string, status: number, text: string, master: string): ApiError {
  const message = text.trim() || `${status}`;
  const hint = what === 'SUBSCRIBE' ? STATUS_HINTS[status] : undefined;
  return new ApiError(httpErrorCode(status), `master ${master} answered ${what} with ${status}: ${message.slice(0, 1000)}${hint ? `; ${hint}` : ''}`, status, text, {
    retryable: status === 503,
    details: { master, reason: `${status} ${message.slice(0, 200)}`, ...(hint ? { hint } : {}) },
  });
}
