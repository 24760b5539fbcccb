import protobuf from 'protobufjs';

/**
 * Encoders generated per message type from the protobufjs reflection, for the calls a framework
 * sends most (ACKNOWLEDGE, ACCEPT, DECLINE, RECONCILE): they read the codec's plain objects
 * directly, without `fromObject` building a message instance first (and, for JSON, without the
 * `toObject` and explicit-defaults passes after it), and give exactly the bytes the general path
 * gives. Whatever they are not sure to encode exactly as that path does (a value of an unexpected
 * JS type, an enum given as a number or an unknown name, a 64-bit number beyond 2^53, bytes given
 * as base64 text, a map field, a missing required field, a protobufjs message instance) makes them
 * return {@link SLOW_ENCODE}, and the caller takes the general path, which also builds every error.
 * @internal
 */
export const SLOW_ENCODE = Symbol('slow-encode');

type Obj = Record<string, unknown>;
/** Writes the fields of `m` into `w`; {@link SLOW_ENCODE} when the general path must do it. */
type ProtoWriter = (m: Obj, w: protobuf.Writer, q: number) => typeof SLOW_ENCODE | undefined;
/** The Mesos JSON value of `m`; {@link SLOW_ENCODE} when the general path must make it. */
type JsonMaker = (m: Obj, q: number) => Obj | typeof SLOW_ENCODE;

const BASIC_WIRE: Record<string, number> = {
  double: 1, float: 5, int32: 0, uint32: 0, sint32: 0, fixed32: 5, sfixed32: 5,
  int64: 0, uint64: 0, sint64: 0, fixed64: 1, sfixed64: 1, bool: 0, string: 2, bytes: 2,
};

/** The JS test a scalar value must pass to be encoded as `fromObject` would convert it (`v` is neither null nor undefined). */
function scalarTest(type: string): string | undefined {
  switch (type) {
    case 'string': return "typeof V === 'string'";
    case 'bool': return "typeof V === 'boolean'";
    case 'double': case 'float': return "typeof V === 'number'";
    case 'int32': case 'sint32': case 'sfixed32': return "typeof V === 'number' && (V | 0) === V";
    case 'uint32': case 'fixed32': return "typeof V === 'number' && V >>> 0 === V";
    case 'int64': case 'sint64': case 'sfixed64': return 'isSafeInteger(V)';
    case 'uint64': case 'fixed64': return 'isSafeInteger(V) && V >= 0';
    case 'bytes': return 'V instanceof Uint8Array';
    default: return undefined;
  }
}

/** Enum names that encode as `fromObject` would, with their numbers (aliases included). */
function enumNumbers(e: protobuf.Enum): Map<string, number> {
  return new Map(Object.keys(e.values).map((name) => [name, e.values[name]!]));
}

/** Canonical enum names (those `toObject` writes back; an alias of an earlier name is left out) mapped to themselves. @internal */
export function enumCanonicalNames(e: protobuf.Enum): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of Object.keys(e.values)) if (e.valuesById[e.values[name]!] === name) out.set(name, name);
  return out;
}

class Unsupported extends Error {}

interface Holder<F> {
  fn: F;
}

/** The Mesos JSON text of `m`; {@link SLOW_ENCODE} when the general path must make it. */
type JsonTexter = (m: Obj, q: number) => string | typeof SLOW_ENCODE;

const protoWriters = new Map<protobuf.Type, Holder<ProtoWriter> | null>();
const jsonTexters = new Map<protobuf.Type, Holder<JsonTexter> | null>();
const jsonMakers = new Map<protobuf.Type, Holder<JsonMaker> | null>();

function recursionLimit(): number {
  return (protobuf.util as unknown as { recursionLimit?: number }).recursionLimit ?? 100;
}

function compileWith<F>(cache: Map<protobuf.Type, Holder<F> | null>, type: protobuf.Type, generate: (t: protobuf.Type) => F, placeholder: F): Holder<F> {
  const known = cache.get(type);
  if (known === null) throw new Unsupported(type.fullName);
  if (known) return known;
  const holder: Holder<F> = { fn: placeholder };
  cache.set(type, holder); // before generating: recursive types refer to the holder
  try {
    holder.fn = generate(type);
  } catch (err) {
    cache.set(type, null);
    throw err;
  }
  return holder;
}

function tagOf(field: protobuf.Field, wire: number): number {
  return ((field.id << 3) | wire) >>> 0;
}

/** Writes generated functions: the values they close over (by parameter name) and their compilation. */
class Generated {
  private readonly params = ['SLOW', 'isArray', 'isSafeInteger', 'C', 'limit', 'isFinite', 'base64', 'str'];
  private readonly args: unknown[];
  constructor(type: protobuf.Type) {
    this.args = [SLOW_ENCODE, Array.isArray, Number.isSafeInteger, type.ctor, recursionLimit(), Number.isFinite, base64Of, JSON.stringify];
  }

  /** A parameter name holding `value` inside the generated code. */
  arg(value: unknown): string {
    this.params.push(`a${this.params.length}`);
    this.args.push(value);
    return this.params[this.params.length - 1]!;
  }

  /** Compiles `function name(signature) { lines }` over the collected values. */
  compile<F>(name: string, signature: string, lines: string[]): F {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(...this.params, `return function ${name}(${signature}) {\n${lines.join('\n')}\n};`)(...this.args) as F;
  }
}

const base64Of = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');

/**
 * The steps every generator shares for each field of `fields`: resolve it, read it into `v`, send a
 * map field to the general path, refuse groups; `write` adds what the field needs after that.
 */
function eachField(type: protobuf.Type, fields: protobuf.Field[], lines: string[], write: (field: protobuf.Field, key: string) => void): void {
  for (const field of fields) {
    field.resolve();
    const key = JSON.stringify(field.name);
    lines.push(`v = m[${key}];`);
    if (field.map) {
      lines.push('if (v !== undefined && v !== null) return SLOW;');
      continue;
    }
    if ((field as unknown as { delimited?: boolean }).delimited) throw new Unsupported(`${type.fullName}.${field.name}: group`);
    write(field, key);
  }
}

function generateProtoWriter(type: protobuf.Type): ProtoWriter {
  const g = new Generated(type);
  const arg = (value: unknown): string => g.arg(value);
  const lines: string[] = ['if (q > limit || m instanceof C) return SLOW;', 'var v, e, k, n;'];
  // Fields in field-number order, as protobufjs's encoder writes them.
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  eachField(type, fields, lines, (field, key) => {
    const resolved = field.resolvedType;
    // What one value writes, with X for the value.
    let write: string;
    if (resolved instanceof protobuf.Type) {
      const nested = arg(compileWith(protoWriters, resolved, generateProtoWriter, () => SLOW_ENCODE));
      write = `if (typeof X !== 'object' || X === null || isArray(X)) return SLOW; w.uint32(${tagOf(field, 2)}).fork(); if (${nested}.fn(X, w, q + 1) === SLOW) return SLOW; w.ldelim();`;
    } else if (resolved instanceof protobuf.Enum) {
      const numbers = arg(enumNumbers(resolved));
      write = `n = ${numbers}.get(X); if (n === undefined) return SLOW; w.uint32(${tagOf(field, 0)}).int32(n);`;
    } else {
      const test = scalarTest(field.type);
      if (!test) throw new Unsupported(`${type.fullName}.${field.name}: ${field.type}`);
      write = `if (!(${test.replaceAll('V', 'X')})) return SLOW; w.uint32(${tagOf(field, BASIC_WIRE[field.type]!)}).${field.type}(X);`;
    }
    if (field.repeated) {
      if (field.packed) throw new Unsupported(`${type.fullName}.${field.name}: packed`);
      lines.push(`if (v !== undefined && v !== null) { if (!isArray(v)) return SLOW; for (k = 0; k < v.length; k++) { e = v[k]; if (e === undefined || e === null) return SLOW; ${write.replaceAll('X', 'e')} } }`);
    } else if (field.required) {
      lines.push(`if (v === undefined || v === null) return SLOW; ${write.replaceAll('X', 'v')}`);
    } else {
      lines.push(`if (v !== undefined && v !== null) { ${write.replaceAll('X', 'v')} }`);
    }
  });
  lines.push('return undefined;');
  return g.compile<ProtoWriter>('write', 'm, w, q', lines);
}

function generateJsonMaker(type: protobuf.Type): JsonMaker {
  const g = new Generated(type);
  const arg = (value: unknown): string => g.arg(value);
  const lines: string[] = ['if (q > limit || m instanceof C) return SLOW;', 'var o = {}, v, e, k, n, a, r;'];
  // Fields in declaration order with explicit defaults, as the general path writes them.
  eachField(type, type.fieldsArray, lines, (field, key) => {
    const resolved = field.resolvedType;
    // Converts X into r.
    let convert: string;
    if (resolved instanceof protobuf.Type) {
      const nested = arg(compileWith(jsonMakers, resolved, generateJsonMaker, () => SLOW_ENCODE));
      convert = `if (typeof X !== 'object' || X === null || isArray(X)) return SLOW; r = ${nested}.fn(X, q + 1); if (r === SLOW) return SLOW;`;
    } else if (resolved instanceof protobuf.Enum) {
      const names = arg(enumCanonicalNames(resolved));
      convert = `r = ${names}.get(X); if (r === undefined) return SLOW;`;
    } else {
      const test = scalarTest(field.type);
      if (!test) throw new Unsupported(`${type.fullName}.${field.name}: ${field.type}`);
      const value = field.type === 'bytes' ? 'base64(X)' : field.type === 'double' || field.type === 'float' ? '(isFinite(X) ? X : String(X))' : 'X';
      convert = `if (!(${test.replaceAll('V', 'X')})) return SLOW; r = ${value};`;
    }
    const opts = field.options ?? {};
    const explicitDefault = !field.repeated && opts['default'] !== undefined && !opts['deprecated'] && !field.partOf ? ` o[${key}] = ${JSON.stringify(opts['default'])};` : '';
    if (field.repeated) {
      lines.push(`if (v !== undefined && v !== null) { if (!isArray(v)) return SLOW; n = v.length; if (n > 0) { a = new Array(n); for (k = 0; k < n; k++) { e = v[k]; if (e === undefined || e === null) return SLOW; ${convert.replaceAll('X', 'e')} a[k] = r; } o[${key}] = a; } }`);
    } else if (field.required) {
      lines.push(`if (v === undefined || v === null) return SLOW; ${convert.replaceAll('X', 'v')} o[${key}] = r;`);
    } else {
      lines.push(`if (v !== undefined && v !== null) { ${convert.replaceAll('X', 'v')} o[${key}] = r; }${explicitDefault ? ` else {${explicitDefault} }` : ''}`);
    }
  });
  lines.push('return o;');
  return g.compile<JsonMaker>('json', 'm, q', lines);
}

/**
 * The same conversion as {@link generateJsonMaker}, writing the text `JSON.stringify` would give
 * for that value directly (no intermediate object): keys in the same order, strings escaped by
 * `JSON.stringify`, numbers as `JSON.stringify` writes them.
 */
function generateJsonTexter(type: protobuf.Type): JsonTexter {
  const g = new Generated(type);
  const arg = (value: unknown): string => g.arg(value);
  const lines: string[] = ['if (q > limit || m instanceof C) return SLOW;', "var s = '', v, e, k, n, r;"];
  eachField(type, type.fieldsArray, lines, (field) => {
    // The key as it appears in the text, with the separator when it is not the first one written.
    const keyText = (sep: string) => `${sep}${JSON.stringify(JSON.stringify(field.name) + ':')}`;
    const put = `s += (s === '' ? ${keyText('')} : ${keyText("',' + ")});`;
    const resolved = field.resolvedType;
    // Converts X into the text r.
    let convert: string;
    if (resolved instanceof protobuf.Type) {
      const nested = arg(compileWith(jsonTexters, resolved, generateJsonTexter, () => SLOW_ENCODE));
      convert = `if (typeof X !== 'object' || X === null || isArray(X)) return SLOW; r = ${nested}.fn(X, q + 1); if (r === SLOW) return SLOW;`;
    } else if (resolved instanceof protobuf.Enum) {
      const texts = new Map<string, string>();
      for (const [name] of enumCanonicalNames(resolved)) texts.set(name, JSON.stringify(name));
      convert = `r = ${arg(texts)}.get(X); if (r === undefined) return SLOW;`;
    } else {
      const test = scalarTest(field.type);
      if (!test) throw new Unsupported(`${type.fullName}.${field.name}: ${field.type}`);
      const value =
        field.type === 'bytes' ? `'"' + base64(X) + '"'`
        : field.type === 'string' ? 'str(X)'
        : field.type === 'bool' ? "(X ? 'true' : 'false')"
        : field.type === 'double' || field.type === 'float' ? `(isFinite(X) ? '' + X : '"' + X + '"')`
        : "'' + X";
      convert = `if (!(${test.replaceAll('V', 'X')})) return SLOW; r = ${value};`;
    }
    const opts = field.options ?? {};
    const explicitDefault = !field.repeated && opts['default'] !== undefined && !opts['deprecated'] && !field.partOf ? `${put} s += ${JSON.stringify(JSON.stringify(opts['default']))};` : '';
    if (field.repeated) {
      lines.push(`if (v !== undefined && v !== null) { if (!isArray(v)) return SLOW; n = v.length; if (n > 0) { ${put} s += '['; for (k = 0; k < n; k++) { e = v[k]; if (e === undefined || e === null) return SLOW; ${convert.replaceAll('X', 'e')} s += k === 0 ? r : ',' + r; } s += ']'; } }`);
    } else if (field.required) {
      lines.push(`if (v === undefined || v === null) return SLOW; ${convert.replaceAll('X', 'v')} ${put} s += r;`);
    } else {
      lines.push(`if (v !== undefined && v !== null) { ${convert.replaceAll('X', 'v')} ${put} s += r; }${explicitDefault ? ` else { ${explicitDefault} }` : ''}`);
    }
  });
  lines.push("return '{' + s + '}';");
  return g.compile<JsonTexter>('text', 'm, q', lines);
}

/** {@link compileWith} with `undefined` for a type the generator does not handle. */
function compiledOrUndefined<F>(cache: Map<protobuf.Type, Holder<F> | null>, type: protobuf.Type, generate: (t: protobuf.Type) => F, placeholder: F): Holder<F> | undefined {
  try {
    return compileWith(cache, type, generate, placeholder);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** The generated Mesos-JSON text writer of `type`, or `undefined` when the type is not handled. @internal */
export function compileJsonTextEncoder(type: protobuf.Type): ((m: Obj) => string | typeof SLOW_ENCODE) | undefined {
  const holder = compiledOrUndefined<JsonTexter>(jsonTexters, type, generateJsonTexter, () => SLOW_ENCODE);
  return holder && ((m) => holder.fn(m, 0));
}

/** The generated binary encoder of `type`, or `undefined` when the type is not handled. @internal */
export function compileProtobufEncoder(type: protobuf.Type): ((m: Obj) => Uint8Array | typeof SLOW_ENCODE) | undefined {
  const holder = compiledOrUndefined<ProtoWriter>(protoWriters, type, generateProtoWriter, () => SLOW_ENCODE);
  return holder && ((m) => {
    const w = protobuf.Writer.create();
    return holder.fn(m, w, 0) === SLOW_ENCODE ? SLOW_ENCODE : w.finish();
  });
}

/** The generated Mesos-JSON value maker of `type`, or `undefined` when the type is not handled. @internal */
export function compileJsonEncoder(type: protobuf.Type): ((m: Obj) => Obj | typeof SLOW_ENCODE) | undefined {
  const holder = compiledOrUndefined<JsonMaker>(jsonMakers, type, generateJsonMaker, () => SLOW_ENCODE);
  return holder && ((m) => holder.fn(m, 0));
}
