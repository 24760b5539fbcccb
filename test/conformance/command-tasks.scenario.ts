import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformance } from './support/targets.js';
import { RawSubscription, launch } from '../simulator/raw-client.js';

type Status = Record<string, any>;

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

interface TaskRun {
  frameworkId: string;
  agentId: string;
  taskId: string;
  /** Every update of the task, in the order it arrived (each acknowledged). */
  updates: Status[];
}

interface RunOptions {
  capabilities?: string[];
  /** Send KILL once the task is RUNNING. */
  kill?: boolean;
  /**
   * Wait this long after RUNNING before the KILL, for a command that must first set a trap (RUNNING
   * is sent once the command is forked, before its shell has run a line).
   */
  killAfterMs?: number;
  /** Kill with SHUTDOWN of the task's executor (its id is the task id) instead of KILL. */
  shutdown?: boolean;
  /** Send KILL right after ACCEPT, before the task can reach its executor. */
  killAtOnce?: boolean;
  /** Called once, when the task is RUNNING (with that update), instead of killing it. */
  onRunning?: (running: Status, kill: () => Promise<unknown>) => Promise<void>;
}

/**
 * Runs one command task on a fresh framework: subscribes, takes the first offer, launches the task
 * `build` describes (merged into a TaskInfo with 0.1 cpus and 32 MB), acknowledges every update,
 * optionally kills the task once it runs, waits for its end and tears the framework down.
 */
async function runTask(url: string, label: string, build: (ids: { frameworkId: string; agentId: string; taskId: string }) => Record<string, unknown>, options: RunOptions = {}): Promise<TaskRun> {
  const sub = await RawSubscription.open(url, {
    user: 'root',
    name: `conformance-command-${label}-${randomBytes(3).toString('hex')}`,
    ...(options.capabilities ? { capabilities: options.capabilities.map((type) => ({ type })) } : {}),
  });
  try {
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0, 20_000, 'an offer');
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    const agentId: string = offer.agent_id.value;
    const taskId = `${label}-${randomBytes(4).toString('hex')}`;
    const op = launch(offer, taskId, 0.1, 32, taskId, build({ frameworkId: sub.frameworkId, agentId, taskId }));
    const accepted = await sub.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [op], filters: { refuse_seconds: 1 } } });
    assert.equal(accepted.status, 202, accepted.body);
    const kill = () =>
      options.shutdown
        ? sub.call(url, { type: 'SHUTDOWN', shutdown: { executor_id: { value: taskId }, agent_id: { value: agentId } } })
        : sub.call(url, { type: 'KILL', kill: { task_id: { value: taskId }, agent_id: { value: agentId } } });
    if (options.killAtOnce) {
      const r = await kill();
      assert.equal(r.status, 202, r.body);
    }
    const acked = new Set<Status>();
    let killSent = false;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const updates = sub.updates(taskId);
      for (const u of updates) {
        if (acked.has(u)) continue;
        acked.add(u);
        if (u['uuid']) {
          const r = await sub.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: u['agent_id'], task_id: u['task_id'], uuid: u['uuid'] } });
          assert.equal(r.status, 202, r.body);
        }
      }
      const running = updates.find((u) => u['state'] === 'TASK_RUNNING');
      if (options.onRunning && !killSent && running) {
        killSent = true;
        await options.onRunning(running, kill);
      }
      if (options.kill && !killSent && running) {
        killSent = true;
        if (options.killAfterMs) await new Promise((r) => setTimeout(r, options.killAfterMs));
        const r = await kill();
        assert.equal(r.status, 202, r.body);
      }
      if (updates.some((u) => TERMINAL.has(u['state']))) break;
      if (Date.now() > deadline) throw new Error(`task ${taskId} did not end; updates: ${updates.map((u) => u['state']).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return { frameworkId: sub.frameworkId, agentId, taskId, updates: sub.updates(taskId) };
  } finally {
    await sub.call(url, { type: 'TEARDOWN' }).catch(() => undefined);
    sub.close();
  }
}

const shell = (value: string) => ({ command: { value } });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
const states = (run: TaskRun) => run.updates.map((u) => u['state']);
const last = (run: TaskRun) => run.updates.at(-1)!;

/** What every update an executor sends through the agent carries (plus `message` when it has one). */
function assertExecutorUpdates(run: TaskRun): void {
  const containerIds = new Set<string>();
  for (const u of run.updates) {
    const keys = Object.keys(u).filter((k) => k !== 'message').sort();
    assert.deepEqual(keys, ['agent_id', 'container_status', 'executor_id', 'source', 'state', 'task_id', 'timestamp', 'uuid'], `fields of ${u['state']}`);
    assert.equal(u['source'], 'SOURCE_EXECUTOR');
    assert.equal(u['agent_id'].value, run.agentId);
    assert.equal(u['executor_id'].value, run.taskId, 'a command task runs under an executor with its own id');
    assert.equal(Buffer.from(u['uuid'], 'base64').length, 16);
    const cs = u['container_status'];
    assert.deepEqual(Object.keys(cs).sort(), ['container_id', 'executor_pid', 'network_infos']);
    assert.match(cs.container_id.value, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(Number.isInteger(cs.executor_pid) && cs.executor_pid > 0);
    assert.deepEqual(cs.network_infos, [{ ip_addresses: [{ protocol: 'IPv4', ip_address: '127.0.0.1' }] }]);
    containerIds.add(cs.container_id.value);
  }
  assert.equal(containerIds.size, 1, 'one container for the task');
  for (const u of run.updates.slice(0, -1)) assert.equal(u['message'], undefined, `${u['state']} has no message`);
}

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

  describe('health checks', () => {
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
