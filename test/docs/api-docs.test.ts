import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Compiled to dist/test/docs/: the repository is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TYPEDOC = join(ROOT, 'tools/api-docs/node_modules/typedoc/bin/typedoc');
const ANSI = /\x1b\[[0-9;]*m/g;

interface PackageJson {
  name: string;
  exports: Record<string, string | { types?: string }>;
}

/** One typedoc run over the real configuration (typedoc.config.mjs), its project written as JSON. */
interface TypedocRun {
  status: number | null;
  /** The warnings and errors it printed, without the closing "Found N errors and M warnings". */
  problems: string[];
  /** The project's top-level reflections: one module per package entry. */
  modules: Array<{ name: string; comment?: unknown }>;
}

/**
 * Runs typedoc as `npm run docs` does, but with warnings reported rather than fatal, so one run
 * gives both the full list of warnings and the project (which `treatWarningsAsErrors` would not
 * write).
 */
function runTypedoc(): TypedocRun {
  assert.ok(existsSync(TYPEDOC), `typedoc is not installed (${TYPEDOC} is missing): run \`npm install\`, which installs tools/api-docs`);
  const dir = mkdtempSync(join(tmpdir(), 'api-docs-'));
  try {
    const json = join(dir, 'project.json');
    const run = spawnSync(process.execPath, [TYPEDOC, '--treatWarningsAsErrors', 'false', '--json', json, '--out', join(dir, 'html')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (run.error) throw run.error;
    const lines = `${run.stdout}\n${run.stderr}`.replace(ANSI, '').split('\n');
    const problems = lines.filter((l) => /^\[(warning|error)\]/.test(l) && !/^\[(warning|error)\] Found \d+ errors? and \d+ warnings?/.test(l));
    const modules = existsSync(json) ? ((JSON.parse(readFileSync(json, 'utf8')) as { children?: TypedocRun['modules'] }).children ?? []) : [];
    return { status: run.status, problems, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The problems grouped by the source file they name ("defined in mesos-sdk/src/x.ts"), for a readable failure. */
function byFile(problems: string[]): string {
  const files = new Map<string, string[]>();
  for (const p of problems) {
    const file = /defined in [^/\s]+\/([^\s,]+)/.exec(p)?.[1] ?? '(no source file named)';
    files.set(file, [...(files.get(file) ?? []), p.replace(/^\[(warning|error)\] /, '')]);
  }
  return [...files]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, list]) => `${file} (${list.length}):\n${list.map((p) => `    ${p}`).join('\n')}`)
    .join('\n');
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
/** The package's code entries: `"."`, `"./protocol"`, ... (not `"./package.json"`). */
const codeEntries = Object.entries(pkg.exports).filter(([, t]) => {
  const file = typeof t === 'string' ? t : t.types;
  return typeof file === 'string' && file.startsWith('./dist/');
});

describe('API docs (typedoc, `npm run docs`)', () => {
  let run: TypedocRun;
  before(() => {
    run = runTypedoc();
  });

  it('takes its entry points from package.json exports', async () => {
    const config = ((await import(pathToFileURL(join(ROOT, 'typedoc.config.mjs')).href)) as { default: { entryPoints: string[] } }).default;
    const expected = codeEntries
      .map(([, t]) => (typeof t === 'string' ? t : t.types!))
      .map((t) => t.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts'));
    assert.ok(expected.includes('./src/index.ts') && expected.includes('./src/testing.ts'), `package.json exports: ${JSON.stringify(pkg.exports)}`);
    assert.deepEqual([...config.entryPoints].sort(), expected.sort());
  });

  it('names each entry module as it is imported (`mesos-sdk`, `mesos-sdk/protocol`, ...) and describes it', () => {
    const expected = codeEntries.map(([subpath]) => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, '')}`)).sort();
    assert.deepEqual(run.modules.map((m) => m.name).sort(), expected, 'give each entry file a header comment with `@module <import path>`');
    const bare = run.modules.filter((m) => m.comment === undefined).map((m) => m.name);
    assert.deepEqual(bare, [], 'these entries have no header comment (a doc comment with `@module`) saying what they hold');
  });

  it('documents every public export of every entry, with no typedoc warning or error', () => {
    assert.equal(
      run.problems.length,
      0,
      `typedoc reported ${run.problems.length} problem(s); document these exports (TSDoc), export the types they refer to, or fix the links. By file:\n${byFile(run.problems)}`,
    );
    assert.equal(run.status, 0, `typedoc exited with ${run.status}`);
  });
});
