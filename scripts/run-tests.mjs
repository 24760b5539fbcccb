#!/usr/bin/env node
// Runs every compiled test file under dist/test with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring ...]   (filters test files by path substring)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureEtcd } from './ensure-etcd.mjs';

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (entry.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('dist/test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test' + (filters.length ? ` matching ${filters.join(', ')}` : ''));
  process.exit(1);
}
// The storage and HA tests start a real etcd: provide it (or say in one line what to run).
if (files.some((f) => /[\\/](storage|ha)[\\/]/.test(f)) && !ensureEtcd()) process.exit(1);
if (!process.env.MESOS_MASTER && files.some((f) => f.includes('conformance'))) {
  console.log(
    'conformance: the real-Mesos half is NOT run (only the simulator); set MESOS_MASTER=http://HOST:PORT, ' +
      'or run `npm run test:mesos` to start ../shared/mesos/local-cluster.sh for it',
  );
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const testArgs = (lane, n) => ['--test', '--test-reporter=spec', `--test-concurrency=${n}`, ...lane];

// Files that drive the real master (the conformance suite, and the tests that SIGSTOP it or run
// HA frameworks on it) must never overlap: they share one cluster and expect its resources free.
// With MESOS_MASTER set they run one after another in their own lane, beside a lane with the rest.
const usesRealMaster = (file) => /\bMESOS_MASTER\b|support\/targets\.js/.test(readFileSync(file, 'utf8'));
const real = process.env.MESOS_MASTER ? files.filter(usesRealMaster) : [];
const rest = files.filter((f) => !real.includes(f));

/** Runs one lane; its output is printed live, or kept and printed when it ends (`buffered`). */
function lane(laneFiles, n, buffered) {
  return new Promise((resolve) => {
    if (laneFiles.length === 0) return resolve({ status: 0, counts: { tests: 0, pass: 0, fail: 0 } });
    const child = spawn(process.execPath, testArgs(laneFiles, n), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (stream, sink) => stream.on('data', (chunk) => {
      out += chunk;
      if (!buffered) sink.write(chunk);
    });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('close', (code, signal) => {
      if (buffered) process.stdout.write(out);
      const count = (name) => Number(out.match(new RegExp(`^ℹ ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
      resolve({ status: code ?? (signal ? 1 : 0), counts: { tests: count('tests'), pass: count('pass'), fail: count('fail') } });
    });
  });
}

if (real.length === 0) {
  process.exit((await lane(files, concurrency, false)).status);
}
console.log(`real master lane (one file at a time): ${real.map((f) => f.replace(/^dist\/test\//, '')).join(', ')}; the other ${rest.length} files beside it`);
const [others, onMaster] = await Promise.all([lane(rest, '1', false), lane(real, '1', true)]);
const total = (k) => others.counts[k] + onMaster.counts[k];
console.log(`all lanes: ${total('tests')} tests, ${total('pass')} pass, ${total('fail')} fail`);
process.exit(others.status || onMaster.status);
