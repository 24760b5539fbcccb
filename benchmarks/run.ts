/**
 * `npm run bench`: runs every `benchmarks/*.bench.js` module (compiled) and prints one figure per
 * line as `name: value unit`. Pass substrings to run only matching benchmarks:
 * `npm run bench -- decode`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export interface BenchModule {
  /** Runs the benchmark and prints its `name: value unit` lines. */
  run(): Promise<void>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(join(dir, file)).href)) as BenchModule;
  const name = file.replace(/\.bench\.js$/, '');
  console.log(`# ${name}`);
  const t0 = performance.now();
  await mod.run();
  console.log(`# ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
console.log(`# all benchmarks: ${(performance.now() / 1000).toFixed(1)} s`);
