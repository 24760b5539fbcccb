import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import type { StorageOperation } from '../../src/storage/storage.interface.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import type { Assignment } from '../../src/resource-manager/placement/placement-types.js';

function setup(storage = new InMemoryStorage()) {
  const kills: string[] = [];
  let now = 1_000_000;
  const tm = new TaskManager(storage, { kill: async (t) => void kills.push(t.value) }, () => now);
  return { tm, storage, kills, advance: (ms: number) => (now += ms) };
}
const assignment = (id: string): Assignment => ({ requestId: id, offerId: { value: 'o' }, offerIds: [{ value: 'o' }], agentId: { value: 'S1' }, hostname: 'h1', resources: [], ports: [] });
const status = (id: string, state: v1.TaskState, timestamp = 1): v1.TaskStatus => ({ task_id: { value: id }, state, timestamp, agent_id: { value: 'S1' } });
const def = (extra: Record<string, unknown> = {}) => ({ name: 'app', instances: 2, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'x' }, ...extra });

describe('TaskManager', () => {
  it('creates one pending task per instance and writes the launch intent before the launch', async () => {
    const { tm, storage } = setup();
    await tm.submit(def());
    assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.0.0', 'app.1.0']);
    const info = await tm.prepareLaunch(assignment('app.0.0'));
    assert.equal(info.task_id.value, 'app.0.0');
    const stored = JSON.parse(Buffer.from((await storage.get('tasks/app.0.0'))!).toString());
    assert.equal(stored.state, 'LAUNCHING');
    assert.equal(stored.agentId, 'S1');
  });

  it('ignores duplicate, older and regressing updates', async () => {
    const { tm } = setup();
    await tm.submit(def({ instances: 1 }));
    await tm.prepareLaunch(assignment('app.0.0'));
    assert.equal(await tm.onStatus(status('app.0.0', 'TASK_RUNNING', 5)), true);
    assert.equal(await tm.onStatus(status('app.0.0', 'TASK_RUNNING', 5)), false);
    assert.equal(await tm.onStatus(status('app.0.0', 'TASK_STARTING', 4)), false);
    assert.equal(await tm.onStatus(status('app.0.0', 'TASK_FINISHED', 6)), true);
    assert.equal(await tm.onStatus(status('app.0.0', 'TASK_RUNNING', 7)), false);
    assert.equal(tm.get('app.0.0')!.state, 'TASK_FINISHED');
  });

  it('relaunches failed tasks with exponential backoff up to maxRetries (on-failure)', async () => {
    const { tm, advance } = setup();
    await tm.submit(def({ instances: 1, restartPolicy: { policy: 'on-failure', maxRetries: 2, backoffSeconds: 1, backoffFactor: 2 } }));
    for (const [attempt, wait] of [[0, 1000], [1, 2000]] as const) {
      const id = `app.0.${attempt}`;
      await tm.prepareLaunch(assignment(id));
      await tm.onStatus(status(id, 'TASK_FAILED'));
      assert.deepEqual(tm.placementRequests(), [], 'in backoff');
      advance(wait);
      assert.deepEqual(tm.placementRequests().map((r) => r.id), [`app.0.${attempt + 1}`]);
    }
    await tm.prepareLaunch(assignment('app.0.2'));
    await tm.onStatus(status('app.0.2', 'TASK_FAILED'));
    advance(60_000);
    assert.equal(tm.pendingCount, 0, 'no retry after maxRetries');
    assert.equal(tm.list({ history: true }).length, 3);
  });

  it('restarts finished tasks only with policy always, never with never', async () => {
    for (const [policy, expected] of [['always', 1], ['never', 0], ['on-failure', 0]] as const) {
      const { tm, advance } = setup();
      await tm.submit(def({ instances: 1, restartPolicy: { policy, backoffSeconds: 0 } }));
      await tm.prepareLaunch(assignment('app.0.0'));
      await tm.onStatus(status('app.0.0', 'TASK_FINISHED'));
      advance(1);
      assert.equal(tm.placementRequests().length, expected, policy);
    }
  });

  it('kills without relaunching, and scales down from the highest instance', async () => {
    const { tm, kills } = setup();
    await tm.submit(def({ instances: 3 }));
    for (const id of ['app.0.0', 'app.1.0', 'app.2.0']) {
      await tm.prepareLaunch(assignment(id));
      await tm.onStatus(status(id, 'TASK_RUNNING'));
    }
    await tm.scale('app', 1);
    assert.deepEqual(kills, ['app.2.0', 'app.1.0']);
    await tm.onStatus(status('app.2.0', 'TASK_KILLED', 2));
    assert.equal(tm.pendingCount, 0);
    await tm.scale('app', 2);
    assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.1.1']);
  });

  it('after a restart, knows the launching task and asks for its reconciliation instead of launching it again', async () => {
    const storage = new InMemoryStorage();
    const first = setup(storage);
    await first.tm.submit(def({ instances: 1 }));
    await first.tm.prepareLaunch(assignment('app.0.0'));
    const second = setup(storage);
    await second.tm.load();
    assert.deepEqual(second.tm.placementRequests(), []);
    assert.deepEqual(second.tm.toReconcile(), [{ task_id: { value: 'app.0.0' }, agent_id: { value: 'S1' } }]);
    await second.tm.onStatus(status('app.0.0', 'TASK_GONE'));
    second.advance(1000);
    assert.deepEqual(second.tm.placementRequests().map((r) => r.id), ['app.0.1'], 'never launched: a new attempt replaces it');
  });

  it('a launch intent Mesos never received is relaunched whatever the restart policy, and does not use up a retry', async () => {
    const { tm } = setup(new InMemoryStorage());
    await tm.submit(def({ instances: 1, restartPolicy: { policy: 'never' } }));
    await tm.prepareLaunch(assignment('app.0.0'));
    await tm.onStatus({ ...status('app.0.0', 'TASK_GONE'), reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.0.1'], 'relaunched at once, no backoff');
    assert.equal(tm.get('app.0.1')!.unlaunched, 1);
    await tm.prepareLaunch(assignment('app.0.1'));
    await tm.onStatus(status('app.0.1', 'TASK_FAILED'));
    assert.deepEqual(tm.placementRequests(), [], "policy 'never': a task that ran and failed stays failed");
    assert.equal(tm.counts()['TASK_FAILED'], 1);
  });

  it('a launch the master refused because its offers were rescinded is relaunched whatever the restart policy', async () => {
    const { tm } = setup(new InMemoryStorage());
    await tm.submit(def({ instances: 2, restartPolicy: { policy: 'never' } }));
    await tm.prepareLaunch(assignment('app.0.0'));
    await tm.prepareLaunch(assignment('app.1.0'));
    await tm.onStatus({ ...status('app.0.0', 'TASK_DROPPED'), reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    await tm.onStatus({ ...status('app.1.0', 'TASK_LOST'), reason: 'REASON_INVALID_OFFERS', source: 'SOURCE_MASTER' });
    assert.deepEqual(tm.placementRequests().map((r) => r.id), ['app.0.1', 'app.1.1'], 'relaunched at once, no backoff');
    assert.equal(tm.get('app.0.1')!.unlaunched, 1);
  });

  it('a task Mesos lost after it was launched is not mistaken for an unlaunched one', async () => {
    const { tm } = setup(new InMemoryStorage());
    await tm.submit(def({ instances: 1, restartPolicy: { policy: 'never' } }));
    await tm.prepareLaunch(assignment('app.0.0'));
    await tm.onStatus(status('app.0.0', 'TASK_RUNNING'));
    await tm.onStatus({ ...status('app.0.0', 'TASK_GONE', 2), reason: 'REASON_RECONCILIATION' });
    assert.deepEqual(tm.placementRequests(), []);
  });

  it('settled() waits for the record writes in flight (stop() closes the storage after them)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    class Slow extends InMemoryStorage {
      override async put(key: string, value: Uint8Array): Promise<void> {
        if (key.startsWith('tasks/')) await gate;
        return super.put(key, value);
      }
      override async batch(ops: readonly StorageOperation[]): Promise<void> {
        if (ops.some((o) => o.key.startsWith('tasks/'))) await gate;
        return super.batch(ops);
      }
    }
    const { tm, storage } = setup(new Slow());
    const submitting = tm.submit(def({ instances: 1 }));
    await new Promise((r) => setTimeout(r, 20));
    let settled = false;
    const waiting = tm.settled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false, 'a record write is still in flight');
    open();
    await waiting;
    assert.ok(await storage.get('tasks/app.0.0'), 'written before settled() resolved');
    await submitting;
  });
});
