// Issue 17: acknowledgements pipelined by the dispatcher (sent in the background, several in flight)
// still acknowledge every update: after a burst of short tasks through createFramework, the master
// keeps none of them active (a terminal task leaves /master/state `tasks` only once its terminal
// update is acknowledged) and, on the simulator, no update waits for an acknowledgement. And what
// both masters do with an ACKNOWLEDGE of an update delivered on an earlier subscription, sent with
// the next subscription's stream id (what a pipelined acknowledgement can be, across a re-subscription).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { ENCODINGS, SdkFramework, commandTask, frameworkState, launchOp, sleep, taskId, uniqueName } from './support/sdk-framework.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { EventController, OnUpdate } from '../../src/decorators/event-controller.decorator.js';
import { TOKENS } from '../../src/tokens.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { EventDispatcher } from '../../src/discovery/event-dispatcher.js';
import type { v1 } from '../../src/protocol/generated/index.js';

const TASKS = 20;

/** Counts the updates of the burst's tasks, by state. */
@EventController()
class BurstCounter {
  static finished = new Set<string>();
  static updates = 0;
  @OnUpdate()
  update(s: v1.TaskStatus): void {
    BurstCounter.updates++;
    if (s.state === 'TASK_FINISHED') BurstCounter.finished.add(s.task_id.value);
  }
}

async function waitUntil(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

conformance('pipelined acknowledgements', (target) => {
  for (const encoding of ENCODINGS) {
    it(`a burst of ${TASKS} short tasks through createFramework: every update is acknowledged, none left waiting on the master (${encoding})`, async () => {
      BurstCounter.finished = new Set();
      BurstCounter.updates = 0;
      const logger = new MemoryLogger();
      const name = uniqueName('ack-burst');
      const fw = createFramework({
        master: target().url,
        framework: { name, user: 'root' },
        encoding,
        tasks: [{ name: 'burst', instances: TASKS, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'true' } }],
        controllers: [BurstCounter],
        dispatcher: { ackConcurrency: 8 },
        overrides: [{ token: TOKENS.Logger, useValue: logger }],
      });
      try {
        await fw.start();
        await waitUntil(() => BurstCounter.finished.size === TASKS, 120_000, `${TASKS} tasks FINISHED (have ${BurstCounter.finished.size})`);
        const dispatcher = fw.get<EventDispatcher>(TOKENS.EventDispatcher);
        await dispatcher.drain();
        assert.equal(dispatcher.pendingAcknowledgements, 0);
        assert.deepEqual(logger.lines.filter((l) => /could not acknowledge/.test(l.message)).map((l) => l.message), []);
        // Acknowledged to the end: no task of the burst stays active on the master.
        await waitUntil(async () => ((await frameworkState(target().url, fw.frameworkId!))?.['tasks'] ?? []).length === 0, 8000, 'the tasks to leave /master/state tasks');
        const state = await frameworkState(target().url, fw.frameworkId!);
        const completed = (state?.['completed_tasks'] ?? []) as Array<{ id: string; state: string }>;
        assert.equal(completed.filter((t) => t.state === 'TASK_FINISHED').length, TASKS);
        const sim = target().sim;
        if (sim) {
          const ours = [...sim.engine.tasks.values()].filter((t) => t.frameworkId === fw.frameworkId);
          assert.equal(ours.reduce((n, t) => n + t.updates.pending.length, 0), 0, 'no update waits for an acknowledgement');
          assert.equal(ours.length, 0, 'every task retired (its terminal update acknowledged)');
        }
        // Nothing is resent: each task reported STARTING, RUNNING, FINISHED once (and one reconciliation answer at most).
        assert.ok(BurstCounter.updates <= TASKS * 3 + TASKS, `updates seen: ${BurstCounter.updates}`);
      } finally {
        await fw.stop({ teardown: true });
      }
    });
  }

  it('an ACKNOWLEDGE of an update delivered on an earlier subscription, sent on the next one (its stream id), is accepted: the agent sends the next update', async () => {
    const name = uniqueName('ack-across');
    const first = await SdkFramework.start(target().url, { encoding: 'protobuf', name, autoAck: false, failoverTimeout: 300 });
    let second: SdkFramework | undefined;
    try {
      const [o] = await first.freshOffers(1);
      const id = taskId('across');
      await first.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 30'))], { refuse_seconds: 0 });
      first.spend(o!);
      const starting = await first.waitForUpdate(id, 'TASK_STARTING', 30_000);
      // A new subscription of the same framework (failover: a new stream id); the first one is over.
      second = await SdkFramework.start(target().url, { encoding: 'protobuf', name, autoAck: false, failoverTimeout: 300, frameworkId: first.sched.frameworkId! });
      assert.notEqual(second.sched.streamId, undefined);
      assert.equal(await second.sched.acknowledge(starting.agent_id!, starting.task_id, starting.uuid!), undefined);
      // Both masters resend the unacknowledged STARTING to the new subscription at once (same uuid).
      // Our ACKNOWLEDGE of the first delivery is the only one STARTING gets: the agent sends RUNNING
      // only once it is accepted (ignored, STARTING would come again every 10 s and RUNNING never).
      await second.waitFor(() => second!.updates(id).some((u) => u.state === 'TASK_RUNNING'), 30_000, `TASK_RUNNING of ${id} on the new subscription`);
      const seen = second.updates(id);
      const next = seen.find((u) => u.state === 'TASK_RUNNING')!;
      for (const u of seen.slice(0, seen.indexOf(next))) {
        assert.equal(u.state, 'TASK_STARTING');
        assert.deepEqual(Buffer.from(u.uuid!), Buffer.from(starting.uuid!), 'only the resend of the update acknowledged');
      }
      assert.notDeepEqual(Buffer.from(next.uuid!), Buffer.from(starting.uuid!));
      assert.equal(await second.sched.acknowledge(next.agent_id!, next.task_id, next.uuid!), undefined);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
