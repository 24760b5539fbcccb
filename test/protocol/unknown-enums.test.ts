// Issue 16 #11: enum values the schema does not know, in JSON, are handled as protobuf handles
// them. Mesos's enums are proto2 (closed): protobuf drops an unknown value (the field is then
// absent), so an optional field goes missing quietly and a required one makes the message
// invalid. The JSON path does the same, and its error names the value it did not know.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { codecFor } from '../../src/protocol/codec.js';
import { ProtocolError } from '../../src/errors/index.js';

const events = codecFor<Record<string, unknown>>('mesos.v1.scheduler.Event');
const statusType = codecFor('mesos.v1.TaskStatus').type;

/** A protobuf UPDATE whose TaskStatus has `state` and `reason` as raw numbers. */
function protobufUpdate(state: number | undefined, reason: number | undefined): Uint8Array {
  const status = protobuf.Writer.create();
  status.uint32((statusType.fields['task_id']!.id << 3) | 2).fork().uint32((1 << 3) | 2).string('t1').ldelim();
  if (state !== undefined) status.uint32(statusType.fields['state']!.id << 3).uint32(state);
  if (reason !== undefined) status.uint32(statusType.fields['reason']!.id << 3).uint32(reason);
  const updateType = codecFor('mesos.v1.scheduler.Event.Update').type;
  const update = protobuf.Writer.create().uint32((updateType.fields['status']!.id << 3) | 2).bytes(status.finish()).finish();
  const ev = events.type;
  return protobuf.Writer.create()
    .uint32(ev.fields['type']!.id << 3)
    .uint32((ev.fields['type']!.resolvedType as protobuf.Enum).values['UPDATE']!)
    .uint32((ev.fields['update']!.id << 3) | 2)
    .bytes(update)
    .finish();
}

describe('MessageCodec: enum values the schema does not know', () => {
  it('an unknown value of an optional enum field is dropped, in JSON as in protobuf', () => {
    const fromJson = events.decodeJson(JSON.stringify({ type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', reason: 'REASON_FROM_MESOS_2' } } }));
    const fromProtobuf = events.decodeProtobuf(protobufUpdate(1, 9999));
    assert.deepEqual(fromJson, { type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING' } } });
    assert.deepEqual(fromProtobuf, fromJson);
  });

  it('an unknown event type is dropped: the event has no type (an UnknownSchedulerEvent)', () => {
    assert.deepEqual(events.decodeJson(JSON.stringify({ type: 'SOMETHING_NEW', something_new: {} })), {});
  });

  it('an unknown value of a required enum field is an ERR_PROTOCOL_DECODE in both encodings; the JSON one names the value', () => {
    assert.throws(
      () => events.decodeJson(JSON.stringify({ type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_FROM_MESOS_2' } } })),
      (err: unknown) => {
        assert.ok(err instanceof ProtocolError);
        assert.equal(err.code, 'ERR_PROTOCOL_DECODE');
        assert.equal(
          err.message,
          'failed to convert JSON into mesos.v1.scheduler.Event: Missing required fields: update.status.state (update.status.state = "TASK_FROM_MESOS_2" is not a value of mesos.v1.TaskState; this SDK\'s schema is Mesos 1.11\'s)',
        );
        assert.deepEqual(err.details?.['missing'], ['update.status.state']);
        return true;
      },
    );
    assert.throws(() => events.decodeProtobuf(protobufUpdate(99, undefined)), (err: unknown) => err instanceof ProtocolError && err.code === 'ERR_PROTOCOL_DECODE' && /missing required 'state'/.test(err.message));
  });

  it('a required field that is really absent keeps the plain message', () => {
    assert.throws(
      () => events.decodeJson(JSON.stringify({ type: 'UPDATE', update: { status: { task_id: { value: 't1' } } } })),
      { message: 'failed to convert JSON into mesos.v1.scheduler.Event: Missing required fields: update.status.state' },
    );
  });
});
