import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RawSubscription, launch } from '../../simulator/raw-client.js';
import { waitFor } from '../../client/fake-master.js';

// Running one command task from a raw JSON scheduler, for the command task and health check scenarios.

export type Status = Record<string, any>;

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

export interface TaskRun {
  frameworkId: string;
  agentId: string;
  taskId: string;
  /** Every update of the task, in the order it arrived (each acknowledged). */
  updates: Status[];
}

export interface RunOptions {
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
export async function runTask(url: string, label: string, build: (ids: { frameworkId: string; agentId: string; taskId: string }) => Record<string, unknown>, options: RunOptions = {}): Promise<TaskRun> {
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

export const shell = (value: string) => ({ command: { value } });

/** Polls until `pred` holds (the suite's waitFor). */
export const until = (pred: () => boolean, ms = 5000): Promise<void> => waitFor(pred, ms);
export const states = (run: TaskRun) => run.updates.map((u) => u['state']);
export const last = (run: TaskRun) => run.updates.at(-1)!;

/** What every update an executor sends through the agent carries (plus `message` when it has one). */
export function assertExecutorUpdates(run: TaskRun): void {
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
