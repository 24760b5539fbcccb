// The framework lifecycle through createFramework(), on both masters: start()/stop() called twice,
// a stop({ teardown: true }) with the task manager busy (offers declined, tasks running) that sends
// nothing after the TEARDOWN and logs no failed call, and a restart over the same LevelStorage
// folder in one process that fails over to the same framework.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformance } from './support/targets.js';
import { ENCODINGS, frameworkState, sleep, uniqueName } from './support/sdk-framework.js';
import { createFramework, type FrameworkHandle, type FrameworkOptions } from '../../src/bootstrap/create-framework.js';
import { MemoryLogger } from '../../src/logging/logger.js';
import { LevelStorage } from '../../src/storage/level.storage.js';
import { TOKENS } from '../../src/tokens.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';

async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

conformance('the framework lifecycle through createFramework()', (target) => {
  /** A framework on the target whose every call (with its outcome) and log line is recorded. */
  function recorded(what: string, extra: Partial<FrameworkOptions> = {}) {
    const logger = new MemoryLogger();
    const calls: Array<{ type: string; error?: unknown }> = [];
    const fw = createFramework({
      master: target().url,
      framework: { name: uniqueName(what), user: 'root', ...extra.framework },
      reconcileIntervalSeconds: 0,
      scheduler: { backoff: { initialMs: 100, maxMs: 500 } },
      ...extra,
      overrides: [{ token: TOKENS.Logger, useValue: logger }, ...(extra.overrides ?? [])],
    });
    fw.get<Scheduler>(TOKENS.Scheduler).observe({ onCall: (type, _seconds, error) => calls.push({ type: String(type), ...(error ? { error } : {}) }) });
    return { fw, logger, calls };
  }
  const problems = (logger: MemoryLogger) => logger.lines.filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal').map((l) => `${l.level} ${l.name}: ${l.message}`);

  for (const encoding of ENCODINGS) {
    it(`stop({ teardown: true }) with tasks running and offers being declined sends nothing after the TEARDOWN and logs no failed call (${encoding})`, async () => {
      const tasks: TaskDefinition[] = [
        { name: 'sleeper', instances: 2, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'sleep 60' } },
        // Never placeable: its offers keep being declined while the framework runs.
        { name: 'too-big', resources: { cpus: 1000, mem: 32 }, command: { shell: 'true' } },
      ];
      const { fw, logger, calls } = recorded(`lifecycle-teardown-${encoding}`, { encoding, tasks });
      try {
        const first = fw.start();
        assert.equal(fw.start(), first, 'a second start() while starting is the same promise');
        await first;
        await fw.start();
        const tm = fw.get<TaskManager>(TOKENS.TaskManager);
        await waitUntil(() => (tm.counts()['TASK_RUNNING'] ?? 0) === 2, 30_000, `two running tasks (${JSON.stringify(tm.counts())})`);
        await waitUntil(() => calls.some((c) => c.type === 'DECLINE'), 15_000, 'a DECLINE of the offers the big task cannot use');
        const id = fw.frameworkId!;
        const stopping = fw.stop({ teardown: true });
        assert.equal(fw.stop({ teardown: true }), stopping, 'a second stop() is the same promise');
        await stopping;
        await sleep(1000);
        const types = calls.map((c) => c.type);
        const at = types.lastIndexOf('TEARDOWN');
        assert.ok(at >= 0, `TEARDOWN sent (calls: ${types.join(',')})`);
        assert.deepEqual(types.slice(at + 1), [], 'no call after the TEARDOWN');
        assert.deepEqual(calls.filter((c) => c.error).map((c) => `${c.type}: ${(c.error as Error).message}`), [], 'no call failed');
        assert.deepEqual(problems(logger), [], 'no warning or error logged');
        assert.ok(!logger.lines.some((l) => /\b400\b/.test(l.message)), 'no 400 in the log');
        const state = await frameworkState(target().url, id);
        assert.equal(state?.['active'], false, 'the framework is gone from the master');
        await assert.rejects(fw.start(), { code: 'ERR_FRAMEWORK_STOPPED' });
      } finally {
        await fw.stop({ teardown: true }).catch(() => {});
      }
    });
  }

  it('stop() releases a LevelStorage: a framework on the same folder in the same process fails over to the same id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conf-lifecycle-level-'));
    const name = uniqueName('lifecycle-level');
    let first: FrameworkHandle | undefined;
    let second: FrameworkHandle | undefined;
    try {
      const a = recorded('unused', { framework: { name, user: 'root', failover_timeout: 300 }, overrides: [{ token: TOKENS.Storage, useValue: new LevelStorage(join(dir, 'db')) }] });
      first = a.fw;
      await a.fw.start();
      const id = a.fw.frameworkId!;
      // The id is written once SUBSCRIBED is handled; stop() waits for that write before it closes the store.
      await a.fw.stop();
      assert.equal((await frameworkState(target().url, id))?.['active'], false, 'disconnected, not removed');
      const b = recorded('unused', { framework: { name, user: 'root', failover_timeout: 300 }, overrides: [{ token: TOKENS.Storage, useValue: new LevelStorage(join(dir, 'db')) }] });
      second = b.fw;
      await second.start();
      assert.equal(second.frameworkId, id, 'resumed from the stored framework id');
      await waitUntil(async () => (await frameworkState(target().url, id))?.['active'] === true, 10_000, 'the framework active again');
      assert.deepEqual([...problems(a.logger), ...problems(b.logger)], []);
    } finally {
      // The first is torn down by the second (same id); on its own only if the second never ran.
      if (!second) await first?.stop({ teardown: true }).catch(() => {});
      await second?.stop({ teardown: true }).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
