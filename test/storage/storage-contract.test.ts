import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '../../src/storage/storage.interface.js';
import { InMemoryStorage } from '../../src/storage/in-memory.storage.js';
import { LevelStorage } from '../../src/storage/level.storage.js';
import { EtcdStorage } from '../../src/storage/etcd.storage.js';
import { StorageError } from '../../src/errors/index.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const b = (s: string) => new TextEncoder().encode(s);
const s = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));

/** The behaviour every backend must have. */
function contract(name: string, make: () => Promise<{ storage: Storage; cleanup(): Promise<void> }>): void {
  describe(`${name} storage`, () => {
    let storage: Storage;
    let cleanup: () => Promise<void>;
    before(async () => ({ storage, cleanup } = await make()));
    after(async () => {
      await storage.close();
      await cleanup();
    });

    it('puts, gets and deletes', async () => {
      await storage.put('a/b', b('1'));
      assert.equal(s(await storage.get('a/b')), '1');
      assert.equal(await storage.delete('a/b'), true);
      assert.equal(await storage.get('a/b'), undefined);
      assert.equal(await storage.delete('a/b'), false);
    });

    it('lists and deletes by whole path segments: tasks/app never touches tasks/app-1', async () => {
      for (const k of ['tasks/app', 'tasks/app/0', 'tasks/app/1', 'tasks/app-1', 'tasks/app-1/0', 'tasks/ap', 'tasks/app0']) await storage.put(k, b(k));
      assert.deepEqual((await storage.list('tasks/app')).map((e) => e.key), ['tasks/app', 'tasks/app/0', 'tasks/app/1']);
      assert.equal(await storage.deletePrefix('tasks/app'), 3);
      assert.deepEqual((await storage.list('tasks')).map((e) => e.key), ['tasks/ap', 'tasks/app-1', 'tasks/app-1/0', 'tasks/app0']);
      await storage.deletePrefix('tasks');
    });

    it('compare-and-set: on absent, on a value, and to delete', async () => {
      assert.equal(await storage.compareAndSet('cas', undefined, b('v1')), true);
      assert.equal(await storage.compareAndSet('cas', undefined, b('v2')), false, 'the key exists now');
      assert.equal(await storage.compareAndSet('cas', b('nope'), b('v2')), false);
      assert.equal(await storage.compareAndSet('cas', b('v1'), b('v2')), true);
      assert.equal(s(await storage.get('cas')), 'v2');
      assert.equal(await storage.compareAndSet('cas', b('v2'), undefined), true);
      assert.equal(await storage.get('cas'), undefined);
    });

    it('lets exactly one of many concurrent compare-and-sets win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => storage.compareAndSet('race', undefined, b(String(i)))));
      assert.equal(results.filter(Boolean).length, 1);
      await storage.delete('race');
    });

    it('gives back every byte value 0-255 byte-identical, through put, batch, list and compare-and-set', async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      // Not UTF-8 (a lone continuation byte, an overlong NUL, a lone surrogate's encoding), and empty.
      const odd = Uint8Array.of(0x80, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff, 0x00);
      const empty = new Uint8Array(0);
      // A view into a larger buffer: only its own bytes are stored.
      const big = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
      const view = big.subarray(10, 20);
      await storage.put('bytes/all', all);
      await storage.batch([
        { type: 'put', key: 'bytes/odd', value: odd },
        { type: 'put', key: 'bytes/empty', value: empty },
        { type: 'put', key: 'bytes/view', value: view },
      ]);
      const same = (got: Uint8Array | undefined, want: Uint8Array, what: string) => {
        assert.ok(got instanceof Uint8Array, `${what}: a Uint8Array`);
        assert.deepEqual([...got], [...want], what);
      };
      same(await storage.get('bytes/all'), all, 'get all');
      same(await storage.get('bytes/odd'), odd, 'get odd');
      same(await storage.get('bytes/empty'), empty, 'get empty');
      same(await storage.get('bytes/view'), view, 'get view');
      const listed = new Map((await storage.list('bytes')).map((e) => [e.key, e.value]));
      same(listed.get('bytes/all'), all, 'list all');
      same(listed.get('bytes/odd'), odd, 'list odd');
      same(listed.get('bytes/empty'), empty, 'list empty');
      same(listed.get('bytes/view'), view, 'list view');
      assert.equal(await storage.compareAndSet('bytes/odd', Uint8Array.of(0x80, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xff), all), false, 'a prefix of the value is not the value');
      assert.equal(await storage.compareAndSet('bytes/odd', Uint8Array.from(odd), all), true);
      same(await storage.get('bytes/odd'), all, 'after compare-and-set');
      await storage.deletePrefix('bytes');
    });

    it('copies values in and out: changing a value given or read back changes nothing stored', async () => {
      const v = Uint8Array.of(1, 2, 3);
      await storage.put('copy/a', v);
      v[0] = 9;
      const got = (await storage.get('copy/a'))!;
      assert.deepEqual([...got], [1, 2, 3]);
      got[1] = 9;
      const listed = (await storage.list('copy'))[0]!.value;
      assert.deepEqual([...listed], [1, 2, 3]);
      listed[2] = 9;
      assert.deepEqual([...(await storage.get('copy/a'))!], [1, 2, 3]);
      await storage.deletePrefix('copy');
    });

    it('refuses bad keys with ERR_STORAGE_BAD_KEY', async () => {
      for (const bad of ['', '/a', 'a/', 'a//b', 'a/../b', 'a\0b', 'x'.repeat(2000)]) {
        await assert.rejects(storage.get(bad), (err: unknown) => err instanceof StorageError && err.code === 'ERR_STORAGE_BAD_KEY', JSON.stringify(bad.slice(0, 10)));
      }
    });
  });
}

contract('in-memory', async () => ({ storage: new InMemoryStorage(), cleanup: async () => {} }));

describe('in-memory storage values', () => {
  it('come back as plain Uint8Arrays (not Buffers), each read a new copy', async () => {
    const storage = new InMemoryStorage();
    await storage.put('k', Uint8Array.of(0xff, 0, 0x80));
    const a = (await storage.get('k'))!;
    const b2 = (await storage.get('k'))!;
    assert.equal(Object.getPrototypeOf(a), Uint8Array.prototype);
    assert.notEqual(a.buffer, b2.buffer);
    assert.equal(Object.getPrototypeOf((await storage.list('k'))[0]!.value), Uint8Array.prototype);
    assert.deepStrictEqual(a, Uint8Array.of(0xff, 0, 0x80));
  });
});

contract('LevelDB (on-disk)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-level-'));
  return { storage: new LevelStorage(join(dir, 'db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let etcd: EtcdServer | undefined;
contract('etcd', async () => {
  etcd = await startEtcd();
  return { storage: new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'contract/' }), cleanup: async () => etcd!.stop() };
});

describe('LevelDB storage', () => {
  it('keeps its data across a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesos-sdk-level-'));
    try {
      const first = new LevelStorage(join(dir, 'db'));
      await first.put('framework/id', b('fw-1'));
      await first.close();
      const second = new LevelStorage(join(dir, 'db'));
      assert.equal(s(await second.get('framework/id')), 'fw-1');
      await second.close();
      await assert.rejects(second.get('x'), { code: 'ERR_STORAGE_CLOSED' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('etcd storage while etcd restarts', () => {
  it('fails with the retryable ERR_STORAGE_UNAVAILABLE while etcd is down, and has all its data after', async () => {
    const server = await startEtcd();
    const storage = new EtcdStorage({ hosts: [server.endpoint], namespace: 'restart/', timeoutMs: 1500 });
    try {
      await storage.put('tasks/t1', b('running'));
      await server.kill();
      await assert.rejects(storage.put('tasks/t2', b('x')), (err: unknown) => err instanceof StorageError && err.code === 'ERR_STORAGE_UNAVAILABLE' && err.retryable);
      await server.restart();
      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await storage.put('tasks/t2', b('pending'));
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      assert.deepEqual((await storage.list('tasks')).map((e) => [e.key, s(e.value)]), [['tasks/t1', 'running'], ['tasks/t2', 'pending']]);
    } finally {
      await storage.close();
      await server.stop();
    }
  });
});
