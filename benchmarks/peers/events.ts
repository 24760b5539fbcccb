import { Codecs } from '../../src/protocol/messages.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';

const FRAMEWORK = '7d2e41c6-93b0-4f7e-8a55-2c1f0e9d4b31-0000';
const AGENT = '7d2e41c6-93b0-4f7e-8a55-2c1f0e9d4b31-S';

function offer(i: number): v1.Offer {
  const agent = i % 50;
  const role = { allocation_info: { role: '*' } };
  return {
    id: { value: `7d2e41c6-93b0-4f7e-8a55-2c1f0e9d4b31-O${i}` },
    framework_id: { value: FRAMEWORK },
    agent_id: { value: `${AGENT}${agent}` },
    hostname: `agent-${agent}.cluster.local`,
    url: { scheme: 'http', address: { hostname: `agent-${agent}.cluster.local`, ip: `10.0.${agent >> 8}.${agent & 0xff}`, port: 5051 }, path: '/slave(1)' },
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 3.6 }, ...role },
      { name: 'mem', type: 'SCALAR', scalar: { value: 7680 }, ...role },
      { name: 'disk', type: 'SCALAR', scalar: { value: 65_536 }, ...role },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31499 }, { begin: 31600, end: 32000 }] }, ...role },
    ],
    attributes: [
      { name: 'rack', type: 'TEXT', text: { value: `r${agent % 10}` } },
      { name: 'zone', type: 'TEXT', text: { value: `z${agent % 3}` } },
    ],
    allocation_info: { role: '*' },
  };
}

const STATES = ['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED'] as const;

function update(i: number): scheduler.Event {
  const task = Math.floor(i / 3);
  const state = STATES[i % 3]!;
  return {
    type: 'UPDATE',
    update: {
      status: {
        task_id: { value: `bench.${task}.3f6c2a9e-51d4-4c0b-b7a2-0e8d9f1c6a47` },
        state,
        source: 'SOURCE_EXECUTOR',
        agent_id: { value: `${AGENT}${task % 50}` },
        executor_id: { value: `bench.${task}.3f6c2a9e-51d4-4c0b-b7a2-0e8d9f1c6a47` },
        timestamp: 1_764_600_000.123456 + i,
        uuid: Uint8Array.from({ length: 16 }, (_, k) => (i * 7 + k * 13) & 0xff),
        ...(state === 'TASK_FINISHED' ? { message: 'Command exited with status 0' } : {}),
        ...(state === 'TASK_RUNNING' ? { container_status: { network_infos: [{ ip_addresses: [{ protocol: 'IPv4', ip_address: `10.0.0.${task % 250}` }] }] } } : {}),
      },
    },
  };
}

/**
 * A recorded event stream as a master sends it to a busy framework: SUBSCRIBED first, then
 * `updates` UPDATEs (STARTING, RUNNING with container status, FINISHED with a message; each with
 * a uuid), an OFFERS of 5 offers (4 resources, 2 attributes each) every 25 updates and a HEARTBEAT
 * every 5.
 */
export function recordedEvents(updates = 5000): scheduler.Event[] {
  const out: scheduler.Event[] = [];
  for (let i = 0; i < updates; i++) {
    if (i % 25 === 0) out.push({ type: 'OFFERS', offers: { offers: Array.from({ length: 5 }, (_, k) => offer(i + k)) } });
    out.push(update(i));
    if (i % 5 === 4) out.push({ type: 'HEARTBEAT' });
  }
  return out;
}

/** The SUBSCRIBED event that opens the stream. */
export function subscribedEvent(): scheduler.Event {
  return { type: 'SUBSCRIBED', subscribed: { framework_id: { value: FRAMEWORK }, heartbeat_interval_seconds: 15 } };
}

/** JSON payloads (no RecordIO length), as the master writes them. */
export function jsonPayloads(events: scheduler.Event[]): Buffer[] {
  const codec = Codecs.schedulerEvent();
  return events.map((e) => Buffer.from(codec.encode(e, 'json')));
}
