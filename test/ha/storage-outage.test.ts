import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { EtcdStorage } from '../../src/storage/etcd.storage.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { DefaultTaskController } from '../../src/task-manager/default-task.controller.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { TaskRecord } from '../../src/task-manager/task-record.js';
import { fromBytes } from '../../src/storage/storage-keys.js';
import { TOKENS } from '../../src/tokens.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('etcd restarted mid-run', () => {
  let etcd: EtcdServer;
  before(async () => (etcd = await startEtcd()));
  after(async () => etcd.stop());

  it('launches pause while storage is down, updates wait unacknowledged, and the run resumes with nothing lost', { timeout: 90_000 }, async () => {
    const slots = 60;
    const sim = await SimulatedMaster.start({ agents: [{ cpus: 1, mem: 1024 }, { cpus: 1, mem: 1024 }], allocationIntervalMs: 100, statusUpdateRetryMs: 300, statusUpdateRetryMaxMs: 1000, taskBehaviours: [{ runMs: 600 }] });
    const logger = new MemoryLogger();
    const storage = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'outage-test/', timeoutMs: 1000 });
    const fw = createFramework({
      master: sim.url,
      framework: { name: 'storage-outage' },
      tasks: [{ name: 'job', instances: slots, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }],
      reconcileIntervalSeconds: 0,
      overrides: [{ token: TOKENS.Logger, useValue: logger }, { token: TOKENS.Storage, useValue: storage }],
    });
    const check = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'outage-test/' });
    try {
      await fw.start();
      const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
      await sim.waitFor((s) => s.engine.launchLog.length >= 10, 20_000);
      await etcd.kill();
      const downAt = Date.now();
      const launchedAtKill = sim.engine.launchLog.length;
      assert.ok(launchedAtKill < slots, `the outage must start mid-run (${launchedAtKill} launched)`);
      await sleep(3000);
      // An ACCEPT whose intent was written just before the kill may still go out; nothing after that.
      const during = sim.engine.launchLog.filter((l) => l.at > downAt + 500);
      assert.deepEqual(during.map((l) => l.taskId), [], 'no launch while storage is down');
      assert.equal(fw.get(DefaultTaskController).launchesPaused, true);
      assert.ok(logger.lines.some((l) => /left unacknowledged/.test(l.message)), 'updates that could not be persisted were not acknowledged');

      await etcd.restart();
      const deadline = Date.now() + 60_000;
      while (!(tasks.idle && sim.engine.completedTasks.length >= slots)) {
        assert.ok(Date.now() < deadline, `run did not finish after etcd came back: ${JSON.stringify(tasks.counts())}`);
        await sleep(100);
      }
      assert.ok(logger.lines.some((l) => /launches resume/.test(l.message)));
      assert.deepEqual(tasks.counts(), { TASK_FINISHED: slots });
      const launched = sim.engine.launchLog.map((l) => l.taskId);
      assert.equal(new Set(launched).size, launched.length, 'no task launched twice');
      assert.equal(new Set(launched.map((id) => id.split('.').slice(0, 2).join('.'))).size, slots, 'every slot launched once');
      // Storage holds the same truth: every current record finished.
      await sleep(200);
      const stored = (await check.list('tasks')).map(({ key, value }) => fromBytes<TaskRecord>(value, key)).filter((r) => !r.superseded);
      assert.equal(stored.length, slots);
      assert.deepEqual([...new Set(stored.map((r) => r.state))], ['TASK_FINISHED']);
    } finally {
      await fw.stop();
      await check.close();
      await storage.close();
      await sim.stop();
    }
  });
});
