// Issue 16 item 3 on both masters: the framework process (the built-in task manager on a
// LevelStorage) is SIGKILLed right before and right after it writes a failed task's transition
// (the FAILED state, the supersede mark and the next attempt, in one batch); after the restart the
// task is relaunched as its restart policy says, no more, no less.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformance } from './support/targets.js';
import { TaskNode } from '../support/task-node-process.js';

// A command that fails, relaunched twice: three attempts end FAILED.
const definitions = JSON.stringify([{ name: 'relaunch', instances: 1, resources: { cpus: 0.1, mem: 32 }, command: { shell: 'exit 3' }, restartPolicy: { policy: 'on-failure', maxRetries: 2, backoffSeconds: 0.2 } }]);

conformance('a framework SIGKILLed around the write of a failed task\'s relaunch', (target) => {
  // The kill comes at the first write that stores TASK_FAILED (with the next attempt, in the same batch).
  for (const when of ['before', 'after'] as const) {
    it(`killed ${when} that write: after the restart, three attempts ran and failed, nothing is left pending`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-relaunch-'));
      const nodes: TaskNode[] = [];
      const env = { FRAMEWORK_USER: 'root', TEARDOWN: '1' };
      try {
        const first = new TaskNode([target().url, join(dir, 'db'), definitions], { ...env, KILL_STATE: 'TASK_FAILED', KILL_WHEN: when });
        nodes.push(first);
        const end = await Promise.race([first.exited, new Promise<undefined>((r) => setTimeout(r, 60_000))]);
        assert.equal(end?.signal, 'SIGKILL', `the first process killed itself (lines ${JSON.stringify(first.lines.slice(-3))}; stderr ${first.stderr.slice(-300)})`);
        const second = new TaskNode([target().url, join(dir, 'db'), definitions], env);
        nodes.push(second);
        const idle = await second.waitFor('idle', 120_000);
        assert.ok(idle, `the restarted framework finished (lines ${JSON.stringify(second.lines.slice(-3))}; stderr ${second.stderr.slice(-300)})`);
        const ids = idle.ids as string[];
        assert.deepEqual(ids.filter((r) => r.includes(':TASK_FAILED')).map((r) => r.split(':')[0]), ['relaunch.0.0', 'relaunch.0.1', 'relaunch.0.2'], ids.join(', '));
        assert.deepEqual(idle.counts, { TASK_FAILED: 1 });
      } finally {
        for (const node of nodes.reverse()) await node.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
