/**
 * One HA framework instance, run as a child process by the failover tests:
 *   node ha-node.js <masterUrl> <etcdEndpoint> <name> <ttlSeconds> <instances>
 * Prints one JSON line per milestone on stdout: elected, subscribed, done (with the task counts).
 */
import { createFramework, MemoryLogger, TOKENS, type TaskManager } from '../../src/index.js';
import { say, sayWhenIdle } from './child-report.js';

const [master, etcd, name, ttl, instances] = process.argv.slice(2) as [string, string, string, string, string];

const fw = createFramework({
  master,
  framework: { name },
  ha: { etcd: [etcd], ttlSeconds: Number(ttl), name },
  tasks: [{ name: 'job', instances: Number(instances), resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }],
  reconcileIntervalSeconds: 0,
  overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }],
});
await fw.start();
say('elected', { frameworkId: fw.frameworkId });
const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
sayWhenIdle(tasks, 'done', { then: () => void fw.stop().then(() => process.exit(0)) });
