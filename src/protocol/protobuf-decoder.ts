import protobuf from 'protobufjs';

/**
 * A decoder of binary protobuf straight into the plain objects `toObject(decode(bytes), OBJECT_OPTIONS)`
 * gives (enums as names, 64-bit integers as numbers, bytes as a Buffer, no defaults, no empty
 * arrays, keys in field-number order), in one pass: no message instances and no generic
 * option handling. Generated once per message type, it reads the wire exactly as protobufjs's own
 * generated decoder does (same reader calls, same wire-type tests, closed enums dropping unknown
 * values, repeated message fields merged, oneof members clearing each other, the same recursion
 * limit and bounds checks), so it succeeds on exactly the inputs protobufjs decodes; on any
 * failure it throws, and the caller takes the general path, which builds the error the codec has
 * always thrown. `bytes` values are copied out of the input, so nothing decoded keeps the input's
 * memory alive.
 * @internal
 */
export type ProtobufDecoder = (bytes: Uint8Array) => Record<string, unknown>;

type NestedDecoder = (r: protobuf.Reader, l: number, q: number, g: Record<string, unknown> | undefined) => Record<string, unknown>;

interface Compiled {
  decode: NestedDecoder;
}

/** Wire types of the basic (non-message) types, as protobufjs's `types.basic`. */
const BASIC_WIRE: Record<string, number> = {
  double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5,
  int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2,
};
const PACKABLE = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64', 'bool']);
const LONG = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const UNSIGNED_LONG = new Set(['uint64', 'fixed64']);
/** Map value types this generator handles (their protobufjs default is a JSON literal). */
const MAP_VALUE_DEFAULTS: Record<string, string> = { string: '""', bool: 'false', double: '0', float: '0', int32: '0', uint32: '0', sint32: '0', fixed32: '0', sfixed32: '0' };

/** A message type the generator does not handle (its decoding stays with the general path). */
class Unsupported extends Error {}

function features(x: unknown): Record<string, unknown> {
  return ((x as { _features?: Record<string, unknown> })._features ?? {}) as Record<string, unknown>;
}

function isClosed(e: protobuf.Enum): boolean {
  return features(e)['enum_type'] === 'CLOSED';
}

function stringMethod(field: protobuf.Field): string {
  return features(field)['utf8_validation'] === 'VERIFY' ? 'stringVerify' : 'string';
}

const LongBits = (protobuf.util as unknown as { LongBits: new (lo: number, hi: number) => { toNumber(unsigned?: boolean): number } }).LongBits;

/** Converts a 64-bit value as toObject with `longs: Number` does. */
function longToNumber(v: number | { low: number; high: number }, unsigned: boolean): number {
  return typeof v === 'number' ? v : new LongBits(v.low >>> 0, v.high >>> 0).toNumber(unsigned);
}

/** Copies a `bytes` value so that it does not share the input's memory (same class as protobufjs returns). */
function copyBytes(v: Uint8Array): Uint8Array {
  return Buffer.isBuffer(v) ? Buffer.from(v) : v.slice();
}

const compiled = new Map<protobuf.Type, Compiled | null>();

function reader(): typeof protobuf.Reader {
  return protobuf.Reader;
}

/**
 * Compiles (once) the decoder of `type` and of every message type it reaches.
 * @returns The decoder, or `undefined` when some reachable type has a field the generator does not
 * handle (a map with non-string keys or unusual values, a group, an open enum, a field without presence).
 * @internal
 */
export function compileProtobufDecoder(type: protobuf.Type): ProtobufDecoder | undefined {
  let top: Compiled | null;
  try {
    top = compile(type, new Map());
  } catch (err) {
    if (!(err instanceof Unsupported)) throw err;
    top = null;
  }
  if (!top) return undefined;
  const nested = top.decode;
  const Reader = reader();
  return (bytes: Uint8Array) => nested(Reader.create(bytes), undefined as unknown as number, 0, undefined);
}

function compile(type: protobuf.Type, inProgress: Map<protobuf.Type, Compiled>): Compiled {
  const done = compiled.get(type);
  if (done === null) throw new Unsupported(type.fullName);
  if (done) return done;
  const pending = inProgress.get(type);
  if (pending) return pending;
  // Recursive types: the holder is filled in once the body is generated.
  const holder: Compiled = { decode: () => { throw new Error('decoder not ready'); } };
  inProgress.set(type, holder);
  try {
    holder.decode = generate(type, inProgress);
  } catch (err) {
    compiled.set(type, null);
    throw err;
  }
  compiled.set(type, holder);
  return holder;
}

function generate(type: protobuf.Type, inProgress: Map<protobuf.Type, Compiled>): NestedDecoder {
  const params: string[] = ['Reader', 'longToNumber', 'copyBytes'];
  const args: unknown[] = [reader(), longToNumber, copyBytes];
  const arg = (prefix: string, value: unknown): string => {
    const name = `${prefix}${params.length}`;
    params.push(name);
    args.push(value);
    return name;
  };
  for (const f of type.fieldsArray) f.resolve();
  for (const oneof of type.oneofsArray) {
    if ((oneof as unknown as { isProto3Optional?: boolean }).isProto3Optional) throw new Unsupported(`${type.fullName}: proto3 optional`);
  }
  const cases: string[] = [];
  const requiredChecks: string[] = [];
  const prop = (name: string): string => `m[${JSON.stringify(name)}]`;

  /** Statements clearing the other members of a field's oneof (protobufjs's oneof setter). */
  const clearSiblings = (field: protobuf.Field): string => {
    if (!field.partOf) return '';
    return field.partOf.oneof.filter((n) => n !== field.name).map((n) => `delete ${prop(n)};`).join(' ');
  };

  for (const field of type.fieldsArray) {
    const ref = prop(field.name);
    const resolved = field.resolvedType;
    if ((field as unknown as { delimited?: boolean }).delimited) throw new Unsupported(`${type.fullName}.${field.name}: group`);
    if (field.required) requiredChecks.push(`if (${ref} === undefined) throw Error("missing required");`);
    const isEnum = resolved instanceof protobuf.Enum;
    if (isEnum && !isClosed(resolved)) throw new Unsupported(`${type.fullName}.${field.name}: open enum`);
    const wireType = isEnum ? 'int32' : field.type;
    const head = `case ${field.id}: {`;
    const track = `if (t < p) d = 1; p = t;`;

    if (field.map) {
      const keyType = (field as unknown as protobuf.MapField).keyType;
      if (keyType !== 'string') throw new Unsupported(`${type.fullName}.${field.name}: map key ${keyType}`);
      let valueDefault: string;
      let readValue: string;
      if (resolved instanceof protobuf.Type) {
        const nested = arg('n', compile(resolved, inProgress));
        valueDefault = 'undefined';
        readValue = `if (u !== 2) break; v = ${nested}.decode(r, r.size(), q + 1, v); continue;`;
      } else if (!isEnum && MAP_VALUE_DEFAULTS[field.type] !== undefined) {
        valueDefault = MAP_VALUE_DEFAULTS[field.type]!;
        readValue = `if (u !== ${BASIC_WIRE[field.type]}) break; v = r.${field.type === 'string' ? stringMethod(field) : field.type}(); continue;`;
      } else {
        throw new Unsupported(`${type.fullName}.${field.name}: map value ${field.type}`);
      }
      const emptyValue = resolved instanceof protobuf.Type ? ' if (v === undefined) v = {};' : '';
      cases.push(
        `${head} if (u !== 2) break;`,
        `  c2 = r.size() + r.pos; if (c2 > r.len) throw RangeError("index out of range"); r.len = c2;`,
        `  k = ""; v = ${valueDefault};`,
        `  while (r.pos < c2) { t2 = r.tag(); u = t2 & 7; switch (t2 >>>= 3) {`,
        `    case 1: if (u !== 2) break; k = r.${stringMethod(field)}(); continue;`,
        `    case 2: ${readValue}`,
        `  } r.skipType(u, q, t2); }`,
        `  if (r.pos !== c2) throw RangeError("index out of range"); r.len = c;`,
        `  if (k === "__proto__") throw Error("__proto__ key");${emptyValue}`,
        `  (${ref} || (${ref} = {}))[k] = v; ${track} continue; }`,
      );
      continue;
    }

    // The value read, converted as toObject would.
    let read: string;
    let closedCheck: string | undefined; // for enums: the name lookup, undefined when unknown
    if (resolved instanceof protobuf.Type) {
      read = '';
    } else if (isEnum) {
      const names = arg('e', resolved.valuesById);
      read = `(v = ${names}[r.int32()])`;
      closedCheck = 'v !== undefined';
    } else if (LONG.has(field.type)) {
      read = `longToNumber(r.${field.type}(), ${UNSIGNED_LONG.has(field.type)})`;
    } else if (field.type === 'bytes') {
      read = 'copyBytes(r.bytes())';
    } else if (field.type === 'string') {
      read = `r.${stringMethod(field)}()`;
    } else if (BASIC_WIRE[field.type] !== undefined) {
      read = `r.${field.type}()`;
    } else {
      throw new Unsupported(`${type.fullName}.${field.name}: type ${field.type}`);
    }

    if (field.repeated) {
      const lines: string[] = [head];
      if (PACKABLE.has(wireType)) {
        if (isEnum) {
          const names = arg('e', (resolved as protobuf.Enum).valuesById);
          lines.push(
            `if (u === 2) { c2 = r.size() + r.pos; if (c2 > r.len) throw RangeError("index out of range"); r.len = c2;`,
            `  while (r.pos < c2) { v = ${names}[r.int32()]; if (v !== undefined) { (${ref} || (${ref} = [])).push(v); ${track} } }`,
            `  if (r.pos !== c2) throw RangeError("index out of range"); r.len = c; continue; }`,
          );
        } else {
          const convert = LONG.has(field.type) ? ` for (k = a0; k < a.length; k++) a[k] = longToNumber(a[k], ${UNSIGNED_LONG.has(field.type)});` : '';
          lines.push(`if (u === 2) { a = ${ref} || []; a0 = a.length; r.${field.type}s(a);${convert} if (a.length) { ${ref} = a; ${track} } continue; }`);
        }
      }
      if (resolved instanceof protobuf.Type) {
        const nested = arg('n', compile(resolved, inProgress));
        lines.push(`if (u !== 2) break; (${ref} || (${ref} = [])).push(${nested}.decode(r, r.size(), q + 1, undefined)); ${track} continue; }`);
      } else if (closedCheck) {
        lines.push(`if (u !== 0) break; if (${read} !== undefined) { (${ref} || (${ref} = [])).push(v); ${track} } continue; }`);
      } else {
        lines.push(`if (u !== ${BASIC_WIRE[field.type]}) break; (${ref} || (${ref} = [])).push(${read}); ${track} continue; }`);
      }
      cases.push(lines.join('\n  '));
      continue;
    }

    if (!field.hasPresence) throw new Unsupported(`${type.fullName}.${field.name}: no presence`);
    if (resolved instanceof protobuf.Type) {
      const nested = arg('n', compile(resolved, inProgress));
      cases.push(`${head} if (u !== 2) break; ${ref} = ${nested}.decode(r, r.size(), q + 1, ${ref}); ${clearSiblings(field)} ${track} continue; }`);
    } else if (closedCheck) {
      cases.push(`${head} if (u !== 0) break; if (${read} !== undefined) { ${ref} = v; ${clearSiblings(field)} ${track} } continue; }`);
    } else {
      cases.push(`${head} if (u !== ${BASIC_WIRE[field.type]}) break; ${ref} = ${read}; ${clearSiblings(field)} ${track} continue; }`);
    }
  }

  // Keys in field-number order, as toObject writes them: rebuilt only when the wire had them out of order.
  const sorted = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  const reorder = [
    'var o = {};',
    ...sorted.map((f) => `if (${prop(f.name)} !== undefined) o[${JSON.stringify(f.name)}] = ${prop(f.name)};`),
    'return o;',
  ].join('\n  ');

  const body = `return function decode(r, l, q, g) {
  if (q > Reader.recursionLimit) throw Error("max depth exceeded");
  var c, L, t, u, v, k, t2, c2, a, a0, p = 0, d = g === undefined ? 0 : 1;
  if (l === undefined) c = r.len;
  else { c = r.pos + l; if (c > r.len) throw RangeError("index out of range"); L = r.len; r.len = c; }
  var m = g === undefined ? {} : g;
  while (r.pos < c) {
    t = r.tag();
    u = t & 7;
    switch (t >>>= 3) {
  ${cases.join('\n  ')}
    }
    r.skipType(u, q, t);
  }
  if (l !== undefined) { if (r.pos !== c) throw RangeError("index out of range"); r.len = L; }
  ${requiredChecks.join('\n  ')}
  if (d === 0) return m;
  ${reorder}
};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...params, body) as (...a: unknown[]) => NestedDecoder;
  return factory(...args);
}
