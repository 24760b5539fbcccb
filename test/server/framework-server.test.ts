import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { FrameworkServer } from '../../src/server/framework-server.js';
import { FrameworkMetrics } from '../../src/server/framework-metrics.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import { TOKENS } from '../../src/tokens.js';
import type { ResourceManager } from '../../src/resource-manager/resource-manager.js';
import { selfSignedCert } from '../support/self-signed.js';

const TOKEN = 'server-test-token-5d1c';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw GET, so that paths reach the server exactly as written (fetch would normalise `..`). */
function rawGet(url: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('FrameworkServer over real HTTP, on a framework running against the simulator', () => {
  let sim: SimulatedMaster;
  let fw: FrameworkHandle;
  let url: string;
  let artifacts: string;
  const executor = randomBytes(300_000);
  const logger = new MemoryLogger();
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  before(async () => {
    artifacts = mkdtempSync(join(tmpdir(), 'mesos-sdk-artifacts-'));
    mkdirSync(join(artifacts, 'bin'));
    writeFileSync(join(artifacts, 'bin', 'executor'), executor);
    writeFileSync(join(artifacts, '.secret'), 'dotfile');
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50, taskBehaviours: [{ name: '^forever', outcome: 'running-forever' }, { runMs: 50 }] });
    fw = createFramework({
      master: sim.url,
      framework: { name: 'server-test' },
      taskManager: true,
      server: { token: TOKEN, artifactsDir: artifacts, bodyLimit: 64 * 1024 },
      overrides: [{ token: TOKENS.Logger, useValue: logger }],
    });
    await fw.start();
    url = fw.serverUrl!;
  });
  after(async () => {
    await fw.stop({ teardown: true });
    await sim.stop();
    rmSync(artifacts, { recursive: true, force: true });
  });

  it('reports ready on /health once subscribed and leading', async () => {
    const res = await fetch(`${url}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual({ ...body, frameworkId: typeof body['frameworkId'] }, { status: 'ready', subscribed: true, leader: true, state: 'subscribed', frameworkId: 'string' });
  });

  it('refuses mutating calls without a token (401, with WWW-Authenticate) and with a wrong one (403)', async () => {
    const body = JSON.stringify({ name: 'x', resources: { cpus: 0.1, mem: 8 }, command: { shell: 'true' } });
    const none = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await none.json()) as { code: string }).code, 'ERR_UNAUTHORIZED');
    const wrong = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 403);
    assert.equal(((await wrong.json()) as { code: string }).code, 'ERR_FORBIDDEN');
    const kill = await fetch(`${url}/api/v1/tasks/x.0.0/kill`, { method: 'POST' });
    assert.equal(kill.status, 401);
    assert.equal((await fetch(`${url}/api/v1/tasks`)).status, 200, 'reads stay open');
  });

  it('answers a bad task definition with 400 and every problem, and launches nothing', async () => {
    const bad = [
      { name: 'ok', resources: { cpus: 0.1, mem: 8 }, command: { shell: 'true' } },
      { name: 'no-command', resources: { cpus: 0.1, mem: 8 } },
      { name: 'neg', resources: { cpus: -1, mem: 8 }, command: { shell: 'true' } },
    ];
    const res = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: JSON.stringify(bad), headers: auth });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; errors: Array<{ path: string; message: string }> };
    assert.equal(body.code, 'ERR_TASK_DEFINITION_INVALID');
    assert.ok(body.errors.some((e) => e.path.startsWith('[1]')), JSON.stringify(body.errors));
    assert.ok(body.errors.some((e) => e.path.startsWith('[2]')), JSON.stringify(body.errors));
    const list = (await (await fetch(`${url}/api/v1/tasks?name=ok`)).json()) as { tasks: unknown[] };
    assert.deepEqual(list.tasks, []);
  });

  it('refuses cpus 1e999 (JSON.parse makes it Infinity) with 400 naming the field and its range, and stores nothing (issue 16 item 5)', async () => {
    const res = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: '{"name":"poison","resources":{"cpus":1e999,"mem":8},"command":{"shell":"true"}}', headers: auth });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { code: string; errors: Array<{ path: string; message: string }> };
    assert.equal(body.code, 'ERR_TASK_DEFINITION_INVALID');
    assert.deepEqual(body.errors, [{ path: 'resources.cpus', message: 'must be a finite number greater than 0 and at most 1000000 (got Infinity)' }]);
    for (const [field, value] of [['mem', '1e308'], ['disk', '-1e999'], ['gpus', '1e400']] as const) {
      const r = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: `{"name":"poison","resources":{"cpus":1,"mem":8,"${field}":${value}},"command":{"shell":"true"}}`, headers: auth });
      assert.equal(r.status, 400, field);
      assert.equal(((await r.json()) as { errors: Array<{ path: string }> }).errors[0]!.path, `resources.${field}`);
    }
    assert.deepEqual(((await (await fetch(`${url}/api/v1/tasks?name=poison`)).json()) as { tasks: unknown[] }).tasks, []);
    const scale = await fetch(`${url}/api/v1/definitions/poison/instances`, { method: 'PUT', body: '{"instances":1e999}', headers: auth });
    assert.equal(scale.status, 400);
  });

  it('refuses query values that are repeated, unknown states or too long with 400 (a repeated label was a 500)', async () => {
    for (const query of ['label=a&label=b', 'name=a&name=b', 'state=TASK_BOGUS', 'history=yes', `name=${'n'.repeat(300)}`, 'label=']) {
      const res = await fetch(`${url}/api/v1/tasks?${query}`);
      assert.equal(res.status, 400, `${query.slice(0, 40)} answered ${res.status}`);
      assert.equal(((await res.json()) as { code: string }).code, 'ERR_BAD_REQUEST');
    }
    const state = (await (await fetch(`${url}/api/v1/tasks?state=RUNNING`)).json()) as { errors: Array<{ path: string; message: string }> };
    assert.equal(state.errors[0]!.path, '/state');
    assert.match(state.errors[0]!.message, /^must be one of PENDING, .*TASK_RUNNING/);
    assert.equal((await fetch(`${url}/api/v1/tasks?state=TASK_RUNNING&history=false`)).status, 200);
  });

  it('refuses task ids and definition names that no task can have, without reaching the task manager', async () => {
    for (const [method, path] of [['GET', '/api/v1/tasks/a%20b'], ['GET', '/api/v1/tasks/__proto__%2F..'], ['POST', '/api/v1/tasks/%00/kill'], ['PUT', '/api/v1/definitions/a%2Fb/instances']] as const) {
      const res = await fetch(`${url}${path}`, { method, headers: auth, ...(method === 'PUT' ? { body: '{"instances":1}' } : {}) });
      assert.equal(res.status, 400, `${method} ${path} answered ${res.status}`);
    }
    const long = await fetch(`${url}/api/v1/tasks/${'x'.repeat(5000)}`);
    assert.equal(long.status, 414, 'an id longer than any task id');
    assert.equal(((await long.json()) as { code: string }).code, 'ERR_BAD_REQUEST');
    const badEncoding = await fetch(`${url}/api/v1/tasks/%E0%A4%A`);
    assert.equal(badEncoding.status, 400);
    assert.equal(((await badEncoding.json()) as { code: string }).code, 'ERR_BAD_REQUEST');
    for (const path of ['/api/v1/tasks/__proto__', '/api/v1/tasks/constructor']) assert.equal((await fetch(`${url}${path}`)).status, 404, path);
  });

  it('refuses bodies that are too large (413), not JSON (415) or malformed (400)', async () => {
    const big = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(100 * 1024) }), headers: auth });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { code: string }).code, 'ERR_BODY_TOO_LARGE');
    const text = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: 'name=x', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(text.status, 415);
    const broken = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: '{"name": ', headers: auth });
    assert.equal(broken.status, 400);
  });

  it('submits, lists, gets, scales and kills tasks (a submit revives suppressed offers)', async () => {
    // Nothing was pending so far: the task controller has suppressed offers; the submit must revive them.
    await waitUntil(async () => fw.get<ResourceManager>(TOKENS.ResourceManager).isSuppressed);
    const res = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: JSON.stringify([{ name: 'short', instances: 2, resources: { cpus: 0.1, mem: 8 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }, { name: 'forever', resources: { cpus: 0.1, mem: 8 }, command: { shell: 'sleep infinity' } }]), headers: auth });
    assert.equal(res.status, 201);
    assert.deepEqual(((await res.json()) as { created: string[] }).created.sort(), ['forever.0.0', 'short.0.0', 'short.1.0']);
    await waitUntil(async () => ((await (await fetch(`${url}/api/v1/tasks?state=TASK_FINISHED&name=short`)).json()) as { tasks: unknown[] }).tasks.length === 2);
    await waitUntil(async () => ((await (await fetch(`${url}/api/v1/tasks/forever.0.0`)).json()) as { state: string }).state === 'TASK_RUNNING');
    assert.equal((await fetch(`${url}/api/v1/tasks/nope.0.0`)).status, 404);

    const scale = await fetch(`${url}/api/v1/definitions/short/instances`, { method: 'PUT', body: JSON.stringify({ instances: 3 }), headers: auth });
    assert.equal(scale.status, 202);
    await waitUntil(async () => ((await (await fetch(`${url}/api/v1/tasks/short.2.0`)).json()) as { state?: string }).state === 'TASK_FINISHED');
    const badScale = await fetch(`${url}/api/v1/definitions/short/instances`, { method: 'PUT', body: JSON.stringify({ instances: -1 }), headers: auth });
    assert.equal(badScale.status, 400);
    assert.equal(((await badScale.json()) as { errors: Array<{ path: string }> }).errors[0]!.path, '/instances');
    assert.equal((await fetch(`${url}/api/v1/definitions/nope/instances`, { method: 'PUT', body: JSON.stringify({ instances: 1 }), headers: auth })).status, 404);

    const kill = await fetch(`${url}/api/v1/tasks/forever.0.0/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(kill.status, 202);
    await waitUntil(async () => ((await (await fetch(`${url}/api/v1/tasks/forever.0.0`)).json()) as { state: string }).state === 'TASK_KILLED');
    assert.equal(sim.engine.tasks.size, 0, 'the simulator runs nothing any more');

    const state = (await (await fetch(`${url}/api/v1/state`)).json()) as Record<string, unknown>;
    assert.equal(state['subscription'], 'subscribed');
    assert.equal(state['frameworkId'], fw.frameworkId);
    assert.deepEqual(state['tasks'], { TASK_FINISHED: 3, TASK_KILLED: 1 });
  });

  it('exposes metrics that reflect the run', async () => {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      assert.ok(line, `${name} missing`);
      return Number(line.split(' ')[1]);
    };
    assert.ok(value('mesos_framework_offers_received_total') > 0);
    assert.ok(value('mesos_framework_offers_accepted_total') >= 2, 'the submit and the scale-up each launched from an offer');
    assert.ok(value('mesos_framework_offers_declined_total') > 0);
    assert.ok(value('mesos_framework_events_total{type="UPDATE"}') >= 9, 'STARTING, RUNNING and an end per task');
    assert.equal(value('mesos_framework_events_total{type="SUBSCRIBED"}'), 1);
    assert.equal(value('mesos_framework_tasks{state="TASK_FINISHED"}'), 3);
    assert.equal(value('mesos_framework_tasks{state="TASK_KILLED"}'), 1);
    assert.ok(value('mesos_framework_call_duration_seconds_count{call="ACCEPT",outcome="ok"}') >= 2);
    assert.ok(value('mesos_framework_call_duration_seconds_count{call="ACKNOWLEDGE",outcome="ok"}') >= 9);
    assert.ok(value('mesos_framework_placement_cycle_seconds_count') > 0);
    assert.equal(value('mesos_framework_subscribed'), 1);
    assert.equal(value('mesos_framework_reconnects_total'), 0);
  });

  it('serves the executor binary byte-identical, with its length and ranges', async () => {
    const res = await fetch(`${url}/artifacts/bin/executor`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), String(executor.length));
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(executor));
    const part = await fetch(`${url}/artifacts/bin/executor`, { headers: { range: 'bytes=1000-1999' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${executor.length}`);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(executor.subarray(1000, 2000)));
    const beyond = await fetch(`${url}/artifacts/bin/executor`, { headers: { range: `bytes=${executor.length + 10}-` } });
    assert.equal(beyond.status, 416);
  });

  it('never serves anything outside the artifacts folder, nor dotfiles', async () => {
    for (const path of ['/artifacts/../package.json', '/artifacts/%2e%2e/%2e%2e/package.json', '/artifacts/bin/..%2f..%2fpackage.json', '/artifacts/..%5c..%5cpackage.json', '/artifacts/%2fetc%2fpasswd', '/artifacts/.secret', '/artifacts/bin/%00executor']) {
      const res = await rawGet(url, path);
      assert.ok([400, 403, 404].includes(res.status), `${path} answered ${res.status}`);
      assert.ok(!res.body.toString().includes('"name"') && !res.body.toString().includes('root:') && !res.body.toString().includes('dotfile'), `${path} leaked content`);
    }
  });

  it('filters on labels the definitions really have: ?label=constructor, toString, __proto__ match none (issue 16 item 13)', async () => {
    const defs = [
      { name: 'lab-plain', resources: { cpus: 0.1, mem: 8 }, command: { shell: 'sleep infinity' }, labels: { team: 'core', 'eq': 'a=b' } },
      { name: 'lab-none', resources: { cpus: 0.1, mem: 8 }, command: { shell: 'sleep infinity' } },
    ];
    // fastify refuses a "__proto__" key in a body (prototype poisoning), as a 400 in our format.
    const poisoned = await fetch(`${url}/api/v1/tasks`, { method: 'POST', body: JSON.stringify(defs).replace('"team":"core"', '"team":"core","__proto__":"p"'), headers: auth });
    assert.equal(poisoned.status, 400);
    assert.equal(((await poisoned.json()) as { code: string }).code, 'ERR_BAD_REQUEST');
    const body = JSON.stringify(defs).replace('"team":"core"', '"team":"core","constructor":"c"');
    assert.equal((await fetch(`${url}/api/v1/tasks`, { method: 'POST', body, headers: auth })).status, 201);
    const names = async (label: string) => ((await (await fetch(`${url}/api/v1/tasks?label=${encodeURIComponent(label)}`)).json()) as { tasks: Array<{ name: string }> }).tasks.map((t) => t.name).sort();
    for (const inherited of ['toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__proto__', '__defineGetter__']) assert.deepEqual(await names(inherited), [], inherited);
    assert.deepEqual(await names('constructor'), ['lab-plain'], 'only the definition with an own constructor label');
    assert.deepEqual(await names('__proto__'), []);
    assert.deepEqual(await names('team'), ['lab-plain']);
    assert.deepEqual(await names('team=core'), ['lab-plain']);
    assert.deepEqual(await names('team=other'), []);
    assert.deepEqual(await names('eq=a=b'), ['lab-plain'], 'the value is everything after the first =');
    for (const id of ['lab-plain.0.0', 'lab-none.0.0']) await fetch(`${url}/api/v1/tasks/${id}/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  });

  it('never writes the configured token to the log', () => {
    assert.ok(logger.lines.length > 0);
    for (const l of logger.lines) assert.ok(!JSON.stringify(l).includes(TOKEN));
  });
});

describe('FrameworkServer on its own', () => {
  const scheduler = (state: Scheduler['state']) => ({ state, frameworkId: undefined, streamId: undefined }) as unknown as Scheduler;

  it('is not ready while not subscribed, or not leading', async () => {
    const standby = new FrameworkServer({ scheduler: scheduler('subscribed'), election: { isLeader: false } as never });
    const down = new FrameworkServer({ scheduler: scheduler('disconnected') });
    try {
      for (const [server, body] of [[standby, { subscribed: true, leader: false }], [down, { subscribed: false, leader: true }]] as const) {
        const res = await fetch(`${await server.listen()}/health`);
        assert.equal(res.status, 503);
        assert.deepEqual({ ...((await res.json()) as object), frameworkId: undefined, state: undefined }, { status: 'not-ready', ...body, frameworkId: undefined, state: undefined });
      }
    } finally {
      await standby.close();
      await down.close();
    }
  });

  it('answers 501 on task routes when the framework has no task manager', async () => {
    const server = new FrameworkServer({ scheduler: scheduler('subscribed'), metrics: new FrameworkMetrics({ processMetrics: false }) });
    try {
      const res = await fetch(`${await server.listen()}/api/v1/tasks`);
      assert.equal(res.status, 501);
      assert.equal(((await res.json()) as { code: string }).code, 'ERR_NO_TASK_MANAGER');
    } finally {
      await server.close();
    }
  });

  it('refuses an artifacts folder that does not exist', () => {
    assert.throws(() => new FrameworkServer({ scheduler: scheduler('subscribed') }, { artifactsDir: '/nonexistent/artifacts' }), { code: 'ERR_SERVER_BAD_ARTIFACTS_DIR' });
  });

  it('serves HTTPS when given a key and certificate', async () => {
    const { key, cert } = selfSignedCert();
    const server = new FrameworkServer({ scheduler: scheduler('subscribed') }, { tls: { key, cert } });
    try {
      const base = await server.listen();
      assert.match(base, /^https:/);
      const status = await new Promise<number>((resolve, reject) => {
        https.get(`${base}/health`, { ca: cert }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject);
      });
      assert.equal(status, 200);
      await assert.rejects(fetch(`${base}/health`), 'an untrusted client refuses the certificate');
    } finally {
      await server.close();
    }
  });
});

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${check.toString().slice(0, 160)}`);
    await sleep(25);
  }
}
