import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { conformance, type MasterTarget } from './support/targets.js';
import { Session, until, type Status } from '../executor/conformance-session.js';

// LAUNCH_GROUP in more detail (the master's validation of the group's executor, the DEFAULT
// executor's KILL and container statuses) and the FAILURE event of a custom executor that exits
// by itself. Measured on Mesos 1.11; the simulator answers the same.

conformance('task groups and executor exits', (target: () => MasterTarget) => {
  const sessions: Session[] = [];
  const open = async (label: string) => {
    const s = await Session.open(target().url, label);
    sessions.push(s);
    return s;
  };
  after(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });
  const tag = () => randomBytes(4).toString('hex');

  it('LAUNCH_GROUP: each invalid group executor fails its tasks with the master\'s text (TASK_ERROR, REASON_TASK_GROUP_INVALID)', async () => {
    const s = await open('group-validation');
    try {
      const fw = { value: s.frameworkId };
      const cases: Array<[Record<string, unknown>, (id: string) => string]> = [
        [{ framework_id: fw, resources: s.resources(0.1, 32, 10) }, () => "'ExecutorInfo.type' must be set"],
        [{ type: 'DEFAULT', framework_id: fw, command: { value: 'true' }, resources: s.resources(0.1, 32, 10) }, () => "'ExecutorInfo.command' must not be set for 'DEFAULT' executor"],
        [{ type: 'CUSTOM', framework_id: fw, resources: s.resources(0.1, 32, 10) }, () => "'ExecutorInfo.command' must be set for 'CUSTOM' executor"],
        [{ type: 'DEFAULT', framework_id: { value: 'other' }, resources: s.resources(0.1, 32, 10) }, () => `ExecutorInfo has an invalid FrameworkID (Actual: other vs Expected: ${s.frameworkId})`],
        [{ type: 'DEFAULT', framework_id: fw, resources: s.resources(0.1, 32, 10).filter((r) => r['name'] !== 'cpus') }, (id) => `Executor '${id}' uses less CPUs (None) than the minimum required (0.01)`],
        [{ type: 'DEFAULT', framework_id: fw, resources: s.resources(0.005, 32, 10) }, (id) => `Executor '${id}' uses less CPUs (0.005) than the minimum required (0.01)`],
        [{ type: 'DEFAULT', framework_id: fw, resources: s.resources(0.1, 16, 10) }, (id) => `Executor '${id}' uses less memory (16MB) than the minimum required (32MB)`],
        [{ type: 'CUSTOM', framework_id: fw, command: { value: 'sleep 1' }, resources: s.resources(0.1, 32) }, (id) => `Executor '${id}' uses no disk`],
      ];
      const groups = cases.map(([executor], i) => {
        const id = `invalid-${i}-${tag()}`;
        return { id, op: { type: 'LAUNCH_GROUP', launch_group: { executor: { executor_id: { value: `${id}.executor` }, ...executor }, task_group: { tasks: [{ name: id, task_id: { value: id }, agent_id: s.agentId, resources: s.resources(0.1, 32), command: { value: 'true' } }] } } } };
      });
      await s.accept(groups.map((g) => g.op));
      for (const [i, g] of groups.entries()) {
        const [error, ...more] = await s.ended(g.id);
        assert.equal(more.length, 0, JSON.stringify(more));
        assert.deepEqual([error!['state'], error!['source'], error!['reason']], ['TASK_ERROR', 'SOURCE_MASTER', 'REASON_TASK_GROUP_INVALID']);
        assert.equal(error!['message'], cases[i]![1](`${g.id}.executor`));
        assert.equal(error!['uuid'], undefined);
      }
    } finally {
      await s.close();
    }
  });

  it('LAUNCH_GROUP: KILL of one task kills its whole group; the DEFAULT executor then exits (FAILURE, status 0)', async () => {
    const s = await open('group-kill');
    try {
      const id = `group-kill-${tag()}`;
      const tasks = [0, 1].map((i) => ({ name: `${id}-${i}`, task_id: { value: `${id}-${i}` }, agent_id: s.agentId, resources: s.resources(0.1, 32), command: { value: 'sleep 30' } }));
      const executor = { executor_id: { value: `${id}.executor` }, framework_id: { value: s.frameworkId }, type: 'DEFAULT', resources: s.resources(0.1, 32, 10) };
      await s.accept([{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks } } }]);
      const running = [await s.running(`${id}-0`), await s.running(`${id}-1`)];
      const r = await s.call({ type: 'KILL', kill: { task_id: { value: `${id}-0` }, agent_id: s.agentId } });
      assert.equal(r.status, 202, r.body);
      const ends = [await s.ended(`${id}-0`), await s.ended(`${id}-1`)];
      for (const updates of ends) {
        assert.deepEqual(updates.map((u) => u['state']), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
        assert.deepEqual([updates[2]!['source'], updates[2]!['reason']], ['SOURCE_EXECUTOR', undefined]);
        // Mesos 1.11 says either (measured both, run to run): the kill is SIGTERM, then SIGKILL.
        assert.match(updates[2]!['message'], /^Command terminated with signal (Terminated|Killed)$/);
        // Each task is a container of its own, nested in the executor's.
        const containers = new Set(updates.map((u: Status) => u['container_status']?.container_id?.value));
        assert.equal(containers.size, 1, JSON.stringify(updates.map((u) => u['container_status'])));
        for (const u of updates) assert.equal(typeof u['container_status']?.container_id?.parent?.value, 'string', JSON.stringify(u['container_status']));
      }
      for (const u of running) assert.equal(typeof u['container_status']?.executor_pid, 'number', JSON.stringify(u['container_status']));
      assert.equal(running[0]!['container_status'].container_id.parent.value, running[1]!['container_status'].container_id.parent.value);
      assert.notEqual(running[0]!['container_status'].container_id.value, running[1]!['container_status'].container_id.value);
      await until('a FAILURE event for the default executor', () => s.failures(`${id}.executor`).length > 0, 10_000);
      assert.equal(s.failures(`${id}.executor`)[0]!['status'], 0);
    } finally {
      await s.close();
    }
  });

  it('LAUNCH_GROUP: the DEFAULT executor fetches a task\'s URIs into its sandbox, fails a task whose fetch fails or that has no command', async () => {
    const s = await open('group-fetch');
    try {
      const cases: Array<[Record<string, unknown> | undefined, string[], RegExp]> = [
        [{ value: 'test -f hello.txt', uris: [{ value: '/etc/hostname', output_file: 'hello.txt' }] }, ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'], /^Command exited with status 0$/],
        [{ value: 'true', uris: [{ value: '/nonexistent/file' }] }, ['TASK_STARTING', 'TASK_FAILED'], /^Command (exited with status 1|terminated with signal Killed)$/],
        [undefined, ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED'], /^Command exited with status 1$/],
      ];
      const ids = cases.map((_, i) => `group-fetch-${i}-${tag()}`);
      await s.accept(cases.map(([command], i) => ({
        type: 'LAUNCH_GROUP',
        launch_group: {
          executor: { executor_id: { value: `${ids[i]}.executor` }, framework_id: { value: s.frameworkId }, type: 'DEFAULT', resources: s.resources(0.1, 32, 10) },
          task_group: { tasks: [{ name: ids[i], task_id: { value: ids[i] }, agent_id: s.agentId, resources: s.resources(0.1, 32), ...(command ? { command } : {}) }] },
        },
      })));
      for (const [i, [, states, message]] of cases.entries()) {
        const updates = await s.ended(ids[i]!);
        assert.deepEqual(updates.map((u) => u['state']), states, ids[i]);
        assert.match(updates.at(-1)!['message'], message);
        assert.equal(updates.at(-1)!['source'], 'SOURCE_EXECUTOR');
      }
    } finally {
      await s.close();
    }
  });

  for (const [what, command, status] of [
    ['exits with status 7', 'sleep 1; exit 7', 7 << 8],
    ['is terminated by SIGTERM', 'sleep 1; kill -TERM $$', 15],
  ] as const) {
    it(`a custom executor that ${what}: FAILURE with its wait status (${status}), then TASK_FAILED "Executor terminated" from the agent`, async () => {
      const s = await open('executor-exit');
      try {
        const id = `executor-exit-${tag()}`;
        const task = { name: id, task_id: { value: id }, agent_id: s.agentId, resources: s.resources(0.1, 32), executor: { executor_id: { value: `${id}.executor` }, type: 'CUSTOM', command: { value: command }, resources: s.resources(0.1, 32) } };
        await s.accept([{ type: 'LAUNCH', launch: { task_infos: [task] } }]);
        const [failed, ...more] = await s.ended(id);
        assert.equal(more.length, 0, JSON.stringify(more));
        assert.deepEqual([failed!['state'], failed!['source'], failed!['reason'], failed!['message']], ['TASK_FAILED', 'SOURCE_AGENT', 'REASON_EXECUTOR_TERMINATED', 'Executor terminated']);
        assert.deepEqual(s.failures(`${id}.executor`), [{ agent_id: s.agentId, executor_id: { value: `${id}.executor` }, status }]);
        const events = s.sub.events;
        const failureAt = events.findIndex((e) => e['type'] === 'FAILURE' && e['failure'].executor_id?.value === `${id}.executor`);
        const updateAt = events.findIndex((e) => e['type'] === 'UPDATE' && e['update'].status.task_id.value === id);
        assert.ok(failureAt >= 0 && failureAt < updateAt, 'FAILURE comes before the TASK_FAILED');
      } finally {
        await s.close();
      }
    });
  }
});

