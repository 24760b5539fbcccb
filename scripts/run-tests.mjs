#!/usr/bin/env node
// Runs every compiled test file under dist/test with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring ...]   (filters test files by path substring)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
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
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
