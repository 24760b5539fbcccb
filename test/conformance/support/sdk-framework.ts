import { get } from '../../simulator/raw-client.js';
import { MesosHttpClient } from '../../../src/client/http-client.js';
import { MesosScheduler } from '../../../src/scheduler/mesos-scheduler.js';
import type { LifecycleEvent } from '../../../src/scheduler/scheduler.interface.js';
import type { Encoding } from '../../../src/protocol/codec.js';
import type { scheduler, v1 } from '../../../src/protocol/generated/index.js';

/** Both encodings: every SDK scenario runs once for each. */
export const ENCODINGS: readonly Encoding[] = ['protobuf', 'json'];

let seq = 0;
/** A framework name unique to this run, so that scenarios on a shared real master never collide. */
export function uniqueName(what: string): string {
  return `conf-${what}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

export interface SdkFrameworkOptions {
  encoding: Encoding;
  name: string;
  /** Acknowledge every update that carries a uuid (default true). */
  autoAck?: boolean;
  capabilities?: v1.FrameworkInfo.Capability.Type[];
  failoverTimeout?: number;
  /** Subscribe as this existing framework (failover). */
  frameworkId?: string;
  role?: string;
  /** FrameworkInfo.user (default root, the user the local cluster's agents run as). */
  user?: string;
  /** Roles to subscribe suppressed (SUBSCRIBE.suppressed_roles). */
  suppressedRoles?: string[];
}

/**
 * A framework driven through the SDK's `MesosScheduler` + `MesosHttpClient`, collecting every
 * event and lifecycle change, for conformance scenarios.
 */
export class SdkFramework {
  readonly events: scheduler.Event[] = [];
  /** Arrival time (ms) of each event, same index as `events`. */
  readonly times: number[] = [];
  readonly lifecycle: LifecycleEvent[] = [];
  readonly sched: MesosScheduler;
  /** Offer ids already used (accepted, declined) or rescinded: not handed out again by `freshOffers`. */
  private readonly spent = new Set<string>();
  private autoAck: boolean;
  readonly acked: string[] = [];
  readonly ackErrors: unknown[] = [];

  private constructor(readonly url: string, readonly options: SdkFrameworkOptions) {
    this.autoAck = options.autoAck ?? true;
    const info: v1.FrameworkInfo = {
      user: options.user ?? 'root',
      name: options.name,
      failover_timeout: options.failoverTimeout ?? 0,
      roles: [options.role ?? '*'],
      capabilities: (options.capabilities ?? ['MULTI_ROLE']).map((type) => ({ type })),
      ...(options.frameworkId ? { id: { value: options.frameworkId } } : {}),
    };
    this.sched = new MesosScheduler(new MesosHttpClient({ masters: [url], encoding: options.encoding, retry503: { baseDelayMs: 50, maxDelayMs: 200 } }), {
      frameworkInfo: info,
      backoff: { initialMs: 100, maxMs: 500 },
      ...(options.suppressedRoles ? { suppressedRoles: options.suppressedRoles } : {}),
    });
    this.sched.onLifecycle((e) => this.lifecycle.push(e));
    this.sched.setEventHandler(async (e) => {
      this.events.push(e);
      this.times.push(Date.now());
      if (e.type === 'RESCIND' && e.rescind) this.spent.add(e.rescind.offer_id.value);
      const s = e.update?.status;
      if (this.autoAck && s?.uuid && s.agent_id) {
        try {
          await this.sched.acknowledge(s.agent_id, s.task_id, s.uuid);
          this.acked.push(`${s.task_id.value}:${s.state}`);
        } catch (err) {
          this.ackErrors.push(err);
        }
      }
    });
  }

  /** Subscribes and resolves at SUBSCRIBED. */
  static async start(url: string, options: SdkFrameworkOptions): Promise<SdkFramework> {
    const f = new SdkFramework(url, options);
    await f.sched.start();
    return f;
  }

  setAutoAck(on: boolean): void {
    this.autoAck = on;
  }

  get frameworkId(): v1.FrameworkID {
    return { value: this.sched.frameworkId! };
  }

  ofType(type: scheduler.Event.Type): scheduler.Event[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Every offer received, oldest first. */
  offers(): v1.Offer[] {
    return this.ofType('OFFERS').flatMap((e) => e.offers?.offers ?? []);
  }

  /** Offers received and not yet used, declined or rescinded. */
  outstanding(): v1.Offer[] {
    return this.offers().filter((o) => !this.spent.has(o.id.value));
  }

  /** Marks offers as used (after an ACCEPT/DECLINE naming them). */
  spend(...offers: Array<v1.Offer | v1.OfferID>): void {
    for (const o of offers) this.spent.add('value' in o ? o.value : o.id.value);
  }

  /** Waits for outstanding offers of `agents` distinct agents (default 1); returns one per agent. */
  async freshOffers(agents = 1, ms = 15_000): Promise<v1.Offer[]> {
    const perAgent = () => {
      const m = new Map<string, v1.Offer>();
      for (const o of this.outstanding()) if (!m.has(o.agent_id.value)) m.set(o.agent_id.value, o);
      return [...m.values()];
    };
    await this.waitFor(() => perAgent().length >= agents, ms, `offers of ${agents} agent(s)`);
    return perAgent().slice(0, agents);
  }

  /** Status updates of one task, in arrival order. */
  updates(taskId: string): v1.TaskStatus[] {
    return this.ofType('UPDATE')
      .map((e) => e.update!.status)
      .filter((s) => s.task_id.value === taskId);
  }

  async waitFor(pred: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${ms} ms waiting for ${what}; events: ${this.events.map((e) => e.type).join(',')}`);
      }
      await sleep(10);
    }
  }

  /** Polls an asynchronous condition (e.g. on /master/state) every 100 ms. */
  async waitForAsync(pred: () => Promise<boolean>, ms = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await pred())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  async waitForUpdate(taskId: string, state: v1.TaskState, ms = 20_000): Promise<v1.TaskStatus> {
    await this.waitFor(() => this.updates(taskId).some((u) => u.state === state), ms, `${state} of ${taskId} (got ${this.updates(taskId).map((u) => u.state).join(',')})`);
    return this.updates(taskId).find((u) => u.state === state)!;
  }

  /** Tears the framework down (when still subscribed) and stops the scheduler. Never throws. */
  async close(): Promise<void> {
    try {
      if (this.sched.state === 'subscribed') await this.sched.teardown();
    } catch {
      // already gone
    }
    await this.sched.stop().catch(() => {});
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resources for a task taken from an offer: `cpus` and `mem`, with the offer's allocation_info. */
export function taskResources(offer: v1.Offer, cpus = 0.1, mem = 32): v1.Resource[] {
  const role = offer.allocation_info ? { allocation_info: offer.allocation_info } : {};
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, ...role },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem }, ...role },
  ];
}

/** A command TaskInfo on the offer's agent. */
export function commandTask(offer: v1.Offer, taskId: string, command = 'true', extra: Partial<v1.TaskInfo> = {}): v1.TaskInfo {
  return { name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, resources: taskResources(offer), command: { value: command }, ...extra };
}

export function launchOp(...tasks: v1.TaskInfo[]): v1.Offer.Operation {
  return { type: 'LAUNCH', launch: { task_infos: tasks } };
}

/** The master's /master/state as JSON. */
export async function masterState(url: string): Promise<Record<string, any>> {
  const r = await get(`${url}/master/state`);
  if (r.status !== 200) throw new Error(`/master/state answered ${r.status}`);
  return JSON.parse(r.body) as Record<string, any>;
}

/** The framework's entry in /master/state (active or completed), if any. */
export async function frameworkState(url: string, frameworkId: string): Promise<Record<string, any> | undefined> {
  const s = await masterState(url);
  const all = [...(s['frameworks'] ?? []), ...(s['completed_frameworks'] ?? [])] as Array<Record<string, any>>;
  return all.find((f) => f['id'] === frameworkId);
}

/** A unique task id. */
export function taskId(what: string): string {
  return `${what}-${Date.now().toString(36)}-${seq++}`;
}

/** Drops the volatile fields of a status update, keeping what both masters must agree on. */
export function statusShape(s: v1.TaskStatus): Record<string, unknown> {
  return {
    state: s.state,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.source ? { source: s.source } : {}),
    ...(s.message !== undefined ? { message: s.message } : {}),
    has_uuid: !!s.uuid?.length,
    has_agent_id: !!s.agent_id,
  };
}

/** Runs `body` with a fresh SDK framework on `url` (a unique name from `what`), closed (torn down) afterwards. */
export async function withSdkFramework(url: string, what: string, options: Omit<SdkFrameworkOptions, 'name'>, body: (f: SdkFramework) => Promise<void>): Promise<void> {
  const f = await SdkFramework.start(url, { name: uniqueName(what), ...options });
  try {
    await body(f);
  } finally {
    await f.close();
  }
}
