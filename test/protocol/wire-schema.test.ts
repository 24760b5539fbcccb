import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { codecFor, loadProtoSchema, schema } from '../../src/protocol/codec.js';
import { Codecs } from '../../src/protocol/messages.js';
import { ProtocolError } from '../../src/errors/families.js';

/** Builds a message with every field set (one member per oneof, bounded depth) from the schema. */
function sample(type: protobuf.Type, depth = 0, seed = 1): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const usedOneofs = new Set<string>();
  for (const field of type.fieldsArray) {
    if (field.partOf) {
      if (usedOneofs.has(field.partOf.name)) continue;
      usedOneofs.add(field.partOf.name);
    }
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type && depth >= 4 && !field.required) continue;
    const one = (): unknown => {
      if (resolved instanceof protobuf.Enum) {
        const names = Object.keys(resolved.values);
        return names[Math.min(1, names.length - 1)];
      }
      if (resolved instanceof protobuf.Type) return sample(resolved, depth + 1, seed + field.id);
      switch (field.type) {
        case 'string': return `${field.name}-${seed}`;
        case 'bool': return true;
        case 'bytes': return Uint8Array.from([1, 2, 3, seed & 0xff]);
        case 'double': case 'float': return 1.5;
        default: return field.id + seed;
      }
    };
    if (field.map) out[field.name] = { k: one() };
    else out[field.name] = field.repeated ? [one()] : one();
  }
  return out;
}

function roundTrips(fullName: string, message: Record<string, unknown>): void {
  const codec = codecFor<Record<string, unknown>>(fullName);
  const expected = codec.toJsonObject(message);
  const viaProtobuf = codec.decodeProtobuf(codec.encodeProtobuf(message));
  const viaJson = codec.decodeJson(codec.encodeJson(message));
  assert.deepEqual(codec.toJsonObject(viaProtobuf), expected, `${fullName} protobuf round trip`);
  assert.deepEqual(codec.toJsonObject(viaJson), expected, `${fullName} JSON round trip`);
}

/** Every `type` variant of a Call/Event-like message, with its sub-message filled. */
function variants(fullName: string): Array<[string, Record<string, unknown>]> {
  const type = schema().lookupType(fullName);
  const typeEnum = type.lookupEnum('Type');
  return Object.keys(typeEnum.values)
    .filter((name) => name !== 'UNKNOWN')
    .map((name) => {
      const field = type.fields[name.toLowerCase()];
      const msg: Record<string, unknown> = { type: name };
      if (fullName.endsWith('scheduler.Call')) msg['framework_id'] = { value: 'fw-1' };
      if (fullName.endsWith('executor.Call')) {
        msg['framework_id'] = { value: 'fw-1' };
        msg['executor_id'] = { value: 'ex-1' };
      }
      if (field && field.resolvedType instanceof protobuf.Type) msg[field.name] = sample(field.resolvedType);
      return [name, msg];
    });
}

describe('proto schema', () => {
  it('resolves every type of every file', () => {
    assert.doesNotThrow(() => schema().resolveAll());
  });

  it('the generated descriptor the codecs use is exactly proto/ (run scripts/gen-types.mjs after changing proto/)', () => {
    assert.equal(JSON.stringify(schema().toJSON()), JSON.stringify(loadProtoSchema().toJSON()));
  });

  it('declares exactly the scheduler call types of Mesos 1.11', () => {
    assert.deepEqual(Object.keys(schema().lookupEnum('mesos.v1.scheduler.Call.Type').values), [
      'UNKNOWN', 'SUBSCRIBE', 'TEARDOWN', 'ACCEPT', 'DECLINE', 'ACCEPT_INVERSE_OFFERS', 'DECLINE_INVERSE_OFFERS',
      'REVIVE', 'KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'ACKNOWLEDGE_OPERATION_STATUS', 'RECONCILE', 'RECONCILE_OPERATIONS',
      'MESSAGE', 'REQUEST', 'SUPPRESS', 'UPDATE_FRAMEWORK',
    ]);
  });

  it('declares exactly the scheduler event types of Mesos 1.11 with their numbers', () => {
    assert.deepEqual({ ...schema().lookupEnum('mesos.v1.scheduler.Event.Type').values }, {
      UNKNOWN: 0, SUBSCRIBED: 1, OFFERS: 2, INVERSE_OFFERS: 9, RESCIND: 3, RESCIND_INVERSE_OFFER: 10, UPDATE: 4,
      UPDATE_OPERATION_STATUS: 11, MESSAGE: 5, FAILURE: 6, ERROR: 7, HEARTBEAT: 8,
    });
  });

  it('declares the executor call and event types', () => {
    assert.deepEqual(Object.keys(schema().lookupEnum('mesos.v1.executor.Call.Type').values), ['UNKNOWN', 'SUBSCRIBE', 'UPDATE', 'MESSAGE', 'HEARTBEAT']);
    assert.deepEqual(Object.keys(schema().lookupEnum('mesos.v1.executor.Event.Type').values).sort(), [
      'ACKNOWLEDGED', 'ERROR', 'HEARTBEAT', 'KILL', 'LAUNCH', 'LAUNCH_GROUP', 'MESSAGE', 'SHUTDOWN', 'SUBSCRIBED', 'UNKNOWN',
    ]);
  });

  it('pins task state numbers including the partition-aware ones', () => {
    const states = schema().lookupEnum('mesos.v1.TaskState').values;
    assert.equal(states['TASK_STAGING'], 6);
    assert.equal(states['TASK_RUNNING'], 1);
    assert.equal(states['TASK_KILLING'], 8);
    assert.equal(states['TASK_UNREACHABLE'], 10);
    assert.equal(states['TASK_DROPPED'], 9);
    assert.equal(states['TASK_GONE'], 11);
    assert.equal(states['TASK_GONE_BY_OPERATOR'], 12);
    assert.equal(states['TASK_UNKNOWN'], 13);
  });

  it('pins offer operation types', () => {
    const ops = schema().lookupEnum('mesos.v1.Offer.Operation.Type').values;
    assert.deepEqual(
      { LAUNCH: ops['LAUNCH'], LAUNCH_GROUP: ops['LAUNCH_GROUP'], RESERVE: ops['RESERVE'], UNRESERVE: ops['UNRESERVE'], CREATE: ops['CREATE'], DESTROY: ops['DESTROY'], GROW_VOLUME: ops['GROW_VOLUME'], SHRINK_VOLUME: ops['SHRINK_VOLUME'] },
      { LAUNCH: 1, LAUNCH_GROUP: 6, RESERVE: 2, UNRESERVE: 3, CREATE: 4, DESTROY: 5, GROW_VOLUME: 11, SHRINK_VOLUME: 12 },
    );
  });

  for (const fullName of ['mesos.v1.scheduler.Call', 'mesos.v1.scheduler.Event', 'mesos.v1.executor.Call', 'mesos.v1.executor.Event', 'mesos.v1.master.Call']) {
    describe(`${fullName} variants`, () => {
      for (const [name, msg] of variants(fullName)) {
        it(`${name} round-trips through protobuf and JSON`, () => roundTrips(fullName, msg));
      }
    });
  }
});

describe('Mesos wire facts', () => {
  it('encodes HEARTBEAT as the two bytes 08 08', () => {
    assert.deepEqual([...Codecs.schedulerEvent().encodeProtobuf({ type: 'HEARTBEAT' })], [0x08, 0x08]);
    assert.equal(Buffer.from(Codecs.schedulerEvent().encodeJson({ type: 'HEARTBEAT' })).toString(), '{"type":"HEARTBEAT"}');
  });

  it('writes explicit defaults of unset optional fields, as Mesos does', () => {
    const json = Codecs.schedulerCall().toJsonObject({ framework_id: { value: 'f' }, type: 'DECLINE', decline: { offer_ids: [{ value: 'o' }], filters: {} } });
    assert.deepEqual(json['decline'], { offer_ids: [{ value: 'o' }], filters: { refuse_seconds: 5 } });
  });

  it('writes bytes as padded base64 and 64-bit integers as numbers', () => {
    const uuid = Uint8Array.from({ length: 16 }, (_, i) => i);
    const json = Codecs.taskStatus().toJsonObject({ task_id: { value: 't' }, state: 'TASK_RUNNING', uuid, timestamp: 1.5 });
    assert.equal(json['uuid'], Buffer.from(uuid).toString('base64'));
    assert.ok(String(json['uuid']).endsWith('=='));
    const range = codecFor<Record<string, unknown>>('mesos.v1.Value.Range').toJsonObject({ begin: 31000, end: 32000 });
    assert.deepEqual(range, { begin: 31000, end: 32000 });
  });

  it('ignores unknown JSON keys and fails on a missing required field', () => {
    const status = Codecs.taskStatus().decodeJson('{"task_id":{"value":"t"},"state":"TASK_FAILED","bogus":1}');
    assert.equal(status.state, 'TASK_FAILED');
    assert.throws(() => Codecs.taskStatus().decodeJson('{"state":"TASK_FAILED"}'), (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_PROTOCOL_DECODE');
  });

  describe('encodeComplete()', () => {
    const call = {
      type: 'ACCEPT',
      framework_id: { value: 'fw' },
      accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' } }] } }] },
    } as never;
    for (const encoding of ['protobuf', 'json'] as const) {
      it(`names every missing required field, as Mesos does, before encoding (${encoding})`, () => {
        assert.throws(() => Codecs.schedulerCall().encodeComplete(call, encoding), (err: unknown) => {
          assert.ok(err instanceof ProtocolError);
          assert.equal(err.code, 'ERR_PROTOCOL_ENCODE');
          assert.equal(err.message, 'cannot encode mesos.v1.scheduler.Call: Missing required fields: accept.operations[0].launch.task_infos[0].agent_id');
          return true;
        });
      });
    }
    it('encodes a complete message as encode() does', () => {
      const ok = { type: 'DECLINE', framework_id: { value: 'fw' }, decline: { offer_ids: [{ value: 'o1' }] } } as never;
      assert.deepEqual(Codecs.schedulerCall().encodeComplete(ok, 'protobuf'), Codecs.schedulerCall().encode(ok, 'protobuf'));
    });
  });

  // Regression: protobufjs failed on the absent required message with "Cannot read properties of null (reading 'value')".
  it('names the missing required field when protobuf encoding fails on it', () => {
    const call = { type: 'ACCEPT', framework_id: { value: 'fw' }, accept: { offer_ids: [], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' } }] } }] } } as never;
    assert.throws(() => Codecs.schedulerCall().encodeProtobuf(call), /as protobuf: Missing required fields: accept\.operations\[0\]\.launch\.task_infos\[0\]\.agent_id/);
  });

  it('turns garbage protobuf into a ProtocolError', () => {
    assert.throws(() => Codecs.schedulerEvent().decodeProtobuf(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_PROTOCOL_DECODE');
  });

  it('turns non-object JSON into a ProtocolError', () => {
    assert.throws(() => Codecs.schedulerCall().decodeJson('[1,2]'), { code: 'ERR_PROTOCOL_DECODE' });
    assert.throws(() => Codecs.schedulerCall().decodeJson('{"type":'), { code: 'ERR_PROTOCOL_DECODE' });
  });
});
