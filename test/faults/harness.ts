import { createFramework, type FrameworkHandle } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster, type SimulatedMasterOptions } from '../../src/simulator/simulated-master.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { MemoryLogger } from '../../src/logging/index.js';
import { TOKENS } from '../../src/tokens.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';
import type { v1 } from '../../src/protocol/generated/index.js';
import { checkInvariants, expectedFinished, leakedOffers, slotsOf } from './invariants.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a scenario's fault script can use. */
export interface ScenarioContext {
  sim: SimulatedMaster;
  readonly fw: FrameworkHandle;
  tasks(): TaskManager;
  /** Re-subscriptions seen so far (all framework instances). */
  readonly reconnects: number;
  /** The scheduler process dies (no teardown) and a new one resumes from the same storage. */
  restart(): Promise<void>;
  submit(defs: TaskDefinition[]): Promise<void>;
  waitFor(what: string, check: () => boolean, ms?: number): Promise<void>;
}

export interface ScenarioResult {
  violations: string[];
  reconnects: number;
  launches: number;
  seconds: number;
}

/** Definitions of quick tasks that finish; relaunched on failure (LOST counts as one). */
export function quickTasks(prefix: string, groups: number, instances: number, policy: 'never' | 'on-failure' = 'on-failure'): TaskDefinition[] {
  return Array.from({ length: groups }, (_, g) => ({
    name: `${prefix}-${g}`,
    instances,
    resources: { cpus: 0.1, mem: 16 },
    command: { shell: 'true' },
    restartPolicy: policy === 'never' ? { policy } : { policy, maxRetries: 20, backoffSeconds: 0.05, maxBackoffSeconds: 0.5 },
  }));
}

/**
 * Runs the task-manager framework against a fresh simulator, lets `script` inject faults while
 * the definitions run, waits until every slot reached its end (or `timeoutMs`), lets the last
 * acknowledgements through, and returns the invariant violations.
 */
export async function runScenario(
  options: { sim?: SimulatedMasterOptions; definitions: TaskDefinition[]; timeoutMs?: number; framework?: Partial<v1.FrameworkInfo>; storage?: InMemoryStorage },
  script: (ctx: ScenarioContext) => Promise<void>,
): Promise<ScenarioResult> {
  const started = Date.now();
  const sim = await SimulatedMaster.start({
    agents: 4,
    allocationIntervalMs: 20,
    heartbeatIntervalSeconds: 1,
    statusUpdateRetryMs: 300,
    statusUpdateRetryMaxMs: 1000,
    taskBehaviours: [{ startDelayMs: 5, runMs: 60 }],
    ...options.sim,
  });
  const storage = options.storage ?? new InMemoryStorage();
  const frameworkIds = new Set<string>();
  const submitted: TaskDefinition[] = [];
  let reconnects = 0;
  const start = async (): Promise<FrameworkHandle> => {
    const fw = createFramework({
      master: sim.urls,
      framework: { name: 'fault-scenario', failover_timeout: 600, ...options.framework },
      taskManager: true,
      scheduler: { heartbeatMissLimit: 3, backoff: { initialMs: 50, maxMs: 500 } },
      // Short 503 retries (a call and 3 retries): a storm fails calls without stalling the event queue for seconds.
      client: { retry503: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100 } },
      overrides: [{ token: TOKENS.Storage, useValue: storage }, { token: TOKENS.Logger, useValue: new MemoryLogger() }],
    });
    fw.get<Scheduler>(TOKENS.Scheduler).onLifecycle((e) => {
      if (e.type !== 'connected') return;
      frameworkIds.add(e.frameworkId);
      if (e.resubscribed) reconnects++;
    });
    await fw.start();
    if (fw.frameworkId) frameworkIds.add(fw.frameworkId);
    return fw;
  };
  let fw = await start();
  const waitFor = async (what: string, check: () => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (tasks ${JSON.stringify(fw.get<TaskManager>(TOKENS.TaskManager).counts())})`);
      await sleep(10);
    }
  };
  const ctx: ScenarioContext = {
    sim,
    get fw() {
      return fw;
    },
    tasks: () => fw.get<TaskManager>(TOKENS.TaskManager),
    get reconnects() {
      return reconnects;
    },
    restart: async () => {
      await fw.stop();
      // stop() closed the storage; the restarted framework opens the same state again, as a new process would.
      storage.reopen();
      fw = await start();
    },
    submit: async (defs) => {
      submitted.push(...defs);
      await fw.get<TaskManager>(TOKENS.TaskManager).submit(defs);
    },
    waitFor,
  };
  try {
    await ctx.submit(options.definitions);
    await script(ctx);
    const total = slotsOf(submitted).length;
    await waitFor('every slot finished', () => expectedFinished(ctx.tasks(), submitted) === total, options.timeoutMs ?? 30_000);
    let violations = checkInvariants({ sim, tasks: ctx.tasks(), definitions: submitted, frameworkIds: [...frameworkIds] });
    // The last acknowledgements and retirements may still be on their way.
    const settle = Date.now() + 5000;
    while (violations.length > 0 && Date.now() < settle) {
      await sleep(50);
      violations = checkInvariants({ sim, tasks: ctx.tasks(), definitions: submitted, frameworkIds: [...frameworkIds] });
    }
    violations.push(...(await leakedOffers(sim, [...frameworkIds])));
    return { violations, reconnects, launches: sim.engine.launchLog.length, seconds: (Date.now() - started) / 1000 };
  } finally {
    // A teardown needs a subscription; a scenario may end while the framework is reconnecting.
    await fw.stop({ teardown: true }).catch(() => fw.stop());
    await sim.stop();
  }
}
