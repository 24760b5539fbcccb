// Issue 17: binary protobuf is decoded by a decoder generated per message type straight into the
// plain objects the codec returns (no protobufjs message instances, no toObject). These tests pin
// that it gives exactly what the general path (protobufjs decode, then toObject) gives, on random
// messages of every event type written in every way the wire allows (fields in any order, packed
// and unpacked lists, repeated singular fields, unknown fields, unknown enum values, maps, oneofs),
// and the same typed errors on broken input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { codecFor, schema, type MessageCodec } from '../../src/protocol/codec.js';
import { Codecs } from '../../src/protocol/messages.js';
import { compileProtobufDecoder } from '../../src/protocol/protobuf-decoder.js';
import { compileProtobufEncoder, SLOW_ENCODE } from '../../src/protocol/encoders.js';
import { prng } from '../../benchmarks/prng.js';

type Obj = Record<string, unknown>;
type Rng = () => number;

const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const WIRE: Record<string, number> = {
  double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5,
  int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2,
};
const PACKABLE = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool']);

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, n: number): number => Math.floor(rng() * n);

function randomString(rng: Rng): string {
  return pick(rng, ['', 'web', 'cpus', 'ü-ñ-✓', '\u{1F600}', 'a'.repeat(int(rng, 300)), `x${int(rng, 1e6)}`]);
}

/** A random scalar value as written on the wire (numbers, Long-compatible text for 64-bit). */
function randomScalar(rng: Rng, type: string): unknown {
  switch (type) {
    case 'string': return randomString(rng);
    case 'bytes': return Buffer.from(Array.from({ length: pick(rng, [0, 1, 16, 40]) }, () => int(rng, 256)));
    case 'bool': return rng() < 0.5;
    case 'double': return pick(rng, [0, -0, 1.5, -7.25, 1e300, Number.NaN, Number.POSITIVE_INFINITY, rng() * 1e9]);
    case 'float': return Math.fround(pick(rng, [0, 1.5, -3.25, rng() * 1e6]));
    case 'int32': case 'sint32': case 'sfixed32': return pick(rng, [0, 1, -1, 2147483647, -2147483648, int(rng, 1e6) - 5e5]);
    case 'uint32': case 'fixed32': return pick(rng, [0, 1, 4294967295, int(rng, 1e9)]);
    case 'int64': case 'sint64': case 'sfixed64': return pick(rng, [0, -1, 1700000000123, '-9223372036854775808', '9007199254740993', int(rng, 1e12)]);
    case 'uint64': case 'fixed64': return pick(rng, [0, 1, 31000, '18446744073709551615', '9007199254740993', int(rng, 1e12)]);
    default: throw new Error(`no generator for ${type}`);
  }
}

/** The wire entries (field, value) of a random message of `type`: required fields always, others at random. */
type Entry = { field: protobuf.Field; value: unknown };

function randomEntries(rng: Rng, type: protobuf.Type, depth: number): Entry[] {
  const entries: Entry[] = [];
  for (const field of type.fieldsArray) {
    field.resolve();
    const p = field.required ? 1 : depth > 5 ? 0.02 : depth > 2 ? 0.25 : 0.5;
    if (rng() >= p) continue;
    const count = field.repeated || field.map ? 1 + int(rng, 3) : 1;
    for (let i = 0; i < count; i++) entries.push({ field, value: randomValue(rng, field, depth) });
    // A singular field written twice: the last scalar wins, messages merge.
    if (!field.repeated && !field.map && rng() < 0.05) entries.push({ field, value: randomValue(rng, field, depth) });
  }
  return entries;
}

function randomValue(rng: Rng, field: protobuf.Field, depth: number): unknown {
  const resolved = field.resolvedType;
  const valueOf = (): unknown => {
    if (resolved instanceof protobuf.Type) return randomEntries(rng, resolved, depth + 1);
    if (resolved instanceof protobuf.Enum) {
      // Mostly known values; sometimes one from a newer Mesos (dropped by a closed enum).
      return rng() < 0.97 ? pick(rng, Object.values(resolved.values)) : 900 + int(rng, 100);
    }
    return randomScalar(rng, field.type);
  };
  if (field.map) return { key: pick(rng, ['a', 'b', 'gpu', '', `k${int(rng, 5)}`]), value: valueOf() };
  return valueOf();
}

function writeScalar(w: protobuf.Writer, type: string, value: unknown): void {
  const method = (w as unknown as Record<string, (v: unknown) => protobuf.Writer>)[type]!;
  method.call(w, LONGS.has(type) && typeof value === 'string' ? (protobuf.util.Long as unknown as { fromString(s: string, u: boolean): unknown }).fromString(value, type === 'uint64' || type === 'fixed64') : value);
}

/**
 * Writes the entries in a random order (as a non-canonical writer might), repeated packable
 * fields packed at random, and unknown fields here and there.
 */
function writeEntries(rng: Rng, w: protobuf.Writer, entries: Entry[]): void {
  const shuffled = rng() < 0.3 ? entries.slice().sort(() => rng() - 0.5) : entries;
  const done = new Set<protobuf.Field>();
  for (const { field, value } of shuffled) {
    if (done.has(field)) continue;
    const resolved = field.resolvedType;
    const wireType = resolved instanceof protobuf.Enum ? 'int32' : field.type;
    if (field.repeated && PACKABLE.has(wireType) && rng() < 0.5) {
      // All this field's values in one packed run.
      done.add(field);
      w.uint32((field.id << 3) | 2).fork();
      for (const e of shuffled) if (e.field === field) writeScalar(w, wireType, e.value);
      w.ldelim();
      continue;
    }
    writeOne(rng, w, field, value);
    if (rng() < 0.03) w.uint32((4000 << 3) | 0).uint32(int(rng, 1000)); // an unknown varint field
    if (rng() < 0.03) w.uint32((4001 << 3) | 2).string('unknown'); // an unknown length-delimited field
  }
}

function writeOne(rng: Rng, w: protobuf.Writer, field: protobuf.Field, value: unknown): void {
  const resolved = field.resolvedType;
  if (field.map) {
    const { key, value: v } = value as { key: string; value: unknown };
    w.uint32((field.id << 3) | 2).fork();
    const writeKey = () => w.uint32((1 << 3) | 2).string(key);
    const writeValue = () => {
      if (resolved instanceof protobuf.Type) {
        w.uint32((2 << 3) | 2).fork();
        writeEntries(rng, w, v as Entry[]);
        w.ldelim();
      } else {
        w.uint32((2 << 3) | WIRE[field.type]!);
        writeScalar(w, field.type, v);
      }
    };
    if (rng() < 0.2) { writeValue(); writeKey(); } else { writeKey(); writeValue(); }
    w.ldelim();
    return;
  }
  if (resolved instanceof protobuf.Type) {
    w.uint32((field.id << 3) | 2).fork();
    writeEntries(rng, w, value as Entry[]);
    w.ldelim();
    return;
  }
  const type = resolved instanceof protobuf.Enum ? 'int32' : field.type;
  w.uint32((field.id << 3) | WIRE[type]!);
  writeScalar(w, type, value);
}

function randomWire(rng: Rng, type: protobuf.Type, entries = randomEntries(rng, type, 0)): Uint8Array {
  const w = protobuf.Writer.create();
  writeEntries(rng, w, entries);
  return w.finish();
}

/** The codec's result (fast path first), or its error, in a comparable form. */
function outcome(run: () => unknown): unknown {
  try {
    return { ok: run() };
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: string }).code, name: (err as Error).name };
  }
}

function assertSame(codec: MessageCodec<Obj>, bytes: Uint8Array): unknown {
  const want = outcome(() => codec.decodeProtobufSlow(Buffer.from(bytes)));
  const got = outcome(() => codec.decodeProtobuf(Buffer.from(bytes)));
  assert.deepStrictEqual(got, want);
  // The same keys in the same order (what JSON.stringify and logs show).
  assert.equal(JSON.stringify(got), JSON.stringify(want));
  // And the generated decoder itself succeeded (a fast-path bug that throws would otherwise be
  // hidden by the fallback to the general path).
  if ((want as { ok?: unknown }).ok) {
    const fast = compileProtobufDecoder(codec.type)!;
    assert.deepStrictEqual(fast(Buffer.from(bytes)), (want as { ok: unknown }).ok);
  }
  return got;
}

const EVENT_TYPES = ['mesos.v1.scheduler.Event', 'mesos.v1.executor.Event', 'mesos.v1.master.Event', 'mesos.v1.scheduler.Call', 'mesos.v1.executor.Call', 'mesos.v1.master.Response'];

describe('MessageCodec protobuf fast path: same result as protobufjs decode + toObject', () => {
  it('is generated for every message type of the APIs (maps and oneofs included)', () => {
    for (const name of EVENT_TYPES) assert.ok(compileProtobufDecoder(schema().lookupType(name)), name);
  });

  for (const name of EVENT_TYPES) {
    it(`${name}: random messages, written in any order, packed or not, with unknown fields and values`, () => {
      const codec = codecFor<Obj>(name);
      const type = schema().lookupType(name);
      const rng = prng(0x5eed + name.length);
      let decoded = 0;
      for (let i = 0; i < 400; i++) {
        const got = assertSame(codec, randomWire(rng, type)) as { ok?: unknown };
        if (got.ok) decoded++;
      }
      // Many are valid (an unknown value of a required enum makes some fail, as it should).
      assert.ok(decoded > 150, `only ${decoded} of 400 decoded`);
    });

    it(`${name}: two messages concatenated (merged, as protobuf defines)`, () => {
      const codec = codecFor<Obj>(name);
      const type = schema().lookupType(name);
      const rng = prng(0xc0ca + name.length);
      for (let i = 0; i < 200; i++) assertSame(codec, Buffer.concat([randomWire(rng, type), randomWire(rng, type)]));
    });

    it(`${name}: corrupted and truncated messages give the same result or the same error`, () => {
      const codec = codecFor<Obj>(name);
      const type = schema().lookupType(name);
      const rng = prng(0xbad + name.length);
      let errors = 0;
      for (let i = 0; i < 400; i++) {
        const bytes = Buffer.from(randomWire(rng, type));
        if (bytes.length === 0) continue;
        if (rng() < 0.5) {
          for (let f = 0; f <= int(rng, 3); f++) bytes[int(rng, bytes.length)] = int(rng, 256);
          const got = assertSame(codec, bytes) as { error?: string };
          if (got.error) errors++;
        } else {
          const got = assertSame(codec, bytes.subarray(0, int(rng, bytes.length))) as { error?: string };
          if (got.error) errors++;
        }
      }
      assert.ok(errors > 50, `only ${errors} broken inputs failed`);
    });
  }

  it('real events: offers with resources, ranges, sets, reservations, labels; updates; every event type', () => {
    const codec = Codecs.schedulerEvent() as unknown as MessageCodec<Obj>;
    const resource = (name: string, extra: Obj) => ({ name, allocation_info: { role: 'web' }, reservations: [{ type: 'DYNAMIC', role: 'web', principal: 'ops', labels: { labels: [{ key: 'owner', value: 'team-a' }] } }], ...extra });
    const offer = {
      id: { value: 'O1' }, framework_id: { value: 'F1' }, agent_id: { value: 'S1' }, hostname: 'agent-1',
      url: { scheme: 'http', address: { hostname: 'agent-1', ip: '10.0.0.1', port: 5051 }, path: '/slave(1)' },
      resources: [
        resource('cpus', { type: 'SCALAR', scalar: { value: 7.5 } }),
        resource('ports', { type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }, { begin: 33000, end: '18446744073709551615' }] } }),
        resource('disks', { type: 'SET', set: { item: ['a', 'b'] }, disk: { persistence: { id: 'p1', principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } } }),
      ],
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }, { name: 'n', type: 'SCALAR', scalar: { value: 3 } }],
      executor_ids: [{ value: 'E1' }, { value: 'E2' }],
      allocation_info: { role: 'web' },
    };
    const status = {
      task_id: { value: 'web.1' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      agent_id: { value: 'S1' }, executor_id: { value: 'web.1' }, timestamp: 1700000000.25, uuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      message: 'Command exited with status 0', healthy: true, labels: { labels: [{ key: 'a', value: 'b' }] },
      container_status: { network_infos: [{ ip_addresses: [{ ip_address: '10.0.0.1', protocol: 'IPv4' }] }], executor_pid: 4242 },
    };
    const events: Obj[] = [
      { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'F1' }, heartbeat_interval_seconds: 15, master_info: { id: 'm', ip: 16777343, port: 5050, address: { ip: '127.0.0.1', port: 5050 }, capabilities: [{ type: 'AGENT_UPDATE' }] } } },
      { type: 'OFFERS', offers: { offers: [offer, offer] } },
      { type: 'INVERSE_OFFERS', inverse_offers: { inverse_offers: [{ id: { value: 'I1' }, framework_id: { value: 'F1' }, unavailability: { start: { nanoseconds: '1700000000000000000' } } }] } },
      { type: 'RESCIND', rescind: { offer_id: { value: 'O1' } } },
      { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: 'I1' } } },
      { type: 'UPDATE', update: { status } },
      { type: 'UPDATE_OPERATION_STATUS', update_operation_status: { status: { operation_id: { value: 'op' }, state: 'OPERATION_FINISHED', uuid: { value: Buffer.alloc(16, 7) }, converted_resources: [resource('mem', { type: 'SCALAR', scalar: { value: 64 } })] } } },
      { type: 'MESSAGE', message: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, data: Buffer.from('hello') } },
      { type: 'MESSAGE', message: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, data: Buffer.alloc(0) } },
      { type: 'FAILURE', failure: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, status: -1 } },
      { type: 'ERROR', error: { message: 'Framework has been removed' } },
      { type: 'HEARTBEAT' },
      {},
    ];
    for (const ev of events) {
      const bytes = codec.encodeProtobuf(ev);
      const got = assertSame(codec, bytes) as { ok: Obj };
      assert.ok(got.ok, `${String(ev['type'])} did not decode`);
    }
    // The plain-object conventions, spelled out.
    const update = codec.decodeProtobuf(codec.encodeProtobuf(events[5]!)) as { update: { status: Obj } };
    assert.equal(update.update.status['state'], 'TASK_RUNNING');
    assert.ok(Buffer.isBuffer(update.update.status['uuid']));
    const offers = codec.decodeProtobuf(codec.encodeProtobuf(events[1]!)) as { offers: { offers: Array<{ resources: Array<{ ranges?: { range: Array<{ end: number }> } }> }> } };
    assert.equal(offers.offers.offers[0]!.resources[1]!.ranges!.range[1]!.end, 18446744073709551615);
  });

  it('an unknown value of an optional enum leaves the field out; of a required one, the same typed error', () => {
    const codec = Codecs.schedulerEvent() as unknown as MessageCodec<Obj>;
    // type = 999 (an event type of a newer Mesos): the closed enum drops it.
    const unknownType = protobuf.Writer.create().uint32((1 << 3) | 0).uint32(999).finish();
    assert.deepStrictEqual(assertSame(codec, unknownType), { ok: {} });
    // An UPDATE whose TaskStatus.state (required) is 999.
    const status = codecFor<Obj>('mesos.v1.TaskStatus');
    const statusBytes = status.encodeProtobuf({ task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: Buffer.alloc(16) });
    const withUnknownState = Buffer.concat([statusBytes, protobuf.Writer.create().uint32((2 << 3) | 0).uint32(999).finish()]);
    // The later unknown value is dropped: the earlier TASK_RUNNING stays.
    assert.deepStrictEqual((assertSame(status, withUnknownState) as { ok: Obj }).ok['state'], 'TASK_RUNNING');
    const stateless = protobuf.Writer.create().uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('t').ldelim().uint32((2 << 3) | 0).uint32(999).finish();
    const failed = assertSame(status, stateless) as { error: string; code: string };
    assert.equal(failed.code, 'ERR_PROTOCOL_DECODE');
    assert.match(failed.error, /failed to parse body into mesos\.v1\.TaskStatus: missing required 'state'/);
  });

  it('a missing required field nested in a list gives the error protobufjs gives', () => {
    const codec = Codecs.schedulerEvent() as unknown as MessageCodec<Obj>;
    // An OFFERS event whose offer has only an id.
    const offer = protobuf.Writer.create().uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string('O1').ldelim().finish();
    const offers = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(offer).finish();
    const event = protobuf.Writer.create().uint32((1 << 3) | 0).uint32(2).uint32((3 << 3) | 2).bytes(offers).finish();
    const failed = assertSame(codec, event) as { error: string; code: string };
    assert.equal(failed.code, 'ERR_PROTOCOL_DECODE');
    assert.match(failed.error, /missing required/);
  });

  it('a oneof member clears the other members written before it', () => {
    const codec = codecFor<Obj>('mesos.v1.scheduler.AttributeConstraint.Selector');
    const type = codec.type;
    const [a, b] = type.oneofsArray[0]!.fieldsArray;
    const write = (w: protobuf.Writer, f: protobuf.Field) => (f.type === 'string' ? w.uint32((f.id << 3) | 2).string('rack') : w.uint32((f.id << 3) | 0).uint32(1));
    for (const [first, second] of [[a!, b!], [b!, a!]] as const) {
      const bytes = write(write(protobuf.Writer.create(), first), second).finish();
      const got = assertSame(codec, bytes) as { ok: Obj };
      assert.deepStrictEqual(Object.keys(got.ok), [second.name]);
    }
  });

  it('bytes fields are copied: the decoded event does not share the input buffer', () => {
    const codec = Codecs.schedulerEvent() as unknown as MessageCodec<Obj>;
    const bytes = Buffer.from(codec.encodeProtobuf({ type: 'MESSAGE', message: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, data: Buffer.from('hello') } }));
    const ev = codec.decodeProtobuf(bytes) as { message: { data: Buffer } };
    bytes.fill(0);
    assert.equal(ev.message.data.toString(), 'hello');
    assert.ok(Buffer.isBuffer(ev.message.data));
  });

  it('a Uint8Array input gives Uint8Array bytes, as the general path does', () => {
    const codec = Codecs.schedulerEvent() as unknown as MessageCodec<Obj>;
    const buf = codec.encodeProtobuf({ type: 'MESSAGE', message: { agent_id: { value: 'S1' }, executor_id: { value: 'E1' }, data: Buffer.from('hi') } });
    const plain = new Uint8Array(buf);
    const fast = codec.decodeProtobuf(plain) as { message: { data: Uint8Array } };
    const slow = codec.decodeProtobufSlow(new Uint8Array(buf)) as { message: { data: Uint8Array } };
    assert.deepStrictEqual(fast, slow);
  });

  it('unknown groups nested deeper than the recursion limit fail as protobufjs does', () => {
    const codec = codecFor<Obj>('mesos.v1.Value');
    let w = protobuf.Writer.create();
    for (let i = 0; i < 120; i++) w = w.uint32((4000 << 3) | 3);
    for (let i = 0; i < 120; i++) w = w.uint32((4000 << 3) | 4);
    assertSame(codec, w.finish());
  });
});

/** A plain-object variant of `obj` that the generated encoders must hand to the general path (or encode alike). */
function perturb(rng: Rng, type: protobuf.Type, obj: Obj, depth = 0): Obj {
  const out: Obj = { ...obj };
  for (const field of type.fieldsArray) {
    const v = out[field.name];
    const r = rng();
    const resolved = field.resolvedType;
    if (v === undefined) {
      if (r < 0.02) out[field.name] = null;
      continue;
    }
    if (resolved instanceof protobuf.Type && !field.map) {
      if (field.repeated) out[field.name] = (v as Obj[]).map((x) => perturb(rng, resolved, x, depth + 1));
      else out[field.name] = perturb(rng, resolved, v as Obj, depth + 1);
      continue;
    }
    if (r > 0.06) continue;
    // A value of another JS type, or another spelling of the same value.
    if (field.required && r < 0.01) delete out[field.name];
    else if (resolved instanceof protobuf.Enum && !field.repeated) out[field.name] = pick(rng, [resolved.values[v as string], 'NOT_A_VALUE', v]);
    else if (LONGS.has(field.type) && !field.repeated) out[field.name] = pick(rng, [-1, 2 ** 53 + 2, String(v), (protobuf.util.Long as unknown as { fromNumber(n: number): unknown }).fromNumber(v as number), v]);
    else if (field.type === 'bytes' && !field.repeated) out[field.name] = pick(rng, [Buffer.from(v as Uint8Array).toString('base64'), Array.from(v as Uint8Array), new Uint8Array(v as Uint8Array)]);
    else if (field.type === 'string' && !field.repeated) out[field.name] = pick(rng, [42, true, v]);
    else if (field.repeated) out[field.name] = pick(rng, [[], null, v]);
    else out[field.name] = pick(rng, ['1', null, -1, 1.5, 2 ** 53 + 2, Number.NaN, v]);
  }
  if (rng() < 0.05) out['not_a_field'] = { x: 1 };
  return out;
}

function encodeOutcome(run: () => Uint8Array | Obj): unknown {
  try {
    const r = run();
    return { ok: r instanceof Uint8Array ? Buffer.from(r).toString('hex') : JSON.stringify(r) };
  } catch (err) {
    return { error: (err as Error).message, code: (err as { code?: string }).code };
  }
}

const CALL_TYPES = ['mesos.v1.scheduler.Call', 'mesos.v1.executor.Call', 'mesos.v1.master.Call', 'mesos.v1.scheduler.Event', 'mesos.v1.TaskInfo'];

describe('MessageCodec generated encoders: the same bytes as fromObject + encode / toObject + defaults', () => {
  for (const name of CALL_TYPES) {
    it(`${name}: random messages (and other spellings of their values) encode to the same bytes, or fail alike`, () => {
      const codec = codecFor<Obj>(name);
      const type = codec.type;
      const rng = prng(0xe4c0 + name.length);
      let fastOk = 0;
      for (let i = 0; i < 400; i++) {
        const decoded = outcome(() => codec.decodeProtobufSlow(randomWire(rng, type))) as { ok?: Obj };
        if (!decoded.ok) continue;
        const message = rng() < 0.5 ? decoded.ok : perturb(rng, type, decoded.ok);
        const protobufBytes = encodeOutcome(() => codec.encodeProtobuf(message));
        assert.deepStrictEqual(protobufBytes, encodeOutcome(() => codec.encodeProtobufSlow(message)));
        assert.deepStrictEqual(encodeOutcome(() => codec.encodeJson(message)), encodeOutcome(() => codec.encodeJsonSlow(message)));
        assert.deepStrictEqual(encodeOutcome(() => codec.toJsonObject(message)), encodeOutcome(() => codec.toJsonObjectSlow(message)));
        for (const enc of ['protobuf', 'json'] as const) {
          const slowComplete = encodeOutcome(() => {
            const missing = codec.missingRequiredFields(message);
            if (missing.length) throw new Error(`missing ${missing.join(', ')}`);
            return enc === 'protobuf' ? codec.encodeProtobufSlow(message) : codec.encodeJsonSlow(message);
          }) as { ok?: string; error?: string };
          const got = encodeOutcome(() => codec.encodeComplete(message, enc)) as { ok?: string; error?: string };
          if (slowComplete.ok !== undefined) assert.deepStrictEqual(got, slowComplete);
          else assert.ok(got.error, `encodeComplete accepted what the general path refuses: ${slowComplete.error}`);
        }
        if (compileProtobufEncoderOk(codec, message)) fastOk++;
      }
      assert.ok(fastOk > 40, `only ${fastOk} messages took the generated encoder`);
    });
  }

  it('64-bit and 32-bit edge values encode as fromObject converts them (negative uint64 is 0, beyond 2^53, as text, as Long)', () => {
    const Long = protobuf.util.Long as unknown as { fromNumber(n: number, u?: boolean): unknown };
    const cases: Array<[string, string, unknown[]]> = [
      ['mesos.v1.Value.Range', 'begin', [0, 1, -1, -0, 1.5, 2 ** 53 - 1, 2 ** 53 + 2, '31000', '-5', Long.fromNumber(7, true), Number.NaN]],
      ['mesos.v1.TimeInfo', 'nanoseconds', [0, -1, -(2 ** 53) + 1, 2 ** 53 + 2, 1.5, '1700000000000000000', Long.fromNumber(-3)]],
      ['mesos.v1.Port', 'number', [0, 1, -1, 4294967295, 4294967296, 1.5, '80']],
      ['mesos.v1.scheduler.Event.Failure', 'status', [0, -1, 2147483647, 2147483648, -2147483649, 1.5, '3']],
    ];
    for (const [name, field, values] of cases) {
      const codec = codecFor<Obj>(name);
      const base: Obj = name === 'mesos.v1.Value.Range' ? { end: 1 } : {};
      for (const value of values) {
        const message = { ...base, [field]: value };
        assert.deepStrictEqual(encodeOutcome(() => codec.encodeProtobuf(message)), encodeOutcome(() => codec.encodeProtobufSlow(message)), `${name}.${field} = ${String(value)}`);
        assert.deepStrictEqual(encodeOutcome(() => codec.encodeJson(message)), encodeOutcome(() => codec.encodeJsonSlow(message)), `${name}.${field} = ${String(value)}`);
      }
    }
  });

  it('the calls a framework sends most take the generated encoders', () => {
    const codec = Codecs.schedulerCall() as unknown as MessageCodec<Obj>;
    const framework_id = { value: 'F1' };
    const task = (i: number) => ({
      name: `web.${i}`, task_id: { value: `web.${i}` }, agent_id: { value: 'S1' },
      resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31000 }] } }],
      command: { value: 'sleep 10', shell: true, environment: { variables: [{ name: 'A', value: 'b' }] } },
      labels: { labels: [{ key: 'k', value: 'v' }] },
    });
    const calls: Obj[] = [
      { framework_id, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'S1' }, task_id: { value: 't1' }, uuid: Buffer.alloc(16, 3) } },
      { framework_id, type: 'ACCEPT', accept: { offer_ids: [{ value: 'O1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: Array.from({ length: 10 }, (_, i) => task(i)) } }], filters: { refuse_seconds: 5 } } },
      { framework_id, type: 'DECLINE', decline: { offer_ids: [{ value: 'O1' }, { value: 'O2' }], filters: { refuse_seconds: 120 } } },
      { framework_id, type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'S1' } }, { task_id: { value: 't2' } }] } },
      { framework_id, type: 'REVIVE', revive: { roles: ['web'] } },
      { framework_id, type: 'SUPPRESS', suppress: { roles: ['web'] } },
    ];
    for (const call of calls) {
      assert.ok(compileProtobufEncoderOk(codec, call), `${String(call['type'])} protobuf`);
      assert.equal(Buffer.from(codec.encodeComplete(call, 'protobuf')).toString('hex'), Buffer.from(codec.encodeProtobufSlow(call)).toString('hex'));
      assert.equal(Buffer.from(codec.encodeComplete(call, 'json')).toString(), Buffer.from(codec.encodeJsonSlow(call)).toString());
    }
    // Explicit defaults are written as Mesos writes them (Filters.refuse_seconds defaults to 5).
    assert.match(Buffer.from(codec.encodeJson({ framework_id, type: 'DECLINE', decline: { offer_ids: [{ value: 'O1' }], filters: {} } })).toString(), /"filters":\{"refuse_seconds":5\}/);
  });

  it('a missing required field is still the typed ERR_PROTOCOL_ENCODE naming it', () => {
    const codec = Codecs.schedulerCall() as unknown as MessageCodec<Obj>;
    const call = { framework_id: { value: 'F1' }, type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'S1' }, uuid: Buffer.alloc(16) } };
    for (const enc of ['protobuf', 'json'] as const) {
      assert.throws(() => codec.encodeComplete(call, enc), (err: Error & { code?: string }) => err.code === 'ERR_PROTOCOL_ENCODE' && /acknowledge\.task_id/.test(err.message));
    }
  });
});

/** True when the generated protobuf encoder encodes `message` itself (no general path). */
function compileProtobufEncoderOk(codec: MessageCodec<Obj>, message: Obj): boolean {
  const encoder = compileProtobufEncoder(codec.type);
  return encoder !== undefined && encoder(message) !== SLOW_ENCODE;
}
