#!/usr/bin/env node
// Runs the test suite with the conformance scenarios also against a real Apache Mesos master.
// MESOS_MASTER=http://HOST:PORT uses that master; otherwise a local cluster is started with
// local-cluster.sh (from MESOS_LOCAL_CLUSTER, $MESOS_HOME's checkout of ../shared/mesos, or
// ../shared/mesos beside this repository) and stopped afterwards, also when tests fail.
// Usage: node scripts/test-mesos.mjs [substring ...]   (the same filters as run-tests.mjs)
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const runTests = join(root, 'scripts', 'run-tests.mjs');
const filters = process.argv.slice(2);

function run(env) {
  const r = spawnSync(process.execPath, [runTests, ...filters], { stdio: 'inherit', cwd: root, env });
  return r.status ?? 1;
}

if (process.env.MESOS_MASTER) process.exit(run(process.env));

const candidates = [process.env.MESOS_LOCAL_CLUSTER, join(root, '..', 'shared', 'mesos', 'local-cluster.sh')].filter(Boolean);
const script = candidates.find((c) => existsSync(c));
if (!script) {
  console.error(
    'test:mesos: no real Mesos master. Set MESOS_MASTER=http://HOST:PORT, or MESOS_LOCAL_CLUSTER=/path/to/local-cluster.sh ' +
      `(looked for ${candidates.join(', ')})`,
  );
  process.exit(1);
}

const portFree = (port) =>
  new Promise((ok) => {
    const s = createServer().once('error', () => ok(false)).listen(port, '127.0.0.1', () => s.close(() => ok(true)));
  });
async function freeBase() {
  for (const base of [5050, 15050, 25050, 35050]) {
    const ports = [base, base + 1, base + 2];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range for a local Mesos cluster (tried 5050, 15050, 25050, 35050)');
}

const port = Number(process.env.MASTER_PORT ?? (await freeBase()));
const env = { ...process.env, MASTER_PORT: String(port), MESOS_WORK: process.env.MESOS_WORK ?? join(tmpdir(), `mesos-sdk-test-${port}`) };
console.log(`test:mesos: starting a local Mesos cluster with ${script} (master port ${port})`);
const started = spawnSync('bash', [script, 'start'], { stdio: 'inherit', env });
let status = 1;
try {
  if (started.status !== 0) {
    console.error(`test:mesos: ${script} start failed (exit ${started.status}); see ${env.MESOS_WORK}/logs`);
  } else {
    status = run({ ...process.env, MESOS_MASTER: `http://127.0.0.1:${port}` });
  }
} finally {
  spawnSync('bash', [script, 'stop'], { stdio: 'inherit', env });
}
process.exit(status);
