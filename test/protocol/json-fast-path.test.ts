// Issue 17: JSON events are converted by a converter precompiled per message type, which checks
// required fields as it goes; whatever it is not sure to convert exactly as the general path
// (fromObject, toObject, the required-field walk) does, it hands to that path. These tests pin
// that both give the same object, and the same errors, for each kind of input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codecFor, type MessageCodec } from '../../src/protocol/codec.js';
import { Codecs } from '../../src/protocol/messages.js';

const events = Codecs.schedulerEvent() as unknown as MessageCodec<Record<string, unknown>>;

/** The general path's result, or the error it throws. */
function slow(codec: MessageCodec<Record<string, unknown>>, json: Record<string, unknown>): unknown {
  try {
    return codec.fromJsonObjectSlow(json);
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: string }).code, details: (err as { details?: unknown }).details };
  }
}

/** True when decodeJson converts `json` without the general path. */
function takesFastPath(codec: MessageCodec<Record<string, unknown>>, json: Record<string, unknown>): boolean {
  const original = codec.fromJsonObjectSlow;
  let slowCalls = 0;
  codec.fromJsonObjectSlow = function (this: MessageCodec<Record<string, unknown>>, j: Record<string, unknown>) {
    slowCalls++;
    return original.call(this, j);
  };
  try {
    codec.decodeJson(JSON.stringify(json));
  } catch {
    // only the path taken matters here
  } finally {
    codec.fromJsonObjectSlow = original;
  }
  return slowCalls === 0;
}

/** What decodeJson gives (fast path first), in the same form. */
function decoded(codec: MessageCodec<Record<string, unknown>>, json: Record<string, unknown>): unknown {
  try {
    return codec.decodeJson(JSON.stringify(json));
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: string }).code, details: (err as { details?: unknown }).details };
  }
}

function sameAsSlow(codec: MessageCodec<Record<string, unknown>>, json: Record<string, unknown>): unknown {
  const parsed = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
  const want = slow(codec, parsed);
  const got = decoded(codec, json);
  assert.deepStrictEqual(got, want);
  // Same keys in the same order too (what JSON.stringify and logs show).
  assert.equal(JSON.stringify(got), JSON.stringify(want));
  return got;
}

const status = {
  task_id: { value: 'web.1' },
  state: 'TASK_RUNNING',
  source: 'SOURCE_EXECUTOR',
  reason: 'REASON_COMMAND_EXECUTOR_FAILED',
  agent_id: { value: 'S1' },
  executor_id: { value: 'web.1' },
  timestamp: 1700000000.25,
  uuid: 'AAECAwQFBgcICQoLDA0ODw==',
  message: 'Command exited with status 0',
  healthy: true,
  labels: { labels: [{ key: 'a', value: 'b' }] },
  container_status: { network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.1', protocol: 'IPv4' }] }], executor_pid: 4242 },
};

const offer = {
  id: { value: 'O1' },
  framework_id: { value: 'F1' },
  agent_id: { value: 'S1' },
  hostname: 'agent-1',
  url: { scheme: 'http', address: { hostname: 'agent-1', ip: '10.0.0.1', port: 5051 }, path: '/slave(1)' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 7.5 }, allocation_info: { role: 'web' } },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }, { begin: '33000', end: '34000' }] } },
    { name: 'disks', type: 'SET', set: { item: ['a', 'b'] }, reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'p' }] },
  ],
  attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }],
  allocation_info: { role: 'web' },
};

const valid: Array<[string, Record<string, unknown>]> = [
  ['HEARTBEAT', { type: 'HEARTBEAT' }],
  ['UPDATE with bytes, doubles, bools, nested repeated messages', { type: 'UPDATE', update: { status } }],
  ['OFFERS with ranges (uint64 as numbers and as text), sets, reservations', { type: 'OFFERS', offers: { offers: [offer, offer] } }],
  ['SUBSCRIBED with uint32 and int32 fields', { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F1' }, heartbeat_interval_seconds: 15, master_info: { id: 'm', ip: 16777343, port: 5050, address: { ip: '127.0.0.1', port: 5050 }, capabilities: [{ type: 'AGENT_UPDATE' }] } } }],
  ['MESSAGE with empty bytes', { type: 'MESSAGE', message: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, data: '' } }],
  ['unknown keys are ignored', { type: 'HEARTBEAT', something_new: { x: 1 }, update: null }],
  ['empty repeated fields are left out', { type: 'OFFERS', offers: { offers: [] } }],
  ['an empty event', {}],
];

const fallback: Array<[string, Record<string, unknown>]> = [
  ['a missing required field (nested in a list)', { type: 'OFFERS', offers: { offers: [offer, { ...offer, agent_id: undefined }] } }],
  ['a missing required field at the top of a message', { type: 'UPDATE', update: {} }],
  ['a required field given as null', { type: 'UPDATE', update: { status: { ...status, task_id: null } } }],
  ['an unknown value of a required enum', { type: 'UPDATE', update: { status: { ...status, state: 'TASK_FROM_MESOS_2' } } }],
  ['an unknown value of an optional enum', { type: 'UPDATE', update: { status: { ...status, reason: 'REASON_FROM_MESOS_2' } } }],
  ['an unknown event type', { type: 'SOMETHING_NEW', something_new: {} }],
  ['an enum given as its number', { type: 4, update: { status: { ...status, state: 1 } } }],
  ['a number given as text', { type: 'UPDATE', update: { status: { ...status, timestamp: '1700000000.5' } } }],
  ['a non-integer in an int32 field', { type: 'FAILURE', failure: { status: 1.5 } }],
  ['a negative number in a uint32 field', { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F1' }, master_info: { id: 'm', ip: -1, port: 5050 } } }],
  ['a uint64 beyond 2^53', { type: 'OFFERS', offers: { offers: [{ ...offer, resources: [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: '18446744073709551615', end: 1 }] } }] }] } }],
  ['bytes that are not canonical base64', { type: 'UPDATE', update: { status: { ...status, uuid: 'AAEC AwQF' } } }],
  ['a string where a message is expected', { type: 'UPDATE', update: 'x' }],
  ['an array where a message is expected', { type: 'UPDATE', update: [] }],
  ['an object where a list is expected', { type: 'OFFERS', offers: { offers: { id: 1 } } }],
  ['a null inside a list', { type: 'OFFERS', offers: { offers: [null] } }],
  ['a number where a string is expected', { type: 'ERROR', error: { message: 42 } }],
  ['a string where a bool is expected', { type: 'UPDATE', update: { status: { ...status, healthy: 'true' } } }],
];

describe('MessageCodec JSON fast path: same result as the general path', () => {
  for (const [what, json] of valid) {
    it(`converts ${what}`, () => {
      assert.equal(takesFastPath(events, json), true);
      const got = sameAsSlow(events, json);
      assert.ok(!(got as { error?: string }).error, `unexpected error ${JSON.stringify(got)}`);
    });
  }
  for (const [what, json] of fallback) {
    it(`hands ${what} to the general path, with the same result or error`, () => {
      assert.equal(takesFastPath(events, json), false);
      sameAsSlow(events, json);
    });
  }

  it('keeps bytes as a Buffer and int64 as a number', () => {
    const ev = events.decodeJson(JSON.stringify({ type: 'UPDATE', update: { status } })) as { update: { status: { uuid: unknown } } };
    assert.ok(Buffer.isBuffer(ev.update.status.uuid));
    assert.deepEqual([...(ev.update.status.uuid as Buffer)], Array.from({ length: 16 }, (_, i) => i));
    const time = codecFor<Record<string, unknown>>('mesos.v1.TimeInfo');
    assert.deepStrictEqual(time.decodeJson('{"nanoseconds":"1700000000000000000"}'), time.fromJsonObjectSlow({ nanoseconds: '1700000000000000000' }));
    assert.deepStrictEqual(time.decodeJson('{"nanoseconds":1700000000}'), { nanoseconds: 1700000000 });
  });

  it('the missing-field and unknown-enum errors are those of the general path', () => {
    const missing = decoded(events, { type: 'OFFERS', offers: { offers: [{ ...offer, agent_id: undefined }] } }) as { error: string; code: string };
    assert.equal(missing.code, 'ERR_PROTOCOL_DECODE');
    assert.equal(missing.error, 'failed to convert JSON into mesos.v1.scheduler.Event: Missing required fields: offers.offers[0].agent_id');
    const unknown = decoded(events, { type: 'UPDATE', update: { status: { ...status, state: 'TASK_FROM_MESOS_2' } } }) as { error: string; code: string };
    assert.equal(unknown.code, 'ERR_PROTOCOL_DECODE');
    assert.match(unknown.error, /update\.status\.state = "TASK_FROM_MESOS_2" is not a value of mesos\.v1\.TaskState/);
  });

  it('a message whose map field (FrameworkInfo.offer_filters) is set converts through the general path; without it, on the fast path', () => {
    const info = codecFor<Record<string, unknown>>('mesos.v1.FrameworkInfo');
    const withMap = { user: 'u', name: 'n', offer_filters: { web: { min_allocatable_resources: { quantities: [] } } } };
    assert.equal(takesFastPath(info, withMap), false);
    sameAsSlow(info, withMap);
    const withoutMap = { user: 'u', name: 'n', roles: ['a'], capabilities: [{ type: 'MULTI_ROLE' }] };
    assert.equal(takesFastPath(info, withoutMap), true);
    sameAsSlow(info, withoutMap);
  });

  it('every message type of the schema converts a complete sample as the general path does', () => {
    // A sample per type: every non-map field set to a valid value of its type, nested messages two
    // levels deep (recursive types stop there). Types with required fields deeper are skipped by
    // the general path's own error (compared too).
    const root = events.type.root;
    let checked = 0;
    let fast = 0;
    const visit = (ns: { nestedArray?: unknown[] }): void => {
      for (const nested of ns.nestedArray ?? []) {
        if ((nested as { fieldsArray?: unknown }).fieldsArray) {
          const codec = codecFor<Record<string, unknown>>((nested as { fullName: string }).fullName.slice(1));
          const json = sample(codec.type, 0);
          if (takesFastPath(codec, json)) fast++;
          sameAsSlow(codec, json);
          checked++;
        }
        visit(nested as { nestedArray?: unknown[] });
      }
    };
    visit(root as unknown as { nestedArray?: unknown[] });
    assert.ok(checked > 250, `checked ${checked} types`);
    // Most samples are complete (those that are not lack a required field below the depth cut-off or hold a map).
    assert.ok(fast > checked / 2, `${fast} of ${checked} samples took the fast path`);
  });
});

function sample(type: MessageCodec['type'], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (field.map) continue;
    const resolved = field.resolvedType as { values?: Record<string, number>; fieldsArray?: unknown } | null;
    let value: unknown;
    if (resolved && resolved.values) value = Object.keys(resolved.values)[Object.keys(resolved.values).length - 1];
    else if (resolved && resolved.fieldsArray) {
      if (depth >= 2) continue;
      value = sample(resolved as MessageCodec['type'], depth + 1);
    } else {
      value = ({ string: 'text', bool: true, double: 2.5, float: 0.5, int32: -7, sint32: -7, sfixed32: 7, uint32: 7, fixed32: 7, int64: 123456789012, sint64: -5, sfixed64: 5, uint64: '9007199254740991', fixed64: 9, bytes: 'AQID' } as Record<string, unknown>)[field.type];
    }
    out[field.name] = field.repeated ? [value, value] : value;
  }
  return out;
}
