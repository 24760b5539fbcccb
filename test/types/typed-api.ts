/**
 * Type tests, compiled with the build (`tsc -p tsconfig.json`) and never run. Every
 * `@ts-expect-error` line must fail to compile — if a type loosens so that it compiles, the
 * directive itself becomes an error (TS2578) and the build fails. The other lines must compile.
 */
import type { Container } from 'inversify';
import {
  TOKENS, createFramework, createExecutor, MemoryLogger, MesosHttpClient, MesosExecutorClient, Calls, InMemoryStorage, loadTaskDefinitions, isSchedulerEvent, isExecutorEvent,
  EventController, OnOffers, OnOffer, OnUpdate, OnSubscribed, OnMessage, OnError, OnHeartbeat, OnConnected, OnDisconnected,
  OnElected, OnEvent, OnLaunch, OnKill, OnAcknowledged, OnShutdown, OnRescind,
  type Token, type Logger, type Storage, type Scheduler, type TaskManager, type FrameworkHandle, type ProviderOverride,
  type SchedulerEvent, type ExecutorEvent, type TaskDefinition, type TaskDefinitionInput, type MesosSdkError, type ConnectionInfo,
  type v1, type scheduler, type executor,
} from '../../src/index.js';
import { createTestingFramework } from '../../src/testing.js';
import { token, type ServiceOf } from '../../src/tokens.js';

/** True when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const same = <A, B>(check: Equal<A, B>): void => void check;

const offer: v1.Offer = { id: { value: 'o1' }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, hostname: 'h' };
const master = 'http://127.0.0.1:5050';
const framework = { name: 'type-tests' };

export function tokens(fw: FrameworkHandle, container: Container): void {
  // fw.get and container.get give the token's service type without a type argument.
  same<ReturnType<typeof fw.get<ServiceOf<typeof TOKENS.TaskManager>>>, TaskManager>(true);
  const tasks: TaskManager = fw.get(TOKENS.TaskManager);
  same<typeof tasks, TaskManager>(true);
  const logger = container.get(TOKENS.Logger);
  same<typeof logger, Logger>(true);
  logger.info('typed');
  same<ServiceOf<typeof TOKENS.Storage>, Storage>(true);
  // @ts-expect-error a TaskManager is not a number
  const wrong: number = fw.get(TOKENS.TaskManager);
  void wrong;
  // Explicit type arguments, as existing code writes them, still compile.
  const s: Scheduler = container.get<Scheduler>(TOKENS.Scheduler);
  void s;
  const all: object[] = container.getAll<object>(TOKENS.Controller);
  void all;
  // Binding checks the value against the token's type.
  container.bind(TOKENS.Storage).toConstantValue(new InMemoryStorage());
  // @ts-expect-error 42 is not a Logger
  container.bind(TOKENS.Logger).toConstantValue(42);
  // @ts-expect-error a Storage class for the Logger token
  container.rebind(TOKENS.Logger).to(InMemoryStorage);
  // Tokens are symbols at run time, not classes.
  const sym: symbol = TOKENS.Logger;
  void sym;
  // @ts-expect-error a token cannot be constructed
  void new TOKENS.Logger();
  // A token carries its own type only (invariant): a Logger token is no Storage token, nor an object token.
  // @ts-expect-error Token<Logger> is not Token<Storage>
  const t1: Token<Storage> = TOKENS.Logger;
  // @ts-expect-error Token<Logger> is not Token<object>
  const t2: Token<object> = TOKENS.Logger;
  const t3: Token = TOKENS.Logger;
  void [t1, t2, t3];
  // Your own typed tokens.
  interface Clock { now(): number }
  const CLOCK = token<Clock>('type-tests.Clock');
  container.bind(CLOCK).toConstantValue({ now: () => 0 });
  // @ts-expect-error not a Clock
  container.bind(CLOCK).toConstantValue({ later: () => 0 });
  const now: number = container.get(CLOCK).now();
  void now;
}

export async function overrides(): Promise<void> {
  const builder = createTestingFramework();
  builder.overrideProvider(TOKENS.Logger).useValue(new MemoryLogger());
  builder.overrideProvider(TOKENS.Storage).useClass(InMemoryStorage);
  builder.overrideProvider(TOKENS.Storage).useFactory(() => new InMemoryStorage());
  // @ts-expect-error 42 is not a Logger
  builder.overrideProvider(TOKENS.Logger).useValue(42);
  // @ts-expect-error a Logger is not a Storage
  builder.overrideProvider(TOKENS.Storage).useValue(new MemoryLogger());
  // @ts-expect-error InMemoryStorage is not a Logger
  builder.overrideProvider(TOKENS.Logger).useClass(InMemoryStorage);
  // @ts-expect-error the factory makes no Logger
  builder.overrideProvider(TOKENS.Logger).useFactory(() => 'log');

  // The `overrides` option is checked per SDK token too; strings and plain symbols are not.
  const ok: ProviderOverride[] = [
    { token: TOKENS.Logger, useValue: new MemoryLogger() },
    { token: TOKENS.Storage, useClass: InMemoryStorage },
    { token: TOKENS.Storage, useFactory: () => new InMemoryStorage() },
    { token: Symbol.for('my-app.Thing'), useValue: 42 },
    { token: 'my-app.Other', useValue: 'anything' },
  ];
  createFramework({ master, framework, overrides: ok });
  createFramework({
    master,
    framework,
    overrides: [
      // @ts-expect-error 42 is not a Logger
      { token: TOKENS.Logger, useValue: 42 },
      // @ts-expect-error {} is not a Logger (a Logger token does not pass for the object-typed Controller token)
      { token: TOKENS.Logger, useValue: {} },
    ],
  });
  const typed: ProviderOverride<Logger> = { token: TOKENS.Logger, useValue: new MemoryLogger() };
  void typed;
  createExecutor({ controllers: [], overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
}

export function tasks(file: string, text: string): void {
  const web: TaskDefinition = { name: 'web', resources: { cpus: 0.5, mem: 128 }, command: { shell: 'sleep 60' } };
  createFramework({ master, framework, tasks: web });
  createFramework({ master, framework, tasks: [web, { ...web, name: 'web2', instances: 2 }] });
  createFramework({ master, framework, tasks: { tasks: [web] } });
  const frozen = [web] as const;
  createFramework({ master, framework, tasks: frozen });
  // Definitions read at run time: a file (validated by loadTaskDefinitions), or parsed JSON (`any`; validated at start()).
  createFramework({ master, framework, tasks: loadTaskDefinitions(file) });
  createFramework({ master, framework, tasks: JSON.parse(text) });
  const input: TaskDefinitionInput = { tasks: [web] };
  createFramework({ master, framework, tasks: input });
  // @ts-expect-error a definition needs resources
  createFramework({ master, framework, tasks: [{ name: 'x' }] });
  // @ts-expect-error a file name is not a definition (load it with loadTaskDefinitions)
  createFramework({ master, framework, tasks: 'tasks.json' });
  // @ts-expect-error cpus is a number
  createFramework({ master, framework, tasks: { tasks: [{ name: 'x', resources: { cpus: '1', mem: 1 } }] } });
}

export function decorators(): void {
  @EventController()
  class Good {
    @OnOffers() offers(offers: v1.Offer[]) { void offers; }
    @OnOffers() offersWithEvent(offers: v1.Offer[], event: SchedulerEvent<'OFFERS'>) { void [offers, event.offers.offers]; }
    @OnOffer() offer(o: v1.Offer) { void o; }
    @OnOffer() offerWithEvent(o: v1.Offer, event: scheduler.Event) { void [o, event]; }
    @OnUpdate() update(status: v1.TaskStatus, event: SchedulerEvent<'UPDATE'>) { void [status.state, event.update.status]; }
    @OnUpdate() async updateAsync(status: v1.TaskStatus) { await Promise.resolve(status); }
    @OnUpdate() noArguments() {}
    @OnUpdate() anyPayload(status: any) { void status; }
    @OnUpdate() unknownPayload(status: unknown, event?: unknown) { void [status, event]; }
    @OnUpdate() optionalExtra(status: v1.TaskStatus, event?: SchedulerEvent<'UPDATE'>, extra?: string) { void [status, event, extra]; }
    @OnUpdate() @OnEvent('UPDATE') stacked(status: v1.TaskStatus) { void status; }
    @OnRescind() rescind(offerId: v1.OfferID) { void offerId; }
    @OnSubscribed() schedulerSubscribed(s: scheduler.Event.Subscribed) { void s.framework_id; }
    @OnSubscribed() executorSubscribed(s: executor.Event.Subscribed) { void s.executor_info; }
    @OnMessage() schedulerMessage(m: scheduler.Event.Message) { void m.data; }
    @OnMessage() executorMessage(data: Uint8Array) { void data; }
    @OnError() error(e: MesosSdkError, context: unknown) { void [e.code, context]; }
    @OnHeartbeat() heartbeat(e: SchedulerEvent<'HEARTBEAT'>) { void e; }
    @OnConnected() connected(c: ConnectionInfo) { void c.frameworkId; }
    @OnDisconnected() disconnected(error?: MesosSdkError) { void error; }
    @OnElected() elected() {}
    @OnEvent('OFFERS') byName(offers: v1.Offer[]) { void offers; }
    @OnLaunch() launch(task: v1.TaskInfo, event: ExecutorEvent<'LAUNCH'>) { void [task, event.launch.task]; }
    @OnKill() kill(taskId: v1.TaskID, killPolicy?: v1.KillPolicy) { void [taskId, killPolicy]; }
    @OnAcknowledged() acknowledged(taskId: v1.TaskID, uuid: Uint8Array) { void [taskId, uuid]; }
    @OnShutdown() shutdown(event: ExecutorEvent<'SHUTDOWN'>) { void event; }
  }
  void Good;

  @EventController()
  class Bad {
    // @ts-expect-error UPDATE handlers get a TaskStatus, not offers
    @OnUpdate() offersOnUpdate(o: v1.Offer[]) { void o; }
    // @ts-expect-error OFFER handlers get one offer
    @OnOffer() batchOnOffer(offers: v1.Offer[]) { void offers; }
    // @ts-expect-error OFFERS handlers get the batch
    @OnOffers() oneOnOffers(o: v1.Offer) { void o; }
    // @ts-expect-error the event of an UPDATE is no OFFERS event
    @OnUpdate() wrongEvent(status: v1.TaskStatus, event: SchedulerEvent<'OFFERS'>) { void [status, event]; }
    // @ts-expect-error nothing passes a third argument
    @OnUpdate() requiredExtra(status: v1.TaskStatus, event: SchedulerEvent<'UPDATE'>, extra: string) { void [status, event, extra]; }
    // @ts-expect-error DISCONNECTED may come without an error
    @OnDisconnected() disconnected(error: MesosSdkError) { void error; }
    // @ts-expect-error neither side's SUBSCRIBED payload
    @OnSubscribed() subscribed(o: v1.Offer) { void o; }
    // @ts-expect-error neither side's MESSAGE payload
    @OnMessage() message(text: string) { void text; }
    // @ts-expect-error KILL handlers get the task id
    @OnKill() kill(task: v1.TaskInfo) { void task; }
    // @ts-expect-error @OnEvent checks by the event's name
    @OnEvent('OFFERS') byName(status: v1.TaskStatus) { void status; }
    // @ts-expect-error unknown event name
    @OnEvent('OFFERZ') unknownName() {}
    // @ts-expect-error event decorators go on methods
    @OnUpdate() notAMethod = 1;
  }
  void Bad;
}

export function events(e: SchedulerEvent, wire: scheduler.Event, x: ExecutorEvent): void {
  // Narrowing by type gives the payload, no `!`.
  if (e.type === 'OFFERS') {
    const offers: v1.Offer[] | undefined = e.offers.offers;
    void offers;
  }
  switch (e.type) {
    case 'UPDATE':
      void e.update.status.state;
      break;
    case 'SUBSCRIBED':
      void e.subscribed.framework_id.value;
      break;
    case 'ERROR':
      void e.error.message;
      break;
    case 'HEARTBEAT':
      break;
    default:
      void e.type;
  }
  // @ts-expect-error not narrowed: offers may be absent
  void e.offers.offers;
  // Every typed event is a wire event; a wire event narrows with the guard (checked at run time).
  const asWire: scheduler.Event = e;
  void asWire;
  // @ts-expect-error a wire event is not narrowed yet
  const notYet: SchedulerEvent<'UPDATE'> = wire;
  void notYet;
  if (isSchedulerEvent(wire, 'UPDATE')) void wire.update.status.task_id;
  if (x.type === 'LAUNCH') void x.launch.task.name;
  if (x.type === 'KILL') void x.kill.task_id;
  const wx: executor.Event = x;
  if (isExecutorEvent(wx, 'ACKNOWLEDGED')) void wx.acknowledged.uuid;
  void offer;
}

/** The README's low-level example. */
export async function lowLevel(): Promise<void> {
  const client = new MesosHttpClient({ masters: ['http://127.0.0.1:5050'], encoding: 'protobuf' });
  const sub = await client.subscribe(Calls.subscribe({ user: 'me', name: 'low-level', failover_timeout: 3600 }));
  for await (const event of sub.events) {
    if (isSchedulerEvent(event, 'OFFERS')) {
      const offers = event.offers.offers ?? [];
      const fw = { value: offers[0]?.framework_id.value ?? '' };
      await client.call(Calls.decline(fw, offers.map((o) => o.id)), sub);
    }
  }
}

/** The executor client's handler gets the typed executor events. */
export function executorClient(exec: MesosExecutorClient): void {
  exec.onEvent(async (e) => {
    if (e.type === 'LAUNCH') await exec.update({ task_id: e.launch.task.task_id, state: 'TASK_RUNNING' });
    // @ts-expect-error not narrowed: kill may be absent
    void e.kill.task_id;
  });
}
