import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { SilentLogger } from '../../src/logging/logger.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import { ValidationError } from '../../src/errors/index.js';
import { waitFor } from '../client/fake-master.js';

const quiet = { token: TOKENS.Logger, useValue: new SilentLogger() };

describe('the built-in task manager against the simulated master', () => {
  let sim: SimulatedMaster | undefined;
  const frameworks: FrameworkHandle[] = [];
  afterEach(async () => {
    for (const f of frameworks.splice(0)) await f.stop().catch(() => {});
    await sim?.stop();
    sim = undefined;
  });
  function framework(tasks: Parameters<typeof createFramework>[0]['tasks'], extra: Partial<Parameters<typeof createFramework>[0]> = {}) {
    const fw = createFramework({ master: sim!.url, framework: { name: 'tm-test', failover_timeout: 600 }, tasks, overrides: [quiet, ...(extra.overrides ?? [])], scheduler: { backoff: { initialMs: 20, maxMs: 200 } }, ...extra });
    frameworks.push(fw);
    return fw;
  }

  it('places 1,000 tasks with mixed constraints on 100 agents and honours every constraint', async () => {
    sim = await SimulatedMaster.start({
      agents: Array.from({ length: 100 }, (_, i) => ({ cpus: 8, mem: 16384, hostname: `host-${i}`, attributes: { rack: `r${i % 10}`, zone: `z${i % 3}` } })),
      allocationIntervalMs: 100,
      taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 1 }],
    });
    const fw = framework({
      tasks: [
        { name: 'unique', instances: 100, resources: { cpus: 0.5, mem: 128 }, command: { shell: 'x' }, constraints: [['hostname', 'UNIQUE']] },
        { name: 'racked', instances: 200, resources: { cpus: 0.25, mem: 64 }, command: { shell: 'x' }, constraints: [['rack', 'MAX_PER', '20']] },
        { name: 'zoned', instances: 300, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, constraints: [['zone', 'GROUP_BY', '3']] },
        { name: 'pinned', instances: 100, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, constraints: [['rack', 'LIKE', 'r[0-4]']] },
        { name: 'free', instances: 300, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } },
      ],
    });
    await fw.start();
    const tm = fw.get<TaskManager>(TOKENS.TaskManager);
    await waitFor(() => (tm.counts()['TASK_RUNNING'] ?? 0) === 1000, 30_000, '1,000 running tasks');
    assert.equal(sim.engine.stats.launched, 1000, 'each task launched exactly once');
    const agentOf = new Map([...sim.engine.tasks.values()].map((t) => [t.info.task_id.value, sim!.engine.agents.get(t.agentId)!]));
    const attr = (id: string, name: string) => agentOf.get(id)!.attributes.find((a) => a.name === name)!.text!.value;
    const ids = (name: string) => tm.list({ name }).map((r) => r.id);
    assert.equal(new Set(ids('unique').map((id) => agentOf.get(id)!.hostname)).size, 100, 'UNIQUE hostname');
    const perRack = new Map<string, number>();
    for (const id of ids('racked')) perRack.set(attr(id, 'rack'), (perRack.get(attr(id, 'rack')) ?? 0) + 1);
    assert.ok([...perRack.values()].every((n) => n <= 20), 'MAX_PER rack 20');
    const perZone = new Map<string, number>();
    for (const id of ids('zoned')) perZone.set(attr(id, 'zone'), (perZone.get(attr(id, 'zone')) ?? 0) + 1);
    assert.deepEqual([...perZone.values()].sort(), [100, 100, 100], 'GROUP_BY zone spreads evenly');
    assert.ok(ids('pinned').every((id) => /^r[0-4]$/.test(attr(id, 'rack'))), 'LIKE rack r[0-4]');
  });

  it('relaunches failing tasks per their restart policy, and kills and scales down', async () => {
    sim = await SimulatedMaster.start({ agents: 3, allocationIntervalMs: 50, taskBehaviours: [{ name: '^flaky$', outcome: 'failed', runMs: 5 }, { outcome: 'running-forever' }] });
    const fw = framework([
      { name: 'flaky', resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, restartPolicy: { policy: 'on-failure', maxRetries: 2, backoffSeconds: 0.05 } },
      { name: 'steady', instances: 3, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } },
    ]);
    await fw.start();
    const tm = fw.get<TaskManager>(TOKENS.TaskManager);
    await waitFor(() => tm.list({ name: 'flaky', history: true }).filter((r) => r.state === 'TASK_FAILED').length === 3, 10_000, 'three failed attempts');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(tm.list({ name: 'flaky', history: true }).length, 3, 'no fourth attempt');
    await waitFor(() => tm.list({ name: 'steady', state: 'TASK_RUNNING' }).length === 3, 5000, 'steady running');
    await tm.kill('steady.0.0');
    await waitFor(() => tm.get('steady.0.0')!.state === 'TASK_KILLED', 5000, 'kill');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(tm.list({ name: 'steady', state: 'TASK_RUNNING' }).length, 2, 'a killed task is not relaunched');
    await tm.scale('steady', 2);
    await waitFor(() => tm.get('steady.2.0')!.state === 'TASK_KILLED', 5000, 'scale-down kill');
    await waitFor(() => tm.list({ name: 'steady', state: 'TASK_RUNNING' }).length === 2, 5000, 'scale to 2 refills the killed slot 0');
    assert.deepEqual(tm.list({ name: 'steady', state: 'TASK_RUNNING' }).map((r) => r.id).sort(), ['steady.0.1', 'steady.1.0']);
  });

  it('after a restart with the same storage, reconciles and launches nothing twice', async () => {
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50, taskBehaviours: [{ outcome: 'running-forever' }] });
    const storage = new InMemoryStorage();
    const defs = [{ name: 'svc', instances: 5, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' } }];
    const first = framework(defs, { overrides: [{ token: TOKENS.Storage, useValue: storage }] });
    await first.start();
    const id = first.frameworkId;
    await waitFor(() => (first.get<TaskManager>(TOKENS.TaskManager).counts()['TASK_RUNNING'] ?? 0) === 5, 5000, 'first run');
    await first.stop();
    await assert.rejects(storage.get('framework/id'), { code: 'ERR_STORAGE_CLOSED' }, 'stop() closed the storage');
    const second = framework(defs, { overrides: [{ token: TOKENS.Storage, useValue: storage.reopen() }] });
    await second.start();
    assert.equal(second.frameworkId, id, 'failed over to the stored framework id');
    const tm = second.get<TaskManager>(TOKENS.TaskManager);
    await waitFor(() => (tm.counts()['TASK_RUNNING'] ?? 0) === 5, 5000, 'reconciled');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sim.engine.stats.launched, 5, 'no duplicate launch');
    assert.equal(sim.engine.frameworks.size, 1);
  });

  it('rejects invalid task definitions with every problem and launches nothing', async () => {
    sim = await SimulatedMaster.start({ agents: 1 });
    assert.throws(
      () => framework([{ name: 'ok', resources: { cpus: 1, mem: 1 }, command: { shell: 'x' } }, { name: 'BAD', resources: { cpus: -1, mem: 1 } }]),
      (err: unknown) => err instanceof ValidationError && err.code === 'ERR_TASK_DEFINITION_INVALID' && err.problems.length >= 2,
      'createFramework() itself refuses them, before anything listens or connects',
    );
    assert.equal(sim.engine.stats.launched, 0);
    assert.equal(sim.engine.frameworks.size, 0, 'nothing subscribed');
  });
});

describe('periodic reconciliation', () => {
  it('reconciles implicitly every reconcileIntervalSeconds while subscribed', async () => {
    const sim = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50 });
    const fw = createFramework({ master: sim.url, framework: { name: 'periodic' }, taskManager: true, reconcileIntervalSeconds: 0.05, overrides: [quiet] });
    let reconciles = 0;
    const original = sim.engine.reconcile.bind(sim.engine);
    sim.engine.reconcile = (f, tasks) => {
      if (tasks.length === 0) reconciles++;
      original(f, tasks);
    };
    try {
      await fw.start();
      await waitFor(() => reconciles >= 4, 3000, 'periodic implicit reconciliations');
    } finally {
      await fw.stop();
      await sim.stop();
    }
  });
});
