import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedMaster, type SimulatedMasterOptions } from '../../src/simulator/simulated-master.js';
import { launch, RawSubscription } from './raw-client.js';
import { alive } from '../support/processes.js';
import { waitFor } from '../client/fake-master.js';

const until = (what: string, pred: () => boolean, ms = 5000) => waitFor(pred, ms, what);

const fwInfo = { user: 'alice', name: 'command-tasks-fw' };



describe('simulated master: command tasks', () => {
  let sim: SimulatedMaster | undefined;
  let dir: string | undefined;
  const subs: RawSubscription[] = [];

  async function setup(opts: SimulatedMasterOptions) {
    sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, ...opts });
    const sub = await RawSubscription.open(sim.url, fwInfo);
    subs.push(sub);
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0, 3000, 'offers');
    return sub;
  }

  /** Launches `command` as task `id` on the latest offer. */
  async function run(sub: RawSubscription, id: string, command: string) {
    const offer = sub.ofType('OFFERS').at(-1)!['offers'].offers[0];
    const r = await sub.call(sim!.url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [launch(offer, id, 0.1, 32, id, { command: { value: command } })] } });
    assert.equal(r.status, 202);
  }

  /** Acknowledges the task's updates as they come until one is in `state`; returns that one. */
  async function reach(sub: RawSubscription, id: string, state: string, ms = 10_000): Promise<Record<string, any>> {
    const acked = new Set<Record<string, any>>();
    const deadline = Date.now() + ms;
    for (;;) {
      for (const u of sub.updates(id)) {
        if (acked.has(u)) continue;
        acked.add(u);
        await sub.call(sim!.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: u['agent_id'], task_id: u['task_id'], uuid: u['uuid'] } });
        if (u['state'] === state) return u;
      }
      if (Date.now() > deadline) throw new Error(`task ${id} did not reach ${state}: ${sub.updates(id).map((u) => u['state']).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  afterEach(async () => {
    for (const s of subs.splice(0)) s.close();
    await sim?.stop();
    sim = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  describe('commands option', () => {
    it("is 'simulated' by default: a command is not executed and its task finishes as scripted", async () => {
      const sub = await setup({});
      await run(sub, 't1', 'exit 3');
      assert.equal((await reach(sub, 't1', 'TASK_FINISHED'))['message'], 'Command exited with status 0');
      assert.equal(sim!.engine.executorHost, undefined, 'no executor host without real commands or executors');
    });

    it('simulated: SHUTDOWN of a command task\'s executor (id = task id) kills the task as on Mesos', async () => {
      const sub = await setup({ taskBehaviours: [{ outcome: 'running-forever' }] });
      await run(sub, 't1', 'sleep 100');
      await reach(sub, 't1', 'TASK_RUNNING');
      const agentId = sub.updates('t1')[0]!['agent_id'];
      assert.equal((await sub.call(sim!.url, { type: 'SHUTDOWN', shutdown: { executor_id: { value: 't1' }, agent_id: agentId } })).status, 202);
      const killed = await reach(sub, 't1', 'TASK_KILLED');
      assert.equal(killed['message'], 'Command terminated with signal Terminated');
      assert.equal(killed['reason'], undefined);
    });

    it("'real' runs the command, even with taskBehaviours given", async () => {
      const sub = await setup({ commands: 'real', taskBehaviours: [{ runMs: 10 }] });
      await run(sub, 't1', 'exit 3');
      assert.equal((await reach(sub, 't1', 'TASK_FAILED'))['message'], 'Command exited with status 3');
    });

    it("'real' leaves tasks with a custom executor simulated unless executors is set", async () => {
      const sub = await setup({ commands: 'real' });
      const host = sim!.engine.executorHost!;
      assert.equal(host.handles({ name: 'x', task_id: { value: 'x' }, agent_id: { value: 'a' }, executor: { executor_id: { value: 'e' }, command: { value: 'true' } } }), false);
      assert.equal(host.handles({ name: 'x', task_id: { value: 'x' }, agent_id: { value: 'a' }, command: { value: 'true' } }), true);
      sub.close();
    });
  });

  describe('real commands', () => {
    it('writes the command output to stdout in the task sandbox', async () => {
      const sub = await setup({ commands: 'real' });
      await run(sub, 'hello', 'echo hello from $MESOS_EXECUTOR_ID');
      await reach(sub, 'hello', 'TASK_FINISHED');
      const exec = sim!.engine.executorHost!.executors.get(`${sub.frameworkId}/hello`)!;
      assert.match(exec.sandbox, /\/slaves\/[^/]+\/frameworks\/[^/]+\/executors\/hello\/runs\/[0-9a-f-]{36}$/);
      assert.equal(readFileSync(join(exec.sandbox, 'stdout'), 'utf8'), 'hello from hello\n');
    });

    it('stop() kills commands still running, with what they started', async () => {
      dir = mkdtempSync(join(tmpdir(), 'sim-command-'));
      const sub = await setup({ commands: 'real' });
      await run(sub, 'long', `sleep 100 & echo $! > ${dir}/child; echo $$ > ${dir}/shell; wait`);
      await until('both pids written', () => existsSync(join(dir!, 'child')) && existsSync(join(dir!, 'shell')) && readFileSync(join(dir!, 'child'), 'utf8').endsWith('\n'));
      const pids = ['shell', 'child'].map((f) => Number(readFileSync(join(dir!, f), 'utf8')));
      assert.ok(pids.every(alive));
      await sim!.stop();
      sim = undefined;
      await until('the task processes gone', () => !pids.some(alive));
    });

    it('TEARDOWN kills the running commands of the framework', async () => {
      dir = mkdtempSync(join(tmpdir(), 'sim-command-'));
      const sub = await setup({ commands: 'real' });
      await run(sub, 'long', `echo $$ > ${dir}/shell; exec sleep 100`);
      await until('pid written', () => existsSync(join(dir!, 'shell')) && readFileSync(join(dir!, 'shell'), 'utf8').endsWith('\n'));
      const pid = Number(readFileSync(join(dir!, 'shell'), 'utf8'));
      assert.equal((await sub.call(sim!.url, { type: 'TEARDOWN' })).status, 202);
      await until('the task process gone', () => !alive(pid), 8000);
    });
  });
});
