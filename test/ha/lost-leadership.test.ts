import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { createFramework, type LostLeadership } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { TOKENS } from '../../src/tokens.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const NODE = fileURLToPath(new URL('../support/ha-exit-node.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs ha-exit-node; once it leads, `whenElected` runs; resolves with its exit and its log. */
function runInstance(args: string[], whenElected: () => Promise<void>): Promise<{ code: number | null; signal: string | null; elected: boolean; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NODE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let elected = false;
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (!l.includes('"elected"')) return;
      elected = true;
      whenElected().catch((err: Error) => {
        child.kill('SIGKILL');
        reject(err);
      });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, elected, log });
    });
  });
}

describe('a framework that loses the leadership stops, then exits (or does what ha.onLostLeadership says)', () => {
  let etcd: EtcdServer;
  let raw: Etcd3;
  let sim: SimulatedMaster;
  before(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: [etcd.endpoint] });
    sim = await SimulatedMaster.start({ agents: [{ cpus: 1, mem: 1024 }] });
  });
  after(async () => {
    await sim.stop();
    raw.close();
    await etcd.stop();
  });

  it('by default the process exits with 75 (EX_TEMPFAIL) when its election key goes, without tearing the framework down', { timeout: 90_000 }, async () => {
    const run = await runInstance([sim.url, etcd.endpoint, 'exit-default'], async () => {
      await raw.delete().prefix('mesos-sdk/elections/exit-default/');
    });
    assert.equal(run.elected, true, run.log);
    assert.deepEqual([run.code, run.signal], [75, null], run.log);
    assert.match(run.log, /lost the leadership \(election key deleted\): the framework stops and the process exits with 75/);
    // Stopped, not torn down: the next leader resumes the same framework.
    assert.equal([...sim.engine.frameworks.values()].filter((f) => f.info.name === 'exit-default').length, 1);
  });

  it('ha.exitCode chooses the code', { timeout: 90_000 }, async () => {
    const run = await runInstance([sim.url, etcd.endpoint, 'exit-code', '3'], async () => {
      await raw.delete().prefix('mesos-sdk/elections/exit-code/');
    });
    assert.deepEqual([run.code, run.signal], [3, null], run.log);
  });

  it('a handler is called with the reason once the framework has stopped; the process is left alone', { timeout: 60_000 }, async () => {
    const heard: Array<LostLeadership & { phase: string }> = [];
    const logger = new MemoryLogger();
    const fw = createFramework({
      master: sim.url,
      framework: { name: 'handler' },
      ha: { etcd: [etcd.endpoint], ttlSeconds: 10, onLostLeadership: (lost) => void heard.push({ ...lost, phase: fw.state }) },
      taskManager: true,
      overrides: [{ token: TOKENS.Logger, useValue: logger }],
    });
    try {
      await fw.start();
      const id = fw.frameworkId;
      await raw.delete().prefix('mesos-sdk/elections/handler/');
      const deadline = Date.now() + 20_000;
      while (heard.length === 0) {
        assert.ok(Date.now() < deadline, 'the handler was not called');
        await sleep(50);
      }
      assert.deepEqual(heard, [{ reason: 'election key deleted', frameworkId: id, phase: 'stopped' }]);
      await assert.rejects(fw.start(), { code: 'ERR_FRAMEWORK_STOPPED' });
    } finally {
      await fw.stop();
    }
  });

  it("'stop' stops the framework and nothing more", { timeout: 60_000 }, async () => {
    const fw = createFramework({
      master: sim.url,
      framework: { name: 'stop-only' },
      ha: { etcd: [etcd.endpoint], ttlSeconds: 10, onLostLeadership: 'stop' },
      taskManager: true,
      overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }],
    });
    try {
      await fw.start();
      await raw.delete().prefix('mesos-sdk/elections/stop-only/');
      const deadline = Date.now() + 20_000;
      // stop() returns the stop in progress (or done): it settles once the framework has stopped.
      while (fw.get(TOKENS.LeaderElection).isLeader) {
        assert.ok(Date.now() < deadline, 'still leading');
        await sleep(50);
      }
      await fw.stop();
      assert.equal(fw.state, 'stopped');
      await assert.rejects(fw.start(), { code: 'ERR_FRAMEWORK_STOPPED' });
    } finally {
      await fw.stop();
    }
  });
});

describe('the ha option is checked before anything is built', () => {
  it('refuses bad endpoints, TTL, policy and exit code, each named', () => {
    assert.throws(
      () => createFramework({ master: 'http://127.0.0.1:5050', framework: { name: 'x' }, ha: { etcd: [], ttlSeconds: 0, onLostLeadership: 'restart' as 'exit', exitCode: 300 } }),
      (err: Error & { code?: string; problems?: Array<{ path: string }> }) => {
        assert.equal(err.code, 'ERR_FRAMEWORK_OPTIONS_INVALID');
        assert.deepEqual(err.problems!.map((p) => p.path), ['ha.etcd', 'ha.ttlSeconds', 'ha.onLostLeadership', 'ha.exitCode']);
        return true;
      },
    );
  });
});
