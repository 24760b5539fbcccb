import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { convertJson, decodeRequestBody, parseJson } from '../../src/simulator/endpoints/mesos-json.js';
import { isValidUpdateUuid as isValidUuid } from '../../src/protocol/uuid.js';
import { durationText } from '../../src/simulator/endpoints/master-endpoints.js';
import { schema } from '../../src/protocol/codec.js';

const Call = () => schema().lookupType('mesos.v1.scheduler.Call');

describe('simulator mesos-json: parseJson', () => {
  it('parses what JSON.parse parses, and numbers picojson takes (leading zeros)', () => {
    assert.deepEqual(parseJson(' {"a":[1,2.5,-3e2],"b":{"c":null,"d":true},"e":"\\u0041\\n"} '), { value: { a: [1, 2.5, -300], b: { c: null, d: true }, e: 'A\n' } });
    assert.deepEqual(parseJson('{"a":01}'), { value: { a: 1 } });
  });

  it('reports the line of the failure and the rest of that line, from the offending character', () => {
    assert.deepEqual(parseJson('{"type":x}'), { error: 'syntax error at line 1 near: x}' });
    assert.deepEqual(parseJson('{\n"a":\n  tru e\n}'), { error: 'syntax error at line 3 near:  e' });
    assert.deepEqual(parseJson('{"a":[1 2]}'), { error: 'syntax error at line 1 near: 2]}' });
    assert.deepEqual(parseJson(''), { error: 'syntax error at line 1 near: ' });
  });

  it('starts after a bad escape character, which picojson consumed', () => {
    assert.deepEqual(parseJson('{"a":"\\x"}'), { error: 'syntax error at line 1 near: "}' });
  });

  it('rejects trailing text up to the last visible character, unless asked for a prefix', () => {
    assert.deepEqual(parseJson('{} x \n'), { error: 'Parsed JSON included non-whitespace trailing characters:  x' });
    assert.deepEqual(parseJson('5x', true), { value: 5 });
  });
});

describe('simulator mesos-json: convertJson', () => {
  it('visits keys in sorted order, so the alphabetically first bad field is reported', () => {
    assert.deepEqual(convertJson(Call(), { type: true, framework_id: 'abc' }), { error: "Not expecting a JSON string for field 'framework_id'" });
  });

  it('drops unknown keys, nulls and unknown enum names; wraps a single value of a repeated field', () => {
    const r = convertJson(Call(), { type: 'NOPE', foo: 1, framework_id: null, decline: { offer_ids: { value: 'o' } } });
    assert.deepEqual(r, { message: { decline: { offer_ids: [{ value: 'o' }] } } });
  });

  it('lists missing required fields with their paths, required ones first, then sub-messages by number', () => {
    assert.deepEqual(convertJson(Call(), { subscribe: { framework_info: {} } }), { error: 'Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name' });
    assert.deepEqual(convertJson(Call(), { decline: { offer_ids: [{ value: 'a' }, {}] } }), { error: 'Missing required fields: decline.offer_ids[1].value' });
  });

  it('takes numbers given as strings and explains the ones it cannot parse', () => {
    assert.deepEqual(convertJson(Call(), { decline: { filters: { refuse_seconds: '5' } } }), { message: { decline: { filters: { refuse_seconds: 5 } } } });
    assert.deepEqual(convertJson(Call(), { decline: { filters: { refuse_seconds: '"5"' } } }), { error: "Failed to parse '\"5\"' as a JSON number for field 'refuse_seconds': Unexpected JSON type parsed" });
  });
});

describe('simulator mesos-json: decodeRequestBody', () => {
  it('answers protobuf failures with one text, as the master does', () => {
    assert.deepEqual(decodeRequestBody(Call(), Buffer.from([0xff, 0xff]), 'protobuf'), { error: 'Failed to parse body into Call protobuf' });
  });

  it('prefixes JSON failures with the stage that failed', () => {
    assert.deepEqual(decodeRequestBody(Call(), Buffer.from('{'), 'json'), { error: 'Failed to parse body into JSON: syntax error at line 1 near: ' });
    assert.deepEqual(decodeRequestBody(Call(), Buffer.from('[]'), 'json'), { error: 'Failed to convert JSON into Call protobuf: Expecting a JSON object' });
  });

  it('decodes a valid JSON call with bytes as bytes', () => {
    const r = decodeRequestBody(Call(), Buffer.from('{"type":"ACKNOWLEDGE","framework_id":{"value":"f"},"acknowledge":{"agent_id":{"value":"a"},"task_id":{"value":"t"},"uuid":"QUFB"}}'), 'json');
    assert.ok('message' in r);
    assert.deepEqual(Buffer.from((r.message['acknowledge'] as { uuid: Uint8Array }).uuid), Buffer.from('AAA'));
  });
});

describe('simulator call validation: isValidUuid', () => {
  it('wants 16 bytes with a version nibble of 1 to 5 (stout UUID::fromBytes)', () => {
    const withVersion = (v: number) => Buffer.from(`414141414141${v.toString(16)}1414141414141414141`.slice(0, 32), 'hex');
    assert.equal(isValidUuid(withVersion(4)), true);
    assert.equal(isValidUuid(withVersion(5)), true);
    assert.equal(isValidUuid(withVersion(0)), false);
    assert.equal(isValidUuid(withVersion(6)), false);
    assert.equal(isValidUuid(Buffer.alloc(15, 0x41)), false);
  });
});

describe('simulator master endpoints: durationText', () => {
  it('writes stout Durations', () => {
    assert.equal(durationText(1000), '1secs');
    assert.equal(durationText(1500), '1.5secs');
    assert.equal(durationText(100), '100ms');
    assert.equal(durationText(600_000), '10mins');
  });
});
