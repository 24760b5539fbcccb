// Issue 16 #8: `console.error(err)` on a connection or TLS error printed the Basic header or the
// bearer token through `err.cause.config.headers` (and `request._header`), and a 401 body echoing
// the header put the token in the message. Every error the client throws is inspected here as
// deep as it goes, hidden properties included.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient } from '../../src/client/http-client.js';
import type { AuthOptions, MesosClientOptions } from '../../src/client/client-options.js';
import { SecretRedactor } from '../../src/client/redact.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import { ApiError, MesosSdkError } from '../../src/errors/index.js';
import type { scheduler } from '../../src/protocol/generated/index.js';
import { selfSignedCert } from '../support/self-signed.js';

const subscribeCall: scheduler.Call = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'secrets' } } };
const basic: AuthOptions = { type: 'basic', principal: 'fw-principal', secret: 'S3cr3t-basic-Passw0rd' };
const bearer: AuthOptions = { type: 'bearer', token: 'eyJhbGciOiJIUzI1NiJ9.tok3n-payload.sig' };
const BASIC_B64 = Buffer.from('fw-principal:S3cr3t-basic-Passw0rd').toString('base64');

/** Everything `console.error` could show, and more: every property, hidden ones too, 20 levels deep. */
function everything(err: unknown): string {
  return [inspect(err, { depth: 20, showHidden: true, getters: true }), String((err as Error)?.stack), JSON.stringify(err)].join('\n');
}

function assertNoSecret(err: unknown): void {
  const text = everything(err);
  for (const secret of ['S3cr3t-basic-Passw0rd', BASIC_B64, 'tok3n-payload', 'eyJhbGciOiJIUzI1NiJ9']) {
    assert.ok(!text.includes(secret), `the error shows ${secret}:\n${text.slice(Math.max(0, text.indexOf(secret) - 400), text.indexOf(secret) + 100)}`);
  }
}

describe('MesosHttpClient: no credentials in the errors it throws (issue 16 #8)', () => {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function client(options: MesosClientOptions): MesosHttpClient {
    const c = new MesosHttpClient(options);
    cleanups.push(() => c.close());
    return c;
  }
  async function listen(server: http.Server | https.Server): Promise<number> {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    return (server.address() as AddressInfo).port;
  }
  async function caught(p: Promise<unknown>): Promise<unknown> {
    try {
      await p;
    } catch (err) {
      return err;
    }
    assert.fail('expected a rejection');
  }

  for (const auth of [basic, bearer]) {
    it(`regression: a refused SUBSCRIBE (${auth.type}) carries no credentials down its cause chain`, async () => {
      const err = await caught(client({ masters: ['http://127.0.0.1:1'], auth }).subscribe(subscribeCall));
      assert.equal((err as MesosSdkError).code, 'ERR_CONNECTION');
      assert.ok((err as Error).cause, 'the cause is kept (redacted)');
      assert.equal(((err as Error).cause as { code?: string }).code, 'ECONNREFUSED');
      assertNoSecret(err);
    });

    it(`regression: a refused call (${auth.type}) carries no credentials down its cause chain`, async () => {
      const err = await caught(client({ masters: ['http://127.0.0.1:1'], auth }).call({ type: 'REVIVE', framework_id: { value: 'f' } }, { streamId: 's', masterUrl: 'http://127.0.0.1:1' }));
      assert.ok(err instanceof MesosSdkError);
      assertNoSecret(err);
    });
  }

  it('regression: a call that times out (bearer) carries no credentials', async () => {
    const port = await listen(http.createServer(() => {}));
    const err = await caught(client({ masters: [`http://127.0.0.1:${port}`], auth: bearer, requestTimeoutMs: 200 }).call({ type: 'REVIVE', framework_id: { value: 'f' } }, { streamId: 's', masterUrl: `http://127.0.0.1:${port}` }));
    assert.ok(err instanceof MesosSdkError);
    assertNoSecret(err);
  });

  it('regression: a TLS verification failure (bearer) carries no credentials', async () => {
    const { key, cert } = selfSignedCert();
    const port = await listen(https.createServer({ key, cert }, (_q, r) => r.end('')));
    const err = await caught(client({ masters: [`https://127.0.0.1:${port}`], auth: bearer }).subscribe(subscribeCall));
    assert.equal((err as MesosSdkError).code, 'ERR_TLS');
    assertNoSecret(err);
  });

  for (const auth of [basic, bearer]) {
    it(`regression: a 401 whose body echoes the Authorization header (${auth.type}) is redacted in the message and the body`, async () => {
      const port = await listen(
        http.createServer((req, res) => {
          req.resume();
          req.on('end', () => res.writeHead(401, { 'Content-Type': 'text/plain' }).end(`Unauthorized: bad credentials in "Authorization: ${String(req.headers.authorization)}"`));
        }),
      );
      const err = await caught(client({ masters: [`http://127.0.0.1:${port}`], auth }).subscribe(subscribeCall));
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 401);
      assert.match(err.message, new RegExp(`bad credentials in "Authorization: ${auth.type === 'basic' ? 'Basic' : 'Bearer'} \\[REDACTED\\]"`));
      assert.match(err.body, /\[REDACTED\]/);
      assertNoSecret(err);
    });
  }

  it('regression: start() rejected for a certificate it does not trust (basic) carries no credentials down its cause chain', async () => {
    const { key, cert } = selfSignedCert();
    const port = await listen(https.createServer({ key, cert }, (_q, r) => r.end('')));
    const sched = new MesosScheduler(client({ masters: [`https://127.0.0.1:${port}`], auth: basic }), { frameworkInfo: { user: 'u', name: 'secrets' }, startTimeoutMs: 20_000 });
    const err = await caught(sched.start());
    assert.equal((err as MesosSdkError).code, 'ERR_TLS');
    assert.ok((err as Error).cause instanceof MesosSdkError, 'the client error is its cause');
    assertNoSecret(err);
  });
});

describe('SecretRedactor', () => {
  it('replaces the configured secret verbatim and any Basic/Bearer credential', () => {
    const r = new SecretRedactor(basic);
    assert.equal(r.text(`x S3cr3t-basic-Passw0rd y`), 'x [REDACTED] y');
    assert.equal(r.text(`Authorization: Basic ${BASIC_B64}`), 'Authorization: Basic [REDACTED]');
    assert.equal(r.text('Authorization: Bearer some.other-token'), 'Authorization: Bearer [REDACTED]');
    assert.equal(r.text('basic and bearer, as words'), 'basic and bearer, as words');
  });
  it('leaves texts alone without auth, but still takes header-shaped credentials out', () => {
    const r = new SecretRedactor(undefined);
    assert.equal(r.text('no secrets here'), 'no secrets here');
    assert.equal(r.text('Bearer abcdefgh'), 'Bearer [REDACTED]');
  });
});
