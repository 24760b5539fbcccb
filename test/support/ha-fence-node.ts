/**
 * One HA framework instance for the paused-leader test, run as a child process:
 *   node ha-fence-node.js <masterUrl> <etcdEndpoint> <name> <ttlSeconds> <instances> <runMs> <cpus>
 *
 * Prints one JSON line per milestone on stdout: `elected`, `done` (task counts), `lost` (when the
 * framework saw its leadership go), and `write` for every write this process got etcd to apply
 * (its revision and keys) and `refused` for every write etcd refused on its leadership
 * precondition, observed under the SDK at the `etcd3` KV client: the test checks each write
 * against the leadership history that etcd itself keeps.
 *
 * Nothing here decides whether the process exits when it loses the leadership: that is the SDK's
 * default (`ha.onLostLeadership`).
 */
import { KVClient } from 'etcd3';
import { createFramework, ConsoleLogger, TOKENS, type TaskManager } from '../../src/index.js';
import { say, sayWhenIdle } from './child-report.js';

const [master, etcd, name, ttl, instances, runMs, cpus] = process.argv.slice(2) as [string, string, string, string, string, string, string];

type Op = { request_put?: { key: Buffer }; request_delete_range?: { key: Buffer } };
const keyOf = (k: Buffer | string) => (typeof k === 'string' ? k : k.toString());
const kv = KVClient.prototype as unknown as Record<string, (req: never, options?: unknown) => Promise<Record<string, unknown>>>;
for (const method of ['put', 'deleteRange', 'txn'] as const) {
  const original = kv[method]!;
  kv[method] = async function (this: unknown, req: never, options?: unknown) {
    const res = await original.call(this, req, options);
    const request = req as { key?: Buffer; success?: Op[]; compare?: Array<{ key: Buffer }> };
    // A write whose leadership precondition etcd found false (the SDK's fenced storage).
    if (method === 'txn' && !res['succeeded'] && (request.compare ?? []).some((c) => keyOf(c.key).startsWith('mesos-sdk/elections/'))) say('refused', { rev: (res['header'] as { revision: string }).revision });
    const keys = method === 'txn'
      ? (res['succeeded'] ? (request.success ?? []).map((op) => op.request_put?.key ?? op.request_delete_range?.key).filter((k): k is Buffer => !!k).map(keyOf) : [])
      : [keyOf(request.key!)];
    const records = keys.filter((k) => !k.startsWith('mesos-sdk/elections/'));
    if (records.length) say('write', { rev: (res['header'] as { revision: string }).revision, keys: records });
    return res;
  };
}

const fw = createFramework({
  master,
  framework: { name },
  ha: { etcd: [etcd], ttlSeconds: Number(ttl), name },
  tasks: [{ name: 'job', instances: Number(instances), resources: { cpus: Number(cpus), mem: 16 }, command: { shell: `sleep ${Number(runMs) / 1000}` }, restartPolicy: { policy: 'never' } }],
  reconcileIntervalSeconds: 0,
  overrides: [{ token: TOKENS.Logger, useValue: new ConsoleLogger('fence-node', 'info') }],
});
await fw.start();
say('elected', { frameworkId: fw.frameworkId });
fw.get(TOKENS.LeaderElection).onChange((leading) => !leading && say('lost'));
const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
sayWhenIdle(tasks, 'done');
