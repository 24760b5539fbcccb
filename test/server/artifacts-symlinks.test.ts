import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { FrameworkServer } from '../../src/server/framework-server.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** A raw request, so that paths reach the server exactly as written. */
function raw(url: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PASSWD = readFileSync('/etc/passwd', 'utf8');

/** True when the answer carries any of the outside files' contents. */
function leaks(a: Answer): boolean {
  const text = a.body.toString();
  return text.includes('OUTSIDE-SECRET') || text.includes(PASSWD.slice(0, 30)) || text.includes('root:') || text.includes('DOTFILE');
}

describe('FrameworkServer /artifacts/ and symlinks (issue 16 item 4: a link to /etc served /etc/passwd)', () => {
  let sim: SimulatedMaster;
  let fw: FrameworkHandle;
  let url: string;
  let top: string;
  let root: string;
  let outside: string;
  const executor = randomBytes(100_000);

  before(async () => {
    top = mkdtempSync(join(tmpdir(), 'mesos-sdk-links-'));
    root = join(top, 'artifacts');
    outside = join(top, 'outside');
    mkdirSync(join(root, 'bin'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(root, 'bin', 'executor'), executor);
    writeFileSync(join(root, '.secret'), 'DOTFILE');
    writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-SECRET');
    symlinkSync('/etc', join(root, 'etc'));
    symlinkSync('/etc/passwd', join(root, 'passwd'));
    symlinkSync('../../outside/secret.txt', join(root, 'bin', 'up'));
    symlinkSync(outside, join(root, 'outdir'));
    symlinkSync('chain2', join(root, 'chain1'));
    symlinkSync('chain3', join(root, 'chain2'));
    symlinkSync('../outside/secret.txt', join(root, 'chain3'));
    symlinkSync('alias2', join(root, 'alias1'));
    symlinkSync('bin/executor', join(root, 'alias2'));
    symlinkSync('bin', join(root, 'current'));
    symlinkSync('.secret', join(root, 'visible'));
    symlinkSync('loop-b', join(root, 'loop-a'));
    symlinkSync('loop-a', join(root, 'loop-b'));
    symlinkSync(join(root, 'bin', 'executor'), join(outside, 'back-in'));
    symlinkSync(join(outside, 'back-in'), join(root, 'via-outside'));
    execFileSync('mkfifo', [join(root, 'fifo')]);
    sim = await SimulatedMaster.start({ agents: 1 });
    fw = createFramework({ master: sim.url, framework: { name: 'links-test' }, server: { artifactsDir: root } });
    await fw.start();
    url = fw.serverUrl!;
  });
  after(async () => {
    await fw.stop({ teardown: true });
    await sim.stop();
    rmSync(top, { recursive: true, force: true });
  });

  it('answers 404, not the file, for links that lead outside: /etc, /etc/passwd, relative .., a directory, a chain', async () => {
    for (const path of ['/artifacts/etc/passwd', '/artifacts/etc/hostname', '/artifacts/passwd', '/artifacts/bin/up', '/artifacts/outdir/secret.txt', '/artifacts/chain1', '/artifacts/chain3']) {
      const res = await raw(url, path);
      assert.equal(res.status, 404, `${path} answered ${res.status}`);
      assert.ok(!leaks(res), `${path} leaked content`);
      assert.equal((JSON.parse(res.body.toString()) as { code: string }).code, 'ERR_NOT_FOUND');
    }
  });

  it('answers a link leading outside exactly as a file that does not exist', async () => {
    const missing = await raw(url, '/artifacts/no-such-file');
    const outsideLink = await raw(url, '/artifacts/passwd');
    assert.equal(outsideLink.status, missing.status);
    assert.equal(JSON.parse(outsideLink.body.toString()).code, JSON.parse(missing.body.toString()).code);
  });

  it('serves links that stay inside: to a file, through a chain, through a directory link, and via a link outside that points back in', async () => {
    for (const path of ['/artifacts/alias1', '/artifacts/alias2', '/artifacts/current/executor', '/artifacts/via-outside']) {
      const res = await raw(url, path);
      assert.equal(res.status, 200, `${path} answered ${res.status}`);
      assert.ok(res.body.equals(executor), path);
    }
  });

  it('refuses a link to a dotfile, a link loop, a FIFO (without hanging) and directories', async () => {
    for (const path of ['/artifacts/visible', '/artifacts/loop-a', '/artifacts/fifo', '/artifacts/bin', '/artifacts/current', '/artifacts/', '/artifacts/bin//executor', '/artifacts/./bin/executor']) {
      const res = await raw(url, path);
      assert.equal(res.status, 404, `${path} answered ${res.status}`);
      assert.ok(!leaks(res), path);
    }
  });

  it('checks links created after the server started', async () => {
    symlinkSync('/etc/passwd', join(root, 'late'));
    symlinkSync(join(outside), join(root, 'late-dir'));
    symlinkSync('bin/executor', join(root, 'late-ok'));
    assert.equal((await raw(url, '/artifacts/late')).status, 404);
    assert.equal((await raw(url, '/artifacts/late-dir/secret.txt')).status, 404);
    const ok = await raw(url, '/artifacts/late-ok');
    assert.equal(ok.status, 200);
    assert.ok(ok.body.equals(executor));
  });

  it('answers HEAD with the length and no body, and serves a single range', async () => {
    const head = await raw(url, '/artifacts/bin/executor', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(executor.length));
    assert.equal(head.body.length, 0);
    const suffix = await raw(url, '/artifacts/bin/executor', 'GET', { range: 'bytes=-10' });
    assert.equal(suffix.status, 206);
    assert.ok(suffix.body.equals(executor.subarray(executor.length - 10)));
    const many = await raw(url, '/artifacts/bin/executor', 'GET', { range: 'bytes=0-1,5-6' });
    assert.equal(many.status, 200, 'several ranges: the whole file');
    assert.equal(many.body.length, executor.length);
  });

  it('never serves a file outside while a directory is swapped for a link to outside (TOCTOU)', async () => {
    // d flips between a real folder (x = "inside") and a link to `outside` (x = OUTSIDE-SECRET).
    mkdirSync(join(root, 'd-real'));
    writeFileSync(join(root, 'd-real', 'secret.txt'), 'inside');
    symlinkSync(outside, join(root, 'd-link'));
    const flipper = spawn(process.execPath, ['-e', `
      const { renameSync } = require('node:fs');
      const at = (n) => ${JSON.stringify(root)} + '/' + n;
      const end = Date.now() + 4000;
      while (Date.now() < end) {
        try { renameSync(at('d-real'), at('d')); renameSync(at('d'), at('d-real')); renameSync(at('d-link'), at('d')); renameSync(at('d'), at('d-link')); } catch {}
      }`], { stdio: 'ignore' });
    const exited = new Promise((r) => flipper.once('exit', r));
    const statuses = new Map<number, number>();
    try {
      while (flipper.exitCode === null) {
        const batch = await Promise.all(Array.from({ length: 8 }, () => raw(url, '/artifacts/d/secret.txt')));
        for (const res of batch) {
          assert.ok(!leaks(res), 'served the file outside the folder');
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }
    } finally {
      flipper.kill();
      await exited;
    }
    assert.ok((statuses.get(404) ?? 0) > 0, JSON.stringify([...statuses]));
  });
});

describe('FrameworkServer with artifactsDir itself a symlink', () => {
  it('serves from the folder the link names at each request (a release switch takes effect at once)', async () => {
    const top = mkdtempSync(join(tmpdir(), 'mesos-sdk-release-'));
    for (const v of ['1', '2']) {
      mkdirSync(join(top, `release-${v}`));
      writeFileSync(join(top, `release-${v}`, 'executor'), `executor v${v}`);
    }
    symlinkSync('release-1', join(top, 'current'));
    const server = new FrameworkServer({ scheduler: { state: 'subscribed' } as unknown as Scheduler }, { artifactsDir: join(top, 'current') });
    try {
      const base = await server.listen();
      assert.equal((await raw(base, '/artifacts/executor')).body.toString(), 'executor v1');
      rmSync(join(top, 'current'));
      symlinkSync('release-2', join(top, 'current'));
      assert.equal((await raw(base, '/artifacts/executor')).body.toString(), 'executor v2');
      rmSync(join(top, 'current'));
      assert.equal((await raw(base, '/artifacts/executor')).status, 404, 'the folder is gone');
      assert.ok(!existsSync(join(top, 'current')));
    } finally {
      await server.close();
      rmSync(top, { recursive: true, force: true });
    }
  });
});
