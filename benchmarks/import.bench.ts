/**
 * Import time of each entry point, as a user's process pays it: a fresh `node` per run imports the
 * entry by its package name (the package resolves itself through its `exports`), and reports the
 * time from just before the `import()` to its settling. Median of several runs per entry.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { report } from './report.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 7;

/** `mesos-sdk`, `mesos-sdk/protocol`, ... from package.json's `exports`. */
function entries(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));
}

/** Milliseconds one fresh process spends importing `specifier`. */
async function importMs(specifier: string): Promise<number> {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t); process.exit(0);`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, timeout: 60_000 });
  return Number(stdout.trim());
}

export async function run(): Promise<void> {
  for (const entry of entries()) {
    await importMs(entry); // warms the file system cache
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await importMs(entry));
    times.sort((a, b) => a - b);
    report(`import ${entry} (median of ${RUNS} fresh processes)`, times[Math.floor(RUNS / 2)]!, 'ms');
  }
}
