// Every scheduler call through the SDK's MesosScheduler, in both encodings: what the call returns
// or throws, and the events that follow, as real Mesos 1.11 does them.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { ENCODINGS, SdkFramework, commandTask, frameworkState, launchOp, sleep, statusShape, taskId, uniqueName, type SdkFrameworkOptions, withSdkFramework } from './support/sdk-framework.js';
import { ApiError } from '../../src/errors/index.js';
import type { v1 } from '../../src/protocol/generated/index.js';

const QUIET_MS = 1500;

conformance(
  'scheduler calls through the SDK',
  (target) => {
    const withFramework = (what: string, options: Omit<SdkFrameworkOptions, 'name'>, body: (f: SdkFramework) => Promise<void>) =>
      withSdkFramework(target().url, what, options, body);
    /** A framework with a task running `sleep 30` (names starting `long-` run forever on the simulator). */
    async function withRunningTask(what: string, options: Omit<SdkFrameworkOptions, 'name'>, body: (f: SdkFramework, id: string, agentId: string) => Promise<void>): Promise<void> {
      await withFramework(what, options, async (f) => {
        const [o] = await f.freshOffers(1);
        const id = taskId('long');
        await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 30'))], { refuse_seconds: 0 });
        f.spend(o!);
        await f.waitForUpdate(id, 'TASK_RUNNING');
        await body(f, id, o!.agent_id.value);
      });
    }
    const reconciliation = (f: SdkFramework, id: string) => f.updates(id).filter((u) => u.reason === 'REASON_RECONCILIATION');

    for (const encoding of ENCODINGS) {
      it(`ACCEPT with LAUNCH of \`sleep 0.2\`: STARTING, RUNNING, FINISHED, each acknowledged; the master keeps no update unacknowledged (${encoding})`, async () => {
        await withFramework('launch', { encoding }, async (f) => {
          const [o] = await f.freshOffers(1);
          const id = taskId('launch');
          assert.equal(await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 0.2'))], { refuse_seconds: 0 }), undefined);
          f.spend(o!);
          await f.waitForUpdate(id, 'TASK_FINISHED');
          assert.deepEqual(f.updates(id).map(statusShape), [
            { state: 'TASK_STARTING', source: 'SOURCE_EXECUTOR', has_uuid: true, has_agent_id: true },
            { state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', has_uuid: true, has_agent_id: true },
            { state: 'TASK_FINISHED', source: 'SOURCE_EXECUTOR', message: 'Command exited with status 0', has_uuid: true, has_agent_id: true },
          ]);
          assert.ok(f.updates(id).every((u) => u.executor_id?.value === id), 'the command executor is named after the task');
          await f.waitFor(() => f.acked.length === 3, 5000, 'three acknowledgements');
          assert.deepEqual(f.ackErrors, []);
          // Acknowledged to the end: the task leaves the framework's active tasks.
          await f.waitForAsync(async () => {
            const fw = await frameworkState(target().url, f.sched.frameworkId!);
            return !(fw?.['tasks'] ?? []).some((t: { id: string }) => t.id === id);
          }, 5000, 'the task to leave /master/state tasks');
          await sleep(QUIET_MS);
          assert.equal(f.updates(id).length, 3, 'nothing is resent');
        });
      });

      it(`ACKNOWLEDGE: updates wait for their acknowledgement one at a time; acknowledging each releases the next (${encoding})`, async () => {
        await withFramework('ack', { encoding, autoAck: false }, async (f) => {
          const [o] = await f.freshOffers(1);
          const id = taskId('ack');
          await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'true'))], { refuse_seconds: 0 });
          f.spend(o!);
          for (const state of ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'] as const) {
            const s = await f.waitForUpdate(id, state);
            await sleep(state === 'TASK_STARTING' ? QUIET_MS : 0);
            assert.equal(f.updates(id).at(-1)!.state, state, `nothing after ${state} before it is acknowledged`);
            const fw = await frameworkState(target().url, f.sched.frameworkId!);
            assert.ok((fw?.['tasks'] ?? []).some((t: { id: string }) => t.id === id), `unacknowledged ${state}: the task is still active in /master/state`);
            assert.equal(await f.sched.acknowledge(s.agent_id!, s.task_id, s.uuid!), undefined);
          }
          await f.waitForAsync(async () => {
            const fw = await frameworkState(target().url, f.sched.frameworkId!);
            return !(fw?.['tasks'] ?? []).some((t: { id: string }) => t.id === id);
          }, 5000, 'the task to leave /master/state tasks');
        });
      });

      it(`ACKNOWLEDGE of a uuid that is not a valid UUID: ApiError ERR_HTTP_400 "Not a valid UUID" (${encoding})`, async () => {
        await withRunningTask('ack-invalid', { encoding }, async (f, id, agentId) => {
          for (const uuid of [new Uint8Array(16), new Uint8Array(3)]) {
            await assert.rejects(f.sched.acknowledge({ value: agentId }, { value: id }, uuid), (err: unknown) => {
              assert.ok(err instanceof ApiError);
              assert.equal(err.code, 'ERR_HTTP_400');
              assert.equal(err.status, 400);
              assert.equal(err.body, 'Failed to validate scheduler::Call: Not a valid UUID');
              assert.match(err.message, /answered ACKNOWLEDGE with 400: Failed to validate scheduler::Call: Not a valid UUID$/);
              return true;
            });
          }
          assert.equal(f.sched.state, 'subscribed', 'a refused call does not touch the subscription');
          await f.sched.kill({ value: id });
          await f.waitForUpdate(id, 'TASK_KILLED');
        });
      });

      for (const killing of [false, true]) {
        it(`KILL of a running task: ${killing ? 'TASK_KILLING then ' : ''}TASK_KILLED "Command terminated with signal Terminated" (${encoding}${killing ? ', TASK_KILLING_STATE' : ''})`, async () => {
          const capabilities: SdkFrameworkOptions['capabilities'] = killing ? ['MULTI_ROLE', 'TASK_KILLING_STATE'] : ['MULTI_ROLE'];
          await withRunningTask('kill', { encoding, capabilities }, async (f, id) => {
            assert.equal(await f.sched.kill({ value: id }), undefined);
            await f.waitForUpdate(id, 'TASK_KILLED');
            assert.deepEqual(f.updates(id).slice(2).map(statusShape), [
              ...(killing ? [{ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR', has_uuid: true, has_agent_id: true }] : []),
              { state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', message: 'Command terminated with signal Terminated', has_uuid: true, has_agent_id: true },
            ]);
          });
        });
      }

      for (const partitionAware of [false, true]) {
        const caps: SdkFrameworkOptions['capabilities'] = partitionAware ? ['MULTI_ROLE', 'PARTITION_AWARE'] : ['MULTI_ROLE'];
        const tag = `${encoding}${partitionAware ? ', PARTITION_AWARE' : ''}`;
        it(`RECONCILE explicit: a known task gets its latest state; unknown ids get ${partitionAware ? 'TASK_UNKNOWN/TASK_GONE' : 'TASK_LOST'} from the master (${tag})`, async () => {
          await withRunningTask('reconcile', { encoding, capabilities: caps }, async (f, id, agentId) => {
            const unknown = taskId('unknown');
            const onAgent = taskId('unknown-on-agent');
            const bogusAgent = taskId('unknown-bogus-agent');
            assert.equal(await f.sched.reconcile([{ task_id: { value: id } }]), undefined);
            await f.sched.reconcile([{ task_id: { value: unknown } }]);
            await f.sched.reconcile([{ task_id: { value: onAgent }, agent_id: { value: agentId } }]);
            await f.sched.reconcile([{ task_id: { value: bogusAgent }, agent_id: { value: 'no-such-agent-S9' } }]);
            await f.waitFor(() => [id, unknown, onAgent, bogusAgent].every((t) => reconciliation(f, t).length === 1), 5000, 'four reconciliation updates');
            const master = { reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', has_uuid: false };
            assert.deepEqual(statusShape(reconciliation(f, id)[0]!), { state: 'TASK_RUNNING', ...master, message: 'Reconciliation: Latest task state', has_agent_id: true });
            assert.deepEqual(statusShape(reconciliation(f, unknown)[0]!), { state: partitionAware ? 'TASK_UNKNOWN' : 'TASK_LOST', ...master, message: 'Reconciliation: Task is unknown', has_agent_id: false });
            assert.deepEqual(statusShape(reconciliation(f, onAgent)[0]!), { state: partitionAware ? 'TASK_GONE' : 'TASK_LOST', ...master, message: 'Reconciliation: Task is unknown to the agent', has_agent_id: true });
            assert.deepEqual(statusShape(reconciliation(f, bogusAgent)[0]!), { state: partitionAware ? 'TASK_UNKNOWN' : 'TASK_LOST', ...master, message: 'Reconciliation: Task is unknown', has_agent_id: true });
            await f.sched.kill({ value: id });
            await f.waitForUpdate(id, 'TASK_KILLED');
          });
        });
      }

      it(`RECONCILE of a task that finished and was acknowledged: the master no longer knows it (TASK_LOST "Task is unknown") (${encoding})`, async () => {
        await withFramework('reconcile-done', { encoding }, async (f) => {
          const [o] = await f.freshOffers(1);
          const id = taskId('done');
          await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'true'))], { refuse_seconds: 0 });
          f.spend(o!);
          await f.waitForUpdate(id, 'TASK_FINISHED');
          await f.waitFor(() => f.acked.length === 3, 5000, 'the acknowledgements');
          await f.waitForAsync(async () => !((await frameworkState(target().url, f.sched.frameworkId!))?.['tasks'] ?? []).some((t: { id: string }) => t.id === id), 5000, 'the task to complete');
          await f.sched.reconcile([{ task_id: { value: id } }]);
          await f.sched.reconcile([{ task_id: { value: id }, agent_id: o!.agent_id }]);
          await f.waitFor(() => reconciliation(f, id).length === 2, 5000, 'two answers');
          assert.deepEqual(reconciliation(f, id).map((u) => [u.state, u.message, !!u.agent_id]), [
            ['TASK_LOST', 'Reconciliation: Task is unknown', false],
            ['TASK_LOST', 'Reconciliation: Task is unknown to the agent', true],
          ]);
          const implicitFrom = f.events.length;
          await f.sched.reconcile([]);
          await sleep(QUIET_MS);
          assert.deepEqual(f.events.slice(implicitFrom).filter((e) => e.type === 'UPDATE'), [], 'implicit reconciliation names no completed task');
        });
      });

      it(`RECONCILE implicit (empty list): one update per active task, from the master (${encoding})`, async () => {
        await withRunningTask('reconcile-implicit', { encoding }, async (f, id) => {
          const from = f.events.length;
          await f.sched.reconcile([]);
          await f.waitFor(() => reconciliation(f, id).length === 1, 5000, 'the implicit reconciliation update');
          await sleep(QUIET_MS);
          const answers = f.events.slice(from).filter((e) => e.type === 'UPDATE').map((e) => e.update!.status);
          assert.deepEqual(answers.map((s) => [s.task_id.value, statusShape(s)]), [
            [id, { state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', message: 'Reconciliation: Latest task state', has_uuid: false, has_agent_id: true }],
          ]);
          await f.sched.kill({ value: id });
          await f.waitForUpdate(id, 'TASK_KILLED');
        });
      });

      for (const killing of [false, true]) {
        it(`KILL right after the ACCEPT, before the executor has the task: one TASK_KILLED from the agent, REASON_TASK_KILLED_DURING_LAUNCH (${encoding}${killing ? ', TASK_KILLING_STATE' : ''})`, async () => {
          const capabilities: SdkFrameworkOptions['capabilities'] = killing ? ['MULTI_ROLE', 'TASK_KILLING_STATE'] : ['MULTI_ROLE'];
          await withFramework('kill-staging', { encoding, capabilities }, async (f) => {
            const [o] = await f.freshOffers(1);
            const id = taskId('staging');
            await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 30'))], { refuse_seconds: 0 });
            f.spend(o!);
            await f.sched.kill({ value: id });
            await f.waitForUpdate(id, 'TASK_KILLED');
            await sleep(QUIET_MS);
            assert.deepEqual(f.updates(id).map(statusShape), [
              { state: 'TASK_KILLED', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', source: 'SOURCE_AGENT', message: 'Killed before delivery to the executor', has_uuid: true, has_agent_id: true },
            ]);
          });
        });
      }

      it(`KILL naming another agent than the task's: 202 and dropped, the task keeps running (${encoding})`, async () => {
        await withRunningTask('kill-wrong-agent', { encoding }, async (f, id) => {
          await f.sched.kill({ value: id }, { value: 'no-such-agent-S9' });
          await sleep(QUIET_MS);
          await f.sched.reconcile([{ task_id: { value: id } }]);
          await f.waitFor(() => reconciliation(f, id).length === 1, 5000, 'reconciliation');
          assert.deepEqual(f.updates(id).map((u) => u.state), ['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING']);
          await f.sched.kill({ value: id });
          await f.waitForUpdate(id, 'TASK_KILLED');
        });
      });

      for (const killing of [false, true]) {
        it(`SHUTDOWN of a running task's command executor: the task is killed as by KILL (${encoding}${killing ? ', TASK_KILLING_STATE' : ''})`, async () => {
          const capabilities: SdkFrameworkOptions['capabilities'] = killing ? ['MULTI_ROLE', 'TASK_KILLING_STATE'] : ['MULTI_ROLE'];
          await withRunningTask('shutdown', { encoding, capabilities }, async (f, id, agentId) => {
            // The command executor's id is the task's id.
            assert.equal(f.updates(id)[0]!.executor_id?.value, id);
            assert.equal(await f.sched.shutdown({ value: id }, { value: agentId }), undefined);
            await f.waitForUpdate(id, 'TASK_KILLED');
            assert.deepEqual(f.updates(id).slice(2).map(statusShape), [
              ...(killing ? [{ state: 'TASK_KILLING', source: 'SOURCE_EXECUTOR', has_uuid: true, has_agent_id: true }] : []),
              { state: 'TASK_KILLED', source: 'SOURCE_EXECUTOR', message: 'Command terminated with signal Terminated', has_uuid: true, has_agent_id: true },
            ]);
          });
        });
      }

      it(`KILL of an unknown task: 202, then a reconciliation answer (TASK_LOST "Reconciliation: Task is unknown") (${encoding})`, async () => {
        await withFramework('kill-unknown', { encoding }, async (f) => {
          const [o] = await f.freshOffers(1);
          const unknown = taskId('kill-unknown');
          const onAgent = taskId('kill-unknown-agent');
          assert.equal(await f.sched.kill({ value: unknown }), undefined);
          await f.sched.kill({ value: onAgent }, o!.agent_id);
          await f.waitFor(() => f.updates(unknown).length === 1 && f.updates(onAgent).length === 1, 5000, 'answers');
          assert.deepEqual(statusShape(f.updates(unknown)[0]!), { state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', message: 'Reconciliation: Task is unknown', has_uuid: false, has_agent_id: false });
          assert.deepEqual(statusShape(f.updates(onAgent)[0]!), { state: 'TASK_LOST', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER', message: 'Reconciliation: Task is unknown to the agent', has_uuid: false, has_agent_id: true });
        });
      });

      it(`SHUTDOWN of an executor that does not exist, MESSAGE to it, REQUEST: 202 each and no event follows (${encoding})`, async () => {
        await withRunningTask('no-executor', { encoding }, async (f, id, agentId) => {
          const agent = { value: agentId };
          const from = f.events.length;
          assert.equal(await f.sched.shutdown({ value: 'no-such-executor' }, agent), undefined);
          assert.equal(await f.sched.shutdown({ value: 'no-such-executor' }, { value: 'no-such-agent-S9' }), undefined);
          assert.equal(await f.sched.message(agent, { value: 'no-such-executor' }, new Uint8Array([1, 2, 3])), undefined);
          assert.equal(await f.sched.message({ value: 'no-such-agent-S9' }, { value: 'no-such-executor' }, new Uint8Array([1])), undefined);
          assert.equal(await f.sched.request([{ agent_id: agent, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }] }]), undefined);
          assert.equal(await f.sched.request([]), undefined);
          await sleep(QUIET_MS);
          assert.deepEqual(f.events.slice(from).filter((e) => e.type !== 'HEARTBEAT' && e.type !== 'OFFERS').map((e) => e.type), []);
          assert.equal(f.updates(id).at(-1)!.state, 'TASK_RUNNING', 'the running task is untouched');
          assert.equal(f.sched.state, 'subscribed');
          await f.sched.kill({ value: id });
          await f.waitForUpdate(id, 'TASK_KILLED');
        });
      });

      it(`ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS of unknown ids, ACKNOWLEDGE_OPERATION_STATUS of an unknown operation, REVIVE of an invalid role, SUPPRESS of a foreign role: 202 each, nothing follows (${encoding})`, async () => {
        await withFramework('quiet-calls', { encoding }, async (f) => {
          const [o] = await f.freshOffers(1);
          const from = f.events.length;
          assert.equal(await f.sched.acceptInverseOffers([{ value: 'no-such-inverse-offer' }]), undefined);
          assert.equal(await f.sched.declineInverseOffers([{ value: 'no-such-inverse-offer' }], { refuse_seconds: 1 }), undefined);
          const uuid = Uint8Array.from([1, 2, 3, 4, 5, 6, 0x41, 8, 0x81, 10, 11, 12, 13, 14, 15, 16]);
          assert.equal(await f.sched.acknowledgeOperationStatus({ agent_id: o!.agent_id, uuid, operation_id: { value: 'no-such-op' } }), undefined);
          assert.equal(await f.sched.revive(['bad role']), undefined);
          assert.equal(await f.sched.suppress(['other-role']), undefined);
          await sleep(QUIET_MS);
          assert.deepEqual(f.events.slice(from).filter((e) => e.type !== 'HEARTBEAT' && e.type !== 'OFFERS').map((e) => e.type), []);
          assert.equal(f.sched.state, 'subscribed');
        });
      });

      it(`RECONCILE_OPERATIONS: 202 (the SDK returns undefined), then OPERATION_UNKNOWN per unknown operation (${encoding})`, async () => {
        await withFramework('reconcile-ops', { encoding }, async (f) => {
          const [o] = await f.freshOffers(1);
          assert.equal(await f.sched.reconcileOperations([]), undefined);
          assert.equal(await f.sched.reconcileOperations([{ operation_id: { value: 'op-1' } }]), undefined);
          assert.equal(await f.sched.reconcileOperations([{ operation_id: { value: 'op-2' }, agent_id: o!.agent_id }]), undefined);
          assert.equal(await f.sched.reconcileOperations([{ operation_id: { value: 'op-3' }, agent_id: { value: 'no-such-agent-S9' } }]), undefined);
          await f.waitFor(() => f.ofType('UPDATE_OPERATION_STATUS').length === 3, 5000, 'three operation statuses');
          assert.deepEqual(f.ofType('UPDATE_OPERATION_STATUS').map((e) => e.update_operation_status!.status), [
            { operation_id: { value: 'op-1' }, state: 'OPERATION_UNKNOWN', message: "Reconciliation: Operation is unknown and no 'agent_id' was provided" },
            { operation_id: { value: 'op-2' }, state: 'OPERATION_UNKNOWN', message: 'Reconciliation: Operation is unknown', agent_id: o!.agent_id },
            { operation_id: { value: 'op-3' }, state: 'OPERATION_UNKNOWN', message: 'Reconciliation: Both operation and agent are unknown', agent_id: { value: 'no-such-agent-S9' } },
          ]);
        });
      });

      it(`UPDATE_FRAMEWORK with a new name: 200 (the SDK returns undefined) and /master/state shows it (${encoding})`, async () => {
        await withFramework('update', { encoding }, async (f) => {
          const name = `${f.options.name}-renamed`;
          const info = { user: 'root', name, failover_timeout: 0, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };
          assert.equal(await f.sched.updateFramework(info), undefined);
          await f.waitForAsync(async () => (await frameworkState(target().url, f.sched.frameworkId!))?.['name'] === name, 5000, 'the new name');
        });
      });

      it(`UPDATE_FRAMEWORK refused: ApiError ERR_HTTP_400 carrying the master's text; the subscription stays (${encoding})`, async () => {
        await withFramework('update-refused', { encoding }, async (f) => {
          const info = { user: 'root', name: f.options.name, failover_timeout: 0, roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };
          const cases: Array<[v1.FrameworkInfo, string[] | undefined, string]> = [
            [{ ...info, user: 'nobody' }, undefined, "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'nobody'"],
            [{ ...info, checkpoint: true }, undefined, "FrameworkInfo update is not valid: Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from 'false' to 'true'"],
            // The principal is checked before the user, and the user before the checkpoint.
            [{ ...info, user: 'nobody', checkpoint: true, principal: 'p1' }, undefined, "FrameworkInfo update is not valid: Changing framework's principal is not allowed."],
            [{ ...info, user: 'nobody', checkpoint: true }, undefined, "FrameworkInfo update is not valid: Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'nobody'"],
            // The new FrameworkInfo itself is checked before what it changes.
            [{ ...info, user: 'nobody' }, ['other'], "Supplied FrameworkInfo is not valid: Suppressed role 'other' is not contained in the list of roles"],
            [{ ...info, roles: ['a', 'a'] }, undefined, "Supplied FrameworkInfo is not valid: 'FrameworkInfo.roles' contains duplicate items: { a }"],
            [{ ...info, capabilities: [] }, undefined, "Supplied FrameworkInfo is not valid: 'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"],
            [info, ['other'], "Supplied FrameworkInfo is not valid: Suppressed role 'other' is not contained in the list of roles"],
            [{ ...info, roles: ['bad role'] }, undefined, "Supplied FrameworkInfo is not valid: 'FrameworkInfo.roles' contains invalid role: Role component 'bad role' is invalid because it contains backspace or whitespace"],
            [{ ...info, role: 'x' }, undefined, "Supplied FrameworkInfo is not valid: 'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"],
          ];
          for (const [update, suppressed, text] of cases) {
            await assert.rejects(f.sched.updateFramework(update, undefined, suppressed), (err: unknown) => {
              assert.ok(err instanceof ApiError);
              assert.equal(err.code, 'ERR_HTTP_400');
              assert.equal(err.body, text);
              assert.ok(err.message.endsWith(`answered UPDATE_FRAMEWORK with 400: ${text}`));
              return true;
            });
          }
          assert.equal(f.sched.state, 'subscribed');
        });
      });

    }
  },
  // Simulated command tasks: `long-*` run until killed; `staging-*` reach their executor only after
  // 2 s (a real agent takes about a second to start the command executor).
  { taskBehaviours: [{ name: '^long-', outcome: 'running-forever' }, { name: '^staging-', outcome: 'running-forever', startDelayMs: 2000 }] },
);
