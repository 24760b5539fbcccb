// Issue 16 item 5 (second half): one bad definition must not stop all launching, and offers are
// always answered. The definition is injected into storage directly, as `cpus: 1e999` was stored
// (JSON turns it into null) before the validator refused it.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { toBytes } from '../../src/storage/storage-keys.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { PlacementStrategy } from '../../src/resource-manager/placement/placement-types.js';
import { BinPackStrategy } from '../../src/resource-manager/placement/bin-pack.strategy.js';
import { waitFor } from '../client/fake-master.js';

const good = { name: 'good', instances: 3, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'x' } };

describe('the task controller with a definition that makes placement fail', () => {
  let sim: SimulatedMaster | undefined;
  let fw: FrameworkHandle | undefined;
  afterEach(async () => {
    await fw?.stop().catch(() => {});
    await sim?.stop();
    fw = sim = undefined;
  });

  /** Offers the framework holds that stay neither accepted nor declined for `ms`. */
  async function heldOffers(ms = 400): Promise<string[]> {
    const mine = () => [...sim!.engine.offers.values()].filter((o) => o.frameworkId === fw!.frameworkId).map((o) => o.id);
    const before = new Set(mine());
    await new Promise((r) => setTimeout(r, ms));
    return mine().filter((id) => before.has(id));
  }

  it('reports it once (TASK_ERROR, ERR_TASK_DEFINITION_UNPLACEABLE), launches the valid definition, and answers every offer', async () => {
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 20, taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 1 }] });
    const storage = new InMemoryStorage();
    await storage.put('definitions/poison', toBytes({ name: 'poison', instances: 2, resources: { cpus: null, mem: 16 }, command: { shell: 'x' } }));
    for (const i of [0, 1]) await storage.put(`tasks/poison.${i}.0`, toBytes({ id: `poison.${i}.0`, name: 'poison', instance: i, attempt: 0, state: 'PENDING', desired: 'running' }));
    const logger = new MemoryLogger();
    fw = createFramework({
      master: sim.url,
      framework: { name: 'poison-test' },
      tasks: [good],
      reconcileIntervalSeconds: 0,
      overrides: [{ token: TOKENS.Storage, useValue: storage }, { token: TOKENS.Logger, useValue: logger }],
    });
    await fw.start();
    const tm = fw.get<TaskManager>(TOKENS.TaskManager);
    await waitFor(() => (tm.counts()['TASK_RUNNING'] ?? 0) === 3, 15_000, 'the valid definition runs 3 of 3');
    assert.equal(tm.get('poison.0.0')!.state, 'TASK_ERROR');
    assert.equal(tm.get('poison.1.0')!.state, 'TASK_ERROR');
    assert.match(tm.get('poison.0.0')!.invalid!, /ERR_TASK_DEFINITION_UNPLACEABLE.*cpus/);
    // Offers keep coming (the cluster has room): each is answered.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await heldOffers(), [], 'no offer held');
    assert.equal(logger.lines.filter((l) => l.message.includes('ERR_TASK_DEFINITION_UNPLACEABLE')).length, 1, 'logged once');
    assert.equal(logger.lines.filter((l) => / failed on (OFFERS|UPDATE)/.test(l.message)).length, 0, 'no handler failed');
    assert.equal(JSON.parse(Buffer.from((await storage.get('tasks/poison.0.0'))!).toString()).state, 'TASK_ERROR', 'the verdict is stored');
  });

  it('declines every offer while placement itself throws (a failing strategy), marks no task, and launches once it works again', async () => {
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 20, taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 1 }] });
    let broken = true;
    const binPack = new BinPackStrategy();
    const strategy: PlacementStrategy = {
      name: 'flaky',
      score: (node, units) => {
        if (broken) throw new Error('strategy bug');
        return binPack.score(node, units);
      },
    };
    const logger = new MemoryLogger();
    fw = createFramework({
      master: sim.url,
      framework: { name: 'strategy-test' },
      tasks: [good],
      reconcileIntervalSeconds: 0,
      overrides: [{ token: TOKENS.PlacementStrategy, useValue: strategy }, { token: TOKENS.Logger, useValue: logger }],
    });
    await fw.start();
    const tm = fw.get<TaskManager>(TOKENS.TaskManager);
    await waitFor(() => logger.lines.some((l) => l.message.includes('strategy bug')), 10_000, 'a cycle failed');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await heldOffers(), [], 'no offer held while placement throws');
    assert.equal(tm.counts()['PENDING'], 3, 'no task marked');
    assert.equal(logger.lines.filter((l) => l.message.includes('strategy bug')).length, 1, 'logged once');
    broken = false;
    await waitFor(() => (tm.counts()['TASK_RUNNING'] ?? 0) === 3, 15_000, 'launched once placement works');
  });
});
