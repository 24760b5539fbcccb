import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../../src/protocol/codec.js';
import { Codecs } from '../../src/protocol/messages.js';
import { isSchedulerEvent, SCHEDULER_EVENT_FIELDS } from '../../src/scheduler/scheduler-event.js';
import { isExecutorEvent, EXECUTOR_EVENT_FIELDS } from '../../src/executor/executor-event.js';
import type { scheduler, executor } from '../../src/protocol/generated/index.js';

/** The event types of a wire message's `Type` enum (without UNKNOWN), and its payload fields. */
function wire(message: string): { types: string[]; fields: string[] } {
  const type = schema().lookupType(message);
  const types = Object.keys(schema().lookupEnum(`${message}.Type`).values).filter((t) => t !== 'UNKNOWN');
  return { types: types.sort(), fields: Object.keys(type.fields).filter((f) => f !== 'type') };
}

describe('SCHEDULER_EVENT_FIELDS', () => {
  it('names every scheduler event type of the wire schema, each with one of its fields (or none)', () => {
    const { types, fields } = wire('mesos.v1.scheduler.Event');
    assert.deepEqual(Object.keys(SCHEDULER_EVENT_FIELDS).sort(), types);
    for (const [type, field] of Object.entries(SCHEDULER_EVENT_FIELDS)) {
      if (field !== undefined) assert.ok(fields.includes(field), `${type}: ${field} is a field of scheduler.Event`);
    }
    assert.deepEqual(Object.values(SCHEDULER_EVENT_FIELDS).filter((f) => f !== undefined).sort(), [...fields].sort(), 'every payload field belongs to one type');
  });
});

describe('EXECUTOR_EVENT_FIELDS', () => {
  it('names every executor event type of the wire schema, each with one of its fields (or none)', () => {
    const { types, fields } = wire('mesos.v1.executor.Event');
    assert.deepEqual(Object.keys(EXECUTOR_EVENT_FIELDS).sort(), types);
    assert.deepEqual(Object.values(EXECUTOR_EVENT_FIELDS).filter((f) => f !== undefined).sort(), [...fields].sort());
  });
});

describe('isSchedulerEvent', () => {
  const update: scheduler.Event = { type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING' } } };

  it('accepts an event of the type that carries its payload', () => {
    assert.equal(isSchedulerEvent(update, 'UPDATE'), true);
    assert.equal(isSchedulerEvent({ type: 'HEARTBEAT' }, 'HEARTBEAT'), true, 'HEARTBEAT has no payload');
  });

  it('refuses an event of another type', () => {
    assert.equal(isSchedulerEvent(update, 'OFFERS'), false);
    assert.equal(isSchedulerEvent({ type: 'UNKNOWN' }, 'HEARTBEAT'), false);
    assert.equal(isSchedulerEvent({}, 'HEARTBEAT'), false);
  });

  it('refuses an event whose payload field is missing', () => {
    assert.equal(isSchedulerEvent({ type: 'UPDATE' }, 'UPDATE'), false);
    assert.equal(isSchedulerEvent({ type: 'OFFERS', update: update.update! }, 'OFFERS'), false);
  });

  it('accepts events as the codec decodes them, protobuf and JSON', () => {
    const codec = Codecs.schedulerEvent();
    const offers: scheduler.Event = { type: 'OFFERS', offers: { offers: [{ id: { value: 'o1' }, framework_id: { value: 'f' }, agent_id: { value: 'a' }, hostname: 'h' }] } };
    for (const encoding of ['protobuf', 'json'] as const) {
      const decoded = codec.decode(codec.encode(offers, encoding), encoding);
      assert.equal(isSchedulerEvent(decoded, 'OFFERS'), true, encoding);
      if (isSchedulerEvent(decoded, 'OFFERS')) assert.equal(decoded.offers.offers?.[0]?.hostname, 'h');
      const heartbeat = codec.decode(codec.encode({ type: 'HEARTBEAT' }, encoding), encoding);
      assert.equal(isSchedulerEvent(heartbeat, 'HEARTBEAT'), true, encoding);
    }
  });
});

describe('isExecutorEvent', () => {
  const kill: executor.Event = { type: 'KILL', kill: { task_id: { value: 't1' } } };

  it('accepts an event of the type that carries its payload, and refuses others', () => {
    assert.equal(isExecutorEvent(kill, 'KILL'), true);
    assert.equal(isExecutorEvent({ type: 'SHUTDOWN' }, 'SHUTDOWN'), true, 'SHUTDOWN has no payload');
    assert.equal(isExecutorEvent(kill, 'LAUNCH'), false);
    assert.equal(isExecutorEvent({ type: 'KILL' }, 'KILL'), false, 'no kill field');
  });
});
