#!/usr/bin/env node
// Makes sure the etcd server the storage/HA tests and benchmarks start is on this machine.
// etcd is found at ETCD_BIN or /usr/bin/etcd. When it is missing and this runs as root with
// apt-get (as on a fresh machine of this kind), Debian's etcd-server is installed and the system
// etcd it starts is stopped (the tests start their own on free ports). Otherwise it fails with one
// line saying what to run. Exit 0 when etcd is there.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function ensureEtcd() {
  const bin = process.env.ETCD_BIN ?? '/usr/bin/etcd';
  if (existsSync(bin)) return true;
  const hint = "install Debian's etcd-server (sudo apt-get install etcd-server) or set ETCD_BIN=/path/to/etcd";
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (process.env.ETCD_BIN || !root || !apt) {
    console.error(`etcd not found at ${bin} (the storage and HA tests run a real etcd): ${hint}`);
    return false;
  }
  console.log("etcd not found: installing Debian's etcd-server (apt-get) for the storage and HA tests");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmd) => spawnSync('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  const installed = run('apt-get install -y -qq etcd-server') || (run('apt-get update -qq') && run('apt-get install -y -qq etcd-server'));
  // Debian starts a system etcd on the default ports; the tests start their own.
  run('(systemctl stop etcd || service etcd stop || pkill -x etcd || true) >/dev/null 2>&1');
  if (!installed || !existsSync(bin)) {
    console.error(`etcd could not be installed with apt-get: ${hint}`);
    return false;
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureEtcd() ? 0 : 1);
