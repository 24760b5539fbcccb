import { ValidationError } from '../../errors/index.js';
import { ResourceManagerErrorCodes } from '../resource-manager-error-codes.js';
import type { ConstraintOperator, PlacementConstraint, PlacementRequest } from './placement-types.js';

/** Every supported operator. */
export const CONSTRAINT_OPERATORS: readonly ConstraintOperator[] = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'];

/** A validated constraint ready for evaluation. @internal */
export interface CompiledConstraint {
  readonly field: string;
  readonly operator: ConstraintOperator;
  readonly value: string | undefined;
  /** LIKE / UNLIKE: the full-match regex. */
  readonly regex: RegExp | undefined;
  /** MAX_PER: the maximum; GROUP_BY: the minimum number of groups (0 when absent). */
  readonly number: number;
  /** Text shown in reasons: `[rack, MAX_PER, 2]`. */
  readonly label: string;
}

type Problem = { path: string; message: string };

const regexCache = new Map<string, RegExp | string>();

function compileRegex(source: string): RegExp | string {
  let r = regexCache.get(source);
  if (r === undefined) {
    try {
      r = new RegExp(`^(?:${source})$`);
    } catch (e) {
      r = (e as Error).message;
    }
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(source, r);
  }
  return r;
}

/** Normalises a constraint field: `@hostname` and `hostname` both mean the agent hostname. */
export function normalizeField(field: string): string {
  return field === '@hostname' ? 'hostname' : field;
}

/**
 * Checks constraints and compiles them. Problems are appended to `problems` with paths under
 * `path` (e.g. `requests[3].constraints[1][2]`); returns `undefined` when any constraint is invalid.
 */
export function compileConstraints(constraints: readonly PlacementConstraint[] | undefined, path: string, problems: Problem[]): CompiledConstraint[] | undefined {
  const out: CompiledConstraint[] = [];
  const before = problems.length;
  (constraints ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!Array.isArray(c) || c.length < 2 || c.length > 3) {
      problems.push({ path: p, message: 'a constraint is [field, operator] or [field, operator, value]' });
      return;
    }
    const [field, operator, value] = c;
    if (typeof field !== 'string' || field === '') problems.push({ path: `${p}[0]`, message: 'field must be "hostname" or an agent attribute name' });
    if (value !== undefined && typeof value !== 'string') problems.push({ path: `${p}[2]`, message: 'value must be a string' });
    if (!CONSTRAINT_OPERATORS.includes(operator)) {
      problems.push({ path: `${p}[1]`, message: `unknown operator ${JSON.stringify(operator)}; use one of ${CONSTRAINT_OPERATORS.join(', ')}` });
      return;
    }
    let regex: RegExp | undefined;
    let number = 0;
    switch (operator) {
      case 'LIKE':
      case 'UNLIKE':
      case 'IS':
        if (value === undefined || value === '') {
          problems.push({ path: `${p}[2]`, message: `${operator} needs a value${operator === 'IS' ? '' : ' (a regular expression matched against the whole attribute value)'}` });
          return;
        }
        if (operator !== 'IS' && typeof value === 'string') {
          const r = compileRegex(value);
          if (typeof r === 'string') {
            problems.push({ path: `${p}[2]`, message: `invalid regular expression ${JSON.stringify(value)}: ${r}` });
            return;
          }
          regex = r;
        }
        break;
      case 'MAX_PER':
        if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
          problems.push({ path: `${p}[2]`, message: `MAX_PER needs a positive integer value (the most tasks per ${field} value), got ${JSON.stringify(value)}` });
          return;
        }
        number = Number(value);
        break;
      case 'GROUP_BY':
        if (value !== undefined && value !== '') {
          if (!/^\d+$/.test(value)) {
            problems.push({ path: `${p}[2]`, message: `GROUP_BY value is the number of groups (a non-negative integer), got ${JSON.stringify(value)}` });
            return;
          }
          number = Number(value);
        }
        break;
      case 'UNIQUE':
        if (value !== undefined && value !== '') {
          problems.push({ path: `${p}[2]`, message: 'UNIQUE takes no value; remove it' });
          return;
        }
        break;
      default:
        break;
    }
    if (typeof field !== 'string' || field === '') return;
    out.push({
      field: normalizeField(field),
      operator,
      value: value === '' ? undefined : value,
      regex,
      number,
      label: `[${[field, operator, ...(value !== undefined ? [value] : [])].join(', ')}]`,
    });
  });
  return problems.length > before ? undefined : out;
}

/** Problems of a request's own fields (not its constraints). */
export function requestProblems(r: PlacementRequest, path: string, problems: Problem[]): void {
  if (r === null || typeof r !== 'object') {
    problems.push({ path, message: 'request must be an object' });
    return;
  }
  if (typeof r.id !== 'string' || r.id === '') problems.push({ path: `${path}.id`, message: 'id must be a non-empty string' });
  if (typeof r.group !== 'string' || r.group === '') problems.push({ path: `${path}.group`, message: 'group must be a non-empty string (the application name)' });
  if (r.role !== undefined && (typeof r.role !== 'string' || r.role === '')) problems.push({ path: `${path}.role`, message: 'role must be a non-empty string when given' });
  const res = r.resources as PlacementRequest['resources'] | undefined;
  if (res === null || typeof res !== 'object') {
    problems.push({ path: `${path}.resources`, message: 'resources must be an object like { cpus: 0.5, mem: 128 }' });
    return;
  }
  for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const v = res[name];
    if ((name === 'cpus' || name === 'mem') && v === undefined) problems.push({ path: `${path}.resources.${name}`, message: `${name} is required` });
    else if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) problems.push({ path: `${path}.resources.${name}`, message: `${name} must be a finite number >= 0` });
  }
  const ex = r.executor as PlacementRequest['executor'] | null;
  if (ex === null || (ex !== undefined && typeof ex !== 'object')) problems.push({ path: `${path}.executor`, message: 'executor must be an object like { cpus: 0.1, mem: 32 }' });
  else if (ex !== undefined) {
    for (const name of ['cpus', 'mem', 'disk'] as const) {
      const v = ex[name];
      if (name !== 'disk' && v === undefined) problems.push({ path: `${path}.executor.${name}`, message: `${name} is required` });
      else if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) problems.push({ path: `${path}.executor.${name}`, message: `${name} must be a finite number >= 0` });
    }
  }
  const ports = res.ports;
  if (typeof ports === 'number') {
    if (!Number.isInteger(ports) || ports < 0) problems.push({ path: `${path}.resources.ports`, message: 'ports must be a non-negative integer count or an array of port numbers' });
  } else if (Array.isArray(ports)) {
    const seen = new Set<number>();
    ports.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 1 || p > 65535) problems.push({ path: `${path}.resources.ports[${i}]`, message: 'port must be an integer in 1..65535' });
      else if (seen.has(p)) problems.push({ path: `${path}.resources.ports[${i}]`, message: `port ${p} is listed twice` });
      seen.add(p);
    });
  } else if (ports !== undefined) {
    problems.push({ path: `${path}.resources.ports`, message: 'ports must be a non-negative integer count or an array of port numbers' });
  }
}

/**
 * Validates constraints on their own.
 * @throws ValidationError `ERR_CONSTRAINT_INVALID` with every problem found.
 */
export function validateConstraints(constraints: readonly PlacementConstraint[], path = 'constraints'): void {
  const problems: Problem[] = [];
  compileConstraints(constraints, path, problems);
  if (problems.length > 0) throw constraintError(problems);
}

/** @internal */
export function constraintError(problems: Problem[]): ValidationError {
  const onlyConstraints = problems.every((p) => p.path.includes('constraints'));
  return new ValidationError(
    onlyConstraints ? ResourceManagerErrorCodes.CONSTRAINT_INVALID : ResourceManagerErrorCodes.PLACEMENT_REQUEST_INVALID,
    `invalid placement input (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ')}${problems.length > 5 ? '; ...' : ''}`,
    problems,
  );
}
