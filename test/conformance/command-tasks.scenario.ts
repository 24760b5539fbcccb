import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformance } from './support/targets.js';
import { assertExecutorUpdates, last, runTask, shell, states, until } from './support/command-task.js';
import { alive } from '../support/processes.js';

conformance('command tasks', (target) => {
  let files: string;
  before(() => {
    files = mkdtempSync(join(tmpdir(), 'conformance-fetch-'));
    chmodSync(files, 0o755);
    writeFileSync(join(files, 'data.txt'), 'hello\n');
    writeFileSync(join(files, 'run.sh'), '#!/bin/sh\nexit 0\n');
    writeFileSync(join(files, 'inside.txt'), 'from the archive\n');
    const tar = spawnSync('tar', ['-czf', join(files, 'bundle.tar.gz'), '-C', files, 'inside.txt']);
    assert.equal(tar.status, 0, String(tar.stderr));
  });
  after(() => rmSync(files, { recursive: true, force: true }));

  it('exit 0: STARTING, RUNNING, FINISHED "Command exited with status 0", all from the executor', async () => {
    const run = await runTask(target().url, 'exit0', () => shell('exit 0'));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command exited with status 0');
  });

  it('exit 3: FAILED "Command exited with status 3" with no reason', async () => {
    const run = await runTask(target().url, 'exit3', () => shell('exit 3'));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command exited with status 3');
    assert.equal(last(run)['reason'], undefined);
  });

  it('killed by a signal: FAILED "Command terminated with signal Killed"', async () => {
    const run = await runTask(target().url, 'signal', () => shell('kill -9 $$'));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command terminated with signal Killed');
  });

  it('a shell command not found: FAILED "Command exited with status 127"', async () => {
    const run = await runTask(target().url, 'notfound', () => shell('no-such-command-for-conformance'));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assert.equal(last(run)['message'], 'Command exited with status 127');
  });

  it('shell: false runs value with arguments as argv (argv[0] included)', async () => {
    // argv = [sh, -c, 'exit "$0"', 5]: the script's $0 is 5 only when arguments[0] is argv[0].
    const run = await runTask(target().url, 'argv', () => ({ command: { shell: false, value: '/bin/sh', arguments: ['sh', '-c', 'exit "$0"', '5'] } }));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assert.equal(last(run)['message'], 'Command exited with status 5');
  });

  it('shell: false with a program that does not exist: RUNNING, then FAILED "Command exited with status 1"', async () => {
    const run = await runTask(target().url, 'noprogram', () => ({ command: { shell: false, value: '/no/such/program', arguments: ['program'] } }));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    assert.equal(last(run)['message'], 'Command exited with status 1');
  });

  it('KILL without TASK_KILLING_STATE: KILLED "Command terminated with signal Terminated", no KILLING', async () => {
    const run = await runTask(target().url, 'kill', () => shell('sleep 100'), { kill: true });
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command terminated with signal Terminated');
    assert.equal(last(run)['reason'], undefined);
  });

  it('KILL with TASK_KILLING_STATE: KILLING (no message), then KILLED', async () => {
    const run = await runTask(target().url, 'killing', () => shell('sleep 100'), { capabilities: ['TASK_KILLING_STATE'], kill: true });
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command terminated with signal Terminated');
  });

  it('KILL of a command that ignores SIGTERM: SIGKILL after the grace period, KILLED "Command terminated with signal Killed"', async () => {
    const run = await runTask(target().url, 'graceful', () => ({
      command: { value: 'trap "" TERM; while true; do sleep 0.1; done' },
      kill_policy: { grace_period: { nanoseconds: 500_000_000 } },
    }), { kill: true, killAfterMs: 500 });
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    assert.equal(last(run)['message'], 'Command terminated with signal Killed');
  });

  it('KILL of a command that exits 0 on SIGTERM: still KILLED, "Command exited with status 0"', async () => {
    const run = await runTask(target().url, 'cleanexit', () => shell('trap "exit 0" TERM; while true; do sleep 0.1; done'), { kill: true, killAfterMs: 500 });
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLED']);
    assert.equal(last(run)['message'], 'Command exited with status 0');
  });

  it('SHUTDOWN of the executor of a command task (executor id = task id) kills the task like KILL', async () => {
    const run = await runTask(target().url, 'shutdown', () => shell('sleep 100'), { capabilities: ['TASK_KILLING_STATE'], kill: true, shutdown: true });
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    assertExecutorUpdates(run);
    assert.equal(last(run)['message'], 'Command terminated with signal Terminated');
  });

  it('KILL before the task reached its executor: the agent kills it, REASON_TASK_KILLED_DURING_LAUNCH', async () => {
    const run = await runTask(target().url, 'killearly', () => shell('sleep 100'), { killAtOnce: true });
    assert.deepEqual(states(run), ['TASK_KILLED']);
    const u = last(run);
    assert.deepEqual(Object.keys(u).sort(), ['agent_id', 'executor_id', 'message', 'reason', 'source', 'state', 'task_id', 'timestamp', 'uuid']);
    assert.equal(u['source'], 'SOURCE_AGENT');
    assert.equal(u['reason'], 'REASON_TASK_KILLED_DURING_LAUNCH');
    assert.equal(u['message'], 'Killed before delivery to the executor');
    assert.equal(u['executor_id'].value, run.taskId);
  });

  it('the command executor dies: the agent fails the task, "Executor terminated", and the command dies with its container', async (t) => {
    const pidFile = join(files, `pid-${randomBytes(3).toString('hex')}`);
    let killed = false;
    const run = await runTask(target().url, 'executordies', () => shell(`echo $$ > ${pidFile}; exec sleep 100`), {
      onRunning: async (running, kill) => {
        const pid: number = running['container_status'].executor_pid;
        // Only an agent on this machine (local-cluster.sh, or the simulator) writes our pid file.
        const local = await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')).then(() => true, () => false);
        if (!local) {
          await kill();
          return;
        }
        process.kill(pid, 'SIGKILL');
        killed = true;
      },
    });
    if (!killed) {
      t.skip('the agent runs on another machine');
      return;
    }
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FAILED']);
    const u = last(run);
    assert.deepEqual(Object.keys(u).sort(), ['agent_id', 'executor_id', 'message', 'reason', 'source', 'state', 'task_id', 'timestamp', 'uuid']);
    assert.equal(u['source'], 'SOURCE_AGENT');
    assert.equal(u['reason'], 'REASON_EXECUTOR_TERMINATED');
    assert.equal(u['message'], 'Executor terminated');
    const commandPid = Number(readFileSync(pidFile, 'utf8'));
    await until(() => !alive(commandPid), 10_000);
  });

  it('a Docker container on agents without the Docker containerizer: FAILED "Abnormal executor termination: unknown container"', async () => {
    const run = await runTask(target().url, 'docker', () => ({ ...shell('exit 0'), container: { type: 'DOCKER', docker: { image: 'alpine:3' } } }));
    assert.deepEqual(states(run), ['TASK_FAILED']);
    const u = last(run);
    assert.equal(u['source'], 'SOURCE_AGENT');
    assert.equal(u['reason'], 'REASON_EXECUTOR_TERMINATED');
    assert.equal(u['message'], 'Abnormal executor termination: unknown container');
    assert.equal(u['executor_id'].value, run.taskId);
  });

  it('a Mesos container with an image on agents without a provisioner: FAILED "Unsupported container image type"', async () => {
    const run = await runTask(target().url, 'image', () => ({ ...shell('exit 0'), container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3' } } } } }));
    assert.deepEqual(states(run), ['TASK_FAILED']);
    const u = last(run);
    assert.equal(u['source'], 'SOURCE_AGENT');
    assert.equal(u['reason'], 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(u['message'], 'Failed to launch container: Unsupported container image type: 2');
  });

  it('a Mesos container without an image runs the command as usual', async () => {
    const run = await runTask(target().url, 'mesosbox', () => ({ ...shell('exit 0'), container: { type: 'MESOS' } }));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    assertExecutorUpdates(run);
  });

  it("the task sees the agent's environment: MESOS_* of its executor and sandbox, its CommandInfo variables, no MESOS_TASK_ID", async () => {
    // Each check exits with its own status, so a failure names the check in the message.
    const run = await runTask(target().url, 'env', ({ frameworkId, agentId, taskId }) => ({
      command: {
        value: [
          `test "$MESOS_EXECUTOR_ID" = "${taskId}" || exit 10`,
          `test "$MESOS_FRAMEWORK_ID" = "${frameworkId}" || exit 11`,
          `test "$MESOS_SLAVE_ID" = "${agentId}" || exit 12`,
          'test -n "$MESOS_SANDBOX" && test "$MESOS_SANDBOX" = "$MESOS_DIRECTORY" || exit 13',
          'test "$(pwd -P)" = "$(cd "$MESOS_SANDBOX" && pwd -P)" || exit 14',
          `case "$MESOS_SANDBOX" in */slaves/${agentId}/frameworks/${frameworkId}/executors/${taskId}/runs/*) ;; *) exit 15 ;; esac`,
          'test -z "${MESOS_TASK_ID+set}" || exit 16',
          'test -z "${MESOS_AGENT_ID+set}" || exit 17',
          'test "$CONFORMANCE_VAR" = "a b" || exit 18',
          'test "$MESOS_CHECKPOINT" = 0 || exit 19',
          'test "$MESOS_ALLOCATION_ROLE" = "*" || exit 20',
          'test -n "$MESOS_AGENT_ENDPOINT" || exit 21',
          'test "$MESOS_HTTP_COMMAND_EXECUTOR" = 0 || exit 22',
          'test -n "$MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD" || exit 23',
          'test -n "$MESOS_SLAVE_PID" || exit 24',
          'test -z "${PORT0+set}" && test -z "${HOST+set}" || exit 25',
          'test -f stdout && test -f stderr || exit 26',
        ].join('\n'),
        environment: { variables: [{ name: 'CONFORMANCE_VAR', value: 'a b' }] },
      },
    }));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'], `ended with: ${last(run)['message']}`);
  });

  it('URIs are fetched into the sandbox before the command starts (file:// and absolute paths, executable, archives extracted)', async () => {
    const run = await runTask(target().url, 'fetch', () => ({
      command: {
        value: ['test "$(cat data.txt)" = hello || exit 10', 'test -x run.sh || exit 11', 'test -f inside.txt || exit 12', 'test -f bundle.tar.gz || exit 13', './run.sh'].join('\n'),
        uris: [{ value: `file://${join(files, 'data.txt')}` }, { value: join(files, 'run.sh'), executable: true }, { value: `file://${join(files, 'bundle.tar.gz')}` }],
      },
    }));
    assert.deepEqual(states(run), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'], `ended with: ${last(run)['message']}`);
  });

  it('a URI that cannot be fetched: the agent fails the task (no STARTING) with REASON_CONTAINER_LAUNCH_FAILED', async () => {
    const run = await runTask(target().url, 'nofetch', () => ({ command: { value: 'exit 0', uris: [{ value: `file://${join(files, 'missing.txt')}` }] } }));
    assert.deepEqual(states(run), ['TASK_FAILED']);
    const u = last(run);
    assert.deepEqual(Object.keys(u).sort(), ['agent_id', 'executor_id', 'message', 'reason', 'source', 'state', 'task_id', 'timestamp', 'uuid']);
    assert.equal(u['source'], 'SOURCE_AGENT');
    assert.equal(u['reason'], 'REASON_CONTAINER_LAUNCH_FAILED');
    assert.equal(u['executor_id'].value, run.taskId);
    assert.match(u['message'], /^Failed to launch container: Failed to fetch all URIs for container '[0-9a-f-]{36}': exited with status 1$/);
  });
});
