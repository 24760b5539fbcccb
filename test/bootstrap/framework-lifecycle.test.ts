import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFramework, type FrameworkHandle, type FrameworkOptions } from '../../src/bootstrap/create-framework.js';
import { LifecycleError, StopError } from '../../src/bootstrap/framework-lifecycle.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { LevelStorage } from '../../src/storage/level.storage.js';
import { AlwaysLeader } from '../../src/ha/always-leader.js';
import { TOKENS } from '../../src/tokens.js';
import { ValidationError, NotSubscribedError } from '../../src/errors/index.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';
import { inject } from 'inversify';
import { EventController, OnOffers } from '../../src/decorators/index.js';
import { FakeMaster, waitFor } from '../client/fake-master.js';

const silent = () => ({ token: TOKENS.Logger, useValue: new MemoryLogger() });

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function offersEvent(frameworkId: string, id: string): scheduler.Event {
  const resources = [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 128 } }];
  return { type: 'OFFERS', offers: { offers: [{ id: { value: id }, framework_id: { value: frameworkId }, agent_id: { value: 'a1' }, hostname: 'h1', resources }] } } as scheduler.Event;
}

/** Takes its time over offers, then declines them itself (as user code may). */
@EventController()
class SlowDecliner {
  static handling = 0;
  constructor(@inject(TOKENS.Scheduler) private readonly scheduler: Scheduler) {}
  @OnOffers()
  async offers(offers: v1.Offer[]): Promise<void> {
    SlowDecliner.handling++;
    await new Promise((r) => setTimeout(r, 150));
    await this.scheduler.decline(offers.map((o) => o.id));
  }
}

describe('framework lifecycle', () => {
  let sim: SimulatedMaster | undefined;
  const frameworks: FrameworkHandle[] = [];
  afterEach(async () => {
    for (const f of frameworks.splice(0)) await f.stop().catch(() => {});
    await sim?.stop();
    sim = undefined;
  });
  function framework(extra: Partial<FrameworkOptions> = {}): FrameworkHandle {
    const fw = createFramework({ master: sim!.url, framework: { name: 'lifecycle-test' }, ...extra, overrides: [silent(), ...(extra.overrides ?? [])] });
    frameworks.push(fw);
    return fw;
  }

  describe('start()', () => {
    it('started twice, subscribes once and both calls resolve', async () => {
      sim = await SimulatedMaster.start({ agents: 1 });
      const fw = framework();
      const [a, b] = [fw.start(), fw.start()];
      assert.equal(a, b, 'the same promise');
      await Promise.all([a, b]);
      await fw.start();
      assert.equal(fw.state, 'subscribed');
      assert.equal(sim.engine.frameworks.size, 1);
    });

    it('after stop(), rejects with ERR_FRAMEWORK_STOPPED saying to create a new framework', async () => {
      sim = await SimulatedMaster.start({ agents: 1 });
      const fw = framework();
      await fw.start();
      await fw.stop();
      await assert.rejects(fw.start(), (err: unknown) => err instanceof LifecycleError && err.code === 'ERR_FRAMEWORK_STOPPED' && /createFramework\(\)/.test(err.message) && !/resumeFramework/.test(err.message));
    });

    it('after a failed start(), rejects with ERR_FRAMEWORK_STOPPED naming the failure', async () => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        sim = await SimulatedMaster.start({ agents: 1 });
        const fw = framework({ server: { port } });
        await assert.rejects(fw.start(), (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'ERR_SERVER_PORT_IN_USE' && err.message.includes(`port ${port}`));
        assert.equal(sim.engine.frameworks.size, 0, 'nothing subscribed');
        await assert.rejects(fw.start(), (err: unknown) => err instanceof LifecycleError && err.code === 'ERR_FRAMEWORK_STOPPED' && /in use/.test(err.message));
        await fw.stop();
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    });

    it('interrupted by stop() while the master is unreachable, rejects with ERR_FRAMEWORK_STOPPED and leaves nothing running', async () => {
      const port = await freePort();
      const fw = createFramework({ master: `http://127.0.0.1:${port}`, framework: { name: 'nowhere' }, server: true, overrides: [silent()], scheduler: { backoff: { initialMs: 20, maxMs: 50 } } });
      const started = fw.start();
      await waitFor(() => fw.serverUrl !== undefined, 5000, 'the API server');
      const apiPort = Number(new URL(fw.serverUrl!).port);
      await fw.stop();
      await assert.rejects(started, (err: unknown) => err instanceof LifecycleError && err.code === 'ERR_FRAMEWORK_STOPPED');
      assert.equal(fw.state, 'stopped');
      assert.equal(await listening(apiPort), false, 'the API server is closed');
    });
  });

  describe('stop()', () => {
    it('called twice returns the same promise; before start() it resolves', async () => {
      const fw = createFramework({ master: 'http://127.0.0.1:1', framework: { name: 'never-started' }, overrides: [silent()] });
      const a = fw.stop();
      assert.equal(fw.stop(), a);
      await a;
      await assert.rejects(fw.start(), { code: 'ERR_FRAMEWORK_STOPPED' });
    });

    it('undoes the start in reverse order and closes the storage', async () => {
      sim = await SimulatedMaster.start({ agents: 1 });
      const order: string[] = [];
      let schedulerRef: Scheduler | undefined;
      class Storage extends InMemoryStorage {
        override async close(): Promise<void> {
          order.push(`storage.close (scheduler ${schedulerRef?.state})`);
          await super.close();
        }
      }
      class Election extends AlwaysLeader {
        override async campaign(): Promise<void> {
          order.push('election.campaign');
        }
        override async close(): Promise<void> {
          order.push(`election.close (scheduler ${schedulerRef?.state})`);
        }
      }
      const storage = new Storage();
      const fw = framework({ server: true, overrides: [{ token: TOKENS.Storage, useValue: storage }, { token: TOKENS.LeaderElection, useValue: new Election() }] });
      schedulerRef = fw.get<Scheduler>(TOKENS.Scheduler);
      await fw.start();
      const apiPort = Number(new URL(fw.serverUrl!).port);
      await fw.stop();
      assert.deepEqual(order, ['election.campaign', 'election.close (scheduler stopped)', 'storage.close (scheduler stopped)']);
      assert.equal(await listening(apiPort), false, 'the API server is closed');
      await assert.rejects(storage.get('framework/id'), { code: 'ERR_STORAGE_CLOSED' });
    });

    it('runs every step when one fails, logs the failure, and throws ERR_STOP_FAILED listing it', async () => {
      sim = await SimulatedMaster.start({ agents: 1 });
      const logger = new MemoryLogger();
      class Election extends AlwaysLeader {
        override async close(): Promise<void> {
          throw new Error('etcd said no');
        }
      }
      const storage = new InMemoryStorage();
      const fw = createFramework({ master: sim.url, framework: { name: 'failing-stop' }, server: true, overrides: [{ token: TOKENS.Logger, useValue: logger }, { token: TOKENS.Storage, useValue: storage }, { token: TOKENS.LeaderElection, useValue: new Election() }] });
      await fw.start();
      const apiPort = Number(new URL(fw.serverUrl!).port);
      await assert.rejects(fw.stop(), (err: unknown) => err instanceof StopError && err.code === 'ERR_STOP_FAILED' && err.errors.length === 1 && err.errors[0]!.step === 'leader election');
      assert.equal(fw.state, 'stopped');
      assert.equal(await listening(apiPort), false, 'the server closed after the failed step');
      await assert.rejects(storage.get('x'), { code: 'ERR_STORAGE_CLOSED' }, 'the storage closed after the failed step');
      assert.ok(logger.lines.some((l) => l.level === 'error' && /leader election failed.*etcd said no/s.test(l.message)));
    });

    it('releases a LevelStorage: a second one on the same folder in the same process works and resumes the framework', async () => {
      sim = await SimulatedMaster.start({ agents: 1 });
      const dir = mkdtempSync(join(tmpdir(), 'lifecycle-level-'));
      try {
        const first = framework({ overrides: [{ token: TOKENS.Storage, useValue: new LevelStorage(join(dir, 'db')) }] });
        await first.start();
        const id = first.frameworkId;
        await waitFor(() => sim!.engine.frameworks.size === 1);
        await new Promise((r) => setTimeout(r, 100)); // the framework id is written after SUBSCRIBED
        await first.stop();
        const second = framework({ overrides: [{ token: TOKENS.Storage, useValue: new LevelStorage(join(dir, 'db')) }] });
        await second.start();
        assert.equal(second.frameworkId, id, 'resumed from the stored framework id');
        await second.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('with teardown, sends nothing after the TEARDOWN even when events are still queued', async () => {
      const fake = new FakeMaster();
      const url = await fake.start();
      const logger = new MemoryLogger();
      SlowDecliner.handling = 0;
      try {
        const fw = createFramework({
          master: url,
          framework: { name: 'teardown-test' },
          tasks: [{ name: 'too-big', resources: { cpus: 64, mem: 32 }, command: { shell: 'true' } }],
          controllers: [SlowDecliner],
          overrides: [{ token: TOKENS.Logger, useValue: logger }],
        });
        await fw.start();
        // Two offers events back to back: stop() comes while the first is being handled, the second waits in the stream.
        fake.broadcast(offersEvent(fw.frameworkId!, 'o-1'));
        fake.broadcast(offersEvent(fw.frameworkId!, 'o-2'));
        await waitFor(() => SlowDecliner.handling === 1, 5000, 'the first offers in a handler');
        await fw.stop({ teardown: true });
        await new Promise((r) => setTimeout(r, 400));
        const types = fake.calls.map((c) => c.call.type);
        const at = types.indexOf('TEARDOWN');
        assert.ok(at >= 0, 'TEARDOWN sent');
        assert.ok(types.slice(0, at).includes('DECLINE'), `the handler in flight finished before the TEARDOWN (calls: ${types.join(',')})`);
        assert.deepEqual(types.slice(at + 1), [], `no call after the TEARDOWN (calls: ${types.join(',')})`);
        assert.equal(SlowDecliner.handling, 1, 'the queued offers reached no handler');
        assert.deepEqual(logger.lines.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.message), []);
        // A call made by user code after stop() fails at once with a typed error, and nothing is sent.
        await assert.rejects(fw.get<Scheduler>(TOKENS.Scheduler).suppress(), (err: unknown) => err instanceof NotSubscribedError);
        assert.equal(fake.calls.length, types.length);
      } finally {
        await fake.stop();
      }
    });
  });

  describe('createFramework() checks the options first', () => {
    it('refuses invalid inline tasks listing every problem, with nothing listening, and the process exits by itself', async () => {
      const port = await freePort();
      const script = `
        import { createFramework } from ${JSON.stringify(fileURLToPath(new URL('../../src/bootstrap/create-framework.js', import.meta.url)))};
        try {
          createFramework({ master: 'http://127.0.0.1:1', framework: { name: 'bad-tasks' }, server: { port: ${port} },
            tasks: [{ name: 'ok', resources: { cpus: 1, mem: 1 }, command: { shell: 'x' } }, { name: 'BAD', resources: { cpus: -1, mem: 1 } }] });
          console.log('created');
        } catch (err) {
          console.log(err.code + ' ' + err.problems.map((p) => p.path).join(','));
        }`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
      assert.equal(stdout.trim(), 'ERR_TASK_DEFINITION_INVALID tasks[1].name,tasks[1].resources.cpus');
      assert.equal(await listening(port), false);
    });

    it('refuses bad options with one ERR_FRAMEWORK_OPTIONS_INVALID listing each', () => {
      assert.throws(
        () => createFramework({ master: ['ftp://m:5050', ''], framework: { name: '' }, encoding: 'xml' as 'json', tasks: [{ name: 'x', resources: { cpus: 0, mem: 1 } }], overrides: [silent()] }),
        (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.equal(err.code, 'ERR_FRAMEWORK_OPTIONS_INVALID');
          for (const p of ['master[0]', 'master[1]', 'framework.name', 'encoding']) assert.ok(err.problems.some((q) => q.path === p), `${p} is listed`);
          assert.ok(err.problems.some((q) => q.path.startsWith('tasks[0]')), 'the task problems are listed too');
          assert.match(err.message, /http or https/);
          return true;
        },
      );
    });

    it('refuses a master URL that does not parse', () => {
      assert.throws(() => createFramework({ master: 'not a url', framework: { name: 'x' } }), (err: unknown) => err instanceof ValidationError && err.problems[0]!.path === 'master' && /not a URL/.test(err.problems[0]!.message));
    });
  });
});
