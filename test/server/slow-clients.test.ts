import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { FrameworkServer, SERVER_TIMEOUT_DEFAULTS } from '../../src/server/framework-server.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';

/** A connection that sends `head` at once, then `drip` (unless empty) every 100 ms; `closed` resolves with what the server sent once it closes. */
function dripper(port: number, head: string, drip: string): { closed: Promise<string>; socket: Socket } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write(head);
    if (drip) timer = setInterval(() => socket.writable && socket.write(drip), 100);
  });
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(received);
    }),
  );
  return { closed, socket };
}

function before_(deadline: number, what: Promise<unknown>, label: string): Promise<unknown> {
  let t: NodeJS.Timeout;
  return Promise.race([what.finally(() => clearTimeout(t)), new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`${label}: still open after ${deadline} ms`)), deadline)))]);
}

describe('FrameworkServer timeouts (issue 16 item 9: 40 connections dripping a body to /health stayed open)', () => {
  let sim: SimulatedMaster;
  let fw: FrameworkHandle;
  let url: string;
  let port: number;
  let dir: string;
  const big = randomBytes(8 * 1024 * 1024);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-slow-'));
    writeFileSync(join(dir, 'big.bin'), big);
    sim = await SimulatedMaster.start({ agents: 1 });
    fw = createFramework({
      master: sim.url,
      framework: { name: 'slow-clients' },
      server: { artifactsDir: dir, headersTimeoutMs: 500, requestTimeoutMs: 1000, connectionTimeoutMs: 5000, keepAliveTimeoutMs: 500 },
    });
    await fw.start();
    url = fw.serverUrl!;
    port = Number(new URL(url).port);
  });
  after(async () => {
    await fw.stop({ teardown: true });
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes 40 connections dripping a request body to /health', async () => {
    const conns = Array.from({ length: 40 }, (_, i) =>
      dripper(port, `${i % 2 ? 'POST' : 'GET'} /health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n`, ' '),
    );
    try {
      await before_(15_000, Promise.all(conns.map((c) => c.closed)), '40 dripping bodies');
    } finally {
      for (const c of conns) c.socket.destroy();
    }
    const answers = await Promise.all(conns.map((c) => c.closed));
    assert.ok(answers.filter((a, i) => i % 2 === 1).every((a) => a === '' || /^HTTP\/1\.1 (408|4\d\d)/.test(a)), 'the POSTs get no success');
  });

  it('closes connections dripping their headers (slowloris)', async () => {
    const conns = Array.from({ length: 10 }, () => dripper(port, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X'));
    let answers: string[];
    try {
      answers = (await before_(15_000, Promise.all(conns.map((c) => c.closed)), 'dripping headers')) as string[];
    } finally {
      for (const c of conns) c.socket.destroy();
    }
    assert.ok(answers.every((a) => a === '' || a.startsWith('HTTP/1.1 408')), JSON.stringify(answers.map((a) => a.slice(0, 30))));
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const { closed, socket } = dripper(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', '');
    const answer = (await before_(10_000, closed, 'idle keep-alive').finally(() => socket.destroy())) as string;
    assert.match(answer, /^HTTP\/1\.1 200/);
  });

  it('still answers normal requests, and does not cut a download slower than requestTimeoutMs', async () => {
    assert.equal((await fetch(`${url}/health`)).status, 200);
    // Read the 8 MiB artifact, pausing 2.5 s (longer than the 1 s request timeout) after the first chunk.
    const received = await new Promise<Buffer>((resolve, reject) => {
      const req = httpRequest(`${url}/artifacts/big.bin`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let paused = false;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          if (!paused) {
            paused = true;
            res.pause();
            setTimeout(() => res.resume(), 2500);
          }
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(received.length, big.length);
    assert.ok(received.equals(big));
  });
});

describe('FrameworkServer timeout options', () => {
  const scheduler = { state: 'subscribed' } as unknown as Scheduler;

  it('has documented defaults and sets them on the HTTP server', async () => {
    assert.deepEqual(SERVER_TIMEOUT_DEFAULTS, { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
    const server = new FrameworkServer({ scheduler });
    try {
      await server.listen();
      const http = server.fastify.server;
      assert.deepEqual([http.headersTimeout, http.requestTimeout, http.timeout, http.keepAliveTimeout], [10_000, 30_000, 60_000, 5_000]);
    } finally {
      await server.close();
    }
  });

  it('refuses timeouts, a body limit or a port out of range with ERR_CONFIG_INVALID', () => {
    for (const options of [{ requestTimeoutMs: Infinity }, { headersTimeoutMs: -1 }, { connectionTimeoutMs: 1.5 }, { keepAliveTimeoutMs: 0 }, { requestTimeoutMs: 2 ** 31 }, { headersTimeoutMs: 5000, requestTimeoutMs: 1000 }, { headersTimeoutMs: 30_001 }, { bodyLimit: NaN }, { port: 70_000 }]) {
      assert.throws(() => new FrameworkServer({ scheduler }, options), { code: 'ERR_CONFIG_INVALID' }, JSON.stringify(options));
    }
    assert.doesNotThrow(() => new FrameworkServer({ scheduler }, { headersTimeoutMs: 0, requestTimeoutMs: 0, connectionTimeoutMs: 0 }), '0 turns them off');
    assert.doesNotThrow(() => new FrameworkServer({ scheduler }, { headersTimeoutMs: 0 }), 'no header deadline: the request deadline still bounds the headers');
  });

  it('keeps a slow client waiting no longer than the timeouts over HTTPS too', async () => {
    const { selfSignedCert } = await import('../support/self-signed.js');
    const { key, cert } = selfSignedCert();
    const server = new FrameworkServer({ scheduler }, { tls: { key, cert }, headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      const base = await server.listen();
      assert.deepEqual([server.fastify.server.headersTimeout, server.fastify.server.requestTimeout], [300, 600]);
      // A TCP connection that never completes the TLS handshake is closed after headersTimeoutMs too.
      const { closed, socket } = dripper(Number(new URL(base).port), '', '');
      await before_(10_000, closed, 'a connection that never starts TLS').finally(() => socket.destroy());
    } finally {
      await server.close();
    }
  });
});
