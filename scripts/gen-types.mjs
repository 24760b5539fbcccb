#!/usr/bin/env node
// Generates TypeScript interfaces for every message and enum of proto/ into src/protocol/generated/.
// Run after changing proto/:   node scripts/gen-types.mjs
// Messages are plain objects shaped like Mesos JSON: snake_case fields, enums as value names,
// 64-bit integers as numbers, bytes as Uint8Array. Required fields are non-optional.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROTO = join(ROOT, 'proto');
const OUT = join(ROOT, 'src/protocol/generated');

function walk(dir) {
  return readdirSync(dir).flatMap((e) => {
    const f = join(dir, e);
    return statSync(f).isDirectory() ? walk(f) : e.endsWith('.proto') ? [f] : [];
  });
}

const root = new protobuf.Root();
root.resolvePath = (_o, t) => (t.startsWith('google/') ? t : t.startsWith(PROTO) ? t : join(PROTO, t));
// alternateCommentMode: the `//` comment above a message, enum or field becomes its TSDoc.
root.loadSync(walk(PROTO).map((f) => relative(PROTO, f)), { keepCase: true, alternateCommentMode: true });
root.resolveAll();

const SCALARS = {
  double: 'number', float: 'number', int32: 'number', uint32: 'number', sint32: 'number', fixed32: 'number',
  sfixed32: 'number', int64: 'number', uint64: 'number', sint64: 'number', fixed64: 'number', sfixed64: 'number',
  bool: 'boolean', string: 'string', bytes: 'Uint8Array',
};

/** Module file name of a package ("mesos.v1.scheduler" -> "mesos.v1.scheduler"). */
const packages = new Map(); // package name -> { types: [] }
function packageOf(obj) {
  const names = [];
  for (let p = obj.parent; p && p.name; p = p.parent) {
    if (!(p instanceof protobuf.Type)) names.unshift(p.name);
  }
  return names.join('.');
}
function collect(ns) {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Type || o instanceof protobuf.Enum) {
      const pkg = packageOf(o);
      if (!packages.has(pkg)) packages.set(pkg, []);
      packages.get(pkg).push(o);
    } else if (o.nestedArray) collect(o);
  }
}
collect(root);

const ALIASES = { 'mesos.v1': 'v1', 'google.protobuf': 'google_protobuf' };
const alias = (pkg) => ALIASES[pkg] ?? pkg.replace(/^mesos\.v1\./, '');

/** The TypeScript name of a type as seen from package `from`. */
function tsName(type, from, imports) {
  const pkg = packageOf(type);
  const local = [];
  for (let p = type; p && p instanceof protobuf.ReflectionObject && packageOf(p) === pkg && (p instanceof protobuf.Type || p instanceof protobuf.Enum); p = p.parent) local.unshift(p.name);
  const name = local.join('.');
  if (pkg === from) return name;
  imports.add(pkg);
  return `${alias(pkg)}.${name}`;
}

function fieldType(field, from, imports) {
  if (field.map) {
    const v = field.resolvedType ? tsName(field.resolvedType, from, imports) : SCALARS[field.type];
    return `Record<string, ${v}>`;
  }
  const t = field.resolvedType ? tsName(field.resolvedType, from, imports) : SCALARS[field.type];
  if (!t) throw new Error(`unknown type ${field.type}`);
  return field.repeated ? `${t}[]` : t;
}

/** A TSDoc block at `pad` from text lines (a `*` + `/` in the text cannot end the comment early). */
function tsdoc(pad, textLines) {
  const safe = textLines.map((l) => l.replaceAll('*/', '*\\/'));
  if (safe.length === 1) return [`${pad}/** ${safe[0]} */`];
  return [`${pad}/**`, ...safe.map((l) => (l ? `${pad} * ${l}` : `${pad} *`)), `${pad} */`];
}

/** Where a message or enum is declared: its full proto name and file. */
function declaredIn(obj) {
  const name = `\`${obj.fullName.replace(/^\./, '')}\``;
  if (!obj.filename) return `${name} (a protobuf well-known type)`;
  const file = relative(ROOT, obj.filename.startsWith(PROTO) ? obj.filename : join(PROTO, obj.filename));
  return `${name} in \`${file.split('\\').join('/')}\``;
}

/** The field as declared in proto/, e.g. `optional int32 port = 3`: label, proto type, number. */
function fieldDeclaration(f) {
  const type = f.map ? `map<${f.keyType}, ${f.type}>` : f.type;
  const label = f.map ? '' : f.required ? 'required ' : f.repeated ? 'repeated ' : 'optional ';
  return `\`${label}${type} ${f.name} = ${f.id}\``;
}

function emit(obj, from, imports, indent) {
  const pad = '  '.repeat(indent);
  const lines = [];
  const about = obj.comment ? [obj.comment.trim(), ''] : [];
  if (obj instanceof protobuf.Enum) {
    const values = Object.keys(obj.values).map((v) => `'${v}'`);
    lines.push(...tsdoc(pad, [...about, `Proto enum ${declaredIn(obj)}, as the value names the JSON encoding uses.`]));
    lines.push(`${pad}export type ${obj.name} = ${values.join(' | ')};`);
    return lines;
  }
  lines.push(...tsdoc(pad, [...about, `Proto message ${declaredIn(obj)}, in the shape of its JSON encoding.`]));
  lines.push(`${pad}export interface ${obj.name} {`);
  for (const f of obj.fieldsArray) {
    const opt = f.required ? '' : '?';
    const notes = [];
    if (f.comment) notes.push(f.comment.trim(), '');
    notes.push(fieldDeclaration(f));
    if (f.options && f.options.default !== undefined) notes.push(`@defaultValue ${JSON.stringify(f.options.default)}`);
    if (f.options && f.options.deprecated) notes.push('@deprecated Deprecated in the Mesos schema.');
    lines.push(...tsdoc(`${pad}  `, notes));
    lines.push(`${pad}  ${f.name}${opt}: ${fieldType(f, from, imports)};`);
  }
  lines.push(`${pad}}`);
  const nested = obj.nestedArray.filter((o) => o instanceof protobuf.Type || o instanceof protobuf.Enum);
  if (nested.length) {
    lines.push(`${pad}export namespace ${obj.name} {`);
    for (const n of nested) lines.push(...emit(n, from, imports, indent + 1));
    lines.push(`${pad}}`);
  }
  return lines;
}

mkdirSync(OUT, { recursive: true });
const HEADER = '// Generated by scripts/gen-types.mjs from proto/. Do not edit: change proto/ and run the script.\n/* eslint-disable */\n';
const index = [HEADER];
for (const [pkg, types] of [...packages].sort()) {
  const imports = new Set();
  const body = types.flatMap((t) => emit(t, pkg, imports, 0));
  const head = [...imports].sort().map((p) => `import type * as ${alias(p)} from './${p}.js';`);
  writeFileSync(join(OUT, `${pkg}.ts`), `${HEADER}${head.join('\n')}${head.length ? '\n\n' : '\n'}${body.join('\n')}\n`);
  index.push(`export type * as ${alias(pkg)} from './${pkg}.js';`);
}
writeFileSync(join(OUT, 'index.ts'), index.join('\n') + '\n');
// The reflected schema as a module, so the codecs need no .proto files at run time (and bundle).
writeFileSync(
  join(OUT, 'schema-descriptor.ts'),
  `${HEADER}import type { INamespace } from 'protobufjs';\n\n/** protobufjs JSON descriptor of proto/ (field names kept in snake_case). */\nexport const SCHEMA_DESCRIPTOR: INamespace = JSON.parse(${JSON.stringify(JSON.stringify(root.toJSON({ keepComments: false })))}) as INamespace;\n`,
);
console.log(`wrote ${packages.size} modules to ${relative(ROOT, OUT)}`);
