import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InMemoryStorage } from '../src/storage/in-memory.storage.js';
import { LevelStorage } from '../src/storage/level.storage.js';
import { EtcdStorage } from '../src/storage/etcd.storage.js';
import type { Storage } from '../src/storage/storage.interface.js';
import { EtcdLeaderElection } from '../src/ha/etcd-leader-election.js';
import { startEtcd } from '../test/support/etcd-harness.js';
import { report } from './report.js';

const KEYS = 2000;
const CONCURRENCY = 16;
const VALUE = new Uint8Array(256).fill(7); // about the size of a task record

async function pool(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await fn(next++);
  }));
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function measure(name: string, storage: Storage): Promise<void> {
  const writes = await pool(KEYS, (i) => storage.put(`tasks/job.${i}.0`, VALUE));
  const reads = await pool(KEYS, (i) => storage.get(`tasks/job.${i}.0`));
  const start = process.hrtime.bigint();
  const listed = await storage.list('tasks');
  const listMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (listed.length !== KEYS) throw new Error(`${name}: listed ${listed.length} of ${KEYS}`);
  report(`storage.${name}.writes_per_s`, writes, `writes/s (${CONCURRENCY} in flight, 256 B)`);
  report(`storage.${name}.reads_per_s`, reads, 'reads/s');
  report(`storage.${name}.list_ms.${KEYS}_keys`, listMs, 'ms');
}

/** A candidate in its own process, so that SIGKILL ends it the way a crash would. */
function candidate(endpoint: string, ttl: number): Promise<{ kill(): void }> {
  const mod = fileURLToPath(new URL('../src/ha/etcd-leader-election.js', import.meta.url));
  const code = `const { EtcdLeaderElection } = await import(${JSON.stringify(mod)});
    const e = new EtcdLeaderElection({ hosts: [${JSON.stringify(endpoint)}], name: 'bench', ttlSeconds: ${ttl}, id: 'crashing' });
    await e.campaign(); console.log('elected');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve({ kill: () => child.kill('SIGKILL') }));
    child.once('exit', (c) => reject(new Error(`candidate exited with ${c}`)));
  });
}

/** Storage throughput per backend, and how long a standby takes to lead after the leader is SIGKILLed. */
export async function run(): Promise<void> {
  await measure('memory', new InMemoryStorage());
  const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-bench-level-'));
  const level = new LevelStorage(dir);
  try {
    await measure('level', level);
  } finally {
    await level.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const etcd = await startEtcd();
  try {
    const storage = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'bench/' });
    await measure('etcd', storage);
    await storage.close();

    const ttl = 2;
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      const leader = await candidate(etcd.endpoint, ttl);
      const standby = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'bench', ttlSeconds: ttl, id: 'standby' });
      const elected = standby.campaign();
      await new Promise((r) => setTimeout(r, 300));
      const killedAt = Date.now();
      leader.kill();
      await elected;
      times.push(Date.now() - killedAt);
      await standby.close();
    }
    report(`ha.takeover_ms.ttl_${ttl}s.mean`, times.reduce((a, b) => a + b, 0) / times.length, `ms (${times.join(', ')})`);
    report(`ha.takeover_ms.ttl_${ttl}s.max_over_ttl`, Math.max(...times) / (ttl * 1000), 'x TTL');
  } finally {
    await etcd.stop();
  }
}
