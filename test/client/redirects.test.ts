// Issue 16 #7: credentials followed a 307 to any host (the class of bug of CVE-2022-0155). A leader
// redirect is followed only to a configured master or a host of redirectHosts; elsewhere it is
// refused with ERR_REDIRECT_NOT_ALLOWED and nothing, credentials least of all, is sent there.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { redirectAllowed, resolveClientOptions, type MesosClientOptions } from '../../src/client/client-options.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import { ApiError, ConfigurationError, MesosSdkError } from '../../src/errors/index.js';
import type { scheduler } from '../../src/protocol/generated/index.js';
import { FakeMaster } from './fake-master.js';

const subscribeCall: scheduler.Call = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'redirects' } } };
const auth = { type: 'basic', principal: 'fw', secret: 'hunter2-secret' } as const;

/** A listener on 127.0.0.2 (another loopback address: another host as far as the client knows) that records what reaches it. */
async function elsewhere(): Promise<{ hostPort: string; requests: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(500).end('should not be reached');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.2', r));
  return {
    hostPort: `127.0.0.2:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('MesosHttpClient: leader redirects', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function fakeMaster(): Promise<FakeMaster> {
    const m = new FakeMaster();
    await m.start();
    cleanups.push(() => m.stop());
    return m;
  }
  function client(options: MesosClientOptions): MesosHttpClient {
    const c = new MesosHttpClient(options);
    cleanups.push(() => c.close());
    return c;
  }

  it('regression (issue 16 #7): a 307 to a host that is not a configured master is refused with ERR_REDIRECT_NOT_ALLOWED; no request, no Authorization header reaches it', async () => {
    const other = await elsewhere();
    cleanups.push(other.close);
    const m = await fakeMaster();
    m.redirectTo = `//${other.hostPort}`;
    await assert.rejects(client({ masters: [m.url], auth }).subscribe(subscribeCall), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'ERR_REDIRECT_NOT_ALLOWED');
      assert.equal(err.retryable, false);
      assert.equal(err.message, `master ${m.url} redirected to http://${other.hostPort}, which is not one of the configured masters; not followed, so that the credentials are not sent there; if ${other.hostPort} is a master of this cluster, add it to masters or to the client option redirectHosts (a Mesos master names the leader by its --hostname or IP, which may be spelled differently from the URL configured), or set followRedirects: 'any'`);
      return true;
    });
    assert.equal(other.requests.length, 0);
  });

  it('follows a redirect to a host of redirectHosts, with the credentials (the other spelling of a master)', async () => {
    const other = await elsewhere();
    cleanups.push(other.close);
    const m = await fakeMaster();
    m.redirectTo = `//${other.hostPort}`;
    await assert.rejects(client({ masters: [m.url], auth, redirectHosts: [other.hostPort] }).subscribe(subscribeCall), /answered SUBSCRIBE with 500/);
    assert.equal(other.requests.length, 1);
    assert.equal(other.requests[0]!.authorization, `Basic ${Buffer.from('fw:hunter2-secret').toString('base64')}`);
  });

  it("follows any redirect with followRedirects: 'any'", async () => {
    const other = await elsewhere();
    cleanups.push(other.close);
    const m = await fakeMaster();
    m.redirectTo = `//${other.hostPort}`;
    await assert.rejects(client({ masters: [m.url], auth, followRedirects: 'any' }).subscribe(subscribeCall), /answered SUBSCRIBE with 500/);
    assert.equal(other.requests.length, 1);
  });

  it('follows a redirect to another configured master, with the credentials', async () => {
    const leader = await fakeMaster();
    const follower = await fakeMaster();
    follower.redirectTo = leader.hostPort;
    const sub = await client({ masters: [follower.url, leader.url], auth }).subscribe(subscribeCall);
    sub.close();
    assert.equal(sub.masterUrl, leader.url);
    assert.match(String(leader.calls[0]?.headers.authorization), /^Basic /);
  });

  it('start() rejects at once with ERR_REDIRECT_NOT_ALLOWED when the only master redirects elsewhere (retrying does not help)', async () => {
    const other = await elsewhere();
    cleanups.push(other.close);
    const m = await fakeMaster();
    m.redirectTo = `//${other.hostPort}`;
    const sched = new MesosScheduler(client({ masters: [m.url], auth }), { frameworkInfo: { user: 'u', name: 'redirects' }, startTimeoutMs: 20_000 });
    await assert.rejects(sched.start(), (err: unknown) => err instanceof MesosSdkError && err.code === 'ERR_REDIRECT_NOT_ALLOWED' && err.message.includes('redirectHosts'));
    assert.equal(other.requests.length, 0);
  });

  describe('redirectAllowed()', () => {
    const opts = (o: Partial<MesosClientOptions> = {}) => resolveClientOptions({ masters: ['http://Master-1.example:5050', 'https://10.0.0.2'], ...o });
    it('allows the host:port of a configured master (case-insensitive, default ports written out)', () => {
      assert.equal(redirectAllowed(opts(), 'http://master-1.example:5050'), true);
      assert.equal(redirectAllowed(opts(), 'https://10.0.0.2:443'), true);
      assert.equal(redirectAllowed(opts(), 'http://master-1.example:5051'), false);
      assert.equal(redirectAllowed(opts(), 'http://10.0.0.1:5050'), false);
    });
    it('allows redirectHosts entries: host:port for that port, host for any port', () => {
      assert.equal(redirectAllowed(opts({ redirectHosts: ['10.0.0.1:5050'] }), 'http://10.0.0.1:5050'), true);
      assert.equal(redirectAllowed(opts({ redirectHosts: ['10.0.0.1:5050'] }), 'http://10.0.0.1:5051'), false);
      assert.equal(redirectAllowed(opts({ redirectHosts: ['Master-3.example'] }), 'http://master-3.example:8080'), true);
    });
    it('refuses a redirectHosts entry that is not a host or host:port, and an unknown followRedirects', () => {
      for (const bad of ['http://10.0.0.1:5050', '10.0.0.1/x', '', 'a b']) {
        assert.throws(() => opts({ redirectHosts: [bad] }), (err: unknown) => err instanceof ConfigurationError && /redirectHosts entry/.test(err.message));
      }
      assert.throws(() => opts({ followRedirects: 'all' as 'any' }), /followRedirects must be 'configured' or 'any'/);
    });
  });
});
