import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateTaskDefinitions } from '../../src/task-spec/task-spec-validator.js';
import { ValidationError } from '../../src/errors/index.js';

const VALID = { name: 'web', instances: 2, resources: { cpus: 0.5, mem: 64, ports: 1 }, command: { shell: 'serve' }, restartPolicy: { policy: 'on-failure', maxRetries: 3 } };

describe('fuzz: task definition parser (fixed seeds)', () => {
  it('any value gives definitions or a ValidationError listing problems with paths', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 5 })), (input) => {
        try {
          const defs = validateTaskDefinitions(input);
          assert.ok(Array.isArray(defs));
        } catch (err) {
          assert.ok(err instanceof ValidationError, `untyped error: ${String(err)}`);
          assert.ok(err.problems.length > 0);
          for (const p of err.problems) assert.ok(typeof p.path === 'string' && typeof p.message === 'string' && p.message.length > 0);
        }
      }),
      { seed: 2101, numRuns: 1500 },
    );
  });

  it('a field of a valid definition set to a wrong type is reported at that field', () => {
    const fields: Array<[string, (d: Record<string, unknown>, v: unknown) => void]> = [
      ['name', (d, v) => (d['name'] = v)],
      ['instances', (d, v) => (d['instances'] = v)],
      ['resources.cpus', (d, v) => ((d['resources'] as Record<string, unknown>)['cpus'] = v)],
      ['resources.mem', (d, v) => ((d['resources'] as Record<string, unknown>)['mem'] = v)],
      ['command.shell', (d, v) => ((d['command'] as Record<string, unknown>)['shell'] = v)],
      ['restartPolicy.maxRetries', (d, v) => ((d['restartPolicy'] as Record<string, unknown>)['maxRetries'] = v)],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.oneof(fc.constant(null), fc.boolean(), fc.object(), fc.array(fc.nat(), { maxLength: 2 })), ([path, set], wrong) => {
        const def = structuredClone(VALID) as Record<string, unknown>;
        set(def, wrong);
        const err = (() => {
          try {
            validateTaskDefinitions([structuredClone(VALID), def]);
            return undefined;
          } catch (e) {
            return e;
          }
        })();
        assert.ok(err instanceof ValidationError, `${path}=${JSON.stringify(wrong)} was accepted`);
        assert.ok(err.problems.some((p) => p.path === `[1].${path}`), `${path}: ${JSON.stringify(err.problems)}`);
        assert.ok(!err.problems.some((p) => p.path.startsWith('[0]')), 'the valid definition has no problem');
      }),
      { seed: 2102, numRuns: 400 },
    );
  });
});
