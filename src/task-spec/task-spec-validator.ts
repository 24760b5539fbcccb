import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ValidationError } from '../errors/families.js';
import { compileConstraints } from '../resource-manager/placement/constraints.js';
import type { TaskDefinition } from './task-definition.js';

/** Codes of the `ValidationError`s thrown for task definitions. */
export const TaskSpecErrorCodes = {
  /** A definition breaks the schema or a rule the schema cannot express; `problems` lists each. */
  INVALID: 'ERR_TASK_DEFINITION_INVALID',
  /** A definitions file cannot be read or is not JSON. */
  UNREADABLE: 'ERR_TASK_DEFINITION_UNREADABLE',
} as const;

/** The published JSON Schema of one task definition. */
export const TASK_DEFINITION_SCHEMA: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../../schema/task-definition.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

type Problem = { path: string; message: string };

/** Most definitions one call validates (a 1 MiB body holds about 13,000 small ones). */
const MAX_DEFINITIONS = 1_000;
/** Most instances, summed over the definitions, one call may ask for (the schema bounds each definition's). */
const MAX_INSTANCES = 100_000;

/** Largest count a MAX_PER or GROUP_BY constraint takes (the number is a string in the tuple, so the schema cannot bound it). */
const MAX_CONSTRAINT_COUNT = 1_000_000;

let compiled: ValidateFunction | undefined;
/**
 * The schema's validator, compiled on first use; ajv (CommonJS) is loaded only then.
 *
 * Strict mode stays on (`strict: false` also turns off `strictNumbers`, which let `Infinity` and
 * `NaN` through every `"type": "number"`: `cpus: 1e999` was stored as `null`). Only `strictTuples`
 * is off: a constraint is a 2- or 3-tuple on purpose. `verbose` gives each error its schema and
 * value, for messages that state the accepted range.
 */
function validator(): ValidateFunction {
  if (!compiled) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    compiled = new Ajv({ allErrors: true, strict: true, strictNumbers: true, strictTuples: false, useDefaults: false, verbose: true }).compile(TASK_DEFINITION_SCHEMA);
  }
  return compiled;
}

/** `/resources/cpus` under `tasks[2]` → `tasks[2].resources.cpus`. */
function pathOf(base: string, pointer: string): string {
  let out = base;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out || '(root)';
}

/** A value as shown in a message: numbers as JS prints them (`Infinity`, `NaN`), the rest as short JSON. */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `a finite number greater than 0 and at most 1000000` (or `a whole number from 0 to 100`) from a numeric schema, or undefined for other schemas. */
function numericRange(schema: unknown): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as { type?: unknown; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number };
  if (s.type !== 'number' && s.type !== 'integer') return undefined;
  const kind = s.type === 'integer' ? 'a whole number' : 'a finite number';
  if (s.minimum !== undefined && s.maximum !== undefined && s.exclusiveMinimum === undefined && s.exclusiveMaximum === undefined) return `${kind} from ${s.minimum} to ${s.maximum}`;
  const bounds: string[] = [];
  if (s.exclusiveMinimum !== undefined) bounds.push(`greater than ${s.exclusiveMinimum}`);
  else if (s.minimum !== undefined) bounds.push(`at least ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`less than ${s.exclusiveMaximum}`);
  else if (s.maximum !== undefined) bounds.push(`at most ${s.maximum}`);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

function describe(e: ErrorObject): string {
  const range = ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'].includes(e.keyword) ? numericRange(e.parentSchema) : undefined;
  if (range) return `must be ${range} (got ${shown(e.data)})`;
  switch (e.keyword) {
    case 'required':
      return `is missing the required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'additionalProperties':
      return `has the unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"; check its spelling against schema/task-definition.schema.json`;
    case 'enum':
      return `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return 'must be lower-case letters, digits and dashes, starting and ending with a letter or digit (at most 63 characters)';
    default:
      return e.message ?? 'is invalid';
  }
}

/** Checks that the schema cannot express. */
function semanticProblems(def: TaskDefinition, base: string, problems: Problem[]): void {
  const p = (field: string) => `${base}.${field}`;
  const cmd = def.command;
  if (cmd?.shell !== undefined && cmd.argv !== undefined) problems.push({ path: p('command'), message: 'give either shell or argv, not both' });
  const hasCommand = cmd?.shell !== undefined || cmd?.argv !== undefined;
  const ex = def.executor?.command;
  if (def.executor && (ex?.shell === undefined) === (ex?.argv === undefined)) problems.push({ path: p('executor.command'), message: 'an executor needs exactly one of command.shell or command.argv' });
  if (!hasCommand && !def.executor && !(def.container?.type === 'DOCKER' && def.container.image)) {
    problems.push({ path: p('command'), message: 'a task needs command.shell or command.argv (only a Docker container with an image may run its default entry point)' });
  }
  if (def.container?.type === 'DOCKER' && !def.container.image) problems.push({ path: p('container.image'), message: 'a DOCKER container needs an image' });
  const ports = def.resources.ports ?? 0;
  const hc = def.healthCheck;
  if (hc) {
    if ((hc.type === 'HTTP' || hc.type === 'TCP') && (hc.portIndex ?? 0) >= ports) {
      problems.push({ path: p('healthCheck.portIndex'), message: `points at port ${hc.portIndex ?? 0} but the task asks for ${ports} port(s); raise resources.ports` });
    }
    if (hc.type === 'COMMAND' && !hc.command) problems.push({ path: p('healthCheck.command'), message: 'a COMMAND health check needs a command' });
    if (hc.type === 'HTTP' && hc.path !== undefined && !hc.path.startsWith('/')) problems.push({ path: p('healthCheck.path'), message: 'must start with "/"' });
  }
  if (def.container?.portMappings?.length && !def.container.networks?.some((n) => n.mode === 'bridge')) {
    problems.push({ path: p('container.portMappings'), message: 'port mappings need a network with mode "bridge"' });
  }
  const rp = def.restartPolicy;
  if (rp?.maxBackoffSeconds !== undefined && rp.backoffSeconds !== undefined && rp.maxBackoffSeconds < rp.backoffSeconds) {
    problems.push({ path: p('restartPolicy.maxBackoffSeconds'), message: 'must not be smaller than backoffSeconds' });
  }
  if (def.constraints) {
    def.constraints.forEach((c, j) => {
      const [, operator, value] = c as readonly [string, string, string?];
      if ((operator === 'MAX_PER' || operator === 'GROUP_BY') && value !== undefined && /^\d+$/.test(value) && Number(value) > MAX_CONSTRAINT_COUNT) {
        problems.push({ path: `${p('constraints')}[${j}][2]`, message: `${operator} takes a whole number from ${operator === 'MAX_PER' ? 1 : 0} to ${MAX_CONSTRAINT_COUNT} (got ${value.length > 20 ? `${value.slice(0, 20)}...` : value})` });
      }
    });
    compileConstraints(def.constraints, p('constraints'), problems);
  }
}

/**
 * Validates task definitions: one definition, an array, or `{ "tasks": [...] }`. Every problem is
 * reported, each with its path, before anything is returned. Numbers must be finite and within
 * the schema's bounds; one call takes at most 1,000 definitions and 100,000 instances in total.
 * Returns validated copies (later changes to the input do not reach them).
 * @throws ValidationError `ERR_TASK_DEFINITION_INVALID` with `problems`.
 */
export function validateTaskDefinitions(input: unknown): TaskDefinition[] {
  let list: unknown[];
  let base: (i: number) => string;
  if (Array.isArray(input)) {
    list = input;
    base = (i) => `[${i}]`;
  } else if (input && typeof input === 'object' && Array.isArray((input as { tasks?: unknown }).tasks)) {
    list = (input as { tasks: unknown[] }).tasks;
    base = (i) => `tasks[${i}]`;
  } else if (input && typeof input === 'object') {
    list = [input];
    base = () => '';
  } else {
    throw new ValidationError(TaskSpecErrorCodes.INVALID, 'a task definition must be a JSON object, an array of them, or { "tasks": [...] }', [{ path: '(root)', message: 'expected an object or an array' }]);
  }
  if (list.length > MAX_DEFINITIONS) {
    throw new ValidationError(TaskSpecErrorCodes.INVALID, `${list.length} task definitions at once; at most ${MAX_DEFINITIONS} per call (split them)`, [{ path: '(root)', message: `holds ${list.length} definitions; at most ${MAX_DEFINITIONS}` }]);
  }
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  list = list.map((item, i) => {
    // Validate (and return) a copy: getters run once, and a caller mutating its object after the
    // submit cannot change what was validated.
    try {
      return structuredClone(item);
    } catch {
      problems.push({ path: base(i) || '(root)', message: 'must be plain data (objects, arrays, strings, numbers, booleans); it holds a function, a symbol or another value that cannot be copied' });
      return undefined;
    }
  });
  list.forEach((item, i) => {
    if (item === undefined) return;
    const validate = validator();
    if (!validate(item)) {
      const seen = new Set<string>();
      for (const e of validate.errors ?? []) {
        const problem = { path: pathOf(base(i), e.instancePath), message: describe(e) };
        const key = `${problem.path}\n${problem.message}`;
        if (!seen.has(key)) problems.push(problem);
        seen.add(key);
      }
      return;
    }
    const def = item as TaskDefinition;
    semanticProblems(def, base(i) || def.name, problems);
    const seen = names.get(def.name);
    if (seen !== undefined) problems.push({ path: pathOf(base(i), '/name'), message: `duplicates the name of ${base(seen) || 'another definition'}` });
    else names.set(def.name, i);
  });
  if (problems.length === 0) {
    const total = (list as TaskDefinition[]).reduce((sum, d) => sum + (d.instances ?? 1), 0);
    if (total > MAX_INSTANCES) problems.push({ path: '(root)', message: `asks for ${total} instances in total; at most ${MAX_INSTANCES} per call (each one is a task record in memory and storage)` });
  }
  if (problems.length > 0) {
    throw new ValidationError(
      TaskSpecErrorCodes.INVALID,
      `invalid task definition (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      problems,
    );
  }
  return list as TaskDefinition[];
}

/** Reads and validates a JSON task file. */
export function loadTaskDefinitions(file: string): TaskDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ValidationError(TaskSpecErrorCodes.UNREADABLE, `cannot read task file ${file}: ${(cause as Error).message}`, [], { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(TaskSpecErrorCodes.UNREADABLE, `task file ${file} is not valid JSON: ${(cause as Error).message}`, [{ path: '(root)', message: (cause as Error).message }], { cause });
  }
  return validateTaskDefinitions(parsed);
}
