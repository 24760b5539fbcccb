/**
 * One framework process running the built-in task manager on a LevelStorage, for the tests that
 * kill it (SIGKILL at a chosen storage write) or starve its disk (`ulimit -f`):
 *   node task-node.js <masterUrl> <dbFolder> <definitionsJson>
 * Environment: FRAMEWORK_USER sets the framework's user; KILL_AT=<n> and KILL_WHEN=before|after SIGKILL the process itself before or after
 * its n-th write of task state (definitions/, tasks/, task-totals/), or (KILL_STATE) of the first one storing a record in that state. On the first start (no stored
 * definitions) the definitions are submitted once the framework id is stored, so a restart always
 * fails over to the same framework.
 * Prints one JSON line per milestone on stdout: started, write (n, keys), storage-failed (code),
 * idle (counts, ids).
 */
import { createFramework, LevelStorage, MemoryLogger, TOKENS, type TaskManager, type StorageOperation } from '../../src/index.js';
import { say, sayWhenIdle } from './child-report.js';

const [master, folder, definitions] = process.argv.slice(2) as [string, string, string];
const killAt = Number(process.env['KILL_AT'] ?? 0);
/** KILL_STATE=<state>: the kill comes at the first write that stores a record in that state (e.g. TASK_FAILED), instead of at write KILL_AT. */
const killState = process.env['KILL_STATE'];
const decoder = new TextDecoder();
const killWhen = process.env['KILL_WHEN'] ?? 'after';

let writes = 0;
const counted = (key: string) => /^(definitions|tasks|task-totals)\//.test(key);
class KillingStorage extends LevelStorage {
  private async around<T>(keys: string[], write: () => Promise<T>, values: Uint8Array[] = []): Promise<T> {
    if (!keys.some(counted)) return write();
    const n = ++writes;
    const kill = killState ? values.some((v) => decoder.decode(v).includes(`"state":"${killState}"`)) : n === killAt;
    if (kill && killWhen === 'before') process.kill(process.pid, 'SIGKILL');
    try {
      const out = await write();
      say('write', { n, keys });
      if (kill && killWhen === 'after') process.kill(process.pid, 'SIGKILL');
      return out;
    } catch (err) {
      say('storage-failed', { n, code: (err as { code?: string }).code, message: (err as Error).message });
      throw err;
    }
  }
  override put(key: string, value: Uint8Array): Promise<void> {
    return this.around([key], () => super.put(key, value), [value]);
  }
  override delete(key: string): Promise<boolean> {
    return this.around([key], () => super.delete(key));
  }
  override batch(ops: readonly StorageOperation[]): Promise<void> {
    return this.around(ops.map((o) => o.key), () => super.batch(ops), ops.flatMap((o) => (o.type === 'put' ? [o.value] : [])));
  }
}

const storage = new KillingStorage(folder);
const fw = createFramework({
  master,
  framework: { name: 'task-node', failover_timeout: 600, ...(process.env['FRAMEWORK_USER'] ? { user: process.env['FRAMEWORK_USER'] } : {}) },
  taskManager: true,
  reconcileIntervalSeconds: 0,
  scheduler: { backoff: { initialMs: 50, maxMs: 500 } },
  overrides: [{ token: TOKENS.Storage, useValue: storage }, { token: TOKENS.Logger, useValue: new MemoryLogger() }],
});
await fw.start();
const tasks = fw.get<TaskManager>(TOKENS.TaskManager);
say('started', { frameworkId: fw.frameworkId, records: tasks.recordCount });
if ((await storage.list('definitions')).length === 0) {
  while (!(await storage.get('framework/id'))) await new Promise((r) => setTimeout(r, 20));
  await tasks.submit(JSON.parse(definitions));
}
sayWhenIdle(tasks, 'idle', { ready: () => tasks.list().length > 0 });
// TEARDOWN=1: SIGTERM ends the framework on the master too (the conformance scenarios leave nothing behind on real Mesos).
const teardown = process.env['TEARDOWN'] === '1';
process.on('SIGTERM', () => void fw.stop(teardown ? { teardown: true } : undefined).catch(() => fw.stop()).finally(() => process.exit(0)));
