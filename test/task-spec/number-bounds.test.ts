import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateTaskDefinitions, loadTaskDefinitions, TASK_DEFINITION_SCHEMA } from '../../src/task-spec/task-spec-validator.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';
import { ValidationError } from '../../src/errors/index.js';
import { TaskManager } from '../../src/task-manager/task-manager.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';

type Schema = { type?: string; properties?: Record<string, Schema>; minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number };

/** Every numeric field of the schema, as a dotted path (`resources.cpus`), with its schema. */
function numericFields(schema: Schema, base = ''): Array<{ path: string; schema: Schema }> {
  const out: Array<{ path: string; schema: Schema }> = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const path = base ? `${base}.${key}` : key;
    if (sub.type === 'number' || sub.type === 'integer') out.push({ path, schema: sub });
    else out.push(...numericFields(sub, path));
  }
  return out;
}

/** A definition valid on its own, with every object the numeric fields live in. */
function base(): TaskDefinition {
  return {
    name: 'num',
    instances: 1,
    resources: { cpus: 0.5, mem: 64, disk: 10, gpus: 0, ports: 1 },
    command: { shell: 'true' },
    healthCheck: { type: 'TCP', portIndex: 0, gracePeriodSeconds: 1, intervalSeconds: 1, timeoutSeconds: 1, consecutiveFailures: 1, delaySeconds: 1 },
    killPolicy: { gracePeriodSeconds: 1 },
    restartPolicy: { maxRetries: 1, backoffSeconds: 1, backoffFactor: 2, maxBackoffSeconds: 10 },
    executor: { command: { shell: 'exec ./executor' }, resources: { cpus: 0.1, mem: 32, disk: 0 } },
  };
}

function withValue(path: string, value: unknown): Record<string, unknown> {
  const def = structuredClone(base()) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let at = def;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[keys.at(-1)!] = value;
  return def;
}

function problemsOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validateTaskDefinitions(input);
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.code, 'ERR_TASK_DEFINITION_INVALID');
    return [...err.problems];
  }
  assert.fail(`expected a ValidationError for ${JSON.stringify(input)}`);
}

const FIELDS = numericFields(TASK_DEFINITION_SCHEMA as Schema);

describe('task definition numbers (issue 16 item 5: cpus 1e999 was accepted and stored as null)', () => {
  it('finds the numeric fields of the schema, and each has a maximum', () => {
    assert.ok(FIELDS.length >= 20, FIELDS.map((f) => f.path).join(', '));
    for (const f of FIELDS) assert.ok(f.schema.maximum !== undefined || f.schema.exclusiveMaximum !== undefined, `${f.path} has no maximum`);
    assert.doesNotThrow(() => validateTaskDefinitions(base()), 'the base definition is valid');
  });

  for (const value of [Infinity, -Infinity, NaN, 1e308]) {
    it(`refuses ${value} in every numeric field, naming the field and its range`, () => {
      for (const f of FIELDS) {
        const problems = problemsOf(withValue(f.path, value));
        const own = problems.filter((p) => p.path === `num.${f.path}` || p.path === f.path);
        assert.equal(own.length, 1, `${f.path} = ${value}: ${JSON.stringify(problems)}`);
        assert.match(own[0]!.message, new RegExp(`^must be a (finite|whole) number .*${f.schema.maximum ?? f.schema.exclusiveMaximum}.* \\(got ${String(value).replace('+', '\\+')}\\)$`), f.path);
      }
    });
  }

  it('refuses values below each minimum, and accepts the bounds themselves', () => {
    for (const f of FIELDS) {
      const low = f.schema.exclusiveMinimum ?? (f.schema.minimum !== undefined ? f.schema.minimum - 1 : undefined);
      if (low !== undefined) assert.ok(problemsOf(withValue(f.path, low)).some((p) => p.path.endsWith(f.path)), `${f.path} = ${low}`);
    }
    // The largest values allowed pass (the maximum of portIndex needs that many ports, which is capped lower).
    const max = (p: string) => FIELDS.find((f) => f.path === p)!.schema.maximum!;
    assert.doesNotThrow(() => validateTaskDefinitions({ ...base(), instances: max('instances'), resources: { cpus: max('resources.cpus'), mem: max('resources.mem'), disk: max('resources.disk'), gpus: max('resources.gpus'), ports: max('resources.ports') } }));
  });

  it('refuses MAX_PER and GROUP_BY counts past a million (the tuple holds them as strings)', () => {
    const problems = problemsOf({ ...base(), constraints: [['rack', 'MAX_PER', '9'.repeat(400)], ['zone', 'GROUP_BY', '1000001'], ['host', 'MAX_PER', '1000000']] });
    assert.deepEqual(problems.map((p) => p.path), ['num.constraints[0][2]', 'num.constraints[1][2]']);
  });

  it('refuses more than 100,000 instances or 1,000 definitions in one call (one 1 MiB body could ask for a billion tasks)', () => {
    const def = (name: string, instances: number) => ({ name, instances, resources: { cpus: 0.1, mem: 8 }, command: { shell: 'true' } });
    assert.equal(validateTaskDefinitions([def('a', 50_000), def('b', 50_000)]).length, 2);
    assert.deepEqual(problemsOf([def('a', 50_000), def('b', 50_001)]).map((p) => p.path), ['(root)']);
    assert.match(problemsOf([def('a', 50_000), def('b', 50_001)])[0]!.message, /100001 instances in total; at most 100000/);
    assert.equal(validateTaskDefinitions(Array.from({ length: 1000 }, (_, i) => def(`d${i}`, 1))).length, 1000);
    assert.deepEqual(problemsOf({ tasks: Array.from({ length: 1001 }, (_, i) => def(`d${i}`, 0)) }), [{ path: '(root)', message: 'holds 1001 definitions; at most 1000' }]);
  });

  it('whatever double lands in whatever numeric field, what is accepted survives storage unchanged (never null)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), fc.double(), (field, value) => {
        let accepted: TaskDefinition[];
        try {
          accepted = validateTaskDefinitions(withValue(field.path, value));
        } catch (err) {
          assert.ok(err instanceof ValidationError);
          return;
        }
        // The storage layer writes JSON: a non-finite number would come back as null.
        const numbers: number[] = [];
        JSON.stringify(accepted, (_k, v: unknown) => (typeof v === 'number' && numbers.push(v), v));
        assert.ok(numbers.every(Number.isFinite), `${field.path} = ${value}`);
        assert.ok(!JSON.stringify(accepted).includes('null'), `${field.path} = ${value}`);
      }),
      { seed: 1605, numRuns: 3000 },
    );
  });

  it('refuses 1e999 in a task file (JSON.parse makes it Infinity)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-numbers-'));
    try {
      const file = join(dir, 'tasks.json');
      writeFileSync(file, '{ "tasks": [ { "name": "poison", "resources": { "cpus": 1e999, "mem": 64 }, "command": { "shell": "true" } } ] }');
      assert.throws(() => loadTaskDefinitions(file), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.deepEqual(err.problems, [{ path: 'tasks[0].resources.cpus', message: 'must be a finite number greater than 0 and at most 1000000 (got Infinity)' }]);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses values that are not plain data, with the definition named', () => {
    const problems = problemsOf([base(), { ...base(), name: 'fn', labels: { team: (() => 'x') as unknown as string } }]);
    assert.deepEqual(problems.map((p) => p.path), ['[1]']);
  });
});

describe('TaskManager.submit with non-finite numbers (the JS API)', () => {
  const calls = { kill: async () => {} };

  it('refuses Infinity, NaN, -1 and 1e308 and stores nothing', async () => {
    const storage = new InMemoryStorage();
    const tm = new TaskManager(storage, calls);
    for (const cpus of [Infinity, NaN, -1, 1e308]) {
      await assert.rejects(tm.submit({ name: 'js', resources: { cpus, mem: 64 }, command: { shell: 'true' } }), { code: 'ERR_TASK_DEFINITION_INVALID' });
    }
    assert.deepEqual(await storage.list('definitions'), []);
    assert.deepEqual(await storage.list('tasks'), []);
    assert.deepEqual(tm.list(), []);
  });

  it('keeps what it validated when the caller changes its object afterwards', async () => {
    const tm = new TaskManager(new InMemoryStorage(), calls);
    const def: TaskDefinition = { name: 'mutated', resources: { cpus: 0.5, mem: 64 }, command: { shell: 'true' } };
    await tm.submit(def);
    def.resources.cpus = Infinity;
    assert.equal(tm.placementRequests()[0]!.resources.cpus, 0.5);
  });

  it('validates a getter once: the value it returned is the value kept', async () => {
    const tm = new TaskManager(new InMemoryStorage(), calls);
    let reads = 0;
    const resources = { mem: 64, get cpus() { reads += 1; return reads === 1 ? 0.5 : Infinity; } };
    await tm.submit({ name: 'getter', resources, command: { shell: 'true' } });
    assert.equal(tm.placementRequests()[0]!.resources.cpus, 0.5);
  });
});
