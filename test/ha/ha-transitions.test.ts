// Issue 16 items 1 and 3 together: under HA, a task's transition (its new state, the supersede mark
// and the next attempt) is one fenced etcd transaction (EtcdStorage.batch), seen in etcd's history
// as changes of one revision.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { EtcdStorage } from '../../src/storage/etcd.storage.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';
import { history } from '../support/etcd-history.js';
import { waitFor } from '../client/fake-master.js';

describe('an HA framework writes task transitions as one fenced etcd transaction', () => {
  let etcd: EtcdServer;
  let sim: SimulatedMaster;
  before(async () => {
    etcd = await startEtcd();
    sim = await SimulatedMaster.start({ agents: [{ cpus: 1, mem: 1024 }], allocationIntervalMs: 50, taskBehaviours: [{ runMs: 50, outcome: 'failed' }] });
  });
  after(async () => {
    await sim.stop();
    await etcd.stop();
  });

  it('a failed attempt, its supersede mark and the relaunch are written at one revision, through EtcdStorage.batch', { timeout: 60_000 }, async () => {
    const fw = createFramework({
      master: sim.url,
      framework: { name: 'transitions' },
      ha: { etcd: [etcd.endpoint], ttlSeconds: 10, onLostLeadership: 'stop' },
      tasks: [{ name: 'flaky', instances: 1, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'false' }, restartPolicy: { policy: 'on-failure', maxRetries: 1, backoffSeconds: 0 } }],
      reconcileIntervalSeconds: 0,
      overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }],
    });
    const storage = fw.get<EtcdStorage>(TOKENS.Storage);
    assert.ok(storage instanceof EtcdStorage);
    let batches = 0;
    const batch = storage.batch.bind(storage);
    storage.batch = async (ops) => {
      batches++;
      return batch(ops);
    };
    try {
      await fw.start();
      const tm = fw.get<TaskManager>(TOKENS.TaskManager);
      await waitFor(() => tm.list({ history: true }).filter((r) => r.state === 'TASK_FAILED').length === 2, 30_000, 'both attempts failed');
    } finally {
      await fw.stop();
    }
    const events = (await history(etcd.endpoint, 'mesos-sdk/transitions/tasks/')).filter((e) => e.type === 'PUT');
    const failed = events.find((e) => e.key.endsWith('/flaky.0.0') && JSON.parse(e.value).state === 'TASK_FAILED');
    assert.ok(failed, `the FAILED record of flaky.0.0 is in etcd's history: ${events.map((e) => e.key).join(', ')}`);
    assert.equal(JSON.parse(failed.value).superseded, true, 'FAILED and superseded in one write');
    const next = events.find((e) => e.key.endsWith('/flaky.0.1'));
    assert.ok(next, 'the next attempt is stored');
    assert.equal(next.revision, failed.revision, 'the next attempt and the FAILED record: one transaction');
    assert.ok(batches >= 4, `submit, launch intents and transitions went through batch (${batches})`);
  });
});
