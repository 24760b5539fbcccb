import http from 'node:http';
import { decodeRecords } from '../../src/protocol/recordio.js';

/** A scheduler written by hand with node:http and JSON: no SDK client code. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function post(url: string, body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/scheduler`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function get(url: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject);
  });
}

/** An open JSON subscription: events are collected as they arrive. */
export class RawSubscription {
  readonly events: Array<Record<string, any>> = [];
  streamId = '';
  frameworkId = '';
  status = 0;
  ended = false;
  private res: http.IncomingMessage | undefined;
  private req: http.ClientRequest | undefined;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  static async open(url: string, frameworkInfo: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RawSubscription> {
    const sub = new RawSubscription();
    const id = (frameworkInfo['id'] as { value: string } | undefined)?.value;
    const body = JSON.stringify({ type: 'SUBSCRIBE', ...(id ? { framework_id: { value: id } } : {}), subscribe: { framework_info: frameworkInfo, ...extra } });
    await new Promise<void>((resolve, reject) => {
      sub.req = http.request(`${url}/api/v1/scheduler`, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }, (res) => {
        sub.res = res;
        sub.status = res.statusCode!;
        sub.streamId = String(res.headers['mesos-stream-id'] ?? '');
        void (async () => {
          try {
            for await (const record of decodeRecords(res)) {
              // While paused the loop stops pulling: the socket fills and the server sees backpressure.
              if (sub.gate) await sub.gate;
              const event = JSON.parse(record.toString('utf8')) as Record<string, any>;
              if (event['type'] === 'SUBSCRIBED') sub.frameworkId = event['subscribed'].framework_id.value;
              sub.events.push(event);
            }
          } catch {
            /* stream cut */
          }
          sub.ended = true;
        })();
        resolve();
      });
      sub.req.on('error', reject);
      sub.req.end(body);
    });
    return sub;
  }

  /** Sends a call on behalf of this subscription (framework id and stream id filled in). */
  call(url: string, call: Record<string, unknown>): Promise<RawResponse> {
    return post(url, JSON.stringify({ framework_id: { value: this.frameworkId }, ...call }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.streamId });
  }

  ofType(type: string): Array<Record<string, any>> {
    return this.events.filter((e) => e['type'] === type);
  }

  updates(taskId?: string): Array<Record<string, any>> {
    return this.ofType('UPDATE').map((e) => e['update'].status).filter((s) => !taskId || s.task_id.value === taskId);
  }

  async waitFor(pred: (s: RawSubscription) => boolean, ms = 3000, what = 'events'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.events.map((e) => e['type']).join(',')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops reading the stream (the server's writes back up once the socket buffers are full). */
  pause(): void {
    this.gate ??= new Promise<void>((resolve) => (this.openGate = resolve));
  }

  /** Reads the stream again. */
  resume(): void {
    const open = this.openGate;
    this.gate = undefined;
    this.openGate = undefined;
    open?.();
  }

  close(): void {
    this.resume();
    this.res?.destroy();
    this.req?.destroy();
  }
}

/** A LAUNCH operation for one command task on the given offer. */
export function launch(offer: Record<string, any>, taskId: string, cpus = 0.5, mem = 128, name = taskId, extra: Record<string, unknown> = {}) {
  const role = offer['allocation_info'] ? { allocation_info: offer['allocation_info'] } : {};
  return {
    type: 'LAUNCH',
    launch: {
      task_infos: [{
        name,
        task_id: { value: taskId },
        agent_id: offer['agent_id'],
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, ...role },
          { name: 'mem', type: 'SCALAR', scalar: { value: mem }, ...role },
        ],
        command: { value: 'sleep 1' },
        ...extra,
      }],
    },
  };
}
