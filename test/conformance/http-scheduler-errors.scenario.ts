// Bad requests to the scheduler endpoint, written by hand (node:http, JSON and protobuf bytes): the
// status, the plain-text type and the exact error text of real Mesos 1.11.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { conformance } from './support/targets.js';
import { post, RawSubscription, type RawResponse } from '../simulator/raw-client.js';

const JSON_TYPE = { 'Content-Type': 'application/json' };
const PROTOBUF_TYPE = { 'Content-Type': 'application/x-protobuf' };

/** Hand-made protobuf bytes (so that messages missing required fields can be sent at all). */
const pb = {
  varint: (field: number, v: number) => protobuf.Writer.create().uint32(field << 3).uint32(v).finish(),
  bytes: (field: number, inner: Uint8Array | string) => {
    const w = protobuf.Writer.create().uint32((field << 3) | 2);
    return (typeof inner === 'string' ? w.string(inner) : w.bytes(inner)).finish();
  },
  cat: (...parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p))),
};
const frameworkIdField = (value: string) => pb.bytes(1, pb.bytes(1, value));

/** Asserts a plain-text answer as libprocess writes it. */
function assertText(r: RawResponse, status: number, body: string | RegExp): void {
  assert.equal(r.status, status, `status for ${JSON.stringify(r.body)}`);
  if (typeof body === 'string') assert.equal(r.body, body);
  else assert.match(r.body, body);
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(r.headers['content-length'], String(Buffer.byteLength(r.body)));
}

const info = (name: string) => ({ user: 'root', name, failover_timeout: 60 });

conformance('scheduler endpoint: bad requests', (target) => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    it(`${method} answers 405 with Allow: POST`, async () => {
      const r = await post(target().url, '', {}, method);
      assertText(r, 405, `405 Method Not Allowed. Expecting one of { 'POST' }, but received '${method}'.`);
      assert.equal(r.headers['allow'], 'POST');
    });
  }

  it('the /master/api/v1/scheduler alias answers the same', async () => {
    assertText(await post(`${target().url}/master`, '{}'), 400, "Failed to validate scheduler::Call: Expecting 'type' to be present");
    assertText(await post(`${target().url}/master`, '', {}, 'GET'), 405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
  });

  it('a missing Content-Type is 400', async () => {
    assertText(await post(target().url, '{}', {}), 400, "Expecting 'Content-Type' to be present");
  });

  for (const type of ['text/plain', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'application/protobuf']) {
    it(`Content-Type ${type} is 415`, async () => {
      assertText(await post(target().url, '{}', { 'Content-Type': type }), 415, "Expecting 'Content-Type' of application/json or application/x-protobuf");
    });
  }

  const jsonCases: Array<[string, string, string]> = [
    ['an empty body', '', 'Failed to parse body into JSON: syntax error at line 1 near: '],
    ['a truncated object', '{"type":', 'Failed to parse body into JSON: syntax error at line 1 near: '],
    ['a bad token', '{"type":x}', 'Failed to parse body into JSON: syntax error at line 1 near: x}'],
    ['a missing colon', '{"type" "x"}', 'Failed to parse body into JSON: syntax error at line 1 near: "x"}'],
    ['a trailing comma', '{"a":1,}', 'Failed to parse body into JSON: syntax error at line 1 near: }'],
    ['an error on a later line', '{\n"type":\n\nxyz abc\n}', 'Failed to parse body into JSON: syntax error at line 4 near: xyz abc'],
    ['a bad escape', '{"a":"\\x"}', 'Failed to parse body into JSON: syntax error at line 1 near: "}'],
    ['a bad unicode escape', '{"a":"\\u12G4"}', 'Failed to parse body into JSON: syntax error at line 1 near: G4"}'],
    ['a lone minus', '{"a":-}', 'Failed to parse body into JSON: syntax error at line 1 near: }'],
    ['trailing text', '{"type":"SUBSCRIBE"} trailing', 'Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters:  trailing'],
    ['an array', '[]', 'Failed to convert JSON into Call protobuf: Expecting a JSON object'],
    ['null', 'null', 'Failed to convert JSON into Call protobuf: Expecting a JSON object'],
    ['a string', '"x"', 'Failed to convert JSON into Call protobuf: Expecting a JSON object'],
    ['a number for an enum', '{"type":1}', "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'type'"],
    ['a boolean for an enum', '{"type":true}', "Failed to convert JSON into Call protobuf: Not expecting a JSON boolean for field 'type'"],
    ['an array for a single field', '{"type":["REVIVE"]}', "Failed to convert JSON into Call protobuf: Not expecting a JSON array for field 'type'"],
    ['a string for a message', '{"type":"REVIVE","framework_id":"abc"}', "Failed to convert JSON into Call protobuf: Not expecting a JSON string for field 'framework_id'"],
    ['fields checked in key order', '{"type":true,"framework_id":"abc"}', "Failed to convert JSON into Call protobuf: Not expecting a JSON string for field 'framework_id'"],
    ['a number for a string', '{"type":"REVIVE","framework_id":{"value":5}}', "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'value'"],
    ['a missing required id value', '{"type":"REVIVE","framework_id":{}}', 'Failed to convert JSON into Call protobuf: Missing required fields: framework_id.value'],
    ['SUBSCRIBE without framework_info', '{"type":"SUBSCRIBE","subscribe":{}}', 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info'],
    ['SUBSCRIBE without user', '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"x"}}}', 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user'],
    ['SUBSCRIBE without name', '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"x"}}}', 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.name'],
    ['SUBSCRIBE without user and name', '{"type":"SUBSCRIBE","subscribe":{"framework_info":{}}}', 'Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name'],
    ['a number for a name', '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":5}}}', "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'name'"],
    ['an object for a repeated field (one element)', '{"type":"DECLINE","framework_id":{"value":"x"},"decline":{"offer_ids":{}}}', 'Failed to convert JSON into Call protobuf: Missing required fields: decline.offer_ids[0].value'],
    ['a number in a repeated message field', '{"type":"DECLINE","framework_id":{"value":"x"},"decline":{"offer_ids":[5]}}', "Failed to convert JSON into Call protobuf: Not expecting a JSON number for field 'offer_ids'"],
    ['a non-number string for a double', '{"type":"DECLINE","framework_id":{"value":"x"},"decline":{"filters":{"refuse_seconds":"abc"}}}', "Failed to convert JSON into Call protobuf: Failed to parse 'abc' as a JSON number for field 'refuse_seconds': syntax error at line 1 near: abc"],
    ['bad base64', '{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"!!"}}', "Failed to convert JSON into Call protobuf: Failed to base64 decode bytes field 'uuid': Invalid character '!'"],
    ['ACKNOWLEDGE without its fields', '{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{}}', 'Failed to convert JSON into Call protobuf: Missing required fields: acknowledge.agent_id, acknowledge.task_id, acknowledge.uuid'],
    ['KILL without task_id', '{"type":"KILL","framework_id":{"value":"x"},"kill":{}}', 'Failed to convert JSON into Call protobuf: Missing required fields: kill.task_id'],
    ['no type', '{}', "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['an unknown type name (dropped)', '{"type":"FOO"}', "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['a lower-case type name (dropped)', '{"type":"subscribe"}', "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['a null type', '{"type":null}', "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['SUBSCRIBE without subscribe', '{"type":"SUBSCRIBE"}', "Failed to validate scheduler::Call: Expecting 'subscribe' to be present"],
    ['UNKNOWN without framework_id', '{"type":"UNKNOWN"}', "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"],
    ['REVIVE without framework_id', '{"type":"REVIVE"}', "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"],
    ['a null framework_id', '{"type":"REVIVE","framework_id":null}', "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"],
    ['KILL without kill', '{"type":"KILL","framework_id":{"value":"x"}}', "Failed to validate scheduler::Call: Expecting 'kill' to be present"],
    ['ACCEPT without accept', '{"type":"ACCEPT","framework_id":{"value":"x"}}', "Failed to validate scheduler::Call: Expecting 'accept' to be present"],
    ['UPDATE_FRAMEWORK without update_framework', '{"type":"UPDATE_FRAMEWORK","framework_id":{"value":"x"}}', "Failed to validate scheduler::Call: Expecting 'update_framework' to be present"],
    ['a uuid of 3 bytes', '{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"QUFB"}}', 'Failed to validate scheduler::Call: Not a valid UUID'],
    // 16 bytes, but version nibble 0 and 6: not a UUID for stout.
    ['a nil uuid', '{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"AAAAAAAAAAAAAAAAAAAAAA=="}}', 'Failed to validate scheduler::Call: Not a valid UUID'],
    ['a uuid of version 6', `{"type":"ACKNOWLEDGE","framework_id":{"value":"x"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"${Buffer.from('41414141414161414141414141414141', 'hex').toString('base64')}"}}`, 'Failed to validate scheduler::Call: Not a valid UUID'],
    ['SUBSCRIBE with framework_id but no framework_info.id', '{"type":"SUBSCRIBE","framework_id":{"value":"a"},"subscribe":{"framework_info":{"user":"u","name":"n"}}}', "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'"],
    ['SUBSCRIBE with framework_info.id but no framework_id', '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"u","name":"n","id":{"value":"q"}}}}', "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'"],
    ['SUBSCRIBE with two different ids', '{"type":"SUBSCRIBE","framework_id":{"value":"a"},"subscribe":{"framework_info":{"user":"u","name":"n","id":{"value":"b"}}}}', "Failed to validate scheduler::Call: 'framework_id' differs from 'subscribe.framework_info.id'"],
    ['a call for an unknown framework', '{"type":"REVIVE","framework_id":{"value":"no-such-framework"}}', 'Framework cannot be found'],
    ['unknown keys are ignored', '{"type":"REVIVE","framework_id":{"value":"no-such-framework"},"foo":1}', 'Framework cannot be found'],
    ['a number given as a string is taken', '{"type":"DECLINE","framework_id":{"value":"no-such-framework"},"decline":{"filters":{"refuse_seconds":"5"}}}', 'Framework cannot be found'],
    ['UNKNOWN for an unknown framework', '{"type":"UNKNOWN","framework_id":{"value":"no-such-framework"}}', 'Framework cannot be found'],
    ['TEARDOWN for an unknown framework', '{"type":"TEARDOWN","framework_id":{"value":"no-such-framework"}}', 'Framework cannot be found'],
  ];
  for (const [what, body, message] of jsonCases) {
    it(`JSON: ${what}`, async () => {
      assertText(await post(target().url, body, JSON_TYPE), 400, message);
    });
  }

  const protobufCases: Array<[string, Uint8Array, string]> = [
    ['garbage bytes', Buffer.from([0xff, 0xff, 0xff]), 'Failed to parse body into Call protobuf'],
    ['JSON sent as protobuf', Buffer.from('{"type":"REVIVE"}'), 'Failed to parse body into Call protobuf'],
    ['a truncated message', pb.cat(pb.varint(2, 1), Buffer.from([0x1a, 0x10, 0x0a])), 'Failed to parse body into Call protobuf'],
    ['SUBSCRIBE without framework_info', pb.cat(pb.varint(2, 1), pb.bytes(3, new Uint8Array())), 'Failed to parse body into Call protobuf'],
    ['SUBSCRIBE without user', pb.cat(pb.varint(2, 1), pb.bytes(3, pb.bytes(1, pb.bytes(2, 'n')))), 'Failed to parse body into Call protobuf'],
    ['a framework_id without value', pb.cat(pb.bytes(1, new Uint8Array()), pb.varint(2, 5)), 'Failed to parse body into Call protobuf'],
    ['an empty body', Buffer.alloc(0), "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['an unknown type number', pb.cat(frameworkIdField('x'), pb.varint(2, 99)), "Failed to validate scheduler::Call: Expecting 'type' to be present"],
    ['UNKNOWN without framework_id', pb.varint(2, 0), "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"],
    ['SHUTDOWN without shutdown', pb.cat(frameworkIdField('x'), pb.varint(2, 7)), "Failed to validate scheduler::Call: Expecting 'shutdown' to be present"],
    ['a call for an unknown framework', pb.cat(frameworkIdField('no-such-framework'), pb.varint(2, 5)), 'Framework cannot be found'],
  ];
  for (const [what, body, message] of protobufCases) {
    it(`protobuf: ${what}`, async () => {
      assertText(await post(target().url, Buffer.from(body), PROTOBUF_TYPE), 400, message);
    });
  }

  it('SUBSCRIBE with an Accept allowing neither encoding is 406 (and registers nothing)', async () => {
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info(`conformance-errors-406-${Date.now()}`) } });
    assertText(await post(target().url, body, { ...JSON_TYPE, Accept: 'text/html' }), 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  });

  it('SUBSCRIBE carrying a Mesos-Stream-Id is 400', async () => {
    const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info(`conformance-errors-sid-${Date.now()}`) } });
    assertText(await post(target().url, body, { ...JSON_TYPE, 'Mesos-Stream-Id': 'abc' }), 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  });

  it('calls of a subscribed framework: missing, wrong and stale stream ids; Accept on RECONCILE_OPERATIONS; disconnected is 403', async () => {
    const url = target().url;
    const name = `conformance-errors-stream-${Date.now()}`;
    const sub = await RawSubscription.open(url, info(name));
    let current = sub;
    try {
      await sub.waitFor((s) => s.frameworkId !== '', 10_000, 'SUBSCRIBED');
      const fw = sub.frameworkId;
      const revive = JSON.stringify({ type: 'REVIVE', framework_id: { value: fw } });
      assertText(await post(url, revive), 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
      for (const wrong of ['abc', '3e0ed1d6-7f4e-4c6a-9a6e-0e4b8a3e1f00']) {
        assertText(await post(url, revive, { ...JSON_TYPE, 'Mesos-Stream-Id': wrong }), 400,
          `The stream ID '${wrong}' included in this request didn't match the stream ID currently associated with framework ID ${fw}`);
      }
      // A SUBSCRIBE of this framework with the stream id header is refused before anything else.
      const resubscribe = JSON.stringify({ type: 'SUBSCRIBE', framework_id: { value: fw }, subscribe: { framework_info: { ...info('x'), id: { value: fw } } } });
      assertText(await post(url, resubscribe, { ...JSON_TYPE, 'Mesos-Stream-Id': sub.streamId }), 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      // Accept matters only for calls that answer with a body.
      const withStream = { ...JSON_TYPE, 'Mesos-Stream-Id': sub.streamId };
      const reviveOk = await post(url, revive, { ...withStream, Accept: 'text/html' });
      assert.equal(reviveOk.status, 202);
      assert.equal(reviveOk.body, '');
      const reconcileOps = JSON.stringify({ type: 'RECONCILE_OPERATIONS', framework_id: { value: fw }, reconcile_operations: {} });
      assertText(await post(url, reconcileOps, { ...withStream, Accept: 'text/html' }), 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
      const ops = await post(url, reconcileOps, withStream);
      assert.equal(ops.status, 202);
      assert.equal(ops.body, '');
      const badUuid = JSON.stringify({ type: 'ACKNOWLEDGE', framework_id: { value: fw }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: 'QUFB' } });
      assertText(await post(url, badUuid, withStream), 400, 'Failed to validate scheduler::Call: Not a valid UUID');

      // The framework loses its connection but is kept for its failover timeout: 403.
      sub.close();
      await sub.waitFor((s) => s.ended, 5000, 'the stream to end');
      await new Promise((r) => setTimeout(r, 300));
      assertText(await post(url, revive), 403, 'Framework is not subscribed');
      assertText(await post(url, revive, withStream), 403, 'Framework is not subscribed');
      current = await RawSubscription.open(url, { ...info(name), id: { value: fw } });
      await current.waitFor((s) => s.frameworkId === fw, 10_000, 'SUBSCRIBED again');
    } finally {
      if (current.frameworkId) await current.call(url, { type: 'TEARDOWN' });
      current.close();
      sub.close();
    }
  });
});
