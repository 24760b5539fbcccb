// What start() and the subscription say when no Mesos master can be reached, on real loopback
// sockets: an unreachable port, things that are not a Mesos master, the wrong scheme, TLS, a
// master that goes away mid-run; and that the framework's logger reaches the client and scheduler.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { MesosHttpClient, type MesosClientOptions } from '../../src/client/index.js';
import { MesosScheduler, type SchedulerOptions } from '../../src/scheduler/mesos-scheduler.js';
import { ConfigurationError, ConnectionError, SubscriptionError } from '../../src/errors/index.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { TOKENS } from '../../src/tokens.js';
import { FakeMaster } from '../client/fake-master.js';
import { selfSignedCert } from '../support/self-signed.js';

const servers: Array<{ close(cb?: () => void): unknown }> = [];
after(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function listen<T extends net.Server>(server: T): Promise<{ server: T; port: number }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { server, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function scheduler(client: Partial<MesosClientOptions> & { masters: string[] }, options: Partial<SchedulerOptions> = {}) {
  const logger = new MemoryLogger();
  const s = new MesosScheduler(new MesosHttpClient({ retry503: { baseDelayMs: 5, maxDelayMs: 20 }, logger: logger.child('client'), ...client }), {
    frameworkInfo: { user: 'root', name: 'start-failures' },
    backoff: { initialMs: 20, maxMs: 100 },
    logger: logger.child('scheduler'),
    ...options,
  });
  return { s, logger };
}

const lines = (logger: MemoryLogger, level: string) => logger.lines.filter((l) => l.level === level).map((l) => `${l.name} ${l.message}`);

async function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MesosScheduler.start() when no master can be reached', () => {
  it('an unreachable port: rejects with ConnectionError ERR_MASTER_UNREACHABLE naming the master and the reason, and stops', async () => {
    const { s, logger } = scheduler({ masters: ['http://127.0.0.1:1'] }, { startTimeoutMs: 1000 });
    await assert.rejects(s.start(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_MASTER_UNREACHABLE');
      assert.match(err.message, /^no Mesos master accepted the subscription within 1 s \(startTimeoutMs\); tried: http:\/\/127\.0\.0\.1:1 \(\d+ attempts?\): connection refused \(ECONNREFUSED\); is a Mesos master running at http:\/\/127\.0\.0\.1:1\?/);
      assert.match(err.message, /raise startTimeoutMs \(0 waits for ever\)\.$/);
      const masters = err.details?.['masters'] as Array<{ master: string; attempts: number }>;
      assert.equal(masters[0]!.master, 'http://127.0.0.1:1');
      assert.ok(masters[0]!.attempts >= 1);
      return true;
    });
    assert.equal(s.state, 'stopped');
    assert.deepEqual(lines(logger, 'info'), ['mesos-sdk.scheduler subscribing to http://127.0.0.1:1 as framework "start-failures"']);
    assert.match(lines(logger, 'warn')[0]!, /^mesos-sdk\.scheduler could not subscribe: cannot reach master http:\/\/127\.0\.0\.1:1: connection refused \(ECONNREFUSED\); is a Mesos master running at http:\/\/127\.0\.0\.1:1\? \[ERR_CONNECTION\]; retrying in \d+ ms \(attempt 1\)$/);
    assert.match(lines(logger, 'error')[0]!, /^mesos-sdk\.scheduler scheduler stopped: no Mesos master accepted the subscription .* \[ERR_MASTER_UNREACHABLE\]$/);
    await s.stop();
  });

  it('startTimeoutMs: 0 keeps trying until a master appears at the URL', async () => {
    const port = await freePort();
    const { s, logger } = scheduler({ masters: [`http://127.0.0.1:${port}`] }, { startTimeoutMs: 0 });
    const started = s.start();
    await waitFor(() => lines(logger, 'warn').length >= 3, 10_000, 'three failed attempts');
    const sim = await SimulatedMaster.start({ port, agents: 1 });
    try {
      await started;
      assert.equal(s.state, 'subscribed');
      assert.match(lines(logger, 'info').at(-1)!, new RegExp(`^mesos-sdk\\.scheduler subscribed to http://127\\.0\\.0\\.1:${port} as framework \\S+ in [\\d.]+ s \\(heartbeat every \\d+ s\\)$`));
    } finally {
      await s.stop();
      await sim.stop();
    }
  });

  it('a negative startTimeoutMs is a ConfigurationError', () => {
    const { s } = scheduler({ masters: ['http://127.0.0.1:1'] }, { startTimeoutMs: -1 });
    assert.throws(() => s.start(), (err: unknown) => err instanceof ConfigurationError && err.code === 'ERR_CONFIG_INVALID' && /startTimeoutMs/.test(err.message));
  });

  it('a server answering 404: rejects at once with ERR_NOT_A_MESOS_MASTER (not retried until the timeout)', async () => {
    const { port } = await listen(http.createServer((_q, r) => r.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found')));
    const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`] }, { startTimeoutMs: 120_000 });
    await assert.rejects(s.start(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_NOT_A_MESOS_MASTER');
      assert.equal(err.retryable, false);
      assert.match(err.message, /\(1 attempt\): answered POST \/api\/v1\/scheduler with 404 "Not Found": this is not a Mesos master; check the URL and port/);
      return true;
    });
    assert.equal(s.state, 'stopped');
  });

  it('a web server answering an HTML page: ERR_NOT_A_MESOS_MASTER with the page title', async () => {
    const { port } = await listen(http.createServer((_q, r) => r.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><head><title>It works!</title></head></html>')));
    const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`] }, { startTimeoutMs: 120_000 });
    await assert.rejects(s.start(), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_NOT_A_MESOS_MASTER' && /HTML page \("It works!"\)/.test(err.message));
  });

  it('https:// against the simulator\'s plain-HTTP port: ERR_WRONG_SCHEME saying to use http://', async () => {
    const sim = await SimulatedMaster.start({ agents: 1 });
    try {
      const url = sim.url.replace(/^http:/, 'https:');
      const { s } = scheduler({ masters: [url] }, { startTimeoutMs: 120_000 });
      await assert.rejects(s.start(), (err: unknown) => {
        assert.ok(err instanceof ConnectionError);
        assert.equal(err.code, 'ERR_WRONG_SCHEME');
        assert.match(err.message, /TLS handshake failed: the master answered in plain HTTP \(EPROTO\); the master speaks plain HTTP\? use http:\/\/127\.0\.0\.1:\d+ or check the master's TLS set-up/);
        return true;
      });
    } finally {
      await sim.stop();
    }
  });

  // Mesos 1.11 agents route /api/v1/scheduler to their operator API: JSON calls get "Failed to
  // validate agent::Call", protobuf ones "Failed to parse body into a protobuf object" (seen on
  // the local cluster's agents), and an agent has no /master/health.
  const agentLike = () =>
    http.createServer((q, r) => {
      q.resume();
      if (q.url === '/master/health') return void r.writeHead(404).end();
      const json = /json/.test(String(q.headers['content-type']));
      r.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(json ? "Failed to validate agent::Call: Expecting 'type' to be present" : 'Failed to parse body into a protobuf object');
    });
  for (const encoding of ['json', 'protobuf'] as const) {
    it(`a Mesos agent's URL (${encoding}): ERR_NOT_A_MESOS_MASTER saying it looks like an agent`, async () => {
      const { port } = await listen(agentLike());
      const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`], encoding }, { startTimeoutMs: 120_000 });
      await assert.rejects(s.start(), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_NOT_A_MESOS_MASTER' && /this looks like a Mesos agent \(it has no \/master\/health\), not a master; use the master's URL/.test(err.message));
    });
  }

  it('https:// against a plain-HTTP port that resets TLS handshakes (as Mesos does): ERR_WRONG_SCHEME', async () => {
    const { port } = await listen(
      net.createServer((c) => {
        c.once('data', (first: Buffer) => {
          if (first[0] === 0x16) return void c.destroy(); // a TLS ClientHello
          c.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
        });
      }),
    );
    const { s } = scheduler({ masters: [`https://127.0.0.1:${port}`] }, { startTimeoutMs: 120_000 });
    await assert.rejects(s.start(), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_WRONG_SCHEME' && new RegExp(`answers plain HTTP on that port; the master speaks plain HTTP\\? use http://127\\.0\\.0\\.1:${port}`).test(err.message));
  });

  const { key, cert } = selfSignedCert();

  it('http:// against a TLS master: ERR_WRONG_SCHEME saying to use https://', async () => {
    const { port } = await listen(https.createServer({ key, cert }, (_q, r) => r.end('')));
    const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`] }, { startTimeoutMs: 120_000 });
    await assert.rejects(s.start(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_WRONG_SCHEME');
      assert.match(err.message, new RegExp(`speaks TLS on that port; use https://127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });

  it('a certificate the client does not trust: ERR_TLS naming the problem and tls.ca', async () => {
    const { port } = await listen(https.createServer({ key, cert }, (_q, r) => r.end('')));
    const { s } = scheduler({ masters: [`https://127.0.0.1:${port}`] }, { startTimeoutMs: 120_000 });
    await assert.rejects(s.start(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_TLS');
      assert.match(err.message, /TLS verification failed: its certificate is self-signed \(DEPTH_ZERO_SELF_SIGNED_CERT\); give the master's CA certificate \(PEM\) in tls\.ca/);
      return true;
    });
  });

  it('several masters failing differently: waits for the timeout, then lists each master with its own reason', async () => {
    const { port } = await listen(http.createServer((_q, r) => r.writeHead(404).end()));
    const notMaster = `http://127.0.0.1:${port}`;
    const { s } = scheduler({ masters: [notMaster, 'http://127.0.0.1:1'] }, { startTimeoutMs: 1000 });
    await assert.rejects(s.start(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_MASTER_UNREACHABLE');
      const [a, b] = err.message.split(' | ');
      assert.match(a!, new RegExp(`tried: ${notMaster.replace(/[.]/g, '\\.')} \\(\\d+ attempts?\\): answered POST /api/v1/scheduler with 404: this is not a Mesos master`));
      assert.match(b!, /^http:\/\/127\.0\.0\.1:1 \(\d+ attempts?\): connection refused \(ECONNREFUSED\)/);
      return true;
    });
  });

  it('connectTimeoutMs bounds an attempt that gets no answer (a socket accepted, never answered)', async () => {
    const held: net.Socket[] = [];
    const { port, server } = await listen(net.createServer((c) => void held.push(c)));
    const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`], connectTimeoutMs: 200 }, { startTimeoutMs: 1500 });
    try {
      await assert.rejects(s.start(), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_MASTER_UNREACHABLE' && /no answer within 200 ms \(connectTimeoutMs\)/.test(err.message));
    } finally {
      for (const c of held) c.destroy();
      server.close();
    }
  });

  it('stop() while a SUBSCRIBE waits for an answer ends it at once (not after connectTimeoutMs)', { timeout: 20_000 }, async () => {
    const held: net.Socket[] = [];
    const { port } = await listen(net.createServer((c) => void held.push(c)));
    const { s } = scheduler({ masters: [`http://127.0.0.1:${port}`], connectTimeoutMs: 600_000 }, { startTimeoutMs: 0 });
    const started = s.start();
    await waitFor(() => held.length > 0, 5000, 'the SUBSCRIBE connection');
    await s.stop();
    await assert.rejects(started, (err: unknown) => err instanceof SubscriptionError && err.code === 'ERR_SCHEDULER_STOPPED');
    assert.equal(s.state, 'stopped');
    for (const c of held) c.destroy();
  });
});

describe('MesosScheduler: a master that goes away mid-run', () => {
  it('logs "subscription to <url> lost: <reason>; retrying in N ms" at warn, then "re-subscribed" at info when it is back', async () => {
    const port = await freePort();
    let sim = await SimulatedMaster.start({ port, agents: 1 });
    const { s, logger } = scheduler({ masters: [sim.url] });
    try {
      await s.start();
      await sim.stop();
      await waitFor(() => lines(logger, 'warn').some((l) => / lost: /.test(l)), 10_000, 'the lost line');
      const lost = lines(logger, 'warn').find((l) => / lost: /.test(l))!;
      assert.match(lost, new RegExp(`^mesos-sdk\\.scheduler subscription to http://127\\.0\\.0\\.1:${port} lost: .+ \\[ERR_[A-Z_]+\\]; retrying in \\d+ ms$`));
      sim = await SimulatedMaster.start({ port, agents: 1 });
      await waitFor(() => lines(logger, 'info').some((l) => /re-subscribed/.test(l)), 10_000, 'the re-subscribed line');
      assert.match(lines(logger, 'info').at(-1)!, new RegExp(`^mesos-sdk\\.scheduler re-subscribed to http://127\\.0\\.0\\.1:${port} as framework \\S+ after [\\d.]+ s$`));
      assert.equal(s.state, 'subscribed');
    } finally {
      await s.stop();
      await sim.stop();
    }
  });
});

describe('MesosHttpClient: 503 while no leader is elected', () => {
  it('each retry is a warn line naming the master and its answer', async () => {
    const m = new FakeMaster();
    await m.start();
    m.unavailable = 2;
    const { s, logger } = scheduler({ masters: [m.url] });
    try {
      await s.start();
      const warns = lines(logger, 'warn');
      assert.equal(warns.length, 2, warns.join('\n'));
      for (const w of warns) assert.match(w, new RegExp(`^mesos-sdk\\.client master ${m.url.replace(/[.]/g, '\\.')} unavailable \\(503 No leader elected\\); retrying SUBSCRIBE in \\d+ ms$`));
    } finally {
      await s.stop();
      await m.stop();
    }
  });
});

describe('createFramework: the SDK logger reaches the client and the scheduler', () => {
  it('the redirect is written by mesos-sdk.client, the subscription by mesos-sdk.scheduler', async () => {
    const leader = new FakeMaster();
    const follower = new FakeMaster();
    await leader.start();
    await follower.start();
    follower.redirectTo = leader.hostPort;
    const logger = new MemoryLogger();
    const fw = createFramework({ master: [follower.url, leader.url], framework: { name: 'wiring' }, overrides: [{ token: TOKENS.Logger, useValue: logger }] });
    try {
      await fw.start();
      const info = lines(logger, 'info');
      assert.ok(info.includes(`mesos-sdk.scheduler subscribing to ${follower.url} as framework "wiring"`), info.join('\n'));
      assert.ok(info.includes(`mesos-sdk.client master ${follower.url} is not the leader; following its redirect to ${leader.url}`), info.join('\n'));
      assert.ok(info.some((l) => l.startsWith(`mesos-sdk.scheduler subscribed to ${leader.url} as framework fake-master-`)), info.join('\n'));
    } finally {
      await fw.stop();
      await leader.stop();
      await follower.stop();
    }
  });

  it('a process whose start() was rejected exits by itself: nothing is left running', { timeout: 30_000 }, async () => {
    const entry = fileURLToPath(new URL('../../src/index.js', import.meta.url));
    const script = `
      const { createFramework } = await import(${JSON.stringify(entry)});
      const fw = createFramework({ master: 'http://127.0.0.1:1', framework: { name: 'exits' }, scheduler: { startTimeoutMs: 1500 } });
      await fw.start().catch((err) => { console.log(err.code + ' ' + err.message); process.exitCode = 3; });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err += c));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 3, `stdout: ${out}\nstderr: ${err}`);
    assert.match(out, /^ERR_MASTER_UNREACHABLE no Mesos master accepted the subscription within 1\.5 s .*connection refused \(ECONNREFUSED\)/);
    assert.match(err, /\|WARN\|.*\|mesos-sdk\.scheduler\|.*could not subscribe: cannot reach master http:\/\/127\.0\.0\.1:1: connection refused/);
  });
});
