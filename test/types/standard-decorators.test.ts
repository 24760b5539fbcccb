import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const OPTIONS_HINT = '"experimentalDecorators": true and "emitDecoratorMetadata": true';

/** A user's controller, compiled in a project of its own; prints what happened when the class was defined. */
function fixture(sdk: string): string {
  return `import { EventController, OnUpdate, MetadataAccessor, ConfigurationError, type v1 } from '${sdk}';
let outcome: unknown;
try {
  @EventController()
  class Handlers {
    @OnUpdate() update(status: v1.TaskStatus) { void status; }
  }
  outcome = { defined: true, handlers: MetadataAccessor.handlers(Handlers).map((h) => h.event) };
} catch (err) {
  const e = err as ConfigurationError;
  outcome = { defined: false, configurationError: e instanceof ConfigurationError, code: e.code, message: e.message };
}
console.log(JSON.stringify(outcome));
`;
}

interface Built {
  tscStatus: number | null;
  tscOutput: string;
  outcome: { defined: boolean; handlers?: string[]; configurationError?: boolean; code?: string; message?: string };
}

/** Compiles the fixture with the given decorator options into a temporary project and runs it. */
function build(dir: string, experimentalDecorators: boolean): Built {
  const project = join(dir, experimentalDecorators ? 'legacy' : 'standard');
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  // The JS lands in out/, one folder down: an absolute path works for both tsc and node.
  const sdk = join(root, 'dist', 'src', 'index.js').split(sep).join('/');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(project, 'fixture.ts'), fixture(sdk));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', skipLibCheck: true, types: ['node'],
        experimentalDecorators, emitDecoratorMetadata: experimentalDecorators,
      },
      files: ['fixture.ts'],
    }),
  );
  const compiled = spawnSync(tsc, ['-p', project], { encoding: 'utf8', timeout: 120_000 });
  const ran = spawnSync(process.execPath, [join(project, 'out', 'fixture.js')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(ran.status, 0, `the fixture ran: ${ran.stderr}`);
  return { tscStatus: compiled.status, tscOutput: `${compiled.stdout}${compiled.stderr}`, outcome: JSON.parse(ran.stdout.trim()) };
}

describe('decorators under standard (TC39) decorators', () => {
  let dir: string;
  let standard: Built;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-decorators-'));
    standard = build(dir, false);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fail to compile with an error naming the compiler options to set', () => {
    const { tscStatus, tscOutput } = standard;
    assert.notEqual(tscStatus, 0, 'tsc reports errors');
    assert.match(tscOutput, /TS1238/, 'on the class decorator');
    assert.match(tscOutput, /TS1241/, 'on the method decorator');
    const mentions = tscOutput.split('\n').filter((line) => line.includes(OPTIONS_HINT));
    assert.equal(mentions.length, 2, `both errors say which options to set:\n${tscOutput}`);
  });

  it('throw ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS at run time, saying which options to set', () => {
    const { outcome } = standard;
    assert.equal(outcome.defined, false, 'defining the class failed');
    assert.equal(outcome.configurationError, true);
    assert.equal(outcome.code, 'ERR_DECORATOR_NEEDS_EXPERIMENTAL_DECORATORS');
    assert.ok(outcome.message?.includes(OPTIONS_HINT), outcome.message);
    assert.match(outcome.message ?? '', /@OnUpdate\(\) on method update/);
  });

  it('compile and register the handlers with experimentalDecorators', () => {
    const { tscStatus, tscOutput, outcome } = build(dir, true);
    assert.equal(tscStatus, 0, tscOutput);
    assert.deepEqual(outcome, { defined: true, handlers: ['UPDATE'] });
  });
});
