// The subscription through the SDK's MesosScheduler, in both encodings: SUBSCRIBE and its refusals,
// TEARDOWN, the SDK's own re-subscription and a failover to another scheduler, as Mesos 1.11 does them.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { ENCODINGS, SdkFramework, commandTask, frameworkState, launchOp, taskId, taskResources, uniqueName, type SdkFrameworkOptions, withSdkFramework } from './support/sdk-framework.js';
import { NotSubscribedError, SubscriptionError } from '../../src/errors/index.js';
import { MesosHttpClient } from '../../src/client/http-client.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { MesosScheduler } from '../../src/scheduler/mesos-scheduler.js';
import type { v1 } from '../../src/protocol/generated/index.js';

conformance(
  'the subscription through the SDK',
  (target) => {
    const withFramework = (what: string, options: Omit<SdkFrameworkOptions, 'name'>, body: (f: SdkFramework) => Promise<void>) =>
      withSdkFramework(target().url, what, options, body);
    const reconciliation = (f: SdkFramework, id: string) => f.updates(id).filter((u) => u.reason === 'REASON_RECONCILIATION');

    for (const encoding of ENCODINGS) {
      it(`SUBSCRIBE: start() resolves at SUBSCRIBED with the framework id and the heartbeat interval (${encoding})`, async () => {
        await withFramework('subscribe', { encoding }, async (f) => {
          assert.equal(f.sched.state, 'subscribed');
          const first = f.events[0]!;
          assert.equal(first.type, 'SUBSCRIBED');
          // A first HEARTBEAT follows at once (not a heartbeat interval later); on Mesos it may come after the first OFFERS.
          await f.waitFor(() => f.ofType('HEARTBEAT').length > 0, 5000, 'a first HEARTBEAT');
          assert.equal(first.subscribed!.framework_id.value, f.sched.frameworkId);
          assert.equal(first.subscribed!.heartbeat_interval_seconds, 15);
          assert.equal(first.subscribed!.master_info?.version, '1.11.0');
          assert.deepEqual(f.lifecycle.map((l) => l.type), ['connected']);
          assert.equal(f.sched.streamId?.length, 36, 'the stream id is a UUID');
          const fw = await frameworkState(target().url, f.sched.frameworkId!);
          assert.equal(fw?.['active'], true);
          assert.equal(fw?.['name'], f.options.name);
        });
      });

      it(`SUBSCRIBED's master_info lists the master's capabilities, the one unknown to the v1 schema empty in both encodings (${encoding})`, async () => {
        await withFramework('master-info', { encoding }, async (f) => {
          const info = f.events[0]!.subscribed!.master_info!;
          // The third is the master's internal QUOTA_V2 (3), which the v1 schema does not declare:
          // real Mesos writes it as {} in JSON, and the SDK decodes the protobuf value 3 as {} too.
          assert.deepEqual(info.capabilities, [{ type: 'AGENT_UPDATE' }, { type: 'AGENT_DRAINING' }, {}]);
        });
      });

      const refusals: Array<[string, Partial<v1.FrameworkInfo>, string]> = [
        ['MULTI_ROLE with role set', { role: 'dev', roles: ['dev'] }, "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"],
        ['a role with a space', { roles: ['ok', 'bad role'] }, "'FrameworkInfo.roles' contains invalid role: Role component 'bad role' is invalid because it contains backspace or whitespace"],
        ['a role with a leading slash', { roles: ['/a'] }, "'FrameworkInfo.roles' contains invalid role: Role '/a' cannot start with a slash"],
        ['a role with a dash component', { roles: ['a/-b'] }, "'FrameworkInfo.roles' contains invalid role: Role component '-b' is invalid because it starts with a dash"],
        ['a duplicate role', { roles: ['a', 'a'] }, "'FrameworkInfo.roles' contains duplicate items: { a }"],
        ['roles without MULTI_ROLE', { roles: ['a'], capabilities: [] }, "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"],
        ['an empty role (not MULTI_ROLE)', { role: '', roles: undefined, capabilities: [] }, "'FrameworkInfo.role' is not a valid role: Role names cannot be the empty string"],
        ['role ".." (not MULTI_ROLE)', { role: '..', roles: undefined, capabilities: [] }, "'FrameworkInfo.role' is not a valid role: Role '..' cannot include '..' as a component"],
      ];
      for (const [what, info, text] of refusals) {
        it(`SUBSCRIBE refused (${what}): start() rejects with SubscriptionError ERR_SUBSCRIPTION_REFUSED carrying the ERROR text (${encoding})`, async () => {
          const s = new MesosScheduler(new MesosHttpClient({ masters: [target().url], encoding }), {
            frameworkInfo: { user: 'root', name: uniqueName('refused'), roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }], ...info } as v1.FrameworkInfo,
          });
          const events: string[] = [];
          const lifecycle: string[] = [];
          s.setEventHandler(async (e) => void events.push(e.type === 'ERROR' ? `ERROR ${e.error!.message}` : String(e.type)));
          s.onLifecycle((l) => lifecycle.push(`${l.type} ${(l as { error?: { code: string } }).error?.code ?? ''}`.trim()));
          try {
            await assert.rejects(s.start(), (err: unknown) => {
              assert.ok(err instanceof SubscriptionError);
              assert.equal(err.code, 'ERR_SUBSCRIPTION_REFUSED');
              assert.equal(err.retryable, false);
              assert.equal(err.message, `master sent ERROR: ${text}`);
              return true;
            });
            assert.deepEqual(events, [`ERROR ${text}`]);
            assert.deepEqual(lifecycle, ['error_event ERR_SUBSCRIPTION_REFUSED', 'stopped ERR_SUBSCRIPTION_REFUSED']);
            assert.equal(s.state, 'stopped');
          } finally {
            await s.stop();
          }
        });
      }

      it(`SUBSCRIBE with an empty user and name, and with a framework id the master never saw: both SUBSCRIBED (${encoding})`, async () => {
        const empty = await SdkFramework.start(target().url, { name: '', user: '', encoding });
        await empty.close();
        const id = `${uniqueName('never-seen')}-0000`;
        const f = await SdkFramework.start(target().url, { name: uniqueName('never-seen'), encoding, frameworkId: id });
        try {
          assert.equal(f.sched.frameworkId, id);
          assert.equal(f.events[0]!.subscribed!.framework_id.value, id);
        } finally {
          await f.close();
        }
      });

      it(`TEARDOWN: 202; the scheduler stops without re-subscribing; the framework is removed (${encoding})`, async () => {
        const f = await SdkFramework.start(target().url, { name: uniqueName('teardown'), encoding });
        try {
          const [o] = await f.freshOffers(1);
          const id = taskId('long-teardown');
          await f.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 30', { resources: taskResources(o!) }))], { refuse_seconds: 0 });
          f.spend(o!);
          await f.waitForUpdate(id, 'TASK_RUNNING');
          const frameworkId = f.sched.frameworkId!;
          assert.equal(await f.sched.teardown(), undefined);
          await f.waitFor(() => f.sched.state === 'stopped', 5000, 'the scheduler to stop');
          assert.deepEqual(f.lifecycle.map((l) => l.type), ['connected', 'stopped']);
          assert.equal((f.lifecycle[1] as { error?: unknown }).error, undefined);
          await assert.rejects(f.sched.kill({ value: id }), (err: unknown) => err instanceof NotSubscribedError && err.code === 'ERR_NOT_SUBSCRIBED');
          await f.waitForAsync(async () => (await frameworkState(target().url, frameworkId))?.['active'] !== true, 5000, 'the framework to be removed');
          // Subscribing again as the removed framework is refused with an ERROR event.
          await assert.rejects(SdkFramework.start(target().url, { name: f.options.name, encoding, frameworkId }), (err: unknown) => {
            assert.ok(err instanceof SubscriptionError);
            assert.equal(err.code, 'ERR_FRAMEWORK_REMOVED');
            assert.equal(err.message, 'master sent ERROR: Framework has been removed');
            return true;
          });
        } finally {
          await f.close();
        }
      });

      it(`the SDK re-subscribes by itself after its connections drop: same framework id, the task survives, offers held before are invalid (${encoding})`, async () => {
        const proxy = await TcpProxy.start(target().url);
        const f = await SdkFramework.start(proxy.url, { name: uniqueName('reconnect'), encoding, failoverTimeout: 60 });
        try {
          const [a, b] = await f.freshOffers(2);
          const id = taskId('long-reconnect');
          await f.sched.accept([a!.id], [launchOp(commandTask(a!, id, 'sleep 30'))], { refuse_seconds: 0 });
          f.spend(a!);
          await f.waitForUpdate(id, 'TASK_RUNNING');
          const frameworkId = f.sched.frameworkId;
          const before = f.events.length;
          assert.ok(proxy.cut() > 0);
          await f.waitFor(() => f.lifecycle.filter((l) => l.type === 'connected').length === 2, 15_000, 'the re-subscription');
          assert.deepEqual(f.lifecycle.map((l) => l.type), ['connected', 'disconnected', 'connected']);
          assert.deepEqual(f.lifecycle[2], { type: 'connected', frameworkId, streamId: f.sched.streamId, resubscribed: true });
          const again = f.events.slice(before).find((e) => e.type === 'SUBSCRIBED');
          assert.equal(again?.subscribed?.framework_id.value, frameworkId);
          assert.equal((await frameworkState(target().url, frameworkId!))?.['active'], true);
          // The offer held across the drop was taken back by the master.
          const late = taskId('late');
          await f.sched.accept([b!.id], [launchOp(commandTask(b!, late))], { refuse_seconds: 0 });
          f.spend(b!);
          const lost = await f.waitForUpdate(late, 'TASK_LOST');
          assert.equal(lost.message, `Task launched with invalid offers: Offer ${b!.id.value} is no longer valid`);
          // The task kept running meanwhile.
          await f.sched.reconcile([{ task_id: { value: id } }]);
          await f.waitFor(() => reconciliation(f, id).length === 1, 5000, 'reconciliation');
          assert.equal(reconciliation(f, id)[0]!.state, 'TASK_RUNNING');
          await f.sched.kill({ value: id });
          await f.waitForUpdate(id, 'TASK_KILLED');
        } finally {
          await f.close();
          await proxy.stop();
        }
      });

      it(`re-subscription with the framework id (failover): same id, the old scheduler gets ERROR "Framework failed over" and stops (${encoding})`, async () => {
        const old = await SdkFramework.start(target().url, { name: uniqueName('failover'), encoding, failoverTimeout: 60 });
        let next: SdkFramework | undefined;
        try {
          const [o] = await old.freshOffers(1);
          const id = taskId('long-failover');
          await old.sched.accept([o!.id], [launchOp(commandTask(o!, id, 'sleep 30'))], { refuse_seconds: 0 });
          old.spend(o!);
          await old.waitForUpdate(id, 'TASK_RUNNING');
          next = await SdkFramework.start(target().url, { name: old.options.name, encoding, failoverTimeout: 60, frameworkId: old.sched.frameworkId! });
          assert.equal(next.sched.frameworkId, old.sched.frameworkId);
          assert.equal(next.events[0]!.type, 'SUBSCRIBED');
          await old.waitFor(() => old.sched.state === 'stopped', 5000, 'the old scheduler to stop');
          assert.deepEqual(old.ofType('ERROR').map((e) => e.error!.message), ['Framework failed over']);
          assert.deepEqual(old.lifecycle.map((l) => [l.type, (l as { error?: { code: string } }).error?.code]), [
            ['connected', undefined],
            ['error_event', 'ERR_FRAMEWORK_FAILED_OVER'],
            ['stopped', 'ERR_FRAMEWORK_FAILED_OVER'],
          ]);
          // The task survived the failover: the new scheduler reconciles and kills it.
          await next.sched.reconcile([{ task_id: { value: id } }]);
          await next.waitFor(() => next!.updates(id).some((u) => u.reason === 'REASON_RECONCILIATION' && u.state === 'TASK_RUNNING'), 5000, 'reconciliation');
          await next.sched.kill({ value: id });
          await next.waitForUpdate(id, 'TASK_KILLED');
          const fw = await frameworkState(target().url, next.sched.frameworkId!);
          assert.equal(fw?.['active'], true);
        } finally {
          await next?.close();
          await old.close();
        }
      });
    }
  },
  // Simulated command tasks named `long-*` run until killed.
  { taskBehaviours: [{ name: '^long-', outcome: 'running-forever' }] },
);
