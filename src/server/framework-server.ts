import { timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { ConfigurationError, ErrorCodes, MesosSdkError, ValidationError } from '../errors/index.js';
import type { Scheduler } from '../scheduler/scheduler.interface.js';
import type { TaskManager, TaskQuery } from '../task-manager/task-manager.js';
import { TaskManagerErrorCodes } from '../task-manager/task-manager.js';
import type { ResourceManager } from '../resource-manager/resource-manager.js';
import type { LeaderElection } from '../ha/leader-election.interface.js';
import type { Logger } from '../logging/logger.js';
import { withCorrelationId } from '../logging/correlation.js';
import type { FrameworkMetrics } from './framework-metrics.js';
import { serveArtifact } from './artifact-files.js';
import type { TaskRecordState } from '../task-manager/task-record.js';

/** Options of the framework's HTTP server. */
export interface ServerOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /**
   * Bearer token required on every mutating route (POST, PUT, DELETE): a missing token gets 401,
   * a wrong one 403. Without it the mutating routes are open, so keep the default loopback host.
   */
  token?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: {
    /** Private key (PEM). */
    key: string | Buffer;
    /** Certificate chain (PEM). */
    cert: string | Buffer;
  };
  /**
   * Folder served under `/artifacts/` to the Mesos fetcher (executor binaries and other files).
   * Nothing outside it is served: dotfiles and paths with `..` are refused, and every symlink is
   * resolved first. A symlink to a file or folder inside `artifactsDir` is served; one leading
   * outside it (say to `/etc`), directly or through a chain, answers 404 like a missing file.
   * The folder itself may be a symlink (resolved at each request). Only regular files are served,
   * with their length and single byte ranges.
   */
  artifactsDir?: string;
  /** Largest request body accepted, bytes; larger ones get 413. @default 1 MiB */
  bodyLimit?: number;
  /**
   * Time a client has to send a request's headers, ms; a slower client gets 408 and the connection
   * is closed (slow-header attacks). With `tls`, also the time to complete the TLS handshake.
   * 0 turns it off (`requestTimeoutMs` still bounds the headers). Must not exceed
   * `requestTimeoutMs`. @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send a whole request, headers and body, ms; a slower one gets 408 and
   * the connection is closed (a body dripped byte by byte cannot hold a connection). Answers,
   * such as a long artifact download, are not limited by it. 0 turns it off. @default 30000
   */
  requestTimeoutMs?: number;
  /** A connection with no traffic either way for this long is closed, ms. 0 turns it off. @default 60000 */
  connectionTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this long, ms (at least 1: 0 would keep it for ever). @default 5000 */
  keepAliveTimeoutMs?: number;
}

/** Defaults of the server's timeouts (`ServerOptions.*TimeoutMs`), ms. */
export const SERVER_TIMEOUT_DEFAULTS = {
  /** `headersTimeoutMs`. */
  headersTimeoutMs: 10_000,
  /** `requestTimeoutMs`. */
  requestTimeoutMs: 30_000,
  /** `connectionTimeoutMs`. */
  connectionTimeoutMs: 60_000,
  /** `keepAliveTimeoutMs`. */
  keepAliveTimeoutMs: 5_000,
} as const;

/** Largest timer Node.js runs (about 24.8 days); a larger delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Largest length of a task id, definition name or query value taken from a request. */
const MAX_PARAM_LENGTH = 256;
const PARAM_PATTERN = '^[A-Za-z0-9._-]+$';
/** What `?state=` accepts. */
const TASK_STATES = [
  'PENDING', 'LAUNCHING', 'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED',
  'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN',
] as const satisfies readonly TaskRecordState[];
// Fails to compile when a state is added to TaskRecordState but not to TASK_STATES.
const allStatesListed: Exclude<TaskRecordState, (typeof TASK_STATES)[number]> extends never ? true : never = true;
void allStatesListed;

/** The parts the server reads and steers; all but the scheduler are optional. */
export interface ServerDeps {
  /** Subscription state for `/health` and the API. */
  scheduler: Scheduler;
  /** Leadership for `/health` (a standby answers as such). */
  election?: LeaderElection;
  /** The task manager behind the task routes; without it they answer 501. */
  tasks?: TaskManager;
  /** Offers held, for the API. */
  resources?: ResourceManager;
  /** Served at `/metrics`. */
  metrics?: FrameworkMetrics;
  /** Request errors are logged here. */
  logger?: Logger;
}

/** The `code` of the server's JSON error answers (`{ code, message }`). */
export const ServerErrorCodes = {
  /** 401: a mutating route without `Authorization: Bearer <token>`. */
  UNAUTHORIZED: 'ERR_UNAUTHORIZED',
  /** 403: the bearer token is wrong. */
  FORBIDDEN: 'ERR_FORBIDDEN',
  /** 404: no such route, task or definition. */
  NOT_FOUND: 'ERR_NOT_FOUND',
  /** 413: the body is larger than `bodyLimit`. */
  BODY_TOO_LARGE: 'ERR_BODY_TOO_LARGE',
  /** 400: the body or parameters are invalid; `errors` lists each problem. */
  BAD_REQUEST: 'ERR_BAD_REQUEST',
  /** 416: an artifact's `Range` lies outside the file. */
  RANGE_NOT_SATISFIABLE: 'ERR_RANGE_NOT_SATISFIABLE',
  /** 415: the body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  /** 501: a task route on a framework running without the task manager. */
  NO_TASK_MANAGER: 'ERR_NO_TASK_MANAGER',
  /** `ConfigurationError` from the constructor: `artifactsDir` is not an existing folder. */
  BAD_ARTIFACTS_DIR: 'ERR_SERVER_BAD_ARTIFACTS_DIR',
  /** `MesosSdkError` from `server.fastify` before `ready()` has resolved. */
  NOT_READY: 'ERR_SERVER_NOT_READY',
  /** 500: an unexpected failure (details in the framework log, not in the answer). */
  INTERNAL: 'ERR_INTERNAL',
} as const;

interface ErrorBody {
  code: string;
  message: string;
  errors?: ReadonlyArray<{ path: string; message: string }>;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The framework's HTTP server (fastify; bound to `TOKENS.Server`):
 *
 * | Route | |
 * |---|---|
 * | `GET /health` | 200 when subscribed and leading, 503 otherwise; the body says which |
 * | `GET /metrics` | Prometheus exposition |
 * | `GET /api/v1/state` | subscription, framework id, leadership, offers held, tasks per state |
 * | `GET /api/v1/tasks[?name=&state=&label=&history=true]`, `GET /api/v1/tasks/:id` | task records |
 * | `POST /api/v1/tasks` | submit task definitions (validated; 400 lists every problem) |
 * | `POST /api/v1/tasks/:id/kill` | kill a task for good |
 * | `PUT /api/v1/definitions/:name/instances` `{ "instances": n }` | scale |
 * | `GET /artifacts/*` | files for the Mesos fetcher: content length, ranges, nothing outside the folder |
 *
 * Errors are JSON `{ code, message, errors? }`.
 *
 * Slow clients are cut off by the timeouts of {@link ServerOptions} (defaults in
 * {@link SERVER_TIMEOUT_DEFAULTS}). fastify is loaded by `ready()`, which `listen()` calls, not
 * when `mesos-sdk` is imported.
 */
export class FrameworkServer {
  private app: FastifyInstance | undefined;
  private building: Promise<FastifyInstance> | undefined;
  private address: string | undefined;

  private readonly timeouts: Required<Pick<ServerOptions, keyof typeof SERVER_TIMEOUT_DEFAULTS>>;

  /**
   * @throws ConfigurationError `ERR_SERVER_BAD_ARTIFACTS_DIR` when `artifactsDir` is not a folder,
   *   `ERR_CONFIG_INVALID` when a timeout, `bodyLimit` or `port` is out of range.
   */
  constructor(
    private readonly deps: ServerDeps,
    /** The options given. */
    readonly options: ServerOptions = {},
  ) {
    if (options.artifactsDir !== undefined && !(existsSync(options.artifactsDir) && statSync(options.artifactsDir).isDirectory())) {
      throw new ConfigurationError(ServerErrorCodes.BAD_ARTIFACTS_DIR, `artifactsDir ${options.artifactsDir} is not a folder; create it or fix the path`);
    }
    const whole = (name: string, value: number | undefined, min: number, max: number) => {
      if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
        throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `server option ${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
      }
    };
    whole('port', options.port, 0, 65_535);
    whole('bodyLimit', options.bodyLimit, 1, 2 ** 30);
    this.timeouts = { ...SERVER_TIMEOUT_DEFAULTS };
    for (const key of Object.keys(SERVER_TIMEOUT_DEFAULTS) as Array<keyof typeof SERVER_TIMEOUT_DEFAULTS>) {
      whole(key, options[key], key === 'keepAliveTimeoutMs' ? 1 : 0, MAX_TIMER_MS);
      this.timeouts[key] = options[key] ?? SERVER_TIMEOUT_DEFAULTS[key];
    }
    const { headersTimeoutMs: headers, requestTimeoutMs: request } = this.timeouts;
    if (request > 0 && headers > request) {
      throw new ConfigurationError(ErrorCodes.CONFIG_INVALID, `server option headersTimeoutMs (${headers}) must not exceed requestTimeoutMs (${request}): headers are part of the request`);
    }
  }

  /**
   * Loads fastify and builds the server with its routes (once; `listen()` calls it). Await it
   * to add routes of your own through `fastify` before `listen()`.
   */
  ready(): Promise<FastifyInstance> {
    this.building ??= this.build();
    return this.building;
  }

  private async build(): Promise<FastifyInstance> {
    const options = this.options;
    const { default: Fastify } = await import('fastify');
    const t = this.timeouts;
    // Node checks the header and request deadlines of open connections on an interval (30 s by
    // default, which would stretch a 10 s header timeout to 40 s): check 4 times per shortest deadline.
    const deadlines = [t.headersTimeoutMs, t.requestTimeoutMs].filter((ms) => ms > 0);
    const checkEvery = Math.min(30_000, Math.max(50, Math.floor(Math.min(...deadlines, 120_000) / 4)));
    const http = { headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: checkEvery };
    const app = Fastify({
      logger: false,
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      requestTimeout: t.requestTimeoutMs,
      connectionTimeout: t.connectionTimeoutMs,
      keepAliveTimeout: t.keepAliveTimeoutMs,
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      // A URL the router cannot take (bad encoding, a parameter past maxParamLength): our error format.
      frameworkErrors: (err, _req, reply) => {
        const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
        void (reply as unknown as FastifyReply).code(tooLong ? 414 : 400).send(error(ServerErrorCodes.BAD_REQUEST, tooLong ? `a path segment is longer than ${MAX_PARAM_LENGTH} characters` : 'the URL is not valid (bad percent-encoding?)'));
      },
      // The TLS handshake counts as part of the headers.
      ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert, ...http, ...(t.headersTimeoutMs > 0 ? { handshakeTimeout: t.headersTimeoutMs } : {}) } } : { http }),
      genReqId: (req) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req-${Math.random().toString(36).slice(2, 10)}`;
      },
    }) as unknown as FastifyInstance;
    // Fastify sets these after creating the server too; set them again so 0 means off, as documented.
    app.server.headersTimeout = t.headersTimeoutMs;
    app.server.requestTimeout = t.requestTimeoutMs;
    app.server.keepAliveTimeout = t.keepAliveTimeoutMs;
    app.server.setTimeout(t.connectionTimeoutMs);
    this.routes(app);
    const dir = options.artifactsDir;
    if (dir !== undefined) {
      // Our own handler, not @fastify/static: `send` follows symlinks out of its root.
      const root = resolve(dir);
      app.route({
        method: ['GET', 'HEAD'],
        url: '/artifacts/*',
        exposeHeadRoute: false,
        handler: (req, reply) => serveArtifact(root, req, reply, { notFound: ServerErrorCodes.NOT_FOUND, range: ServerErrorCodes.RANGE_NOT_SATISFIABLE }),
      });
    }
    this.app = app;
    return app;
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:43121`. */
  get url(): string | undefined {
    return this.address;
  }

  /**
   * The fastify instance, to add routes of your own before `listen()`; it exists once `ready()`
   * has resolved (`ERR_SERVER_NOT_READY` before).
   */
  get fastify(): FastifyInstance {
    if (!this.app) throw new MesosSdkError(ServerErrorCodes.NOT_READY, 'the fastify instance is built by ready(): `await server.ready()` before using server.fastify');
    return this.app;
  }

  /** Starts listening; resolves with the base URL (`http://host:port`). */
  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    const app = await this.ready();
    await app.listen({ host, port: this.options.port ?? 0 });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.options.port;
    this.address = `${this.options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return this.address;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    if (this.building) await (await this.building.catch(() => undefined))?.close();
    this.address = undefined;
  }

  private routes(app: FastifyInstance): void {
    const { scheduler, election, resources, metrics } = this.deps;

    app.addHook('onRequest', (req, reply, done) => {
      if (!MUTATING.has(req.method) || !this.options.token) return done();
      const header = req.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (!match) {
        void reply.code(401).header('www-authenticate', 'Bearer realm="mesos-sdk"').send(error(ServerErrorCodes.UNAUTHORIZED, 'this route needs "Authorization: Bearer <token>"'));
        return;
      }
      // Hash both sides so the comparison is constant-time whatever the lengths.
      if (!timingSafeEqual(digest(match[1]!), digest(this.options.token))) {
        void reply.code(403).send(error(ServerErrorCodes.FORBIDDEN, 'the bearer token is not valid for this framework'));
        return;
      }
      done();
    });
    // Each request's logs carry its id as the correlation id.
    app.addHook('preHandler', (req, _reply, done) => withCorrelationId(String(req.id), done));

    app.setErrorHandler((err: FastifyError, req, reply) => {
      const [status, body] = this.toHttpError(err);
      if (status >= 500) this.deps.logger?.error(`${req.method} ${req.url} failed: ${err.message}`);
      void reply.code(status).send(body);
    });
    app.setNotFoundHandler((req, reply) => {
      void reply.code(404).send(error(ServerErrorCodes.NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0]}`));
    });

    app.get('/health', async (_req, reply) => {
      const subscribed = scheduler.state === 'subscribed';
      const leader = election ? election.isLeader : true;
      const ready = subscribed && leader;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', subscribed, leader, state: scheduler.state, frameworkId: scheduler.frameworkId ?? null });
    });

    app.get('/metrics', async (_req, reply) => {
      if (!metrics) return reply.code(404).send(error(ServerErrorCodes.NOT_FOUND, 'metrics are not enabled'));
      const { contentType, body } = await metrics.scrape();
      return reply.header('content-type', contentType).send(body);
    });

    app.get('/api/v1/state', async () => ({
      frameworkId: scheduler.frameworkId ?? null,
      subscription: scheduler.state,
      streamId: scheduler.streamId ?? null,
      leader: election ? election.isLeader : true,
      offersHeld: resources?.pool.size ?? 0,
      tasks: this.deps.tasks?.counts() ?? {},
    }));

    // Query values are single strings of bounded length (`?label=a&label=b` was an array, and a 500).
    const queryValue = { type: 'string', maxLength: MAX_PARAM_LENGTH };
    const taskQuery = {
      type: 'object',
      additionalProperties: false,
      properties: { name: queryValue, state: { type: 'string', enum: [...TASK_STATES] }, label: { type: 'string', minLength: 1, maxLength: MAX_PARAM_LENGTH }, history: { type: 'string', enum: ['true', 'false'] } },
    };
    app.get<{ Querystring: Record<string, string | undefined> }>('/api/v1/tasks', { schema: { querystring: taskQuery } }, async (req) => {
      const q: TaskQuery = {};
      if (req.query.name) q.name = req.query.name;
      if (req.query.state) q.state = req.query.state as TaskQuery['state'];
      if (req.query.label) q.label = req.query.label;
      if (req.query.history === 'true') q.history = true;
      return { tasks: this.taskManager().list(q) };
    });

    // Task ids are `<name>.<instance>.<attempt>` and names DNS labels: anything else is no task.
    const idParam = { type: 'object', properties: { id: { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: PARAM_PATTERN } } };
    const nameParam = { type: 'object', properties: { name: { type: 'string', maxLength: MAX_PARAM_LENGTH, pattern: PARAM_PATTERN } } };

    app.get<{ Params: { id: string } }>('/api/v1/tasks/:id', { schema: { params: idParam } }, async (req, reply) => {
      const rec = this.taskManager().get(req.params.id);
      if (!rec) return reply.code(404).send(error(ServerErrorCodes.NOT_FOUND, `no task ${req.params.id}`));
      return rec;
    });

    app.post('/api/v1/tasks', async (req, reply) => {
      const created = await this.taskManager().submit(req.body);
      return reply.code(201).send({ created: created.map((r) => r.id) });
    });

    app.post<{ Params: { id: string } }>('/api/v1/tasks/:id/kill', { schema: { params: idParam } }, async (req, reply) => {
      await this.taskManager().kill(req.params.id);
      return reply.code(202).send({ killing: req.params.id });
    });

    app.put<{ Params: { name: string }; Body: unknown }>('/api/v1/definitions/:name/instances', {
      schema: { params: nameParam, body: { type: 'object', required: ['instances'], additionalProperties: false, properties: { instances: { type: 'integer', minimum: 0, maximum: 100_000 } } } },
    }, async (req, reply) => {
      const { instances } = req.body as { instances: number };
      await this.taskManager().scale(req.params.name, instances);
      return reply.code(202).send({ name: req.params.name, instances });
    });

  }

  private taskManager(): TaskManager {
    if (!this.deps.tasks) throw new MesosSdkError(ServerErrorCodes.NO_TASK_MANAGER, 'this framework runs without the task manager (pass tasks or taskManager: true to createFramework)');
    return this.deps.tasks;
  }

  private toHttpError(err: FastifyError | MesosSdkError): [number, ErrorBody] {
    if (err instanceof ValidationError) return [400, { code: err.code, message: err.message, errors: err.problems }];
    if (err instanceof MesosSdkError) {
      if (err.code === TaskManagerErrorCodes.NOT_FOUND || err.code === TaskManagerErrorCodes.UNKNOWN_DEFINITION) return [404, error(err.code, err.message)];
      if (err.code === ServerErrorCodes.NO_TASK_MANAGER) return [501, error(err.code, err.message)];
      return [err.retryable ? 503 : 500, error(err.code, err.message)];
    }
    const f = err as FastifyError;
    if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return [413, error(ServerErrorCodes.BODY_TOO_LARGE, `request body larger than ${this.options.bodyLimit ?? 1024 * 1024} bytes`)];
    if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return [415, error(ServerErrorCodes.UNSUPPORTED_MEDIA_TYPE, 'send the body as application/json')];
    if (f.validation) return [400, { code: ServerErrorCodes.BAD_REQUEST, message: `invalid request: ${f.message}`, errors: f.validation.map((v) => ({ path: v.instancePath || '(root)', message: v.keyword === 'enum' ? `must be one of ${(v.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : (v.message ?? 'invalid') })) }];
    if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500) return [f.statusCode, error(ServerErrorCodes.BAD_REQUEST, f.message)];
    return [500, error(ServerErrorCodes.INTERNAL, 'internal error (see the framework log)')];
  }
}

function error(code: string, message: string): ErrorBody {
  return { code, message };
}

