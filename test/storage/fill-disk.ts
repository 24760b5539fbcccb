/**
 * Run by storage-failures.test under `ulimit -f`: writes to a LevelStorage until a write fails,
 * then prints that error as one JSON line (with the number of writes that went through).
 *   node fill-disk.js <folder>
 */
import { LevelStorage } from '../../src/storage/level.storage.js';
import { MesosSdkError } from '../../src/errors/index.js';

const storage = new LevelStorage(process.argv[2]!);
const value = new Uint8Array(512).fill(7);
let writes = 0;
try {
  for (; writes < 100_000; writes++) await storage.put(`tasks/t${writes}`, value);
  process.stdout.write(`${JSON.stringify({ name: 'none', writes })}\n`);
} catch (err) {
  const e = err as MesosSdkError;
  process.stdout.write(`${JSON.stringify({ ...(e instanceof MesosSdkError ? e.toJSON() : {}), name: e.name, message: e.message, writes })}\n`);
}
await storage.close().catch(() => {});
