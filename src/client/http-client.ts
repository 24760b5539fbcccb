import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { MEDIA_TYPES, encodingOf, type Encoding } from '../protocol/codec.js';
import { Codecs } from '../protocol/messages.js';
import { decodeRecords } from '../protocol/recordio.js';
import type { scheduler } from '../protocol/generated/index.js';
import { ApiError, ConnectionError, MesosSdkError, ProtocolError } from '../errors/index.js';
import { ErrorCodes } from '../errors/codes.js';
import { ClientErrorCodes, httpErrorCode } from './client-error-codes.js';
import {
  authorizationHeader,
  redactClientOptions,
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

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
  readonly options: ResolvedClientOptions;
  private readonly streamHttp: AxiosInstance;
  private readonly callHttp: AxiosInstance;
  private readonly agents: Array<http.Agent | https.Agent> = [];
  private masterIndex = 0;
  /** Leader learned from a redirect or a successful subscription. */
  private leader: string | undefined;

  constructor(options: MesosClientOptions) {
    this.options = resolveClientOptions(options);
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
   * 503s; throws a typed error otherwise.
   */
  async subscribe(call: scheduler.Call): Promise<Subscription> {
    const body = Buffer.from(Codecs.schedulerCall().encodeComplete(call, this.options.encoding));
    const mediaType = MEDIA_TYPES[this.options.encoding];
    let redirects = 0;
    let unavailable = 0;
    for (;;) {
      const master = this.currentMaster;
      const controller = new AbortController();
      const headerTimer = setTimeout(() => controller.abort(), this.options.connectTimeoutMs);
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
        this.rotateMaster();
        throw this.connectionError(cause, master, controller.signal.aborted);
      }
      clearTimeout(headerTimer);
      const stream = res.data;
      if (res.status === 200) return this.openSubscription(res, stream, master, controller);
      const text = await readText(stream);
      if (res.status === 307) {
        if (++redirects > this.options.maxRedirects) {
          throw new ApiError(ClientErrorCodes.TOO_MANY_REDIRECTS, `gave up after ${redirects - 1} redirects (last from ${master})`, 307, text, { retryable: true });
        }
        this.leader = leaderFromLocation(String(res.headers['location'] ?? ''), master);
        this.options.logger?.info(`master ${master} is not the leader; following redirect to ${this.leader}`);
        continue;
      }
      if (res.status === 503 && unavailable < this.options.retry503.attempts) {
        const delay = backoffDelay(unavailable++, this.options.retry503.baseDelayMs, this.options.retry503.maxDelayMs);
        this.options.logger?.info(`master ${master} unavailable (${text.trim()}); retrying SUBSCRIBE in ${Math.round(delay)} ms`);
        if (unavailable > 1) this.rotateMaster();
        await sleep(delay);
        continue;
      }
      throw statusError('SUBSCRIBE', res.status, text, master);
    }
  }

  /**
   * Sends a non-SUBSCRIBE call to the master holding the subscription.
   * @param options.retry503 false to fail at the first 503 instead of retrying (`retry503` option).
   * @returns the decoded `Response` for calls answered 200 (RECONCILE_OPERATIONS), else undefined.
   */
  async call(call: scheduler.Call, subscription: Pick<Subscription, 'streamId' | 'masterUrl'>, options: { retry503?: boolean } = {}): Promise<scheduler.Response | undefined> {
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
        });
      } catch (cause) {
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
        await sleep(backoffDelay(unavailable++, this.options.retry503.baseDelayMs, this.options.retry503.maxDelayMs));
        continue;
      }
      throw statusError(call.type ?? 'call', res.status, text, subscription.masterUrl);
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
    async function* events(): AsyncGenerator<scheduler.Event> {
      try {
        for await (const record of decodeRecords(stream, { maxFrameSize })) {
          yield codec.decode(record, encoding!);
        }
      } catch (err) {
        if (closed) return;
        if (err instanceof MesosSdkError) throw err;
        throw new ConnectionError(ClientErrorCodes.CONNECTION, `subscription stream from ${master} failed: ${(err as Error).message}`, { cause: err, retryable: true });
      } finally {
        close();
      }
    }
    return { streamId, masterUrl: master, encoding, events: events(), close };
  }

  private connectionError(cause: unknown, master: string, timedOut: boolean): MesosSdkError {
    const err = cause as NodeJS.ErrnoException & { code?: string };
    const code = err?.code ?? '';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/i.test(code) || /certificate/i.test(err?.message ?? '')) {
      return new ConnectionError(ClientErrorCodes.TLS, `TLS verification of ${master} failed (${code || err.message}); give the master's CA in tls.ca`, {
        cause,
        retryable: false,
      });
    }
    const what = timedOut ? 'timed out' : code || err?.message || 'failed';
    return new ConnectionError(ClientErrorCodes.CONNECTION, `cannot reach master ${master}: ${what}`, { cause, retryable: true });
  }
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

function statusError(what: string, status: number, text: string, master: string): ApiError {
  const message = text.trim() || `${status}`;
  return new ApiError(httpErrorCode(status), `master ${master} answered ${what} with ${status}: ${message.slice(0, 1000)}`, status, text, {
    retryable: status === 503 || status === 404,
  });
}
