import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { MEDIA_TYPES, encodingOf, schema, type Encoding } from '../protocol/codec.js';
import { decodeRequestBody } from './endpoints/mesos-json.js';
import { acceptedEncoding, empty, json, methodNotAllowed, notFound, text, TEXT } from './endpoints/http-answers.js';
import type { scheduler } from '../protocol/generated/index.js';
import type { SimEngine } from './sim-engine.js';
import { validateCall } from './call-validation.js';
import { noteSubscribed, SIM_VERSION } from './state-endpoint.js';
import { flagsJson, frameworksJson, metricsJson, rolesJson, slavesJson, stateJson, stateSummaryJson, tasksJson } from './endpoints/master-endpoints.js';
import { operatorCall } from './endpoints/operator-api.js';
import { EventOutbox, type OutboxStats, type UpdateCarrier } from './event-outbox.js';

/** What a master server needs to know about the cluster it belongs to. */
export interface ClusterView {
  engine: SimEngine;
  /** The leading server, or undefined while no leader is elected. */
  leader(): MasterServer | undefined;
  /** Credentials for basic authentication, if required. */
  credentials?: Array<{ principal: string; secret: string }> | undefined;
  heartbeatSeconds: number;
  maxBodyBytes: number;
  /** Bytes of events an event stream holds before it holds back status updates and offers (see `EventOutbox`). */
  eventQueueBytes: number;
  /** Answer this many more scheduler calls with 503. */
  failCalls: { remaining: number };
  heartbeatsStopped: boolean;
  faultsApi: boolean;
  handleFault(body: Record<string, unknown>): unknown;
}

interface OpenStream {
  frameworkId: string;
  streamId: string;
  res: http.ServerResponse;
  outbox: EventOutbox;
  heartbeat: NodeJS.Timeout;
}

export { TEXT };
const NOT_ACCEPTABLE = "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'";
const SCHEDULER_PATHS = new Set(['/api/v1/scheduler', '/master/api/v1/scheduler']);
/** The leader-only JSON views, by path (libprocess serves each under `/master/...`, and `/state` too). */
const READ_ONLY: Record<string, 'state' | 'state-summary' | 'frameworks' | 'slaves' | 'tasks' | 'roles'> = {
  '/state': 'state',
  '/master/state': 'state',
  '/master/state-summary': 'state-summary',
  '/master/frameworks': 'frameworks',
  '/master/slaves': 'slaves',
  '/master/tasks': 'tasks',
  '/master/roles': 'roles',
};

/** One simulated master process: an HTTP server speaking the V1 scheduler API. */
export class MasterServer {
  private readonly server: http.Server;
  readonly streams = new Map<string, OpenStream>();
  host = '127.0.0.1';
  port = 0;
  /** When this master started, s since the epoch (as `start_time` in `/master/state`). */
  readonly startTime = Date.now() / 1000;

  constructor(private readonly cluster: ClusterView) {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: Error) => {
        if (!res.headersSent) text(res, 500, `Internal error: ${err.message}`);
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.host = host;
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.closeStreams();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Closes every subscription stream on this master (a crash or a leadership loss). */
  closeStreams(frameworkId?: string): number {
    let n = 0;
    for (const s of [...this.streams.values()]) {
      if (frameworkId && s.frameworkId !== frameworkId) continue;
      s.res.destroy();
      n++;
    }
    return n;
  }

  /**
   * Sends one event as one RecordIO record in its own HTTP chunk, through the stream's outbox
   * (which honours the socket's backpressure); false when the framework has no open stream, or
   * an OFFERS event found the stream full.
   */
  send(frameworkId: string, event: scheduler.Event, carrier?: UpdateCarrier): boolean {
    const s = this.streams.get(frameworkId);
    if (!s) return false;
    return s.outbox.send(event, carrier);
  }

  /** The framework's event stream: what waits in its outbox and on its socket; undefined without an open stream. */
  streamStats(frameworkId: string): OutboxStats | undefined {
    return this.streams.get(frameworkId)?.outbox.stats();
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (SCHEDULER_PATHS.has(path)) return this.scheduler(req, res);
    if (path === '/health' || path === '/master/health') return empty(res, 200);
    if (path === '/version') return json(res, 200, SIM_VERSION);
    if (path === '/redirect' || path === '/master/redirect') {
      const leader = this.cluster.leader();
      if (!leader) return text(res, 503, 'No leader elected');
      return empty(res, 307, { Location: `//${leader.host}:${leader.port}` });
    }
    if (path === '/metrics/snapshot') return json(res, 200, metricsJson(this.cluster.engine, this, this.cluster.leader() === this));
    if (path === '/flags' || path === '/master/flags') return json(res, 200, { flags: this.flags() });
    const view = READ_ONLY[path];
    if (view) {
      const leader = this.cluster.leader();
      if (leader !== this) return this.redirect(res, leader, path);
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      const engine = this.cluster.engine;
      switch (view) {
        case 'state':
          return json(res, 200, stateJson(engine, this, this.flags()));
        case 'state-summary':
          return json(res, 200, stateSummaryJson(engine, this));
        case 'frameworks':
          return json(res, 200, frameworksJson(engine, query));
        case 'slaves':
          return json(res, 200, slavesJson(engine, query));
        case 'tasks':
          return json(res, 200, tasksJson(engine, query));
        case 'roles':
          return json(res, 200, rolesJson(engine));
      }
    }
    if (path === '/api/v1') return this.operator(req, res);
    if (path === '/__sim/faults' && this.cluster.faultsApi && req.method === 'POST') {
      const body = await readBody(req, this.cluster.maxBodyBytes);
      if (body === 'too-large') return text(res, 413, 'Request body too large');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return text(res, 400, 'Expecting a JSON object');
      }
      try {
        return json(res, 200, { ok: true, result: this.cluster.handleFault(parsed as Record<string, unknown>) ?? null });
      } catch (err) {
        return text(res, 400, (err as Error).message);
      }
    }
    notFound(res);
  }

  private flags(): Record<string, string> {
    return flagsJson(this, { allocationIntervalMs: this.cluster.engine.options.allocationIntervalMs ?? 1000, authenticateHttpFrameworks: !!this.cluster.credentials?.length });
  }

  /** POST /api/v1: the operator API (only what `operatorCall` documents). */
  private async operator(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const leader = this.cluster.leader();
    if (leader !== this) {
      req.resume();
      return this.redirect(res, leader, '/api/v1');
    }
    const encoding = await this.readCallHead(req, res);
    if (!encoding) return;
    const body = await readBody(req, this.cluster.maxBodyBytes);
    if (body === 'too-large') return text(res, 413, 'Request body too large');
    operatorCall(req, res, body, encoding, acceptedEncoding(req.headers['accept']));
  }

  private redirect(res: http.ServerResponse, leader: MasterServer | undefined, path: string): void {
    if (!leader) return text(res, 503, 'No leader elected');
    const target = path.startsWith('/master/') ? path : `/master${path}`;
    empty(res, 307, { Location: `//${leader.host}:${leader.port}${target}` });
  }

  /** POST /api/v1/scheduler, in the master's decision order. */
  private async scheduler(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { engine, credentials } = this.cluster;
    if (credentials?.length) {
      const header = req.headers['authorization'] ?? '';
      const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':') : [];
      const ok = decoded.length === 2 && credentials.some((c) => c.principal === decoded[0] && c.secret === decoded[1]);
      if (!ok) {
        req.resume();
        return text(res, 401, '401 Unauthorized.', { 'WWW-Authenticate': 'Basic realm="mesos-master-scheduler"' });
      }
    }
    const leader = this.cluster.leader();
    if (leader !== this) {
      req.resume();
      return this.redirect(res, leader, '/api/v1/scheduler');
    }
    if (this.cluster.failCalls.remaining > 0) {
      this.cluster.failCalls.remaining--;
      req.resume();
      return text(res, 503, 'Master has not finished recovery');
    }
    const encoding = await this.readCallHead(req, res);
    if (!encoding) return;
    const body = await readBody(req, this.cluster.maxBodyBytes);
    if (body === 'too-large') return text(res, 413, 'Request body too large');
    const decoded = decodeRequestBody(schema().lookupType('mesos.v1.scheduler.Call'), body, encoding);
    if ('error' in decoded) return text(res, 400, decoded.error);
    const call = decoded.message as unknown as scheduler.Call;
    const invalid = validateCall(call);
    if (invalid) return text(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
    const streamHeader = req.headers['mesos-stream-id'];
    if (call.type === 'SUBSCRIBE') {
      const accept = acceptedEncoding(req.headers['accept']);
      if (!accept) return text(res, 406, NOT_ACCEPTABLE);
      if (streamHeader !== undefined) return text(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      return this.subscribe(call, accept, res);
    }
    const fw = engine.frameworks.get(call.framework_id!.value);
    if (!fw || fw.removed) return text(res, 400, 'Framework cannot be found');
    if (!fw.connected) return text(res, 403, 'Framework is not subscribed');
    // Real Mesos 1.11 aborts (CHECK failure in its call metrics) on an UNKNOWN call from a known
    // framework; the simulator answers what the master's handler would have answered.
    if (call.type === 'UNKNOWN') return text(res, 501, 'Received an unexpected UNKNOWN call');
    if (streamHeader === undefined) return text(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    const stream = this.streams.get(fw.id);
    if (!stream || stream.streamId !== streamHeader) {
      return text(res, 400, `The stream ID '${String(streamHeader)}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
    }
    if (call.type === 'RECONCILE_OPERATIONS' && !acceptedEncoding(req.headers['accept'])) return text(res, 406, NOT_ACCEPTABLE);
    if (call.type === 'UPDATE_FRAMEWORK') {
      const refused = engine.updateFramework(fw, call.update_framework!.framework_info, call.update_framework!.suppressed_roles);
      return refused ? text(res, 400, refused) : empty(res, 200);
    }
    empty(res, 202);
    this.apply(call, fw.id);
  }

  /** The checks of the request line and headers every V1 call endpoint makes; answers and returns undefined on failure. */
  private async readCallHead(req: http.IncomingMessage, res: http.ServerResponse): Promise<Encoding | undefined> {
    if (req.method !== 'POST') {
      req.resume();
      return void methodNotAllowed(res, req.method);
    }
    const contentType = req.headers['content-type'];
    if (contentType === undefined || contentType === '') {
      req.resume();
      return void text(res, 400, "Expecting 'Content-Type' to be present");
    }
    const encoding = encodingOf(contentType, true);
    if (!encoding) {
      req.resume();
      return void text(res, 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    }
    return encoding;
  }

  private apply(call: scheduler.Call, frameworkId: string): void {
    const { engine } = this.cluster;
    const fw = engine.frameworks.get(frameworkId)!;
    switch (call.type) {
      case 'TEARDOWN': {
        engine.removeFramework(fw);
        // Mesos ends the torn-down framework's stream cleanly (the chunked terminator), sending nothing more.
        this.streams.get(fw.id)?.outbox.end();
        return;
      }
      case 'ACCEPT':
        return engine.accept(fw, call.accept!.offer_ids ?? [], call.accept!.operations ?? [], call.accept!.filters);
      case 'DECLINE':
        return engine.decline(fw, call.decline!.offer_ids ?? [], call.decline!.filters);
      case 'ACCEPT_INVERSE_OFFERS':
        return engine.answerInverseOffers(fw, call.accept_inverse_offers!.inverse_offer_ids ?? [], true);
      case 'DECLINE_INVERSE_OFFERS':
        return engine.answerInverseOffers(fw, call.decline_inverse_offers!.inverse_offer_ids ?? [], false);
      case 'ACKNOWLEDGE_OPERATION_STATUS':
        return engine.acknowledgeOperationStatus(fw, call.acknowledge_operation_status!);
      case 'RECONCILE_OPERATIONS':
        return engine.reconcileOperations(fw, call.reconcile_operations!.operations ?? []);
      case 'REVIVE':
        return engine.revive(fw, call.revive?.roles);
      case 'SUPPRESS':
        return engine.suppress(fw, call.suppress?.roles);
      case 'KILL':
        return engine.kill(fw, call.kill!);
      case 'SHUTDOWN':
        return engine.shutdown(fw, call.shutdown!.executor_id.value);
      case 'ACKNOWLEDGE':
        return engine.acknowledge(fw, call.acknowledge!);
      case 'RECONCILE':
        return engine.reconcile(fw, call.reconcile?.tasks ?? []);
      case 'MESSAGE':
        engine.frameworkMessages.push({ frameworkId, agentId: call.message!.agent_id.value, executorId: call.message!.executor_id.value, data: call.message!.data });
        engine.executorHost?.message(frameworkId, call.message!.executor_id.value, call.message!.data);
        return;
      default:
        return;
    }
  }

  private subscribe(call: scheduler.Call, encoding: Encoding, res: http.ServerResponse): void {
    const { engine } = this.cluster;
    const streamId = randomUUID();
    res.writeHead(200, { 'Content-Type': MEDIA_TYPES[encoding], 'Mesos-Stream-Id': streamId });
    const outbox = new EventOutbox(res, encoding, this.cluster.eventQueueBytes);
    const write = (event: scheduler.Event) => void outbox.send(event);
    const outcome = engine.subscribe(call);
    if ('error' in outcome) {
      write({ type: 'ERROR', error: { message: outcome.error } });
      outbox.end();
      return;
    }
    const fw = outcome.framework;
    noteSubscribed(fw, outcome.resubscribed);
    const old = this.streams.get(fw.id);
    if (old) {
      this.streams.delete(fw.id);
      clearInterval(old.heartbeat);
      old.outbox.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      old.outbox.end();
    }
    const heartbeat = setInterval(() => {
      if (!this.cluster.heartbeatsStopped) write({ type: 'HEARTBEAT' });
    }, this.cluster.heartbeatSeconds * 1000);
    heartbeat.unref();
    const stream: OpenStream = { frameworkId: fw.id, streamId, res, outbox, heartbeat };
    this.streams.set(fw.id, stream);
    res.on('close', () => {
      clearInterval(heartbeat);
      if (this.streams.get(fw.id) === stream) {
        this.streams.delete(fw.id);
        engine.disconnected(fw.id);
      }
    });
    write({
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: fw.id },
        heartbeat_interval_seconds: this.cluster.heartbeatSeconds,
        master_info: {
          id: engine.masterId,
          ip: 16777343,
          port: this.port,
          pid: `master@${this.host}:${this.port}`,
          hostname: this.host,
          version: '1.11.0',
          address: { hostname: this.host, ip: this.host, port: this.port },
          // Mesos 1.11 announces AGENT_UPDATE, AGENT_DRAINING and QUOTA_V2 (3), which our schema does not
          // name yet: its JSON writer prints that last one as `{}`, and so do we.
          capabilities: [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, {}],
        },
      },
    });
    write({ type: 'HEARTBEAT' });
    engine.afterSubscribed(fw);
  }
}


/** Reads a request body of at most `max` bytes; past it the rest is drained and 'too-large' returned. */
export async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit the rest is drained but not kept, so the 413 still reaches the client.
    if (size <= max) chunks.push(chunk as Buffer);
  }
  return size > max ? 'too-large' : Buffer.concat(chunks);
}
