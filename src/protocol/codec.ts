import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMA_DESCRIPTOR } from './generated/schema-descriptor.js';
import protobuf from 'protobufjs';
import { ProtocolError } from '../errors/families.js';
import { ErrorCodes } from '../errors/codes.js';
import { compileProtobufDecoder, type ProtobufDecoder } from './protobuf-decoder.js';
import { compileJsonEncoder, compileJsonTextEncoder, compileProtobufEncoder, enumCanonicalNames, SLOW_ENCODE } from './encoders.js';

/** Wire encodings the Mesos V1 HTTP APIs speak. */
export type Encoding = 'protobuf' | 'json';

/** The exact media types Mesos accepts (no parameters allowed: `; charset=...` gets a 415). */
export const MEDIA_TYPES: Readonly<Record<Encoding, string>> = Object.freeze({
  protobuf: 'application/x-protobuf',
  json: 'application/json',
});

/**
 * Maps a `Content-Type` header value to an encoding. With `strict` (what the master does for
 * requests) the whole value must equal one of the two media types; otherwise parameters are
 * ignored and the comparison is case-insensitive (what a lenient client does for responses).
 */
export function encodingOf(contentType: string | undefined, strict = false): Encoding | undefined {
  if (contentType === undefined) return undefined;
  const value = strict ? contentType : contentType.split(';')[0]!.trim().toLowerCase();
  if (value === MEDIA_TYPES.json) return 'json';
  if (value === MEDIA_TYPES.protobuf) return 'protobuf';
  return undefined;
}

/** Directory holding our `.proto` declaration of the Mesos v1 schema (shipped with the package). */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

function listProtoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listProtoFiles(full));
    else if (entry.endsWith('.proto')) out.push(full);
  }
  return out.sort();
}

let cachedRoot: protobuf.Root | undefined;

/**
 * The reflected schema: every message and enum of `proto/`, with proto field names kept as they
 * are (snake_case), which is also the Mesos JSON naming. Built once, lazily, from the descriptor
 * that `scripts/gen-types.mjs` generates from `proto/`, so no `.proto` file is read at run time
 * (the SDK can be bundled, e.g. into a single-file executor).
 */
export function schema(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const root = protobuf.Root.fromJSON(SCHEMA_DESCRIPTOR);
  root.resolveAll();
  cachedRoot = root;
  return root;
}

/** Loads the schema from the `.proto` files of `dir` (default: our `proto/`), e.g. to check the generated descriptor. */
export function loadProtoSchema(dir: string = PROTO_DIR): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => (target.startsWith(dir) ? target : join(dir, target));
  root.loadSync(listProtoFiles(dir).map((f) => relative(dir, f)), { keepCase: true });
  root.resolveAll();
  return root;
}

/** Options shared by every conversion to a plain object. */
const OBJECT_OPTIONS: protobuf.IConversionOptions = { enums: String, longs: Number, defaults: false, arrays: false };

/**
 * Encoder/decoder for one message type. Messages are plain objects shaped like Mesos JSON:
 * snake_case field names, enum values as their names, 64-bit integers as numbers, bytes as
 * `Uint8Array` (base64 strings are accepted on input).
 */
export class MessageCodec<T extends object = Record<string, unknown>> {
  /** @param type - The protobufjs reflection of the message; get one with {@link codecFor} rather than building it. */
  constructor(
    /** The protobufjs reflection of the message type. */
    readonly type: protobuf.Type,
  ) {}

  private jsonConverter: { convert: Converter } | undefined;
  /** The generated protobuf decoder; `null` when the type needs the general path. */
  private protobufDecoder: ProtobufDecoder | null | undefined;
  /** The generated encoders; `null` when the type needs the general path. */
  private protobufEncoder: ((m: Record<string, unknown>) => Uint8Array | typeof SLOW_ENCODE) | null | undefined;
  private jsonEncoder: ((m: Record<string, unknown>) => Record<string, unknown> | typeof SLOW_ENCODE) | null | undefined;
  private jsonTextEncoder: ((m: Record<string, unknown>) => string | typeof SLOW_ENCODE) | null | undefined;

  /** Full proto name of the message, e.g. `mesos.v1.scheduler.Call`. */
  get name(): string {
    return this.type.fullName.replace(/^\./, '');
  }

  /**
   * Paths of the required fields the message lacks (`accept.operations[0].launch.task_infos[0].agent_id`),
   * as Mesos names them when it refuses such JSON.
   */
  missingRequiredFields(message: T): string[] {
    let normalized: protobuf.Message;
    try {
      normalized = this.type.fromObject(message as Record<string, unknown>);
    } catch {
      return [];
    }
    return missingRequired(this.type, this.type.toObject(normalized, OBJECT_OPTIONS), '');
  }

  /**
   * Encodes a message that must be complete (a call about to be sent): a missing required field is a
   * {@link ProtocolError} `ERR_PROTOCOL_ENCODE` naming it, in either encoding, and nothing is sent.
   */
  encodeComplete(message: T, encoding: Encoding): Uint8Array {
    // The generated encoders give up (SLOW_ENCODE) on a missing required field, so what they encode is complete.
    const fast = encoding === 'protobuf' ? this.fastProtobuf(message) : this.fastJsonText(message);
    if (fast !== SLOW_ENCODE) return encoding === 'protobuf' ? (fast as Uint8Array) : Buffer.from(fast as string, 'utf8');
    const missing = this.missingRequiredFields(message);
    if (missing.length > 0) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_ENCODE, `cannot encode ${this.name}: Missing required fields: ${missing.join(', ')}`, { details: { missing } });
    }
    return this.encode(message, encoding);
  }

  /** Binary protobuf encoding. */
  encodeProtobuf(message: T): Uint8Array {
    const fast = this.fastProtobuf(message);
    return fast !== SLOW_ENCODE ? fast : this.encodeProtobufSlow(message);
  }

  private fastProtobuf(message: T): Uint8Array | typeof SLOW_ENCODE {
    const encoder = this.protobufEncoder === undefined ? (this.protobufEncoder = compileProtobufEncoder(this.type) ?? null) : this.protobufEncoder;
    return encoder === null ? SLOW_ENCODE : encoder(message as Record<string, unknown>);
  }

  private fastJsonText(message: T): string | typeof SLOW_ENCODE {
    const encoder = this.jsonTextEncoder === undefined ? (this.jsonTextEncoder = compileJsonTextEncoder(this.type) ?? null) : this.jsonTextEncoder;
    return encoder === null ? SLOW_ENCODE : encoder(message as Record<string, unknown>);
  }

  private fastJson(message: T): Record<string, unknown> | typeof SLOW_ENCODE {
    const encoder = this.jsonEncoder === undefined ? (this.jsonEncoder = compileJsonEncoder(this.type) ?? null) : this.jsonEncoder;
    return encoder === null ? SLOW_ENCODE : encoder(message as Record<string, unknown>);
  }

  /**
   * The general binary encoding (`fromObject`, then protobufjs's `encode`), taken when the
   * generated encoder is not sure to give the same bytes; it also builds every error.
   * @internal
   */
  encodeProtobufSlow(message: T): Uint8Array {
    try {
      return this.type.encode(this.type.fromObject(message as Record<string, unknown>)).finish();
    } catch (cause) {
      // protobufjs fails on an absent required message field with a bare TypeError: name the field instead.
      const missing = this.missingRequiredFields(message);
      const why = missing.length ? `Missing required fields: ${missing.join(', ')}` : (cause as Error).message;
      throw new ProtocolError(ErrorCodes.PROTOCOL_ENCODE, `cannot encode ${this.name} as protobuf: ${why}`, { cause });
    }
  }

  /**
   * Binary protobuf decoding; required fields are checked. The result shares no memory with
   * `bytes` (`bytes` fields are copied out), so the input may be a view into a larger buffer that
   * is reused or released afterwards.
   */
  decodeProtobuf(bytes: Uint8Array): T {
    const fast = this.protobufDecoder === undefined ? (this.protobufDecoder = compileProtobufDecoder(this.type) ?? null) : this.protobufDecoder;
    if (fast !== null) {
      try {
        return fast(bytes) as T;
      } catch {
        // Malformed or incomplete input: the general path below throws the error it always has.
      }
    }
    // A copy, so that what the general path decodes (its `bytes` fields are views) does not share the input either.
    return this.decodeProtobufSlow(Buffer.isBuffer(bytes) ? Buffer.from(bytes) : bytes.slice());
  }

  /**
   * The general protobuf decoding (protobufjs's `decode`, then `toObject`), taken for a type the
   * generated decoder does not handle and to build every decoding error. Its `bytes` fields are
   * views into `bytes`.
   * @internal
   */
  decodeProtobufSlow(bytes: Uint8Array): T {
    let decoded: protobuf.Message;
    try {
      decoded = this.type.decode(bytes);
    } catch (cause) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_DECODE, `failed to parse body into ${this.name}: ${(cause as Error).message}`, { cause });
    }
    return this.type.toObject(decoded, OBJECT_OPTIONS) as T;
  }

  /** Mesos JSON text (compact, fields in declaration order, explicit defaults written). */
  encodeJson(message: T): Uint8Array {
    const fast = this.fastJsonText(message);
    return fast !== SLOW_ENCODE ? Buffer.from(fast, 'utf8') : jsonBytes(this.toJsonObjectSlow(message));
  }

  /**
   * The general JSON encoding (`fromObject`, `toObject`, explicit defaults), taken when the
   * generated encoder is not sure to give the same text.
   * @internal
   */
  encodeJsonSlow(message: T): Uint8Array {
    return jsonBytes(this.toJsonObjectSlow(message));
  }

  /**
   * Parses Mesos JSON; unknown keys are ignored, missing required fields are an error. An enum
   * value the schema does not know (a newer Mesos's) is dropped, as protobuf drops an unknown
   * value of Mesos's proto2 (closed) enums: an optional field is then absent, and a required one
   * is an error that names the value.
   */
  decodeJson(bytes: Uint8Array | string): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (cause) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_DECODE, `failed to parse body into JSON: ${(cause as Error).message}`, { cause });
    }
    return this.fromJsonObject(parsed);
  }

  /** Converts an already-parsed JSON value into a message object. */
  fromJsonObject(json: unknown): T {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_DECODE, `failed to convert JSON into ${this.name}: expecting a JSON object`);
    }
    const fast = (this.jsonConverter ??= compileJsonConverter(this.type)).convert(json as Record<string, unknown>);
    if (fast !== SLOW) return fast as T;
    return this.fromJsonObjectSlow(json as Record<string, unknown>);
  }

  /**
   * The general conversion (`fromObject`, `toObject`, then the required-field walk), taken when the
   * precompiled converter is not sure to give the same result; it also builds every error message.
   * @internal
   */
  fromJsonObjectSlow(json: Record<string, unknown>): T {
    let message: protobuf.Message;
    try {
      message = this.type.fromObject(json);
    } catch (cause) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_DECODE, `failed to convert JSON into ${this.name}: ${(cause as Error).message}`, { cause });
    }
    const obj = this.type.toObject(message, OBJECT_OPTIONS);
    const missing = missingRequired(this.type, obj, '');
    if (missing.length > 0) {
      // A value the schema does not know (an enum name from a newer Mesos) is dropped, as protobuf
      // drops an unknown value of a proto2 enum: an optional field is then absent, a required one
      // missing. Say which value it was rather than only "missing".
      const unknown = missing.flatMap((path) => {
        const raw = valueAt(json, path);
        return raw === undefined || raw === null ? [] : [`${path} = ${JSON.stringify(raw).slice(0, 100)}${enumNameOf(this.type, path) ? ` is not a value of ${enumNameOf(this.type, path)}` : ' cannot be read'}`];
      });
      throw new ProtocolError(
        ErrorCodes.PROTOCOL_DECODE,
        `failed to convert JSON into ${this.name}: Missing required fields: ${missing.join(', ')}${unknown.length ? ` (${unknown.join('; ')}; this SDK's schema is Mesos 1.11's)` : ''}`,
        { details: { missing, ...(unknown.length ? { unknownValues: unknown } : {}) } },
      );
    }
    return obj as T;
  }

  /** Converts a message object into the JSON value Mesos would write. */
  toJsonObject(message: T): Record<string, unknown> {
    const fast = this.fastJson(message);
    return fast !== SLOW_ENCODE ? fast : this.toJsonObjectSlow(message);
  }

  /** {@link toJsonObject} by the general path. @internal */
  toJsonObjectSlow(message: T): Record<string, unknown> {
    let normalized: protobuf.Message;
    try {
      normalized = this.type.fromObject(message as Record<string, unknown>);
    } catch (cause) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_ENCODE, `cannot encode ${this.name} as JSON: ${(cause as Error).message}`, { cause });
    }
    const obj = this.type.toObject(normalized, { ...OBJECT_OPTIONS, bytes: String, json: true });
    return withExplicitDefaults(this.type, obj);
  }

  /**
   * Encodes in the given wire encoding ({@link encodeProtobuf} or {@link encodeJson}).
   * @throws ProtocolError `ERR_PROTOCOL_ENCODE` when the message cannot be represented.
   */
  encode(message: T, encoding: Encoding): Uint8Array {
    return encoding === 'protobuf' ? this.encodeProtobuf(message) : this.encodeJson(message);
  }

  /**
   * Decodes a body or RecordIO record in the given wire encoding ({@link decodeProtobuf} or {@link decodeJson}).
   * @throws ProtocolError `ERR_PROTOCOL_DECODE` when the bytes are not such a message or lack a required field.
   */
  decode(bytes: Uint8Array, encoding: Encoding): T {
    return encoding === 'protobuf' ? this.decodeProtobuf(bytes) : this.decodeJson(bytes);
  }
}

/** UTF-8 bytes of a JSON value. */
function jsonBytes(json: Record<string, unknown>): Uint8Array {
  return Buffer.from(JSON.stringify(json), 'utf8');
}

/**
 * Mesos's JSON writer emits optional fields that are unset but declare an explicit default
 * (`[default = ...]`), unless they are deprecated. Nested messages get the same treatment.
 */
function withExplicitDefaults(type: protobuf.Type, obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    if (value === undefined) {
      const opts = field.options ?? {};
      if (!field.repeated && !field.map && opts['default'] !== undefined && !opts['deprecated'] && !field.partOf) {
        out[field.name] = opts['default'];
      }
      continue;
    }
    const nested = field.resolvedType;
    if (nested instanceof protobuf.Type) {
      if (field.map) {
        const m: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, Record<string, unknown>>)) m[k] = withExplicitDefaults(nested, v);
        out[field.name] = m;
      } else if (field.repeated) {
        out[field.name] = (value as Record<string, unknown>[]).map((v) => withExplicitDefaults(nested, v));
      } else {
        out[field.name] = withExplicitDefaults(nested, value as Record<string, unknown>);
      }
    } else {
      out[field.name] = value;
    }
  }
  return out;
}

/** The value at a path as {@link missingRequired} writes it (`a.b[0].c`, `m[key].d`) in a parsed JSON value. */
function valueAt(json: unknown, path: string): unknown {
  let value: unknown = json;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The full name of the enum a field path (as {@link missingRequired} writes it) has, if it is an enum field. */
function enumNameOf(type: protobuf.Type, path: string): string | undefined {
  let current: protobuf.Type = type;
  const parts = path.split('.').map((p) => p.replace(/\[[^\]]*\]$/, ''));
  for (let i = 0; i < parts.length; i++) {
    const field = current.fields[parts[i]!];
    if (!field) return undefined;
    const resolved = field.resolvedType;
    if (i === parts.length - 1) return resolved instanceof protobuf.Enum ? resolved.fullName.replace(/^\./, '') : undefined;
    if (!(resolved instanceof protobuf.Type)) return undefined;
    current = resolved;
  }
  return undefined;
}

/** Paths of required fields absent from a converted message (Mesos rejects such JSON with 400). */
function missingRequired(type: protobuf.Type, obj: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    const path = prefix + field.name;
    if (value === undefined) {
      if (field.required) out.push(path);
      continue;
    }
    const nested = field.resolvedType;
    if (!(nested instanceof protobuf.Type)) continue;
    if (field.map) {
      for (const [k, v] of Object.entries(value as Record<string, Record<string, unknown>>)) out.push(...missingRequired(nested, v, `${path}[${k}].`));
    } else if (field.repeated) {
      (value as Record<string, unknown>[]).forEach((v, i) => out.push(...missingRequired(nested, v, `${path}[${i}].`)));
    } else {
      out.push(...missingRequired(nested, value as Record<string, unknown>, `${path}.`));
    }
  }
  return out;
}

/** What a {@link compileJsonConverter} converter returns when the input needs the general path. */
const SLOW = Symbol('slow');
type Converter = (json: Record<string, unknown>) => Record<string, unknown> | typeof SLOW;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT_TEXT = /^-?\d{1,15}$/;
const UINT_TEXT = /^\d{1,15}$/;

/** Converts one scalar or enum value as `fromObject` then `toObject` would, or returns {@link SLOW}. */
type ValueConverter = (value: unknown) => unknown;

function scalarConverter(field: protobuf.Field): ValueConverter | undefined {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    // An alias (two names, one number) comes back as the first name: not in the map, so it takes the general path.
    const names = enumCanonicalNames(resolved);
    return (v) => (typeof v === 'string' ? (names.get(v) ?? SLOW) : SLOW);
  }
  switch (field.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : SLOW);
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : SLOW);
    case 'double':
    case 'float':
      return (v) => (typeof v === 'number' ? v : SLOW);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return (v) => (typeof v === 'number' && (v | 0) === v ? v : SLOW);
    case 'uint32':
    case 'fixed32':
      return (v) => (typeof v === 'number' && v >>> 0 === v ? v : SLOW);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return (v) => (typeof v === 'number' ? (Number.isSafeInteger(v) ? v : SLOW) : typeof v === 'string' && INT_TEXT.test(v) ? Number(v) : SLOW);
    case 'uint64':
    case 'fixed64':
      return (v) => (typeof v === 'number' ? (Number.isSafeInteger(v) && v >= 0 ? v : SLOW) : typeof v === 'string' && UINT_TEXT.test(v) ? Number(v) : SLOW);
    case 'bytes':
      return (v) => (typeof v === 'string' && BASE64.test(v) ? Buffer.from(v, 'base64') : SLOW);
    default:
      return undefined;
  }
}

interface FieldPlan {
  name: string;
  required: boolean;
  repeated: boolean;
  /** Nested message converter (set after compilation, recursive types allowed). */
  message?: { convert: Converter };
  scalar?: ValueConverter;
  /** The JS type test that suffices for this scalar type, when one does. */
  inline?: string;
  /** A map field: present, it sends the message to the general path. */
  map?: boolean;
}

const converters = new Map<protobuf.Type, { convert: Converter }>();

/**
 * A converter of parsed Mesos JSON into the object `toObject(fromObject(json), OBJECT_OPTIONS)`
 * gives, built once per message type: it checks required fields as it goes and allocates nothing
 * beyond the result. Anything it is not sure to convert exactly as protobufjs does (an unknown enum
 * value, a missing required field, a number given as text it cannot read, a map field, ...) makes
 * it return {@link SLOW}, and the caller takes the general path, which yields the same errors as before.
 */
function compileJsonConverter(type: protobuf.Type): { convert: Converter } {
  const existing = converters.get(type);
  if (existing) return existing;
  const holder: { convert: Converter } = { convert: () => SLOW };
  converters.set(type, holder);
  // toObject writes fields in field-number order.
  const fields = type.fieldsArray.slice().sort((a, b) => a.id - b.id);
  const plans: FieldPlan[] = [];
  let unsupported = false;
  for (const field of fields) {
    const plan: FieldPlan = { name: field.name, required: field.required, repeated: field.repeated };
    if (field.map) {
      // Maps are rare in events: a message holding one goes to the general path, one without it does not.
      plan.map = true;
      plans.push(plan);
      continue;
    }
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) plan.message = compileJsonConverter(resolved);
    else {
      const scalar = scalarConverter(field);
      if (!scalar) {
        unsupported = true;
        break;
      }
      plan.scalar = scalar;
      if (!(resolved instanceof protobuf.Enum) && INLINE_CHECKS[field.type]) plan.inline = INLINE_CHECKS[field.type]!;
    }
    plans.push(plan);
  }
  if (unsupported) return holder;
  holder.convert = generateConverter(plans);
  return holder;
}

/** A test that `v` (already known to be neither undefined nor null) has the right JS type, inlined for the common scalar types. */
const INLINE_CHECKS: Record<string, string> = { string: "typeof v === 'string'", bool: "typeof v === 'boolean'", double: "typeof v === 'number'", float: "typeof v === 'number'" };

/**
 * Generates the converter's code (as protobufjs itself does for its converters), so each field is
 * read by a constant name and V8 keeps one inline cache per field.
 */
function generateConverter(plans: FieldPlan[]): Converter {
  const params: string[] = ['SLOW', 'isArray'];
  const args: unknown[] = [SLOW, Array.isArray];
  const lines: string[] = ['var o = {}, v, r, n, a, k;'];
  plans.forEach((plan, i) => {
    const key = JSON.stringify(plan.name);
    if (plan.map) {
      lines.push(`v = j[${key}]; if (v !== undefined && v !== null) return SLOW;`);
      return;
    }
    let convert: string;
    if (plan.message) {
      params.push(`m${i}`);
      args.push(plan.message);
      convert = `if (typeof X !== 'object' || X === null || isArray(X)) return SLOW; r = m${i}.convert(X); if (r === SLOW) return SLOW;`;
    } else {
      const inline = plan.inline;
      if (inline) convert = `if (!(${inline.replace('v', 'X')})) return SLOW; r = X;`;
      else {
        params.push(`s${i}`);
        args.push(plan.scalar);
        convert = `r = s${i}(X); if (r === SLOW) return SLOW;`;
      }
    }
    lines.push(`v = j[${key}];`);
    lines.push(`if (v === undefined || v === null) { ${plan.required ? 'return SLOW;' : ''} } else {`);
    if (plan.repeated) {
      lines.push(`  if (!isArray(v)) return SLOW; n = v.length;`);
      lines.push(`  if (n > 0) { a = new Array(n); for (k = 0; k < n; k++) { ${convert.replaceAll('X', 'v[k]')} a[k] = r; } o[${key}] = a; }`);
    } else {
      lines.push(`  ${convert.replaceAll('X', 'v')} o[${key}] = r;`);
    }
    lines.push('}');
  });
  lines.push('return o;');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...params, `return function convert(j) {\n${lines.join('\n')}\n};`) as (...a: unknown[]) => Converter;
  return factory(...args);
}

const codecs = new Map<string, MessageCodec<object>>();

/**
 * The codec of a message type by its full name, e.g. `mesos.v1.scheduler.Call`.
 * @throws ProtocolError `ERR_PROTOCOL_UNKNOWN_TYPE` when the schema has no such message.
 */
export function codecFor<T extends object>(fullName: string): MessageCodec<T> {
  let codec = codecs.get(fullName);
  if (!codec) {
    let type: protobuf.Type;
    try {
      type = schema().lookupType(fullName);
    } catch (cause) {
      throw new ProtocolError(ErrorCodes.PROTOCOL_UNKNOWN_TYPE, `no message type named ${fullName} in the Mesos schema`, { cause });
    }
    codec = new MessageCodec(type);
    codecs.set(fullName, codec);
  }
  return codec as MessageCodec<T>;
}
