import protobuf from 'protobufjs';

/**
 * Request bodies as the real master reads them, so that the simulator answers a bad JSON body with
 * Mesos's own words. Mesos parses JSON with picojson (errors: `syntax error at line N near: <rest of
 * the line>`), then rejects trailing text, then converts the JSON object into the protobuf message
 * field by field in key order (stout's `protobuf::parse`), and finally checks required fields.
 */

/** A parsed JSON value; objects keep their keys in a Map (Mesos sorts them). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const WS = new Set([' ', '\t', '\n', '\r']);

class SyntaxFailure extends Error {}

/** A picojson-like reader: `pos` is the next character; a failure leaves it where picojson would. */
class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  skipWs(): void {
    while (this.pos < this.text.length && WS.has(this.text[this.pos]!)) this.pos++;
  }

  fail(consumed = false): never {
    if (consumed) this.pos++;
    throw new SyntaxFailure();
  }

  expect(c: string): boolean {
    this.skipWs();
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  value(): JsonValue {
    this.skipWs();
    const ch = this.peek();
    switch (ch) {
      case 'n':
        return this.word('null', null);
      case 't':
        return this.word('true', true);
      case 'f':
        return this.word('false', false);
      case '"':
        this.pos++;
        return this.string();
      case '[':
        this.pos++;
        return this.array();
      case '{':
        this.pos++;
        return this.object();
      default:
        if (ch !== undefined && ((ch >= '0' && ch <= '9') || ch === '-')) return this.number();
        return this.fail();
    }
  }

  private word<T>(word: string, value: T): T {
    this.pos++;
    for (const c of word.slice(1)) {
      if (this.peek() !== c) this.fail();
      this.pos++;
    }
    return value;
  }

  private number(): number {
    const start = this.pos;
    while (this.pos < this.text.length && /[0-9+\-eE.]/.test(this.text[this.pos]!)) this.pos++;
    const literal = this.text.slice(start, this.pos);
    // strtod must consume the whole literal.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(literal)) this.fail();
    return Number(literal);
  }

  private string(): string {
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch < ' ') this.fail();
      this.pos++;
      if (ch === '"') return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const esc = this.peek();
      if (esc === undefined) this.fail();
      this.pos++;
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (esc! in simple) out += simple[esc!];
      else if (esc === 'u') {
        let hex = '';
        for (let i = 0; i < 4; i++) {
          const h = this.peek();
          if (h === undefined) this.fail();
          if (!/[0-9a-fA-F]/.test(h!)) this.fail();
          hex += h;
          this.pos++;
        }
        out += String.fromCharCode(parseInt(hex, 16));
      } else {
        // picojson consumed the bad escape character before failing.
        throw new SyntaxFailure();
      }
    }
  }

  private array(): JsonValue[] {
    const out: JsonValue[] = [];
    if (this.expect(']')) return out;
    do out.push(this.value());
    while (this.expect(','));
    if (!this.expect(']')) this.fail();
    return out;
  }

  private object(): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    if (this.expect('}')) return out;
    do {
      if (!this.expect('"')) this.fail();
      const key = this.string();
      if (!this.expect(':')) this.fail();
      out[key] = this.value();
    } while (this.expect(','));
    if (!this.expect('}')) this.fail();
    return out;
  }

  /** picojson's message: the line of the failure and the rest of that line. */
  syntaxError(): string {
    const line = 1 + (this.text.slice(0, this.pos).match(/\n/g)?.length ?? 0);
    let near = '';
    for (let i = this.pos; i < this.text.length && this.text[i] !== '\n'; i++) if (this.text[i]! >= ' ') near += this.text[i];
    return `syntax error at line ${line} near: ${near}`;
  }
}

/**
 * Parses JSON text as stout's `JSON::parse` does. `prefixOnly` parses the leading value and ignores
 * what follows (as stout does for numbers given as strings).
 */
export function parseJson(text: string, prefixOnly = false): { value: JsonValue } | { error: string } {
  const reader = new Reader(text);
  let value: JsonValue;
  try {
    value = reader.value();
  } catch (err) {
    if (err instanceof SyntaxFailure) return { error: reader.syntaxError() };
    throw err;
  }
  if (!prefixOnly) {
    let last = text.length - 1;
    while (last >= 0 && WS.has(text[last]!)) last--;
    if (reader.pos <= last) return { error: `Parsed JSON included non-whitespace trailing characters: ${text.slice(reader.pos, last + 1)}` };
  }
  return { value };
}

const NUMERIC = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);
const BASE64 = /^[A-Za-z0-9+/]$/;

function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
}

class ConversionFailure extends Error {}

/** One JSON value into one (non-repeated position of a) field; returns the normalized value or undefined to drop it. */
function convertValue(field: protobuf.Field, v: JsonValue): unknown {
  const kind = jsonKind(v);
  const type = field.resolvedType;
  const not = (): never => {
    throw new ConversionFailure(`Not expecting a JSON ${kind} for field '${field.name}'`);
  };
  if (kind === 'object') return type instanceof protobuf.Type ? convertMessage(type, v as Record<string, JsonValue>) : not();
  if (kind === 'boolean') return field.type === 'bool' ? v : not();
  if (kind === 'number') return NUMERIC.has(field.type) ? v : not();
  if (kind === 'array') return not();
  const s = v as string;
  if (type instanceof protobuf.Enum) {
    if (type.values[s] !== undefined) return s;
    if (field.required) throw new ConversionFailure(`Failed to find enum for '${s}'`);
    return undefined;
  }
  if (field.type === 'string') return s;
  if (field.type === 'bytes') {
    for (const c of s) {
      if (c !== '=' && !BASE64.test(c)) throw new ConversionFailure(`Failed to base64 decode bytes field '${field.name}': Invalid character '${c}'`);
    }
    return s;
  }
  if (NUMERIC.has(field.type) || field.type === 'bool') {
    const what = field.type === 'bool' ? 'boolean' : 'number';
    const parsed = parseJson(s, true);
    if ('error' in parsed) throw new ConversionFailure(`Failed to parse '${s}' as a JSON ${what} for field '${field.name}': ${parsed.error}`);
    if (jsonKind(parsed.value) !== what) throw new ConversionFailure(`Failed to parse '${s}' as a JSON ${what} for field '${field.name}': Unexpected JSON type parsed`);
    return parsed.value;
  }
  return not();
}

function convertMessage(type: protobuf.Type, obj: Record<string, JsonValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // stout's JSON::Object is a std::map: fields are visited in key order.
  for (const key of Object.keys(obj).sort()) {
    const field = type.fields[key];
    if (!field) continue;
    const v = obj[key]!;
    if (v === null) {
      delete out[key];
      continue;
    }
    if (field.repeated) {
      const list = (out[key] as unknown[] | undefined) ?? [];
      for (const item of Array.isArray(v) ? v : [v]) {
        if (Array.isArray(item)) throw new ConversionFailure(`Not expecting a JSON array for field '${field.name}'`);
        if (item === null) continue;
        const converted = convertValue(field, item);
        if (converted !== undefined) list.push(converted);
      }
      out[key] = list;
      continue;
    }
    const converted = convertValue(field, v);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

/** protobuf's InitializationErrorString: missing required fields first, then set sub-messages by field number. */
function missingFields(type: protobuf.Type, obj: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  for (const field of type.fieldsArray) if (field.required && obj[field.name] === undefined) out.push(prefix + field.name);
  const byNumber = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const field of byNumber) {
    const nested = field.resolvedType;
    const value = obj[field.name];
    if (!(nested instanceof protobuf.Type) || value === undefined) continue;
    if (field.repeated) (value as Record<string, unknown>[]).forEach((v, i) => out.push(...missingFields(nested, v, `${prefix}${field.name}[${i}].`)));
    else out.push(...missingFields(nested, value as Record<string, unknown>, `${prefix}${field.name}.`));
  }
  return out;
}

/**
 * Converts a parsed JSON value into a plain message object of `type` as stout does, or returns
 * Mesos's error text (without the `Failed to convert JSON into ... protobuf: ` prefix the caller adds).
 * The result has unknown keys, nulls and unknown enum names dropped, and single values of repeated
 * fields wrapped, so a protobufjs codec can take it as is.
 */
export function convertJson(type: protobuf.Type, value: JsonValue): { message: Record<string, unknown> } | { error: string } {
  if (jsonKind(value) !== 'object') return { error: 'Expecting a JSON object' };
  let message: Record<string, unknown>;
  try {
    message = convertMessage(type, value as Record<string, JsonValue>);
  } catch (err) {
    if (err instanceof ConversionFailure) return { error: err.message };
    throw err;
  }
  const missing = missingFields(type, message, '');
  if (missing.length > 0) return { error: `Missing required fields: ${missing.join(', ')}` };
  return { message };
}

/**
 * Decodes a request body the way the master's HTTP handlers do, with their error texts:
 * `Failed to parse body into JSON: ...`, `Failed to convert JSON into Call protobuf: ...`,
 * `Failed to parse body into Call protobuf`.
 */
export function decodeRequestBody(type: protobuf.Type, body: Buffer, encoding: 'json' | 'protobuf'): { message: Record<string, unknown> } | { error: string } {
  if (encoding === 'protobuf') {
    try {
      return { message: type.toObject(type.decode(body), { enums: String, longs: Number, defaults: false, arrays: false }) };
    } catch {
      return { error: 'Failed to parse body into Call protobuf' };
    }
  }
  const parsed = parseJson(body.toString('utf8'));
  if ('error' in parsed) return { error: `Failed to parse body into JSON: ${parsed.error}` };
  const converted = convertJson(type, parsed.value);
  if ('error' in converted) return { error: `Failed to convert JSON into Call protobuf: ${converted.error}` };
  try {
    return { message: type.toObject(type.fromObject(converted.message), { enums: String, longs: Number, defaults: false, arrays: false }) };
  } catch (err) {
    return { error: `Failed to convert JSON into Call protobuf: ${(err as Error).message}` };
  }
}
