import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Compiled to dist/test/docs/: the repository is three folders up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
describe('API docs (typedoc, `npm run docs`)', () => {
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
