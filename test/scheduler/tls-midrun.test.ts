// Issue 16 #15 (first half): a TLS failure settles. Before the first SUBSCRIBED, ERR_TLS on every
// master rejects start() (start-failures.test.ts). Mid-run, a master whose certificate changed to
// one the client does not trust is retried (an operator may be rotating it) with an error line
// each time, and the scheduler stops with ERR_TLS once that lasted misconfiguredGiveUpMs, rather
// than retrying for ever while the framework's failover timeout runs out.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient } from '../../src/client/http-client.js';
import type { ClientLogger } from '../../src/client/client-options.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import type { LifecycleEvent } from '../../src/scheduler/scheduler.interface.js';
import { ConfigurationError } from '../../src/errors/index.js';
import { FakeMaster, waitFor } from '../client/fake-master.js';
import { selfSignedCert } from '../support/self-signed.js';

/** TLS in front of a plain-HTTP FakeMaster, whose certificate can be changed while it runs. */
async function tlsFront(upstreamPort: number, cert: { key: Buffer; cert: Buffer }): Promise<{ url: string; server: tls.Server; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(cert, (client) => {
    const up = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(up);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
    client.on('error', () => {});
    up.on('error', () => {});
    client.pipe(up).pipe(client);
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

function recordingLogger(): ClientLogger & { lines: Array<{ level: string; message: string }> } {
  const lines: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (message: string) => void lines.push({ level, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('MesosScheduler: the master\'s certificate changes mid-run (issue 16 #15)', () => {
  const trusted = selfSignedCert();
  const untrusted = selfSignedCert();
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(misconfiguredGiveUpMs: number) {
    const master = new FakeMaster();
    await master.start();
    cleanups.push(() => master.stop());
    const front = await tlsFront(Number(new URL(master.url).port), trusted);
    cleanups.push(() => {
      for (const s of front.sockets) s.destroy();
      return new Promise<void>((r) => front.server.close(() => r()));
    });
    const logger = recordingLogger();
    const sched = new MesosScheduler(new MesosHttpClient({ masters: [front.url], tls: { ca: trusted.cert }, logger }), {
      frameworkInfo: { user: 'u', name: 'tls-midrun' },
      backoff: { initialMs: 20, maxMs: 100 },
      misconfiguredGiveUpMs,
      logger,
    });
    cleanups.push(() => sched.stop());
    const lifecycle: LifecycleEvent[] = [];
    sched.onLifecycle((e) => lifecycle.push(e));
    await sched.start();
    // The certificate changes; the connection drops (the master restarted with it).
    front.server.setSecureContext(untrusted);
    master.dropStreams();
    return { master, front, sched, lifecycle, logger };
  }

  it('regression: stops with ERR_TLS once every master failed TLS verification for misconfiguredGiveUpMs, with error lines meanwhile', async () => {
    const { sched, lifecycle, logger } = await setup(600);
    await waitFor(() => sched.state === 'stopped', 10_000, 'the scheduler to stop');
    const stopped = lifecycle.find((e) => e.type === 'stopped');
    assert.ok(stopped?.type === 'stopped' && stopped.error, 'stopped with an error');
    assert.equal(stopped.error.code, 'ERR_TLS');
    assert.match(stopped.error.message, /the subscription was lost and no Mesos master could take it again for \d+ s \(misconfiguredGiveUpMs\), for reasons retrying cannot fix; tried: https:\/\/127\.0\.0\.1:\d+ \(\d+ attempts?\): TLS verification failed: its certificate is self-signed/);
    assert.ok(lifecycle.some((e) => e.type === 'disconnected' && e.error?.code === 'ERR_TLS'));
    assert.ok(logger.lines.some((l) => l.level === 'error' && /re-subscribing failed: .*\[ERR_TLS\]; no master can take the subscription for a reason retrying cannot fix: the scheduler stops if this lasts 0\.6 s/.test(l.message)), JSON.stringify(logger.lines, null, 1));
    assert.ok(logger.lines.some((l) => l.level === 'error' && l.message.startsWith('scheduler stopped: ')));
  });

  it('re-subscribes when the certificate is trusted again within misconfiguredGiveUpMs', async () => {
    const { front, sched, lifecycle, master } = await setup(60_000);
    await waitFor(() => lifecycle.some((e) => e.type === 'disconnected' && e.error?.code === 'ERR_TLS'), 10_000, 'a TLS failure');
    front.server.setSecureContext(trusted);
    await waitFor(() => lifecycle.some((e) => e.type === 'connected' && e.resubscribed), 10_000, 're-subscription');
    assert.equal(sched.state, 'subscribed');
    assert.equal(master.subscribeCalls().at(-1)?.framework_id?.value, sched.frameworkId);
  });

  it('misconfiguredGiveUpMs: 0 keeps retrying; a negative value is a ConfigurationError', async () => {
    const { sched, lifecycle } = await setup(0);
    await waitFor(() => lifecycle.filter((e) => e.type === 'disconnected' && e.error?.code === 'ERR_TLS').length >= 5, 10_000, 'five TLS failures');
    assert.notEqual(sched.state, 'stopped');
    const bad = new MesosScheduler(new MesosHttpClient({ masters: ['http://127.0.0.1:1'] }), { frameworkInfo: { user: 'u', name: 'x' }, misconfiguredGiveUpMs: -1 });
    assert.throws(() => bad.start(), (err: unknown) => err instanceof ConfigurationError && /misconfiguredGiveUpMs must be a number of milliseconds >= 0/.test(err.message));
  });
});
