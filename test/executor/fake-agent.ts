import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Codecs } from '../../src/protocol/messages.js';
import { encodeRecord } from '../../src/protocol/recordio.js';
import { encodingOf, MEDIA_TYPES } from '../../src/protocol/codec.js';
import type { executor } from '../../src/protocol/generated/index.js';

/** A minimal agent executor endpoint for client tests: records calls, streams scripted events. */
export class FakeAgent {
  readonly calls: Array<{ call: executor.Call; headers: http.IncomingHttpHeaders }> = [];
  private streams: http.ServerResponse[] = [];
  private readonly server: http.Server;
  private waiters: Array<() => void> = [];
  /** Events sent right after SUBSCRIBED on every subscription. */
  afterSubscribe: (call: executor.Call) => executor.Event[] = () => [];
  /** Answer to give a call instead of 202 (e.g. a 400 refusal), if any. */
  refuse: (call: executor.Call) => { status: number; body: string } | undefined = () => undefined;

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const enc = encodingOf(req.headers['content-type'], true);
        if (!enc) {
          res.writeHead(415).end('bad content type');
          return;
        }
        const call = Codecs.executorCall().decode(Buffer.concat(chunks), enc);
        this.calls.push({ call, headers: req.headers });
        this.notify();
        const refusal = this.refuse(call);
        if (refusal) {
          res.writeHead(refusal.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(refusal.body);
          return;
        }
        if (call.type !== 'SUBSCRIBE') {
          res.writeHead(202, { 'Content-Length': '0' }).end();
          return;
        }
        const accept = encodingOf(String(req.headers['accept'] ?? MEDIA_TYPES.json)) ?? 'json';
        res.writeHead(200, { 'Content-Type': MEDIA_TYPES[accept] });
        (res as http.ServerResponse & { enc: string }).enc = accept;
        this.streams.push(res);
        this.send({ type: 'SUBSCRIBED', subscribed: {
          executor_info: { executor_id: call.executor_id, command: { value: 'x' } },
          framework_info: { user: 'u', name: 'fw', id: call.framework_id },
          agent_info: { hostname: 'localhost' },
        } });
        for (const ev of this.afterSubscribe(call)) this.send(ev);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  send(event: executor.Event): void {
    for (const s of this.streams) {
      if (s.writableEnded) continue;
      const enc = (s as http.ServerResponse & { enc: 'json' | 'protobuf' }).enc;
      s.write(encodeRecord(Codecs.executorEvent().encode(event, enc)));
    }
  }

  /** The bytes of one event as framed on a subscription stream of the given encoding. */
  static frame(event: executor.Event, enc: 'json' | 'protobuf'): Buffer {
    return encodeRecord(Codecs.executorEvent().encode(event, enc));
  }

  /** Writes raw bytes on every open subscription stream (several records at once, or part of one). */
  sendRaw(bytes: (enc: 'json' | 'protobuf') => Buffer): void {
    for (const s of this.streams) {
      if (!s.writableEnded) s.write(bytes((s as http.ServerResponse & { enc: 'json' | 'protobuf' }).enc));
    }
  }

  /** Cuts every open subscription stream. */
  drop(): void {
    for (const s of this.streams) s.destroy();
    this.streams = [];
  }

  async waitFor(pred: () => boolean, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the fake agent');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20).unref();
      });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  async stop(): Promise<void> {
    this.drop();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
