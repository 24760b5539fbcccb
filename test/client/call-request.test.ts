// Issue 17: scheduler calls (one ACKNOWLEDGE per update: the hottest request path) are sent with
// Node's http.request on the keep-alive agent instead of axios. What the call path promised stays:
// headers, keep-alive, answers and errors, timeouts, the answer size limit, abort, TLS.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient } from '../../src/client/http-client.js';
import type { MesosClientOptions } from '../../src/client/client-options.js';
import { ApiError, ConnectionError } from '../../src/errors/index.js';
import { Codecs } from '../../src/protocol/messages.js';
import type { scheduler } from '../../src/protocol/generated/index.js';
import { selfSignedCert } from '../support/self-signed.js';

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;
const sub = (url: string) => ({ streamId: 'stream-1', masterUrl: url });
const ack: scheduler.Call = {
  type: 'ACKNOWLEDGE',
  framework_id: { value: 'fw-1' },
  acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: new Uint8Array([1, 2, 3]) },
};

describe('scheduler calls over http.request', () => {
  const servers: Array<http.Server | https.Server> = [];
  const clients: MesosHttpClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });
  async function serve(handler: Handler, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<{ url: string; sockets: () => number }> {
    let sockets = 0;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handler(req, Buffer.concat(chunks), res));
    };
    const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
    server.on(tls ? 'secureConnection' : 'connection', () => sockets++);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets: () => sockets };
  }
  const client = (options: MesosClientOptions) => {
    const c = new MesosHttpClient(options);
    clients.push(c);
    return c;
  };

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`sends the call with its headers and the Authorization header, on one keep-alive connection; 202 is undefined (${encoding})`, async () => {
      const seen: Array<{ headers: http.IncomingHttpHeaders; call: scheduler.Call; path: string | undefined; method: string | undefined }> = [];
      const m = await serve((req, body, res) => {
        seen.push({ headers: req.headers, call: Codecs.schedulerCall().decode(body, encoding), path: req.url, method: req.method });
        res.writeHead(202).end();
      });
      const c = client({ masters: [m.url], encoding, auth: { type: 'bearer', token: 'tkn' } });
      for (let i = 0; i < 5; i++) assert.equal(await c.call(ack, sub(m.url)), undefined);
      assert.equal(seen.length, 5);
      const media = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
      assert.equal(seen[0]!.method, 'POST');
      assert.equal(seen[0]!.path, '/api/v1/scheduler');
      assert.equal(seen[0]!.headers['content-type'], media);
      assert.equal(seen[0]!.headers['accept'], media);
      assert.equal(seen[0]!.headers['mesos-stream-id'], 'stream-1');
      assert.equal(seen[0]!.headers['authorization'], 'Bearer tkn');
      assert.equal(seen[0]!.call.acknowledge?.task_id.value, 't1');
      assert.deepEqual([...seen[0]!.call.acknowledge!.uuid], [1, 2, 3]);
      assert.equal(m.sockets(), 1, 'one keep-alive connection for every call');
    });
  }

  it('decodes a 200 answer (RECONCILE_OPERATIONS) in the encoding its Content-Type names', async () => {
    const m = await serve((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ type: 'RECONCILE_OPERATIONS', reconcile_operations: { operation_statuses: [] } }));
    });
    const answer = await client({ masters: [m.url], encoding: 'protobuf' }).call({ type: 'RECONCILE_OPERATIONS', framework_id: { value: 'fw-1' }, reconcile_operations: {} }, sub(m.url));
    assert.equal(answer?.type, 'RECONCILE_OPERATIONS');
  });

  it("turns an error status into an ApiError with the master's message", async () => {
    const m = await serve((_req, _body, res) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end('Failed to validate scheduler::Call: Expecting uuid'));
    await assert.rejects(client({ masters: [m.url], retry503: { attempts: 0 } }).call(ack, sub(m.url)), (err: unknown) => err instanceof ApiError && err.status === 400 && /Expecting uuid/.test(err.message));
  });

  it('retries a 503 (when asked) and then succeeds', async () => {
    let n = 0;
    const m = await serve((_req, _body, res) => res.writeHead(n++ < 2 ? 503 : 202).end());
    assert.equal(await client({ masters: [m.url], retry503: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).call(ack, sub(m.url)), undefined);
    assert.equal(n, 3);
  });

  it('gives up on a master that does not answer within requestTimeoutMs: a retryable ERR_CONNECTION "timed out"', async () => {
    const m = await serve(() => {});
    await assert.rejects(
      client({ masters: [m.url], requestTimeoutMs: 200 }).call(ack, sub(m.url)),
      (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CONNECTION' && err.retryable && /timed out \(ECONNABORTED\)/.test(err.message),
    );
  });

  it('refuses an answer longer than maxFrameSize', async () => {
    const m = await serve((_req, _body, res) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end('x'.repeat(50_000)));
    await assert.rejects(client({ masters: [m.url], maxFrameSize: 1024 }).call(ack, sub(m.url)), (err: unknown) => err instanceof ConnectionError && /maxContentLength size of 1024 exceeded/.test(err.message));
  });

  it('rejects at once when its signal aborts (the subscription was declared dead), and with an aborted signal sends nothing', async () => {
    let requests = 0;
    const m = await serve(() => void requests++);
    const c = client({ masters: [m.url] });
    const abort = new AbortController();
    const pending = c.call(ack, sub(m.url), { signal: abort.signal });
    while (requests === 0) await new Promise((r) => setTimeout(r, 5));
    abort.abort();
    await assert.rejects(pending, (err: unknown) => err instanceof ConnectionError && err.retryable && /aborted: the subscription was declared dead/.test(err.message));
    await assert.rejects(c.call(ack, sub(m.url), { signal: abort.signal }), /aborted/);
    assert.equal(requests, 1);
  });

  it('names a refused connection (ECONNREFUSED) as retryable ERR_CONNECTION', async () => {
    const m = await serve(() => {});
    const url = m.url;
    for (const s of servers.splice(0)) s.close();
    await assert.rejects(client({ masters: [url] }).call(ack, sub(url)), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CONNECTION' && err.retryable && /ECONNREFUSED/.test(err.message));
  });

  it('calls over TLS with the CA given, and refuses an untrusted certificate with ERR_TLS', async () => {
    const { key, cert } = selfSignedCert();
    const m = await serve((_req, _body, res) => res.writeHead(202).end(), { key, cert });
    assert.equal(await client({ masters: [m.url], tls: { ca: cert } }).call(ack, sub(m.url)), undefined);
    await assert.rejects(client({ masters: [m.url] }).call(ack, sub(m.url)), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_TLS');
  });
});
