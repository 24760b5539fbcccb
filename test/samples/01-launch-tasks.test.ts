import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { run } from '../../samples/01-launch-tasks/main.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';

const tasks = fileURLToPath(new URL('../../../samples/01-launch-tasks/tasks.json', import.meta.url));
const main = fileURLToPath(new URL('../../samples/01-launch-tasks/main.js', import.meta.url));

describe('sample 01-launch-tasks', () => {
  it('launches every task of tasks.json on the embedded simulator and sees them all finish', async () => {
    const lines: string[] = [];
    let scraped: Promise<[number, string]> | undefined;
    const summary = await run({ tasks, agents: 3, encoding: 'protobuf', timeout: 30, progress: false }, (l) => {
      lines.push(l);
      // The API is served while the sample runs: read /health and /metrics as soon as it says where.
      const api = /^api: (http:\/\/127\.0\.0\.1:\d+) /.exec(l);
      if (api) scraped = Promise.all([fetch(`${api[1]}/health`).then((r) => r.status), fetch(`${api[1]}/metrics`).then((r) => r.text())]);
    });
    assert.ok(scraped, 'the sample prints its API address at start');
    const [health, metrics] = await scraped;
    assert.equal(health, 200);
    assert.match(metrics, /^mesos_framework_events_total\{type="SUBSCRIBED"\} 1$/m);
    assert.equal(summary.launched, 17);
    assert.equal(summary.finished, 17);
    assert.equal(summary.failed, 0);
    assert.ok(lines.some((l) => l.startsWith('progress: 17/17')));
  });

  it('runs against a master given with --master, as a separate process, and exits 0 with a summary', async () => {
    const sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 100, taskBehaviours: [{ runMs: 50 }] });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [main, '--master', sim.url, '--encoding', 'json'], { timeout: 60_000 });
      assert.match(stdout, /summary: launched 17, finished 17, failed 0/);
      assert.equal(sim.engine.completedTasks.length, 17);
    } finally {
      await sim.stop();
    }
  });

  it('reports failed tasks in the summary and exits 3', async () => {
    const sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 100, taskBehaviours: [{ name: '^report', outcome: 'failed', runMs: 10 }, { runMs: 10 }] });
    try {
      const err = await promisify(execFile)(process.execPath, [main, '--master', sim.url], { timeout: 60_000 }).catch((e: { code: number; stdout: string }) => e);
      assert.equal((err as { code: number }).code, 3, 'not 2, the exit status of a bad command line');
      assert.match((err as { stdout: string }).stdout, /launched 19, finished 15, failed 2/, "each failing report task was retried once");
    } finally {
      await sim.stop();
    }
  });
});
