import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { EventController, OnOffer, OnUpdate } from '../../src/decorators/index.js';
import { inject } from 'inversify';
import { MemoryLogger } from '../../src/logging/index.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import { bundleExecutor, sampleTasks } from '../../samples/02-custom-executor/main.js';
import { alive } from '../support/processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records when each update reached the scheduler. */
@EventController()
class UpdateLog {
  readonly seen: Array<{ id: string; state: string; at: number; message?: string }> = [];
  @OnUpdate()
  update(status: v1.TaskStatus): void {
    this.seen.push({ id: status.task_id.value, state: status.state, at: Date.now(), ...(status.message ? { message: status.message } : {}) });
  }
}


describe('custom executor end to end: scheduler → simulator → real executor process → real command', () => {
  let sim: SimulatedMaster;
  let fw: FrameworkHandle;
  let tasks: TaskManager;
  let artifacts: string;
  let sandboxes: string;
  const log = () => fw.get(UpdateLog);

  const waitFor = async (what: string, check: () => boolean, ms = 15_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen in ${ms} ms; tasks ${JSON.stringify(tasks.list())}`);
      await sleep(20);
    }
  };
  const stateOf = (id: string) => tasks.get(id)?.state;

  before(async () => {
    artifacts = mkdtempSync(join(tmpdir(), 'e2e-executor-artifacts-'));
    sandboxes = mkdtempSync(join(tmpdir(), 'e2e-executor-sandboxes-'));
    await bundleExecutor(artifacts);
    sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50, executors: { sandboxRoot: sandboxes, subscriptionBackoffMax: '100ms', shutdownGraceMs: 1000 } });
    fw = createFramework({
      master: sim.url,
      framework: { name: 'e2e-executor', checkpoint: true },
      taskManager: true,
      controllers: [UpdateLog],
      server: { artifactsDir: artifacts },
      overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }],
    });
    await fw.start();
    tasks = fw.get<TaskManager>(TOKENS.TaskManager);
  });
  after(async () => {
    await fw.stop({ teardown: true });
    await sim.stop();
    rmSync(artifacts, { recursive: true, force: true });
    rmSync(sandboxes, { recursive: true, force: true });
  });

  it('fetches the executor from the artifact endpoint, runs the commands and reports how they ended', async () => {
    await tasks.submit(sampleTasks(`${fw.serverUrl}/artifacts`));
    const ids = ['greet.0.0', 'greet.1.0', 'checksum.0.0', 'fails.0.0'];
    await waitFor('the sample tasks ending', () => ids.every((id) => ['TASK_FINISHED', 'TASK_FAILED'].includes(stateOf(id) ?? '')));
    assert.equal(stateOf('greet.0.0'), 'TASK_FINISHED');
    assert.equal(tasks.get('greet.1.0')!.message, 'exited with status 0: hello from greet.1.0');
    assert.equal(tasks.get('checksum.0.0')!.message, 'exited with status 0: 1345294785 1000000');
    assert.equal(stateOf('fails.0.0'), 'TASK_FAILED');
    assert.equal(tasks.get('fails.0.0')!.message, 'exited with status 3: about to fail');
    for (const id of ids) {
      const states = log().seen.filter((u) => u.id === id).map((u) => u.state);
      assert.deepEqual(states.slice(0, 2), ['TASK_STARTING', 'TASK_RUNNING'], `${id}: ${states.join(',')}`);
    }
    // Every executor was a real process that exited by itself once its updates were acknowledged.
    const host = sim.engine.executorHost!;
    await waitFor('the executors exiting', () => ids.every((id) => host.executors.get(`${fw.frameworkId}/${id}.executor`)?.state === 'exited'));
    for (const id of ids) {
      const e = host.executors.get(`${fw.frameworkId}/${id}.executor`)!;
      assert.equal(e.exitCode, 0, `${id} executor exit code`);
      assert.ok(readFileSync(join(e.sandbox, 'executor.mjs')).equals(readFileSync(join(artifacts, 'executor.mjs'))), 'the fetched executor is byte-identical');
    }
    assert.match(readFileSync(join(host.executors.get(`${fw.frameworkId}/greet.0.0.executor`)!.sandbox, 'stdout'), 'utf8'), /hello from greet\.0\.0/);
    await waitFor('every update acknowledged', () => [...sim.engine.tasks.values()].every((t) => t.updates.pending.length === 0));
  });

  it('kills the task process when the scheduler kills the task', async () => {
    await tasks.submit([{ name: 'sleeper', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'sleep 30' }, executor: sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor, restartPolicy: { policy: 'never' } }]);
    await waitFor('sleeper running', () => stateOf('sleeper.0.0') === 'TASK_RUNNING');
    const running = log().seen.find((u) => u.id === 'sleeper.0.0' && u.state === 'TASK_RUNNING')!;
    const pid = Number(/^pid (\d+)$/.exec(running.message ?? '')?.[1]);
    assert.ok(pid > 0 && alive(pid), `the command runs as pid ${pid}`);
    await tasks.kill('sleeper.0.0');
    await waitFor('sleeper killed', () => stateOf('sleeper.0.0') === 'TASK_KILLED');
    await waitFor('the command process gone', () => !alive(pid), 5000);
    assert.match(tasks.get('sleeper.0.0')!.message ?? '', /^killed \(SIGTERM\)$/);
  });

  it('SHUTDOWN from the scheduler makes the executor kill its task and exit', async () => {
    const host = sim.engine.executorHost!;
    await tasks.submit([{ name: 'victim', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'sleep 30' }, executor: sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor, restartPolicy: { policy: 'never' } }]);
    await waitFor('victim running', () => stateOf('victim.0.0') === 'TASK_RUNNING');
    const pid = Number(/^pid (\d+)$/.exec(log().seen.find((u) => u.id === 'victim.0.0' && u.state === 'TASK_RUNNING')!.message ?? '')?.[1]);
    const rec = tasks.get('victim.0.0')!;
    await fw.get<Scheduler>(TOKENS.Scheduler).shutdown({ value: 'victim.0.0.executor' }, { value: rec.agentId! });
    await waitFor('victim killed', () => stateOf('victim.0.0') === 'TASK_KILLED');
    const exec = host.executors.get(`${fw.frameworkId}/victim.0.0.executor`)!;
    await waitFor('the executor exiting', () => exec.state === 'exited');
    assert.equal(exec.exitCode, 0, 'it exited by itself, before the grace period ran out');
    assert.ok(!alive(pid));
  });

  it('an executor that loses its agent re-subscribes and resends the update it could not deliver', async () => {
    const host = sim.engine.executorHost!;
    await tasks.submit([{ name: 'late', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'sleep 0.5; echo done' }, executor: sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor, restartPolicy: { policy: 'never' } }]);
    await waitFor('late running', () => stateOf('late.0.0') === 'TASK_RUNNING');
    const exec = host.executors.get(`${fw.frameworkId}/late.0.0.executor`)!;
    const dropped = Date.now();
    // The agent goes away for 1.5 s: the command ends meanwhile and its TASK_FINISHED cannot be delivered.
    assert.equal(sim.fault({ action: 'drop-executor', executorId: 'late.0.0.executor', refuseMs: 1500 }), 1);
    await waitFor('late finished', () => stateOf('late.0.0') === 'TASK_FINISHED');
    const finished = log().seen.find((u) => u.id === 'late.0.0' && u.state === 'TASK_FINISHED')!;
    assert.ok(finished.at >= dropped + 1400, `TASK_FINISHED arrived ${finished.at - dropped} ms after the drop, i.e. after re-subscription`);
    assert.equal(finished.message, 'exited with status 0: done');
    assert.ok(exec.subscriptions >= 2, `subscriptions: ${exec.subscriptions}`);
    await waitFor('the executor exiting after the acknowledgement', () => exec.state === 'exited');
    assert.equal(exec.exitCode, 0);
    assert.equal(log().seen.filter((u) => u.id === 'late.0.0' && u.state === 'TASK_FINISHED').length, 1, 'delivered once');
  });

  it('a task group reaches the executor as one LAUNCH_GROUP and both tasks run', async () => {
    const executorCommand = sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor!.command;
    @EventController()
    class GroupLauncher {
      launched = false;
      readonly updates: Array<{ id: string; state: string; message?: string }> = [];
      constructor(@inject(TOKENS.Scheduler) private readonly scheduler: Scheduler) {}
      @OnOffer()
      async offer(offer: v1.Offer): Promise<void> {
        if (this.launched) return void (await this.scheduler.decline([offer.id], { refuse_seconds: 60 }));
        this.launched = true;
        const allocation = offer.resources?.[0]?.allocation_info;
        const scalar = (name: string, value: number): v1.Resource => ({ name, type: 'SCALAR', scalar: { value }, ...(allocation ? { allocation_info: allocation } : {}) });
        const res = (cpus: number, mem: number, disk?: number): v1.Resource[] => [scalar('cpus', cpus), scalar('mem', mem), ...(disk ? [scalar('disk', disk)] : [])];
        const task = (id: string, shell: string): v1.TaskInfo => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: res(0.1, 16), data: new TextEncoder().encode(JSON.stringify({ shell, env: {} })) });
        await this.scheduler.accept([offer.id], [{
          type: 'LAUNCH_GROUP',
          launch_group: {
            executor: { executor_id: { value: 'group-executor' }, framework_id: offer.framework_id, type: 'CUSTOM', command: { shell: true, value: executorCommand.shell!, uris: [{ value: executorCommand.uris![0]!.value, extract: false }] }, resources: res(0.1, 32, 10) },
            task_group: { tasks: [task('g-one', 'echo one'), task('g-two', 'echo two')] },
          },
        }]);
      }
      @OnUpdate()
      update(status: v1.TaskStatus): void {
        this.updates.push({ id: status.task_id.value, state: status.state, ...(status.message ? { message: status.message } : {}) });
      }
    }
    const sim3 = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, executors: { subscriptionBackoffMax: '100ms' } });
    const fw3 = createFramework({ master: sim3.url, framework: { name: 'e2e-group', checkpoint: true }, controllers: [GroupLauncher], overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
    try {
      await fw3.start();
      const g = fw3.get(GroupLauncher);
      const deadline = Date.now() + 15_000;
      const finished = () => g.updates.filter((u) => u.state === 'TASK_FINISHED').map((u) => u.message).sort();
      while (finished().length < 2 && Date.now() < deadline) await sleep(20);
      assert.deepEqual(finished(), ['exited with status 0: one', 'exited with status 0: two'], JSON.stringify(g.updates));
      const exec = sim3.engine.executorHost!.executors.get(`${fw3.frameworkId}/group-executor`)!;
      assert.deepEqual([...exec.taskIds].sort(), ['g-one', 'g-two'], 'one executor ran the whole group');
    } finally {
      await fw3.stop({ teardown: true });
      await sim3.stop();
    }
  });

  it('without checkpointing, losing the executor connection ends its tasks as TASK_FAILED (REASON_EXECUTOR_TERMINATED)', async () => {
    // The simulator kills a non-checkpointed executor whose connection drops, as an agent does.
    const sim2 = await SimulatedMaster.start({ agents: 1, allocationIntervalMs: 50, executors: { subscriptionBackoffMax: '100ms' } });
    const fw2 = createFramework({ master: sim2.url, framework: { name: 'e2e-no-checkpoint' }, taskManager: true, controllers: [UpdateLog], overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
    try {
      await fw2.start();
      const t2 = fw2.get<TaskManager>(TOKENS.TaskManager);
      await t2.submit([{ name: 'fragile', resources: { cpus: 0.1, mem: 16 }, command: { shell: 'sleep 30' }, executor: sampleTasks(`${fw.serverUrl}/artifacts`)[0]!.executor, restartPolicy: { policy: 'never' } }]);
      const deadline = Date.now() + 15_000;
      while (t2.get('fragile.0.0')?.state !== 'TASK_RUNNING' && Date.now() < deadline) await sleep(20);
      assert.equal(t2.get('fragile.0.0')?.state, 'TASK_RUNNING');
      sim2.fault({ action: 'drop-executor' });
      while (t2.get('fragile.0.0')?.state === 'TASK_RUNNING' && Date.now() < deadline) await sleep(20);
      assert.equal(t2.get('fragile.0.0')?.state, 'TASK_FAILED');
      const reason = fw2.get(UpdateLog).seen.find((u) => u.id === 'fragile.0.0' && u.state === 'TASK_FAILED');
      assert.equal(reason?.message, 'Executor terminated', 'the agent message of Mesos 1.11, whatever the exit status');
    } finally {
      await fw2.stop({ teardown: true });
      await sim2.stop();
    }
  });
});
