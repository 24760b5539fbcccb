import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { conformance } from './support/targets.js';
import { last, runTask, shell, type TaskRun } from './support/command-task.js';

conformance('health checks of command tasks', (target) => {
  const check = (command: string, extra: Record<string, unknown> = {}) => ({
    health_check: { type: 'COMMAND', command: { value: command }, delay_seconds: 0, interval_seconds: 1, timeout_seconds: 2, grace_period_seconds: 0, consecutive_failures: 2, ...extra },
  });
  /** States, with the health an update reports. */
  const health = (run: TaskRun) => run.updates.map((u) => `${u['state']}${u['healthy'] === undefined ? '' : u['healthy'] ? ' healthy' : ' unhealthy'}`);
  const assertHealthUpdates = (run: TaskRun) => {
    for (const u of run.updates.filter((x) => x['state'] === 'TASK_RUNNING' && x['healthy'] !== undefined)) {
      assert.deepEqual(Object.keys(u).sort(), ['agent_id', 'container_status', 'executor_id', 'healthy', 'reason', 'source', 'state', 'task_id', 'timestamp', 'uuid']);
      assert.equal(u['reason'], 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED');
      assert.equal(u['source'], 'SOURCE_EXECUTOR');
    }
  };

  it('a passing check is reported once, as a RUNNING update with healthy: true; the end says nothing of health', async () => {
    const run = await runTask(target().url, 'healthy', () => ({ ...shell('sleep 2.5'), ...check('exit 0') }));
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING healthy', 'TASK_FINISHED']);
    assertHealthUpdates(run);
  });

  it('each failed check is reported unhealthy; consecutive_failures of them kill the task, KILLED healthy: false', async () => {
    const run = await runTask(target().url, 'unhealthy', () => ({ ...shell('sleep 100'), ...check('exit 1') }));
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_RUNNING unhealthy', 'TASK_KILLED unhealthy']);
    assertHealthUpdates(run);
    assert.equal(last(run)['message'], 'Command terminated with signal Terminated');
  });

  it('with TASK_KILLING_STATE the health kill goes through KILLING (which says nothing of health)', async () => {
    const run = await runTask(target().url, 'unhealthykilling', () => ({ ...shell('sleep 100'), ...check('exit 1', { consecutive_failures: 1 }) }), { capabilities: ['TASK_KILLING_STATE'] });
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_KILLING', 'TASK_KILLED unhealthy']);
  });

  it('a check that recovers is reported healthy again', async () => {
    const run = await runTask(target().url, 'recovers', () => ({ ...shell('sleep 3'), ...check('test -f checked || { touch checked; exit 1; }', { consecutive_failures: 3 }) }));
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_RUNNING healthy', 'TASK_FINISHED']);
  });

  it('failures within the grace period are not reported', async () => {
    const run = await runTask(target().url, 'grace', () => ({ ...shell('sleep 2.5'), ...check('exit 1', { grace_period_seconds: 30, consecutive_failures: 1 }) }));
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  describe('over the network (the agents are on this machine: local-cluster.sh, or the simulator)', () => {
    let server: http.Server;
    let port = 0;
    before(async () => {
      server = http.createServer((req, res) => void res.writeHead(req.url === '/ok' ? 200 : req.url === '/moved' ? 302 : 500, { Location: '/ok' }).end());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    for (const [path, outcome] of [['/ok', 'healthy'], ['/moved', 'healthy'], ['/fails', 'unhealthy']] as const) {
      it(`an HTTP check of a path answering ${path === '/ok' ? 200 : path === '/moved' ? 302 : 500} is ${outcome}`, async () => {
        const run = await runTask(target().url, `http${outcome}`, () => ({
          ...shell('sleep 2.5'),
          health_check: { type: 'HTTP', http: { port, path }, delay_seconds: 0, interval_seconds: 1, timeout_seconds: 2, grace_period_seconds: 0, consecutive_failures: 1 },
        }));
        assert.deepEqual(
          health(run),
          outcome === 'healthy' ? ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING healthy', 'TASK_FINISHED'] : ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_KILLED unhealthy'],
        );
      });
    }

    // A TCP check of an open port is not checked here: the shared Mesos build lacks the
    // mesos-tcp-connect helper, so its TCP checks always fail.
    it('a TCP check of a port nobody listens on is unhealthy', async () => {
      const run = await runTask(target().url, 'tcpclosed', () => ({
        ...shell('sleep 100'),
        health_check: { type: 'TCP', tcp: { port: 1 }, delay_seconds: 0, interval_seconds: 1, timeout_seconds: 2, grace_period_seconds: 0, consecutive_failures: 1 },
      }));
      assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_KILLED unhealthy']);
    });
  });

  it('a check that outlasts timeout_seconds fails', async () => {
    const run = await runTask(target().url, 'checktimeout', () => ({ ...shell('sleep 100'), ...check('sleep 10', { timeout_seconds: 1, consecutive_failures: 1 }) }));
    assert.deepEqual(health(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING unhealthy', 'TASK_KILLED unhealthy']);
  });
});
