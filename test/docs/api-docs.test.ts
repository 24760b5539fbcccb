import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Compiled to dist/test/docs/: the repository is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TYPEDOC = join(ROOT, 'tools/api-docs/node_modules/typedoc/bin/typedoc');
const ANSI = /\x1b\[[0-9;]*m/g;

function typedoc(...args: string[]): { status: number | null; lines: string[] } {
  assert.ok(existsSync(TYPEDOC), `typedoc is not installed (${TYPEDOC} is missing): run \`npm install\`, which installs tools/api-docs`);
  const run = spawnSync(process.execPath, [TYPEDOC, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  if (run.error) throw run.error;
  return { status: run.status, lines: `${run.stdout}\n${run.stderr}`.replace(ANSI, '').split('\n').filter((l) => l.trim() !== '') };
}

describe('API docs (typedoc, `npm run docs`)', () => {
  it('documents every public export of every package entry, with no warning', () => {
    const { status, lines } = typedoc('--emit', 'none');
    const problems = lines.filter((l) => /^\[(warning|error)\]/.test(l) && !/^\[(warning|error)\] Found \d+ errors and \d+ warnings/.test(l));
    assert.deepEqual(problems, [], `typedoc reported ${problems.length} problem(s); document these exports (TSDoc) or fix the links:\n${problems.join('\n')}`);
    assert.equal(status, 0, lines.join('\n'));
  });

  it('takes its entry points from package.json exports', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { types?: string }> };
    const config = ((await import(pathToFileURL(join(ROOT, 'typedoc.config.mjs')).href)) as { default: { entryPoints: string[] } }).default;
    const expected = Object.values(pkg.exports)
      .map((t) => (typeof t === 'string' ? t : t.types))
      .filter((t): t is string => typeof t === 'string' && t.startsWith('./dist/'))
      .map((t) => t.replace(/^\.\/dist\//, './').replace(/\.d\.ts$/, '.ts'));
    assert.ok(expected.includes('./src/index.ts') && expected.includes('./src/testing.ts'), `package.json exports: ${JSON.stringify(pkg.exports)}`);
    assert.deepEqual([...config.entryPoints].sort(), expected.sort());
  });
});
