/**
 * An HA framework instance with the default `ha.onLostLeadership` ('exit'), run as a child process:
 *   node ha-exit-node.js <masterUrl> <etcdEndpoint> <name> [exitCode]
 * Prints `{"ev":"elected"}` once it leads; what happens when it loses the leadership is the SDK's doing.
 */
import { createFramework, MemoryLogger, TOKENS } from '../../src/index.js';

const [master, etcd, name, exitCode] = process.argv.slice(2) as [string, string, string, string | undefined];
const logger = new MemoryLogger();
const fw = createFramework({
  master,
  framework: { name },
  ha: { etcd: [etcd], ttlSeconds: 10, name, ...(exitCode ? { exitCode: Number(exitCode) } : {}) },
  taskManager: true,
  reconcileIntervalSeconds: 0,
  overrides: [{ token: TOKENS.Logger, useValue: logger }],
});
process.on('exit', () => process.stderr.write(logger.lines.map((l) => `${l.level} ${l.message}`).join('\n')));
await fw.start();
process.stdout.write(`${JSON.stringify({ ev: 'elected', frameworkId: fw.frameworkId })}\n`);
