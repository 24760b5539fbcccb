// Issue 17 on both masters: the built-in task controller's launch window. 10 long-running tasks with
// `maxLaunchingTasks: 3`: never more than 3 launched and not yet RUNNING, as the framework counts them
// (after each update and offer cycle) and as the master's /master/tasks shows them (polled), and
// all 10 run, each launched once.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { sleep, uniqueName } from './support/sdk-framework.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { EventController, OnOffers, OnUpdate } from '../../src/decorators/event-controller.decorator.js';
import { TOKENS } from '../../src/tokens.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';

const TASKS = 10;
const WINDOW = 3;

/** The framework's count of unsettled tasks, read after the built-in controller handled each event. */
@EventController()
class WindowProbe {
  static manager: TaskManager | undefined;
  static most = 0;
  private sample(): void {
    if (WindowProbe.manager) WindowProbe.most = Math.max(WindowProbe.most, WindowProbe.manager.launchingCount);
  }
  @OnUpdate()
  update(): void {
    this.sample();
  }
  @OnOffers()
  offers(): void {
    this.sample();
  }
}

/** The framework's tasks on the master (`/master/tasks`), by state. */
async function masterTasks(url: string, frameworkId: string): Promise<Array<{ id: string; state: string }>> {
  const r = await fetch(`${url}/master/tasks?framework_id=${encodeURIComponent(frameworkId)}&limit=1000`);
  if (r.status !== 200) throw new Error(`/master/tasks answered ${r.status}`);
  const body = (await r.json()) as { tasks?: Array<{ id: string; state: string; framework_id: string }> };
  return (body.tasks ?? []).filter((t) => t.framework_id === frameworkId);
}

conformance('the task controller launch window', (target) => {
  it(`${TASKS} long-running tasks with maxLaunchingTasks ${WINDOW}: all run, never more than ${WINDOW} unsettled on the framework or the master`, async () => {
    WindowProbe.manager = undefined;
    WindowProbe.most = 0;
    const logger = new MemoryLogger();
    const fw = createFramework({
      master: target().url,
      framework: { name: uniqueName('launch-window'), user: 'root' },
      tasks: [{ name: 'windowed', instances: TASKS, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'sleep 600' } }],
      maxLaunchingTasks: WINDOW,
      controllers: [WindowProbe],
      overrides: [{ token: TOKENS.Logger, useValue: logger }],
    });
    let mostOnMaster = 0;
    let polling = true;
    let pollError: unknown;
    try {
      await fw.start();
      const tm = fw.get<TaskManager>(TOKENS.TaskManager);
      WindowProbe.manager = tm;
      const poller = (async () => {
        while (polling) {
          try {
            const tasks = await masterTasks(target().url, fw.frameworkId!);
            mostOnMaster = Math.max(mostOnMaster, tasks.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length);
          } catch (err) {
            pollError = err;
          }
          await sleep(20);
        }
      })();
      const deadline = Date.now() + 120_000;
      while ((tm.counts()['TASK_RUNNING'] ?? 0) < TASKS) {
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(tm.counts())}`);
        await sleep(50);
      }
      polling = false;
      await poller;
      assert.equal(pollError, undefined);
      const onMaster = await masterTasks(target().url, fw.frameworkId!);
      assert.equal(onMaster.filter((t) => t.state === 'TASK_RUNNING').length, TASKS, 'every task RUNNING on the master');
      assert.equal(onMaster.length, TASKS, 'each launched once');
      assert.equal(new Set(tm.list({ history: true }).map((r) => r.id)).size, TASKS, 'no relaunch');
      assert.ok(WindowProbe.most > 0 && WindowProbe.most <= WINDOW, `most unsettled in the framework: ${WindowProbe.most}`);
      assert.ok(mostOnMaster <= WINDOW, `most unsettled on the master: ${mostOnMaster}`);
    } finally {
      polling = false;
      await fw.stop({ teardown: true });
    }
  });
});
