import { EventController, OnHeartbeat, OnUpdate } from '../src/decorators/index.js';
import { EventDispatcher } from '../src/discovery/event-dispatcher.js';
import { SilentLogger } from '../src/logging/logger.js';
import type { EventHandler, Scheduler } from '../src/scheduler/scheduler.interface.js';
import type { scheduler } from '../src/protocol/generated/index.js';
import { report } from './report.js';

let counter = 0;
@EventController()
class A {
  @OnUpdate() u() { counter++; }
  @OnHeartbeat() h() { counter++; }
}
@EventController()
class B {
  @OnUpdate() u() { counter++; }
  @OnHeartbeat() h() { counter++; }
}
@EventController()
class C {
  @OnUpdate() async u() { counter++; }
  @OnHeartbeat() async h() { counter++; }
}

/** Dispatch overhead: 3 controllers × 2 handlers, UPDATE (with auto-acknowledge) and HEARTBEAT. */
export async function run(): Promise<void> {
  let handler: EventHandler = async () => {};
  const scheduler = {
    setEventHandler: (h: EventHandler) => void (handler = h),
    onLifecycle: () => () => {},
    acknowledge: async () => {},
  } as unknown as Scheduler;
  const d = new EventDispatcher(scheduler, new SilentLogger());
  d.register([new A(), new B(), new C()]);
  d.attach();
  const update: scheduler.Event = { type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', agent_id: { value: 'a' }, uuid: new Uint8Array(16) } } };
  const heartbeat: scheduler.Event = { type: 'HEARTBEAT' };
  for (let i = 0; i < 20_000; i++) await handler(i % 2 ? update : heartbeat);
  const n = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await handler(i % 2 ? update : heartbeat);
  const ns = Number(process.hrtime.bigint() - start);
  report('dispatch.overhead_ns_per_event', Math.round(ns / n), 'ns/event');
  report('dispatch.events_per_s', Math.round((n / ns) * 1e9), 'events/s');
  if (counter === 0) throw new Error('handlers never ran');
}
