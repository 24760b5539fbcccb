import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { quickTasks, runScenario, sleep } from './harness.js';
import { checkInvariants } from './invariants.js';
import type { StorageOperation } from '../../src/storage/storage.interface.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { TOKENS } from '../../src/tokens.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';

/**
 * Fault scenarios against the simulator. Each runs quick tasks while a fault happens and then
 * checks the invariants: every slot finished exactly once, no task id launched twice, no status
 * update left unacknowledged, nothing left running, one framework id throughout.
 */
describe('fault scenarios: the invariants hold', () => {
  it('event stream dropped three times while launching', async () => {
    const r = await runScenario({ definitions: quickTasks('drop', 2, 15) }, async (ctx) => {
      for (let i = 0; i < 3; i++) {
        await sleep(120);
        ctx.sim.fault({ action: 'drop-stream' });
      }
      await ctx.waitFor('a re-subscription', () => ctx.reconnects >= 1);
    });
    assert.deepEqual(r.violations, []);
    assert.ok(r.reconnects >= 1);
  });

  it('heartbeats stopped on a quiet stream: the watchdog reconnects', async () => {
    const r = await runScenario({ definitions: quickTasks('hb', 1, 10) }, async (ctx) => {
      await ctx.waitFor('first wave finished', () => ctx.tasks().idle);
      ctx.sim.fault({ action: 'stop-heartbeats' });
      await ctx.waitFor('the watchdog re-subscribing', () => ctx.reconnects >= 1, 10_000);
      ctx.sim.fault({ action: 'resume-heartbeats' });
      await ctx.submit(quickTasks('hb-after', 1, 10));
    });
    assert.deepEqual(r.violations, []);
  });

  it('leading master fails over (307 from the old one, the client follows)', async () => {
    const r = await runScenario({ sim: { masters: 2 }, definitions: quickTasks('failover', 2, 15) }, async (ctx) => {
      await sleep(150);
      ctx.sim.fault({ action: 'failover' });
      await ctx.waitFor('a re-subscription on the new leader', () => ctx.reconnects >= 1);
    });
    assert.deepEqual(r.violations, []);
  });

  it('an ACCEPT that fails for good gives its offers back (no offer leaked) and its tasks launch later', async () => {
    let sim: { fault(f: { action: 'fail-calls'; count: number }): unknown } | undefined;
    let intents = 0;
    // A storm of 4 503s (a call and its 3 retries) starts as the 5th launch intent is written, just
    // before its ACCEPT: the event queue waits on that ACCEPT, so nothing else takes the 503s.
    // The REVIVE the submit sends runs outside the event queue: the storm waits for it to be answered.
    let revived!: () => void;
    const reviveAnswered = new Promise<void>((r) => (revived = r));
    class StormAtIntent extends InMemoryStorage {
      override async put(key: string, value: Uint8Array): Promise<void> {
        await this.watch([{ type: 'put', key, value }]);
        return super.put(key, value);
      }
      override async batch(ops: readonly StorageOperation[]): Promise<void> {
        await this.watch(ops);
        return super.batch(ops);
      }
      private async watch(ops: readonly StorageOperation[]): Promise<void> {
        for (const op of ops) {
          if (op.type !== 'put' || !op.key.startsWith('tasks/') || !Buffer.from(op.value).toString('utf8').includes('"LAUNCHING"') || ++intents !== 5) continue;
          await Promise.race([reviveAnswered, sleep(1000)]);
          sim?.fault({ action: 'fail-calls', count: 4 });
        }
      }
    }
    const failed: string[] = [];
    const r = await runScenario({ definitions: quickTasks('leak', 1, 12, 'never'), storage: new StormAtIntent() }, async (ctx) => {
      sim = ctx.sim;
      ctx.fw.get<Scheduler>(TOKENS.Scheduler).observe({
        onCall: (type, _s, err) => {
          if (type === 'REVIVE') revived();
          if (err) failed.push(String(type));
        },
      });
      if (intents >= 5) throw new Error('the launches went faster than the test could arm the storm');
    });
    assert.ok(failed.includes('ACCEPT'), `an ACCEPT failed for good: ${failed.join(', ')}`);
    assert.deepEqual(r.violations, []);
  });

  it('503 storms on calls, also across a re-subscription: nothing lost, no offer leaked', async () => {
    const failed: string[] = [];
    const r = await runScenario({ definitions: quickTasks('storm', 2, 15, 'never') }, async (ctx) => {
      ctx.fw.get<Scheduler>(TOKENS.Scheduler).observe({ onCall: (type, _s, err) => void (err && failed.push(String(type))) });
      // Enough 503s for one call and its 3 retries.
      await ctx.waitFor('launches under way', () => ctx.sim.engine.launchLog.length >= 3);
      ctx.sim.fault({ action: 'fail-calls', count: 4 });
      await ctx.waitFor('the storm spent', () => ctx.sim.failCalls.remaining === 0);
      // Across a re-subscription: the RECONCILE sent first after SUBSCRIBED meets the storm.
      let armed = false;
      ctx.fw.get<Scheduler>(TOKENS.Scheduler).onLifecycle((e) => {
        if (e.type === 'connected' && e.resubscribed && !armed) {
          armed = true;
          ctx.sim.fault({ action: 'fail-calls', count: 4 });
        }
      });
      ctx.sim.fault({ action: 'drop-stream' });
      await ctx.waitFor('the second storm spent', () => armed && ctx.sim.failCalls.remaining === 0);
    });
    assert.deepEqual(r.violations, []);
    // Which calls the storms hit depends on timing; that some failed for good is what matters.
    assert.ok(failed.length > 0, 'the storms made calls fail');
  });

  it('agents partitioned and healed, and an agent removed, while tasks run', async () => {
    const r = await runScenario({ sim: { taskBehaviours: [{ startDelayMs: 5, runMs: 300 }] }, definitions: quickTasks('part', 2, 15) }, async (ctx) => {
      const busy = () => [...ctx.sim.engine.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').map((t) => t.agentId);
      await ctx.waitFor('tasks running', () => busy().length >= 5);
      const a = busy()[0]!;
      const b = [...ctx.sim.engine.agents.values()].find((x) => x.id !== a && x.state === 'active')!.id;
      ctx.sim.fault({ action: 'partition-agent', agentId: a! });
      ctx.sim.fault({ action: 'remove-agent', agentId: b! });
      ctx.sim.fault({ action: 'add-agent', agent: {} });
      await sleep(400);
      // The partitioned agent comes back with tasks the framework already replaced: they must be killed.
      ctx.sim.fault({ action: 'heal-agent', agentId: a! });
    });
    assert.deepEqual(r.violations, []);
  });

  it('without PARTITION_AWARE: partitioned tasks are LOST and replaced, and killed when their agent comes back', async () => {
    let zombies = 0;
    const r = await runScenario({ framework: { capabilities: [{ type: 'MULTI_ROLE' }] }, sim: { taskBehaviours: [{ startDelayMs: 5, runMs: 400 }] }, definitions: quickTasks('lost', 1, 10) }, async (ctx) => {
      const busy = () => [...ctx.sim.engine.tasks.values()].filter((t) => t.state === 'TASK_RUNNING').map((t) => t.agentId);
      await ctx.waitFor('tasks running', () => busy().length >= 5);
      const agent = busy()[0]!;
      ctx.sim.fault({ action: 'partition-agent', agentId: agent });
      await ctx.waitFor('replacements launched', () => ctx.tasks().list().some((t) => t.attempt > 0 && t.state !== 'PENDING'));
      ctx.sim.fault({ action: 'heal-agent', agentId: agent });
      await ctx.waitFor('the returning tasks killed', () => ctx.tasks().zombieKills > 0);
      zombies = ctx.tasks().zombieKills;
    });
    assert.deepEqual(r.violations, []);
    assert.ok(zombies > 0);
  });

  it('an agent removed while its finished tasks wait for their acknowledgement', async () => {
    const r = await runScenario({ sim: { taskBehaviours: [{ startDelayMs: 5, runMs: 400 }] }, definitions: quickTasks('unacked', 1, 10) }, async (ctx) => {
      await ctx.waitFor('tasks running, RUNNING acknowledged', () => [...ctx.sim.engine.tasks.values()].filter((t) => t.state === 'TASK_RUNNING' && t.updates.pending.length === 0).length >= 3);
      ctx.sim.fault({ action: 'fail-calls', count: 1_000_000 }); // acknowledgements fail from now on
      const waiting = () => [...ctx.sim.engine.tasks.values()].find((t) => t.updates.pending[0]?.state === 'TASK_FINISHED');
      await ctx.waitFor('a finished task waiting for its acknowledgement', () => waiting() !== undefined);
      ctx.sim.fault({ action: 'remove-agent', agentId: waiting()!.agentId });
      ctx.sim.fault({ action: 'add-agent', agent: {} });
      ctx.sim.fault({ action: 'fail-calls', count: 0 });
    });
    assert.deepEqual(r.violations, []);
  });

  it('duplicate and reordered status updates', async () => {
    const r = await runScenario({ definitions: quickTasks('dup', 2, 15) }, async (ctx) => {
      ctx.sim.fault({ action: 'update-faults', duplicate: true, reorderWindowMs: 40 });
      await ctx.waitFor('half of the tasks ended', () => ctx.tasks().list().filter((t) => t.state === 'TASK_FINISHED').length >= 15);
      ctx.sim.fault({ action: 'update-faults', duplicate: false, reorderWindowMs: 0 });
    });
    assert.deepEqual(r.violations, []);
  });

  it('offers rescinded while being accepted', async () => {
    // Restart policy "never": a launch refused for a rescinded offer never ran, so it must still be relaunched.
    const r = await runScenario({ definitions: quickTasks('rescind', 2, 15, 'never') }, async (ctx) => {
      for (let i = 0; i < 10; i++) {
        ctx.sim.fault({ action: 'rescind-offers' });
        await sleep(15);
      }
    });
    assert.deepEqual(r.violations, []);
  });

  it('the scheduler killed mid-launch and restarted from its storage', async () => {
    const r = await runScenario({ sim: { taskBehaviours: [{ startDelayMs: 5, runMs: 150 }] }, definitions: quickTasks('restart', 2, 20) }, async (ctx) => {
      await ctx.waitFor('launches under way', () => ctx.sim.engine.launchLog.length >= 5);
      await ctx.restart();
      await sleep(100);
      await ctx.restart();
    });
    assert.deepEqual(r.violations, []);
  });

  it('the checker itself catches a task launched twice and an unacknowledged update', async () => {
    // Guard against a checker that can never fail: feed it a run with a forged duplicate launch.
    let caught: string[] = [];
    await runScenario({ definitions: quickTasks('forged', 1, 3) }, async (ctx) => {
      await ctx.waitFor('all finished', () => ctx.tasks().idle);
      const first = ctx.sim.engine.launchLog[0]!;
      ctx.sim.engine.launchLog.push({ ...first });
      caught = checkInvariants({ sim: ctx.sim, tasks: ctx.tasks(), definitions: quickTasks('forged', 1, 3), frameworkIds: [first.frameworkId, 'another-id'] });
      ctx.sim.engine.launchLog.pop();
    });
    assert.ok(caught.some((v) => /launched 2 times/.test(v)), caught.join('\n'));
    assert.ok(caught.some((v) => /framework id changed/.test(v)), caught.join('\n'));
  });
});
