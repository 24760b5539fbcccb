import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FrameworkServer } from '../../src/server/framework-server.js';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';

const TOKEN = 'fuzz-token-0123456789';
const CANARY = 'CANARY-outside-the-artifacts-folder-7c1e';

/** A raw HTTP request, so that paths reach the server byte for byte (fetch would normalise them). */
function raw(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${method} ${path.slice(0, 80)} within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function assertErrorBody(status: number, text: string, what: string): void {
  assert.ok(status !== 500 && status < 600, `${what}: ${status} ${text.slice(0, 200)}`);
  if (status >= 400) {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    assert.ok(typeof body.code === 'string' && /^ERR_/.test(body.code) && typeof body.message === 'string', `${what}: ${text.slice(0, 200)}`);
  }
}

describe('fuzz: the framework server under hostile requests (fixed seeds)', () => {
  let server: FrameworkServer;
  let port: number;
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'fuzz-server-'));
    mkdirSync(join(root, 'artifacts', 'bin'), { recursive: true });
    writeFileSync(join(root, 'artifacts', 'bin', 'executor'), 'EXECUTOR');
    writeFileSync(join(root, 'canary.txt'), CANARY);
    writeFileSync(join(root, 'artifacts', '.hidden'), CANARY);
    const tasks = new TaskManager(new InMemoryStorage(), { kill: async () => {} });
    const scheduler = { state: 'subscribed', frameworkId: 'fw', streamId: 's' } as unknown as Scheduler;
    server = new FrameworkServer({ scheduler, tasks }, { token: TOKEN, artifactsDir: join(root, 'artifacts'), bodyLimit: 16 * 1024 });
    port = Number(new URL(await server.listen()).port);
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('POST /api/v1/tasks: random bodies and content types get 2xx or a typed 4xx, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
          fc.record({ name: fc.string({ maxLength: 70 }), instances: fc.integer({ min: -2, max: 3 }), resources: fc.record({ cpus: fc.double(), mem: fc.double() }) }).map((v) => Buffer.from(JSON.stringify(v))),
        ),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-protobuf', ''),
        async (body, type) => {
          const res = await raw(port, 'POST', '/api/v1/tasks', body, { authorization: `Bearer ${TOKEN}`, ...(type ? { 'content-type': type } : {}) });
          assertErrorBody(res.status, res.text, `POST ${type} ${body.toString('utf8').slice(0, 100)}`);
        },
      ),
      { seed: 3101, numRuns: 300 },
    );
  });

  it('refuses deep nesting and oversized bodies with typed errors, and keeps answering', async () => {
    const deep = Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    const r1 = await raw(port, 'POST', '/api/v1/tasks', deep, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    assertErrorBody(r1.status, r1.text, 'deep nesting');
    assert.ok(r1.status >= 400);
    const big = Buffer.from(JSON.stringify({ name: 'x'.repeat(64 * 1024) }));
    const r2 = await raw(port, 'POST', '/api/v1/tasks', big, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    assert.equal(r2.status, 413);
    assertErrorBody(r2.status, r2.text, 'big');
    assert.equal((await raw(port, 'GET', '/health')).status, 200);
  });

  it('PUT /api/v1/definitions/:name/instances: random names and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), async (name, body) => {
        const res = await raw(port, 'PUT', `/api/v1/definitions/${name}/instances`, body, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
        assertErrorBody(res.status, res.text, `PUT ${name}`);
      }),
      { seed: 3102, numRuns: 200 },
    );
  });

  it('random paths under /artifacts/ and /api/v1/tasks/ never escape the artifacts folder nor fail with 500', async () => {
    const segment = fc.oneof(fc.constantFrom('..', '.', '%2e%2e', '%2E%2E', '..%2f', '%2f', '%5c..', '..\\', '%00', '.hidden', 'bin', 'executor', 'canary.txt', '%252e%252e', '//', ''), fc.string({ maxLength: 12 }).map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/artifacts/', '/api/v1/tasks/'), fc.array(segment, { minLength: 1, maxLength: 8 }), async (prefix, parts) => {
        const path = prefix + parts.join('/');
        const res = await raw(port, 'GET', path);
        assert.ok(!res.text.includes(CANARY), `${path} served a file outside the artifacts folder or a dotfile`);
        assert.notEqual(res.status, 500, `${path}: ${res.text.slice(0, 200)}`);
      }),
      { seed: 3103, numRuns: 400 },
    );
    assert.equal((await raw(port, 'GET', '/artifacts/bin/executor')).text, 'EXECUTOR', 'the folder itself is still served');
    const long = await raw(port, 'GET', `/api/v1/tasks/${'a'.repeat(50_000)}`);
    assert.ok(long.status === 404 || long.status === 414 || long.status === 431, `long path: ${long.status}`);
  });
});
