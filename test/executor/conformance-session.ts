import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RawSubscription } from '../simulator/raw-client.js';
import { waitFor } from '../client/fake-master.js';

// Helpers of test/conformance/executor.scenario.ts: a hand-written JSON framework that launches the
// SDK's conformance executor (conformance-executor.ts beside this file) and watches what comes back.

export type Status = Record<string, any>;
export type Event = Record<string, any>;

const EXECUTOR_JS = fileURLToPath(new URL('./conformance-executor.js', import.meta.url));
export const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE']);

/** Polls until `pred` holds (the suite's waitFor, with the reason first and a longer default for real agents). */
export const until = (what: string, pred: () => boolean, ms = 30_000): Promise<void> => waitFor(pred, ms, what);

export const b64 = (text: string) => Buffer.from(text).toString('base64');
export const unb64 = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString('utf8');


/** POST (or another method) to any path, with exactly the headers given. */
export function request(url: string, body: string | Buffer | undefined, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A framework with its first offer; every UPDATE is acknowledged as it arrives unless `ack: false`. */
export class Session {
  private acked = new Set<Event>();
  private pumping = true;
  private pump: Promise<void> | undefined;
  offer!: Event;

  private constructor(
    readonly url: string,
    readonly sub: RawSubscription,
    private readonly ack: boolean,
  ) {}

  static async open(url: string, label: string, ack = true): Promise<Session> {
    const sub = await RawSubscription.open(url, { user: 'root', name: `conformance-executor-${label}-${randomBytes(3).toString('hex')}` });
    const s = new Session(url, sub, ack);
    try {
      await sub.waitFor((x) => x.ofType('OFFERS').length > 0, 20_000, 'an offer');
      s.offer = sub.ofType('OFFERS')[0]!['offers'].offers[0];
    } catch (err) {
      await s.close();
      throw err;
    }
    // A failed ACKNOWLEDGE/DECLINE shows as missing updates; the pump must not reject unhandled.
    s.pump = s.run().catch(() => undefined);
    return s;
  }

  private declined = new Set<string>();

  private async run(): Promise<void> {
    while (this.pumping) {
      // Hold no other offer: the next scenario's framework needs them.
      for (const e of this.sub.ofType('OFFERS')) {
        for (const o of e['offers'].offers as Event[]) {
          if (o === this.offer || this.declined.has(o['id'].value)) continue;
          this.declined.add(o['id'].value);
          await this.sub.call(this.url, { type: 'DECLINE', decline: { offer_ids: [o['id']], filters: { refuse_seconds: 60 } } });
        }
      }
      if (this.ack) {
        for (const e of this.sub.ofType('UPDATE')) {
          if (this.acked.has(e)) continue;
          this.acked.add(e);
          const st = e['update'].status as Status;
          if (!st['uuid']) continue;
          const r = await this.sub.call(this.url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: st['agent_id'], task_id: st['task_id'], uuid: st['uuid'] } });
          if (r.status !== 202) throw new Error(`ACKNOWLEDGE answered ${r.status}: ${r.body}`);
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  get frameworkId(): string {
    return this.sub.frameworkId;
  }

  get agentId(): Record<string, string> {
    return this.offer['agent_id'];
  }

  resources(cpus: number, mem: number, disk = 0): Array<Record<string, unknown>> {
    const role = this.offer['allocation_info'] ? { allocation_info: this.offer['allocation_info'] } : {};
    const r = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, ...role },
      { name: 'mem', type: 'SCALAR', scalar: { value: mem }, ...role },
    ];
    if (disk) r.push({ name: 'disk', type: 'SCALAR', scalar: { value: disk }, ...role });
    return r;
  }

  /** Launches one task on the SDK's conformance executor; `mode` goes to the executor as the task's data. */
  async launchCustom(label: string, mode: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ taskId: string; executorId: string }> {
    const taskId = `${label}-${randomBytes(4).toString('hex')}`;
    const executorId = `${taskId}.executor`;
    const task = {
      name: taskId,
      task_id: { value: taskId },
      agent_id: this.agentId,
      resources: this.resources(0.1, 32),
      data: b64(JSON.stringify(mode)),
      executor: {
        executor_id: { value: executorId },
        type: 'CUSTOM',
        name: 'conformance executor',
        command: {
          value: `"${process.execPath}" "${EXECUTOR_JS}"`,
          ...(Object.keys(env).length ? { environment: { variables: Object.entries(env).map(([name, value]) => ({ name, type: 'VALUE', value })) } } : {}),
        },
        resources: this.resources(0.1, 32),
      },
    };
    await this.accept([{ type: 'LAUNCH', launch: { task_infos: [task] } }]);
    return { taskId, executorId };
  }

  async accept(operations: unknown[]): Promise<void> {
    const r = await this.sub.call(this.url, { type: 'ACCEPT', accept: { offer_ids: [this.offer['id']], operations, filters: { refuse_seconds: 1 } } });
    assert.equal(r.status, 202, r.body);
  }

  updates(taskId: string): Status[] {
    return this.sub.updates(taskId);
  }

  states(taskId: string): string[] {
    return this.updates(taskId).map((u) => u['state']);
  }

  async ended(taskId: string): Promise<Status[]> {
    await until(`the end of ${taskId} (so far ${this.states(taskId).join(', ')})`, () => this.states(taskId).some((s) => TERMINAL.has(s)));
    return this.updates(taskId);
  }

  async running(taskId: string): Promise<Status> {
    await until(`TASK_RUNNING of ${taskId} (so far ${this.states(taskId).join(', ')})`, () => this.states(taskId).includes('TASK_RUNNING'));
    return this.updates(taskId).find((u) => u['state'] === 'TASK_RUNNING')!;
  }

  /** Framework messages from executors, decoded. */
  messages(executorId?: string): string[] {
    return this.sub.ofType('MESSAGE').filter((e) => !executorId || e['message'].executor_id.value === executorId).map((e) => unb64(e['message'].data));
  }

  failures(executorId: string): Event[] {
    return this.sub.ofType('FAILURE').map((e) => e['failure']).filter((f) => f.executor_id?.value === executorId);
  }

  call(call: Record<string, unknown>) {
    return this.sub.call(this.url, call);
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pumping = false;
    await this.pump?.catch(() => undefined);
    await this.sub.call(this.url, { type: 'TEARDOWN' }).catch(() => undefined);
    this.sub.close();
  }
}

/** A value computed once, by the first test that needs it. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

export const isV4Uuid = (b64uuid: string) => {
  const bytes = Buffer.from(b64uuid, 'base64');
  return bytes.length === 16 && bytes[6]! >> 4 === 4;
};
