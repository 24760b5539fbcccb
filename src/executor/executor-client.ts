import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import { MEDIA_TYPES, encodingOf, type Encoding } from '../protocol/codec.js';
import { Codecs } from '../protocol/messages.js';
import { DEFAULT_MAX_FRAME_SIZE, RecordIOParser } from '../protocol/recordio.js';
import type { executor, v1 } from '../protocol/generated/index.js';
import { ApiError, ConnectionError, MesosSdkError, ProtocolError, SubscriptionError, ValidationError } from '../errors/index.js';
import { ErrorCodes } from '../errors/codes.js';
import { ExecutorErrorCodes, type ExecutorEnvironment } from './executor-env.js';
import { newUpdateUuid } from '../protocol/uuid.js';
import type { ExecutorEvent } from './executor-event.js';

/** Minimal logger the executor client reports to (any console-like object fits). */
export interface ExecutorLogger {
  /** Subscription steps, events received, updates resent. */
  debug(message: string, ...args: unknown[]): void;
  /** Lost connections, refused updates, retries. */
  warn(message: string, ...args: unknown[]): void;
}

/** Options of {@link MesosExecutorClient}; every one is optional. */
export interface ExecutorClientOptions {
  /** Message encoding on the wire. @default 'protobuf' */
  encoding?: Encoding;
  /** Largest accepted event frame. @default 4 MiB */
  maxFrameSize?: number;
  /** Timeout of non-streaming calls (ms). @default 10000 */
  requestTimeoutMs?: number;
  /** Where the client writes what it does. Default: nothing is written. */
  logger?: ExecutorLogger;
}

/**
 * Receives each event of the subscription, typed as the {@link ExecutorEvent} union
 * (`e.type === 'LAUNCH'` gives `e.launch`), one at a time: the next waits for the returned promise.
 */
export type ExecutorEventHandler = (event: ExecutorEvent) => void | Promise<void>;
/** Where the client is: `disconnected` (not started, or between re-subscriptions), `subscribing`, `subscribed`, or `stopped` for good. */
export type ExecutorState = 'disconnected' | 'subscribing' | 'subscribed' | 'stopped';

/** A status update as the executor writes it; the client fills uuid, source, timestamp and ids. */
export type ExecutorStatusUpdate = Omit<v1.TaskStatus, 'uuid' | 'source' | 'timestamp'> & Partial<Pick<v1.TaskStatus, 'timestamp'>>;


/**
 * Client of the agent's V1 executor API (`POST /api/v1/executor`).
 *
 * It subscribes, delivers events one at a time to the handler, keeps every status update it sent
 * until the agent acknowledges it, and, when checkpointing is on, re-subscribes after losing the
 * agent (random wait up to `subscriptionBackoffMaxMs`, for at most `recoveryTimeoutMs`), sending the
 * tasks and updates not yet acknowledged.
 *
 * @example
 * ```ts
 * const exec = new MesosExecutorClient(executorEnvironment());
 * exec.onEvent(async (e) => { if (e.type === 'LAUNCH') await exec.update({ task_id: e.launch.task.task_id, state: 'TASK_RUNNING' }); });
 * await exec.start();
 * ```
 */
export class MesosExecutorClient {
  private readonly http: AxiosInstance;
  private readonly encoding: Encoding;
  private readonly maxFrameSize: number;
  private handler: ExecutorEventHandler = () => {};
  private currentState: ExecutorState = 'disconnected';
  private stream: Readable | undefined;
  private loop: Promise<void> | undefined;
  /** Updates sent but not acknowledged, by uuid (base64). */
  private readonly pendingUpdates = new Map<string, executor.Call.Update>();
  /** Tasks launched here for which no update was acknowledged yet, by task id. */
  private readonly pendingTasks = new Map<string, v1.TaskInfo>();
  private readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private rejectFinished!: (err: Error) => void;

  /**
   * @param env - Where the agent is and who this executor is; usually {@link executorEnvironment}().
   * @param options - Encoding, frame limit, timeouts and logger.
   */
  constructor(
    /** The executor's environment, as given. */
    readonly env: ExecutorEnvironment,
    private readonly options: ExecutorClientOptions = {},
  ) {
    this.encoding = options.encoding ?? 'protobuf';
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    const headers: Record<string, string> = {};
    if (env.authenticationToken) headers['Authorization'] = `Bearer ${env.authenticationToken}`;
    this.http = axios.create({
      baseURL: env.agentUrl,
      headers,
      validateStatus: () => true,
      maxRedirects: 0,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      transformResponse: (data: unknown) => data,
    });
    this.finished = new Promise((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => {});
  }

  /** Where the client is now. */
  get state(): ExecutorState {
    return this.currentState;
  }

  private stopped(): boolean {
    return this.currentState === 'stopped';
  }

  /** Updates not yet acknowledged by the agent. */
  get unacknowledgedUpdates(): executor.Call.Update[] {
    return [...this.pendingUpdates.values()];
  }

  /** Tasks launched on this executor with no acknowledged update yet. */
  get unacknowledgedTasks(): v1.TaskInfo[] {
    return [...this.pendingTasks.values()];
  }

  /** Sets the event handler; events are delivered one at a time, in order. */
  onEvent(handler: ExecutorEventHandler): void {
    this.handler = handler;
  }

  /** Resolves when the executor stops cleanly; rejects when it gives up on the agent. */
  get done(): Promise<void> {
    return this.finished;
  }

  /** Subscribes; resolves at the first SUBSCRIBED event. */
  start(): Promise<void> {
    if (this.loop) throw new MesosSdkError(ErrorCodes.CONFIG_INVALID, 'executor client already started');
    return new Promise<void>((resolve, reject) => {
      let first = true;
      this.loop = this.run(() => {
        if (first) {
          first = false;
          resolve();
        }
      }).then(
        () => this.resolveFinished(),
        (err: Error) => {
          this.currentState = 'stopped';
          if (first) reject(err);
          this.rejectFinished(err);
        },
      );
    });
  }

  /** Stops reading events and closes the connection. Unacknowledged updates are kept in memory. */
  async stop(): Promise<void> {
    this.currentState = 'stopped';
    this.stream?.destroy();
    this.cancelBackoff?.();
    await this.loop?.catch(() => {});
  }

  /**
   * Sends a task status update (source SOURCE_EXECUTOR, a fresh RFC 4122 version-4 uuid). It is
   * kept until ACKNOWLEDGED and resent on re-subscription, so it is never lost while the agent is
   * away (a connection failure or a 5xx answer only logs a warning).
   *
   * An update the agent refuses (any 4xx answer, e.g. `400 Failed to validate Executor::Call: ...`)
   * is not kept: sending it again would be refused again (and a Mesos agent aborts on an invalid
   * update in `SUBSCRIBE.unacknowledged_updates`). The refusal is thrown instead.
   *
   * @returns the update's uuid (16 bytes).
   * @throws ValidationError `ERR_EXECUTOR_UPDATE_INVALID` for an update no agent accepts (no task id
   *   or state, or `TASK_STAGING`), before anything is sent.
   * @throws ApiError `ERR_EXECUTOR_UPDATE_REFUSED` (with `status` and the agent's `body`) when the
   *   agent refused it.
   */
  async update(status: ExecutorStatusUpdate): Promise<Uint8Array> {
    const problem = !status?.task_id?.value
      ? 'a status update needs task_id'
      : !status.state
        ? 'a status update needs a state'
        : status.state === 'TASK_STAGING'
          ? 'an executor may not send TASK_STAGING (the agent refuses it)'
          : undefined;
    if (problem) {
      throw new ValidationError(ExecutorErrorCodes.UPDATE_INVALID, `invalid status update${status?.task_id?.value ? ` of task ${status.task_id.value}` : ''}: ${problem}`, [
        { path: problem.includes('task_id') ? 'task_id' : 'state', message: problem },
      ]);
    }
    const uuid = newUpdateUuid();
    const full: v1.TaskStatus = {
      ...status,
      executor_id: { value: this.env.executorId },
      source: 'SOURCE_EXECUTOR',
      uuid,
      timestamp: status.timestamp ?? Date.now() / 1000,
    };
    const update: executor.Call.Update = { status: full };
    const key = uuid.toString('base64');
    this.pendingUpdates.set(key, update);
    if (this.currentState === 'subscribed') {
      try {
        await this.call({ type: 'UPDATE', update });
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          this.pendingUpdates.delete(key);
          throw new ApiError(
            ExecutorErrorCodes.UPDATE_REFUSED,
            `the agent refused the ${status.state} update of task ${status.task_id.value} with ${err.status}: ${err.body.slice(0, 500)}`,
            err.status,
            err.body,
            { cause: err, details: { taskId: status.task_id.value, state: status.state } },
          );
        }
        // Kept in pendingUpdates: it goes out again with the next SUBSCRIBE.
        this.options.logger?.warn(`status update not delivered yet, will resend on re-subscription: ${(err as Error).message}`);
      }
    }
    return uuid;
  }

  /** Sends a framework message to the scheduler (best effort, like Mesos). */
  async message(data: Uint8Array): Promise<void> {
    if (this.currentState !== 'subscribed') {
      throw new SubscriptionError(ExecutorErrorCodes.NOT_SUBSCRIBED, 'cannot send a message while not subscribed to the agent', { retryable: true });
    }
    await this.call({ type: 'MESSAGE', message: { data } });
  }

  private base(): Pick<executor.Call, 'framework_id' | 'executor_id'> {
    return { framework_id: { value: this.env.frameworkId }, executor_id: { value: this.env.executorId } };
  }

  private async call(partial: Omit<executor.Call, 'framework_id' | 'executor_id'>): Promise<void> {
    const body = Codecs.executorCall().encode({ ...this.base(), ...partial }, this.encoding);
    let res;
    try {
      res = await this.http.post('/api/v1/executor', Buffer.from(body), {
        headers: { 'Content-Type': MEDIA_TYPES[this.encoding] },
        responseType: 'text',
        timeout: this.options.requestTimeoutMs ?? 10_000,
      });
    } catch (cause) {
      throw new ConnectionError('ERR_CONNECTION', `agent unreachable: ${(cause as Error).message}`, { cause, retryable: true });
    }
    if (res.status !== 202) {
      throw new ApiError(`ERR_HTTP_${res.status}`, `agent answered ${res.status}: ${String(res.data).slice(0, 500)}`, res.status, String(res.data), {
        retryable: res.status === 503,
      });
    }
  }

  private async run(onSubscribed: () => void): Promise<void> {
    let lostAt: number | undefined;
    for (;;) {
      if (this.stopped()) return;
      try {
        await this.subscribeOnce(() => {
          lostAt = undefined;
          onSubscribed();
        });
        if (this.stopped()) return;
        throw new SubscriptionError('ERR_STREAM_ENDED', 'the agent closed the executor subscription', { retryable: true });
      } catch (err) {
        if (this.stopped()) return;
        this.currentState = 'disconnected';
        if (!this.env.checkpoint) {
          throw new SubscriptionError('ERR_AGENT_LOST', `lost the agent and checkpointing is off: ${(err as Error).message}`, { cause: err });
        }
        lostAt ??= Date.now();
        if (Date.now() - lostAt > this.env.recoveryTimeoutMs) {
          throw new SubscriptionError(ExecutorErrorCodes.RECOVERY_TIMEOUT, `could not re-subscribe to the agent within the recovery timeout of ${this.env.recoveryTimeoutMs} ms`, { cause: err });
        }
        this.options.logger?.debug(`executor subscription lost (${(err as Error).message}); retrying`);
        await this.backoff(Math.random() * this.env.subscriptionBackoffMaxMs);
      }
    }
  }

  private cancelBackoff: (() => void) | undefined;

  /**
   * Waits between subscription attempts. The timer is deliberately not unref'd: while the agent
   * recovers it may be all that keeps the executor process alive, and exiting then would lose
   * the updates not yet acknowledged. `stop()` cuts it short.
   */
  private backoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.cancelBackoff = done;
    }).finally(() => {
      this.cancelBackoff = undefined;
    });
  }

  private async subscribeOnce(onSubscribed: () => void): Promise<void> {
    this.currentState = 'subscribing';
    const call: executor.Call = {
      ...this.base(),
      type: 'SUBSCRIBE',
      subscribe: { unacknowledged_tasks: this.unacknowledgedTasks, unacknowledged_updates: this.unacknowledgedUpdates },
    };
    const res = await this.http.post('/api/v1/executor', Buffer.from(Codecs.executorCall().encode(call, this.encoding)), {
      headers: { 'Content-Type': MEDIA_TYPES[this.encoding], Accept: MEDIA_TYPES[this.encoding] },
      responseType: 'stream',
      timeout: 0,
    });
    const stream = res.data as Readable;
    this.stream = stream;
    if (this.stopped()) {
      // stop() came while the SUBSCRIBE was under way, before there was a stream to close.
      stream.destroy();
      return;
    }
    if (res.status !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
      throw new ApiError(`ERR_HTTP_${res.status}`, `agent refused SUBSCRIBE with ${res.status}: ${text}`, res.status, text, { retryable: res.status === 503 });
    }
    const encoding = encodingOf(String(res.headers['content-type'] ?? ''));
    if (!encoding) {
      stream.destroy();
      throw new ProtocolError(ErrorCodes.PROTOCOL_CONTENT_TYPE, `agent answered SUBSCRIBE with unsupported Content-Type ${String(res.headers['content-type'])}`);
    }
    const codec = Codecs.executorEvent();
    try {
      // The parser is fed here, synchronously, as the scheduler's HTTP client does, rather than
      // through decodeRecords (one async generator layer less per chunk). Records are views into
      // the chunk: JSON is read into text at once and the protobuf decoder copies `bytes` fields.
      const parser = new RecordIOParser({ maxFrameSize: this.maxFrameSize, copyRecords: false });
      for await (const chunk of stream) {
        for (const record of parser.push(chunk as Buffer)) {
          const event = codec.decode(record, encoding);
          this.track(event);
          if (event.type === 'SUBSCRIBED') {
            this.currentState = 'subscribed';
            onSubscribed();
            // Updates that went unacknowledged were just resent in the SUBSCRIBE body.
          }
          try {
            await this.handler(event as ExecutorEvent);
          } catch (err) {
            this.options.logger?.warn(`executor event handler failed on ${event.type}: ${(err as Error).message}`);
          }
          if (event.type === 'SHUTDOWN') {
            this.currentState = 'stopped';
            stream.destroy();
            return;
          }
        }
      }
      parser.end();
    } finally {
      stream.destroy();
    }
  }

  /** Bookkeeping of unacknowledged tasks and updates. */
  private track(event: executor.Event): void {
    if (event.type === 'LAUNCH' && event.launch) {
      this.pendingTasks.set(event.launch.task.task_id.value, event.launch.task);
    } else if (event.type === 'LAUNCH_GROUP' && event.launch_group) {
      for (const task of event.launch_group.task_group.tasks ?? []) this.pendingTasks.set(task.task_id.value, task);
    } else if (event.type === 'ACKNOWLEDGED' && event.acknowledged) {
      const key = Buffer.from(event.acknowledged.uuid).toString('base64');
      this.pendingUpdates.delete(key);
      this.pendingTasks.delete(event.acknowledged.task_id.value);
    }
  }
}
