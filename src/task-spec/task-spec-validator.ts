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

let compiled: ValidateFunction | undefined;
/** The schema's validator, compiled on first use; ajv (CommonJS) is loaded only then. */
function validator(): ValidateFunction {
  if (!compiled) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    compiled = new Ajv({ allErrors: true, strict: false, useDefaults: false }).compile(TASK_DEFINITION_SCHEMA);
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

function describe(e: ErrorObject): string {
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
  if (def.constraints) compileConstraints(def.constraints, p('constraints'), problems);
}

/**
 * Validates task definitions: one definition, an array, or `{ "tasks": [...] }`. Every problem is
 * reported, each with its path, before anything is returned.
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
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  list.forEach((item, i) => {
    const validate = validator();
    if (!validate(item)) {
      for (const e of validate.errors ?? []) problems.push({ path: pathOf(base(i), e.instancePath), message: describe(e) });
      return;
    }
    const def = item as TaskDefinition;
    semanticProblems(def, base(i) || def.name, problems);
    const seen = names.get(def.name);
    if (seen !== undefined) problems.push({ path: pathOf(base(i), '/name'), message: `duplicates the name of ${base(seen) || 'another definition'}` });
    else names.set(def.name, i);
  });
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
