import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Codecs } from '../../src/protocol/messages.js';
import { encodeRecord } from '../../src/protocol/recordio.js';
import { encodingOf, MEDIA_TYPES, type Encoding } from '../../src/protocol/codec.js';
import type { scheduler } from '../../src/protocol/generated/index.js';

interface Stream {
  res: http.ServerResponse;
  encoding: Encoding;
  streamId: string;
  frameworkId: string;
}

/**
 * A small protocol-speaking master for client and scheduler tests: RecordIO streams, stream ids,
 * 202s, and knobs for 307, 503, errors, dropped/stalled streams and malformed frames.
 * (The full simulated master lives in src/simulator.)
 */
export class FakeMaster {
  readonly calls: Array<{ call: scheduler.Call; headers: http.IncomingHttpHeaders }> = [];
  readonly streams: Stream[] = [];
  /** When set, every request is answered 307 to this `//host:port`. */
  redirectTo: string | undefined;
  /** Answer the next N requests 503. */
  unavailable = 0;
  /** Answer every request with this status and body instead. */
  failWith: { status: number; body: string } | undefined;
  /** Heartbeat interval advertised in SUBSCRIBED (seconds). */
  heartbeatSeconds = 15;
  /** When set, SUBSCRIBED announces this instead of `heartbeatSeconds` (heartbeats are still sent every `heartbeatSeconds`). */
  announcedHeartbeatSeconds: number | undefined;
  /** Leave every call other than SUBSCRIBE unanswered (a hung master). */
  hangCalls = false;
  /** Cut each stream right after SUBSCRIBED and the first HEARTBEAT (a master failing each subscription). */
  dropAfterSubscribed = false;
  /** Content-Type to answer SUBSCRIBE with (to test a bad one). */
  contentTypeOverride: string | undefined;
  /** Response to RECONCILE_OPERATIONS. */
  private readonly server: http.Server;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private counter = 0;
  url = '';
  stalled = false;
  /** On TEARDOWN, end the streams first and answer 202 only 50 ms later (as a master may). */
  endStreamsBeforeTeardownReply = false;

  constructor(readonly frameworkIdBase = 'fake-master') {
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.heartbeatTimer = setInterval(() => {
      if (!this.stalled) this.broadcast({ type: 'HEARTBEAT' });
    }, this.heartbeatSeconds * 1000);
    this.heartbeatTimer.unref();
    return this.url;
  }

  get hostPort(): string {
    return this.url.replace(/^http:/, '');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.redirectTo) {
        res.writeHead(307, { Location: `${this.redirectTo}/master/api/v1/scheduler`, 'Content-Length': '0' }).end();
        return;
      }
      if (this.unavailable > 0) {
        this.unavailable--;
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('No leader elected');
        return;
      }
      if (this.failWith) {
        res.writeHead(this.failWith.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(this.failWith.body);
        return;
      }
      const encoding = encodingOf(req.headers['content-type'], true);
      if (!encoding) {
        res.writeHead(415).end("Expecting 'Content-Type' of application/json or application/x-protobuf");
        return;
      }
      let call: scheduler.Call;
      try {
        call = Codecs.schedulerCall().decode(Buffer.concat(chunks), encoding);
      } catch (err) {
        res.writeHead(400).end(`Failed to parse body into Call protobuf: ${(err as Error).message}`);
        return;
      }
      this.calls.push({ call, headers: req.headers });
      if (call.type === 'SUBSCRIBE') {
        if (req.headers['mesos-stream-id']) {
          res.writeHead(400).end("Subscribe calls should not include the 'Mesos-Stream-Id' header");
          return;
        }
        const accept = encodingOf(String(req.headers['accept'] ?? MEDIA_TYPES.json)) ?? 'json';
        const streamId = randomUUID();
        const frameworkId = call.subscribe?.framework_info.id?.value ?? `${this.frameworkIdBase}-${String(this.counter++).padStart(4, '0')}`;
        for (const s of this.streams.filter((s) => s.frameworkId === frameworkId && !s.res.writableEnded)) {
          this.write(s, { type: 'ERROR', error: { message: 'Framework failed over' } });
          s.res.end();
        }
        res.writeHead(200, { 'Content-Type': this.contentTypeOverride ?? MEDIA_TYPES[accept], 'Mesos-Stream-Id': streamId });
        const stream = { res, encoding: accept, streamId, frameworkId };
        this.streams.push(stream);
        this.write(stream, { type: 'SUBSCRIBED', subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: this.announcedHeartbeatSeconds ?? this.heartbeatSeconds } });
        this.write(stream, { type: 'HEARTBEAT' });
        if (this.dropAfterSubscribed) setTimeout(() => res.destroy(), 5);
        return;
      }
      if (this.hangCalls) return;
      const current = this.streams.filter((s) => !s.res.writableEnded).at(-1);
      if (!req.headers['mesos-stream-id']) {
        res.writeHead(400).end("All non-subscribe calls should include the 'Mesos-Stream-Id' header");
        return;
      }
      if (!current || current.streamId !== req.headers['mesos-stream-id']) {
        res.writeHead(400).end(`The stream ID '${String(req.headers['mesos-stream-id'])}' included in this request didn't match`);
        return;
      }
      if (call.type === 'RECONCILE_OPERATIONS') {
        const body = Codecs.schedulerResponse().encode({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operation_statuses: [] } }, encoding);
        res.writeHead(200, { 'Content-Type': MEDIA_TYPES[encoding] }).end(Buffer.from(body));
        return;
      }
      if (call.type === 'TEARDOWN' && this.endStreamsBeforeTeardownReply) {
        for (const st of this.streams) st.res.end();
        setTimeout(() => res.writeHead(202, { 'Content-Length': '0' }).end(), 50);
        return;
      }
      res.writeHead(202, { 'Content-Length': '0' }).end();
    });
  }

  write(stream: Stream, event: scheduler.Event): void {
    if (!stream.res.writableEnded) stream.res.write(encodeRecord(Codecs.schedulerEvent().encode(event, stream.encoding)));
  }

  /** Sends an event on every open stream. */
  broadcast(event: scheduler.Event): void {
    for (const s of this.streams) this.write(s, event);
  }

  /** Writes raw bytes on every open stream. */
  writeRaw(bytes: Buffer): void {
    for (const s of this.streams) if (!s.res.writableEnded) s.res.write(bytes);
  }

  /** Cuts every open stream abruptly. */
  dropStreams(): void {
    for (const s of this.streams) s.res.destroy();
  }

  subscribeCalls(): scheduler.Call[] {
    return this.calls.filter((c) => c.call.type === 'SUBSCRIBE').map((c) => c.call);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    for (const s of this.streams) s.res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Polls until `pred` holds. */
export async function waitFor(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
