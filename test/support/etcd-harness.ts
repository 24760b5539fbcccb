import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real etcd (Debian's `etcd-server`) on 127.0.0.1 with free ports and a temporary data dir. */
export interface EtcdServer {
  endpoint: string;
  /** Stops etcd gracefully and removes its data. */
  stop(): Promise<void>;
  /** SIGKILLs etcd, keeping its data. */
  kill(): Promise<void>;
  /** Starts etcd again on the same ports and data. */
  restart(): Promise<void>;
}

const ETCD = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(endpoint: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint}/health`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`etcd at ${endpoint} did not become healthy within ${ms} ms (${last})`);
}

/** Starts etcd; fails (never skips) with a clear message when it cannot. */
export async function startEtcd(): Promise<EtcdServer> {
  if (!existsSync(ETCD)) {
    throw new Error(`etcd not found at ${ETCD}: install Debian's etcd-server (apt-get install etcd-server; .ci/run does it) or set ETCD_BIN`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  let child: ChildProcess | undefined;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn(ETCD, [
      '--name', 'test', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `test=http://127.0.0.1:${peer}`, '--log-level', 'error',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) => child!.once('exit', (code) => reject(new Error(`etcd exited with ${code}: ${output.slice(-2000)}`))));
    exited.catch(() => {});
    await Promise.race([healthy(endpoint, 15_000), exited]);
  };
  const exit = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await done;
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await launch();
  return {
    endpoint,
    async stop() {
      await exit('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => exit('SIGKILL'),
    restart: launch,
  };
}
