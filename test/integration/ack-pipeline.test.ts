// Issue 17: through createFramework on the simulator, acknowledgements are pipelined (the next
// updates are handled while earlier ACKNOWLEDGEs are unanswered) and every update is acknowledged.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { SilentLogger } from '../../src/logging/logger.js';
import { TOKENS } from '../../src/tokens.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { EventDispatcher } from '../../src/discovery/event-dispatcher.js';
import { waitFor } from '../client/fake-master.js';

const N = 300;

describe('pipelined acknowledgements through createFramework on the simulator', () => {
  let sim: SimulatedMaster | undefined;
  let fw: FrameworkHandle | undefined;
  afterEach(async () => {
    await fw?.stop().catch(() => {});
    await sim?.stop();
    fw = sim = undefined;
  });

  for (const variant of ['pipelined', 'awaited'] as const) {
    it(`${N} short tasks to FINISHED: every update acknowledged once, none resent; ${variant === 'pipelined' ? 'several ACKNOWLEDGEs unanswered while later updates are handled' : 'awaitAcknowledgements: at most one unanswered at a time'}`, async () => {
      // Retries far away: an update left unacknowledged stays visible instead of being resent.
      sim = await SimulatedMaster.start({ agents: 10, allocationIntervalMs: 50, statusUpdateRetryMs: 600_000, taskBehaviours: [{ startDelayMs: 1, runMs: 5 }] });
      fw = createFramework({
        master: sim.url,
        framework: { name: 'ack-pipeline' },
        tasks: [{ name: 'job', instances: N, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'true' } }],
        dispatcher: { awaitAcknowledgements: variant === 'awaited' },
        overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }],
      });
      const scheduler = fw.get<Scheduler>(TOKENS.Scheduler);
      let handled = 0;
      let acked = 0;
      let maxUnanswered = 0;
      scheduler.observe({
        onEvent: (e) => {
          if (e.type !== 'UPDATE') return;
          handled++;
          // The updates handled before this one whose ACKNOWLEDGE has not been answered yet.
          maxUnanswered = Math.max(maxUnanswered, handled - 1 - acked);
        },
        onCall: (type) => {
          if (type === 'ACKNOWLEDGE') acked++;
        },
      });
      await fw.start();
      const tm = fw.get<TaskManager>(TOKENS.TaskManager);
      await waitFor(() => (tm.counts()['TASK_FINISHED'] ?? 0) === N, 60_000, `${N} tasks FINISHED`);
      await fw.get<EventDispatcher>(TOKENS.EventDispatcher).drain();
      assert.equal(acked, handled, 'one ACKNOWLEDGE per update');
      assert.equal(handled, 3 * N, 'STARTING, RUNNING, FINISHED of each task, nothing resent');
      assert.equal(sim.engine.stats.acks, 3 * N);
      assert.equal([...sim.engine.tasks.values()].reduce((n, t) => n + t.updates.pending.length, 0), 0, 'no update waits for an acknowledgement');
      if (variant === 'pipelined') assert.ok(maxUnanswered > 1, `at most ${maxUnanswered} ACKNOWLEDGE unanswered while later updates were handled`);
      else assert.ok(maxUnanswered <= 1, `${maxUnanswered} unanswered with awaitAcknowledgements`);
    });
  }
});
