// Issue 16 item 2: every storage failure is a typed, retryable StorageError.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { LevelStorage } from '../../src/storage/level.storage.js';
import { toStorageError } from '../../src/storage/storage-errors.js';
import { writeOperations } from '../../src/storage/storage-batch.js';
import type { Storage } from '../../src/storage/storage.interface.js';
import { StorageError } from '../../src/errors/index.js';
import { etcdBatch } from '../../src/storage/etcd-batch.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const b = (s: string) => new TextEncoder().encode(s);
const s = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));
const here = dirname(fileURLToPath(import.meta.url));

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-failures-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('toStorageError', () => {
  const typed = (cause: unknown) => toStorageError('B', 'put k', cause);
  it('names full disks, file size limits, corruption, locks and other I/O failures, all retryable', () => {
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error('IO error: /d/000003.log: File too large'), { code: 'LEVEL_IO_ERROR' }), 'ERR_STORAGE_FULL'],
      [Object.assign(new Error('IO error: /d/000003.log: No space left on device'), { code: 'LEVEL_IO_ERROR' }), 'ERR_STORAGE_FULL'],
      [Object.assign(new Error('Corruption: bad block'), { code: 'LEVEL_CORRUPTION' }), 'ERR_STORAGE_CORRUPT'],
      [Object.assign(new Error('Database failed to open'), { code: 'LEVEL_DATABASE_NOT_OPEN', cause: Object.assign(new Error('IO error: lock /d/LOCK: already held by process'), { code: 'LEVEL_LOCKED' }) }), 'ERR_STORAGE_LOCKED'],
      [Object.assign(new Error('IO error: /d/MANIFEST: Input/output error'), { code: 'LEVEL_IO_ERROR' }), 'ERR_STORAGE_IO'],
      ['a thrown string', 'ERR_STORAGE_IO'],
    ];
    for (const [cause, code] of cases) {
      const err = typed(cause);
      assert.ok(err instanceof StorageError, code);
      assert.equal(err.code, code);
      assert.equal(err.retryable, true, code);
      assert.equal(err.cause, cause);
    }
  });
  it('keeps a StorageError as it is', () => {
    const e = new StorageError('ERR_STORAGE_BAD_KEY', 'bad');
    assert.equal(typed(e), e);
  });
});

describe('LevelStorage failures', () => {
  it('a folder open in another store fails with the retryable ERR_STORAGE_LOCKED, saying what to do', async () => {
    const { dir, cleanup } = tempDir();
    const first = new LevelStorage(join(dir, 'db'));
    const second = new LevelStorage(join(dir, 'db'));
    try {
      await first.put('a', b('1'));
      await assert.rejects(second.get('a'), (err: unknown) => err instanceof StorageError && err.code === 'ERR_STORAGE_LOCKED' && err.retryable && /open in this or another process/.test(err.message) && /stop\(\)/.test(err.message));
      await assert.rejects(second.put('a', b('2')), { code: 'ERR_STORAGE_LOCKED' });
    } finally {
      await first.close();
      await second.close();
      cleanup();
    }
  });

  it('a write past the file size limit (a full disk) fails with the retryable ERR_STORAGE_FULL, in a real process', () => {
    const { dir, cleanup } = tempDir();
    try {
      // SIGXFSZ is ignored by Node: the write fails with EFBIG, which LevelDB reports as LEVEL_IO_ERROR.
      const run = spawnSync('bash', ['-c', `ulimit -f 64; exec "${process.execPath}" "${join(here, 'fill-disk.js')}" "${join(dir, 'db')}"`], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      assert.equal(out.name, 'StorageError');
      assert.equal(out.code, 'ERR_STORAGE_FULL');
      assert.equal(out.retryable, true);
      assert.match(out.message, /File too large/);
      assert.ok(out.writes > 10, `some writes went through first (${out.writes})`);
    } finally {
      cleanup();
    }
  });
});

describe('Storage.batch', () => {
  const backends: Array<[string, () => { storage: Storage; cleanup(): void }]> = [
    ['in-memory', () => ({ storage: new InMemoryStorage(), cleanup: () => {} })],
    ['level', () => {
      const t = tempDir();
      return { storage: new LevelStorage(join(t.dir, 'db')), cleanup: t.cleanup };
    }],
  ];
  for (const [name, make] of backends) {
    it(`${name}: applies puts and deletes in order, and a bad key writes nothing`, async () => {
      const { storage, cleanup } = make();
      try {
        await storage.put('tasks/old', b('x'));
        await storage.batch!([{ type: 'put', key: 'tasks/a', value: b('1') }, { type: 'del', key: 'tasks/old' }, { type: 'put', key: 'tasks/a', value: b('2') }]);
        assert.equal(s(await storage.get('tasks/a')), '2');
        assert.equal(await storage.get('tasks/old'), undefined);
        await assert.rejects(storage.batch!([{ type: 'put', key: 'tasks/b', value: b('1') }, { type: 'put', key: 'bad//key', value: b('1') }]), { code: 'ERR_STORAGE_BAD_KEY' });
        assert.equal(await storage.get('tasks/b'), undefined, 'nothing of a refused batch is written');
      } finally {
        await storage.close();
        cleanup();
      }
    });
  }
  it('writeOperations writes one by one, in order, on a storage without batch', async () => {
    const inner = new InMemoryStorage();
    const order: string[] = [];
    const plain: Omit<Storage, 'batch'> = {
      get: (k) => inner.get(k),
      put: async (k, v) => (order.push(`put ${k}`), inner.put(k, v)),
      delete: async (k) => (order.push(`del ${k}`), inner.delete(k)),
      list: (p) => inner.list(p),
      deletePrefix: (p) => inner.deletePrefix(p),
      compareAndSet: (k, e, n) => inner.compareAndSet(k, e, n),
      close: () => inner.close(),
    };
    await writeOperations(plain, [{ type: 'put', key: 'a', value: b('1') }, { type: 'del', key: 'b' }, { type: 'put', key: 'c', value: b('1') }]);
    assert.deepEqual(order, ['put a', 'del b', 'put c']);
  });
});

describe('etcdBatch (the body of EtcdStorage.batch, for the helper that owns etcd.storage.ts)', () => {
  let etcd: EtcdServer | undefined;
  after(async () => etcd?.stop());
  it('applies a batch in one transaction, splits one past 128 operations, refuses a key twice, and honours a guard', async () => {
    etcd = await startEtcd();
    const { Etcd3 } = await import('etcd3');
    const client = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      const ns = client.namespace('batch-test/');
      await ns.put('tasks/old').value('x');
      await etcdBatch(ns, [{ type: 'put', key: 'tasks/a', value: b('1') }, { type: 'del', key: 'tasks/old' }]);
      assert.equal(await ns.get('tasks/a').string(), '1');
      assert.equal(await ns.get('tasks/old').string(), null);
      await etcdBatch(ns, Array.from({ length: 300 }, (_, i) => ({ type: 'put' as const, key: `many/${i}`, value: b(String(i)) })));
      assert.equal(Object.keys(await ns.getAll().prefix('many/').strings()).length, 300);
      await assert.rejects(etcdBatch(ns, [{ type: 'put', key: 'k', value: b('1') }, { type: 'del', key: 'k' }]), { code: 'ERR_STORAGE_BAD_KEY' });
      await assert.rejects(
        etcdBatch(ns, [{ type: 'put', key: 'tasks/b', value: b('1') }], { guard: (txn) => txn.and('leader', 'Value', '==', 'me'), refused: () => new StorageError('ERR_NOT_LEADER', 'fenced') }),
        { code: 'ERR_NOT_LEADER' },
      );
      assert.equal(await ns.get('tasks/b').string(), null, 'nothing written when the guard fails');
    } finally {
      client.close();
    }
  });
});
