import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient, leaderFromLocation } from '../../src/client/http-client.js';
import { ApiError, ConnectionError, ConfigurationError, FramingError, ProtocolError } from '../../src/errors/index.js';
import type { scheduler } from '../../src/protocol/generated/index.js';
import { FakeMaster } from './fake-master.js';
import { Readable } from 'node:stream';
import { Codecs } from '../../src/protocol/messages.js';
import { decodeRecords, encodeRecord } from '../../src/protocol/recordio.js';
import { selfSignedCert } from '../support/self-signed.js';

const subscribeCall: scheduler.Call = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'alice', name: 'test-fw' } } };

async function firstEvents(events: AsyncIterable<scheduler.Event>, n: number): Promise<scheduler.Event[]> {
  const out: scheduler.Event[] = [];
  for await (const e of events) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

describe('MesosHttpClient', () => {
  const masters: FakeMaster[] = [];
  const clients: MesosHttpClient[] = [];
  const master = async () => {
    const m = new FakeMaster();
    await m.start();
    masters.push(m);
    return m;
  };
  const client = (opts: Partial<ConstructorParameters<typeof MesosHttpClient>[0]> & { masters: string[] }) => {
    const c = new MesosHttpClient({ retry503: { baseDelayMs: 5, maxDelayMs: 20 }, ...opts });
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const m of masters.splice(0)) await m.stop();
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    describe(`subscribe (${encoding})`, () => {
      it('opens the stream with exact media types and yields SUBSCRIBED then HEARTBEAT', async () => {
        const m = await master();
        const sub = await client({ masters: [m.url], encoding }).subscribe(subscribeCall);
        const events = await firstEvents(sub.events, 2);
        assert.deepEqual(events.map((e) => e.type), ['SUBSCRIBED', 'HEARTBEAT']);
        assert.match(sub.streamId, /^[0-9a-f-]{36}$/);
        const type = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
        assert.equal(m.calls[0]!.headers['content-type'], type);
        assert.equal(m.calls[0]!.headers['accept'], type);
        assert.equal(m.calls[0]!.headers['mesos-stream-id'], undefined);
        sub.close();
      });
    });
  }

  it('sends Mesos-Stream-Id on calls and decodes a 200 Response', async () => {
    const m = await master();
    const c = client({ masters: [m.url] });
    const sub = await c.subscribe(subscribeCall);
    await firstEvents(sub.events, 1);
    assert.equal(await c.call({ type: 'REVIVE', framework_id: { value: 'fake-master-0000' } }, sub), undefined);
    assert.equal(m.calls[1]!.headers['mesos-stream-id'], sub.streamId);
    const response = await c.call({ type: 'RECONCILE_OPERATIONS', framework_id: { value: 'fake-master-0000' }, reconcile_operations: {} }, sub);
    assert.equal(response?.type, 'RECONCILE_OPERATIONS');
    sub.close();
  });

  it('follows a 307 from a non-leader to the leader, keeping its scheme', async () => {
    const leader = await master();
    const follower = await master();
    follower.redirectTo = leader.hostPort;
    const sub = await client({ masters: [follower.url, leader.url] }).subscribe(subscribeCall);
    assert.equal(sub.masterUrl, leader.url);
    assert.equal(leader.subscribeCalls().length, 1);
    sub.close();
  });

  it('gives up on a redirect loop with ERR_TOO_MANY_REDIRECTS', async () => {
    const a = await master();
    a.redirectTo = a.hostPort;
    await assert.rejects(client({ masters: [a.url], maxRedirects: 2 }).subscribe(subscribeCall), { code: 'ERR_TOO_MANY_REDIRECTS' });
  });

  it('retries 503 with backoff and then succeeds', async () => {
    const m = await master();
    m.unavailable = 2;
    const sub = await client({ masters: [m.url] }).subscribe(subscribeCall);
    assert.equal((await firstEvents(sub.events, 1))[0]!.type, 'SUBSCRIBED');
    sub.close();
  });

  it('maps other statuses to ApiError with the master message', async () => {
    const m = await master();
    m.failWith = { status: 400, body: 'Failed to validate scheduler::Call: Expecting framework_info' };
    await assert.rejects(client({ masters: [m.url] }).subscribe(subscribeCall), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'ERR_HTTP_400');
      assert.equal(err.status, 400);
      assert.match(err.message, /Expecting framework_info/);
      return true;
    });
  });

  it('rejects a SUBSCRIBE answer with a foreign content type', async () => {
    const m = await master();
    m.contentTypeOverride = 'text/html';
    await assert.rejects(client({ masters: [m.url] }).subscribe(subscribeCall), (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_PROTOCOL_CONTENT_TYPE');
  });

  const badStreams: Array<[string, Buffer, string]> = [
    ['a malformed length prefix', Buffer.from('12x\n'), 'ERR_RECORDIO_BAD_LENGTH'],
    ['an oversized frame', Buffer.from('99999999\n'), 'ERR_RECORDIO_FRAME_TOO_LARGE'],
  ];
  for (const [what, bytes, code] of badStreams) {
    it(`fails the event stream with ${code} on ${what}`, async () => {
      const m = await master();
      const sub = await client({ masters: [m.url], maxFrameSize: 1024 }).subscribe(subscribeCall);
      const it = sub.events[Symbol.asyncIterator]();
      assert.equal((await it.next()).value?.type, 'SUBSCRIBED');
      assert.equal((await it.next()).value?.type, 'HEARTBEAT');
      m.writeRaw(bytes);
      await assert.rejects(
        it.next(),
        (err: unknown) => (err instanceof FramingError || err instanceof ProtocolError) && (err as FramingError).code === code,
      );
    });
  }

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`reads records split across chunks and several records in one chunk, as decodeRecords does (${encoding})`, async () => {
      const m = await master();
      const sub = await client({ masters: [m.url], encoding, maxFrameSize: 4096 }).subscribe(subscribeCall);
      const it = sub.events[Symbol.asyncIterator]();
      assert.equal((await it.next()).value?.type, 'SUBSCRIBED');
      assert.equal((await it.next()).value?.type, 'HEARTBEAT');
      const sent: scheduler.Event[] = [
        { type: 'ERROR', error: { message: 'a'.repeat(300) } },
        { type: 'HEARTBEAT' },
        { type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } },
        { type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', uuid: Buffer.from([1, 2, 3]) } } },
      ];
      const codec = Codecs.schedulerEvent();
      const bytes = Buffer.concat(sent.map((e) => encodeRecord(codec.encode(e, encoding))));
      // Cuts inside a length prefix, right after a line feed, inside a payload; the last piece holds two records.
      const cuts = [1, 4, 60, 310, 311];
      let prev = 0;
      for (const cut of cuts) {
        m.writeRaw(bytes.subarray(prev, cut));
        prev = cut;
        await new Promise((r) => setTimeout(r, 20));
      }
      m.writeRaw(bytes.subarray(prev));
      const got: scheduler.Event[] = [];
      for (let i = 0; i < sent.length; i++) got.push((await it.next()).value as scheduler.Event);
      const expected: scheduler.Event[] = [];
      for await (const record of decodeRecords(Readable.from([bytes]))) expected.push(codec.decode(record, encoding));
      assert.deepEqual(got, expected);
      assert.deepEqual(got.map((e) => e.type), ['ERROR', 'HEARTBEAT', 'RESCIND', 'UPDATE']);
      sub.close();
    });
  }

  it('skips a payload it cannot decode after SUBSCRIBED (issue 16 #11) and yields the next event', async () => {
    const m = await master();
    const sub = await client({ masters: [m.url], maxFrameSize: 1024 }).subscribe(subscribeCall);
    const it = sub.events[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.type, 'SUBSCRIBED');
    assert.equal((await it.next()).value?.type, 'HEARTBEAT');
    m.writeRaw(Buffer.concat([Buffer.from('4\n'), Buffer.from([0x0a, 0xff, 0xff, 0xff])]));
    m.broadcast({ type: 'HEARTBEAT' });
    assert.equal((await it.next()).value?.type, 'HEARTBEAT');
  });

  it('reports a refused connection as a retryable ConnectionError', async () => {
    await assert.rejects(client({ masters: ['http://127.0.0.1:1'] }).subscribe(subscribeCall), (err: unknown) => err instanceof ConnectionError && err.retryable && err.code === 'ERR_CONNECTION');
  });

  it('sends basic auth and never shows the secret', async () => {
    const m = await master();
    m.failWith = { status: 401, body: '401 Unauthorized.' };
    const c = client({ masters: [m.url], auth: { type: 'basic', principal: 'fw', secret: 's3cr3t-value' } });
    const err = await c.subscribe(subscribeCall).catch((e: unknown) => e as ApiError);
    assert.equal(m.calls.length, 0);
    assert.equal((err as ApiError).code, 'ERR_HTTP_401');
    assert.ok(!JSON.stringify(err).includes('s3cr3t-value') && !String((err as Error).message).includes('s3cr3t-value'));
    assert.ok(!JSON.stringify(c).includes('s3cr3t-value'));
  });

  it('sends the basic and bearer Authorization headers', async () => {
    const m = await master();
    const sub = await client({ masters: [m.url], auth: { type: 'basic', principal: 'fw', secret: 'pw' } }).subscribe(subscribeCall);
    sub.close();
    assert.equal(m.calls[0]!.headers['authorization'], `Basic ${Buffer.from('fw:pw').toString('base64')}`);
    const sub2 = await client({ masters: [m.url], auth: { type: 'bearer', token: 'tkn' } }).subscribe(subscribeCall);
    sub2.close();
    assert.equal(m.calls[1]!.headers['authorization'], 'Bearer tkn');
  });

  it('validates its options with clear errors', () => {
    assert.throws(() => new MesosHttpClient({ masters: [] }), ConfigurationError);
    assert.throws(() => new MesosHttpClient({ masters: ['ftp://x'] }), /must use http or https/);
    assert.throws(() => new MesosHttpClient({ masters: ['http://u:p@host:5050'] }), /auth option/);
  });

  describe('TLS', () => {
    let server: https.Server | undefined;
    afterEach(() => {
      server?.close();
      server?.closeAllConnections();
    });
    async function tlsMaster(): Promise<{ url: string; cert: Buffer }> {
      const { key, cert } = selfSignedCert();
      server = https.createServer({ key, cert }, (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 'tls-stream' });
        res.write('20\n{"type":"HEARTBEAT"}');
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, cert };
    }

    it('refuses an untrusted certificate by default with a non-retryable ERR_TLS', async () => {
      const { url } = await tlsMaster();
      await assert.rejects(client({ masters: [url], encoding: 'json' }).subscribe(subscribeCall), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_TLS' && !err.retryable);
    });

    it('connects when given the CA', async () => {
      const { url, cert } = await tlsMaster();
      const sub = await client({ masters: [url], encoding: 'json', tls: { ca: cert } }).subscribe(subscribeCall);
      assert.equal(sub.streamId, 'tls-stream');
      assert.equal((await firstEvents(sub.events, 1))[0]!.type, 'HEARTBEAT');
      sub.close();
    });
  });
});

describe('leaderFromLocation', () => {
  it('takes host:port from a protocol-relative Location and keeps the scheme', () => {
    assert.equal(leaderFromLocation('//10.0.0.2:5050/master/api/v1/scheduler', 'https://10.0.0.1:5050'), 'https://10.0.0.2:5050');
  });
  it('accepts a bare host:port and an absolute URL', () => {
    assert.equal(leaderFromLocation('m2:5050', 'http://m1:5050'), 'http://m2:5050');
    assert.equal(leaderFromLocation('http://m3:5050/x', 'http://m1:5050'), 'http://m3:5050');
  });
});
