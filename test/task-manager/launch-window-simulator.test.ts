// Issue 17: the launch window through createFramework on the simulator. 2,000 long-running tasks on
// 20 agents with `maxLaunchingTasks: 200`: at no point does the framework hold more than 200 tasks
// launched and not yet RUNNING, nor the simulator more than 200 not yet RUNNING (as it last sent
// them), and every task runs in the end, each launched once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { EventController, OnOffers, OnUpdate } from '../../src/decorators/event-controller.decorator.js';
import { SilentLogger } from '../../src/logging/logger.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import { waitFor } from '../client/fake-master.js';

const TASKS = 2000;
const WINDOW = 200;

/** The framework's own count, read after each update and offer cycle (these run after the built-in controller's). */
let manager: TaskManager | undefined;
let mostInFramework = 0;
@EventController()
class WindowProbe {
  @OnUpdate()
  update(): void {
    if (manager) mostInFramework = Math.max(mostInFramework, manager.launchingCount);
  }
  @OnOffers()
  offers(): void {
    if (manager) mostInFramework = Math.max(mostInFramework, manager.launchingCount);
  }
}

describe('the launch window on the simulator, through createFramework', () => {
  let sim: SimulatedMaster | undefined;
  let fw: FrameworkHandle | undefined;
  after(async () => {
    await fw?.stop().catch(() => {});
    await sim?.stop();
  });

  it(`${TASKS} tasks with maxLaunchingTasks ${WINDOW}: never more than ${WINDOW} unsettled on either side, all RUNNING in the end`, async () => {
    sim = await SimulatedMaster.start({ agents: Array.from({ length: 20 }, () => ({ cpus: 100, mem: 100_000 })), allocationIntervalMs: 100, taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 5 }] });
    fw = createFramework({
      master: sim.url,
      framework: { name: 'window-test' },
      tasks: [{ name: 'app', instances: TASKS, resources: { cpus: 0.01, mem: 8 }, command: { shell: 'x' } }],
      maxLaunchingTasks: WINDOW,
      controllers: [WindowProbe],
      overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }],
    });
    let mostInSimulator = 0;
    const engine = sim.engine;
    const sampler = setInterval(() => {
      let n = 0;
      for (const t of engine.tasks.values()) if (t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING') n++;
      mostInSimulator = Math.max(mostInSimulator, n);
    }, 2);
    try {
      await fw.start();
      manager = fw.get<TaskManager>(TOKENS.TaskManager);
      await waitFor(() => (manager!.counts()['TASK_RUNNING'] ?? 0) === TASKS, 120_000, `${TASKS} tasks RUNNING`);
    } finally {
      clearInterval(sampler);
    }
    assert.equal(engine.stats.launched, TASKS, 'each task launched exactly once');
    assert.ok(mostInFramework > 0 && mostInFramework <= WINDOW, `most unsettled in the framework: ${mostInFramework}`);
    assert.ok(mostInSimulator > 0 && mostInSimulator <= WINDOW, `most unsettled on the simulator: ${mostInSimulator}`);
    assert.equal(manager!.launchingCount, 0);
  });
});
