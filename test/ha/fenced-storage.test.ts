import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { EtcdLeaderElection, type EtcdFenceSource, type EtcdWriteFence } from '../../src/ha/etcd-leader-election.js';
import { EtcdStorage } from '../../src/storage/etcd.storage.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/**
 * A fence source that always believes it leads: what a paused leader looks like when it resumes,
 * before any of its timers has run. Only etcd can refuse its writes.
 */
class BelievesItLeads implements EtcdFenceSource {
  readonly refusals: string[] = [];
  constructor(readonly fence: EtcdWriteFence) {}
  writeFence(): EtcdWriteFence {
    return this.fence;
  }
  fenceFailed(fence: EtcdWriteFence, reason: string): void {
    assert.equal(fence, this.fence);
    this.refusals.push(reason);
  }
}

describe('EtcdStorage fenced by the leadership, on a real etcd', () => {
  let etcd: EtcdServer;
  let raw: Etcd3;
  before(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: [etcd.endpoint] });
  });
  after(async () => {
    raw.close();
    await etcd.stop();
  });

  /** An election key as EtcdLeaderElection writes it, and the fence on it. */
  async function electionKey(name: string): Promise<EtcdWriteFence> {
    const key = `mesos-sdk/elections/${name}/k`;
    await raw.put(key).value('me');
    const [kv] = (await raw.get(key).exec()).kvs;
    return { key, createRevision: kv!.create_revision };
  }

  it('every kind of write succeeds while the election key holds, and etcd refuses each once it is gone, though the writer still believes it leads', async () => {
    const source = new BelievesItLeads(await electionKey('refused'));
    const store = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'fenced-a/', fence: source });
    try {
      await store.put('tasks/a', bytes('1'));
      await store.put('tasks/b', bytes('1'));
      await store.put('tasks/b/c', bytes('1'));
      assert.equal(await store.compareAndSet('tasks/a', bytes('1'), bytes('2')), true);
      assert.equal(await store.compareAndSet('tasks/a', bytes('1'), bytes('3')), false, 'a failed comparison is false, not a fence');
      assert.equal(await store.compareAndSet('tasks/new', undefined, bytes('x')), true);
      assert.equal(await store.delete('tasks/new'), true);
      assert.equal(await store.delete('tasks/new'), false);
      assert.deepEqual(source.refusals, []);

      // The lease expires (here: the key goes) while the leader is paused; it resumes and writes.
      await raw.delete().key(source.fence.key);
      const fenced = { code: 'ERR_FENCED', retryable: false, name: 'StorageError' };
      await assert.rejects(store.put('tasks/a', bytes('stale')), fenced);
      await assert.rejects(store.delete('tasks/a'), fenced);
      await assert.rejects(store.deletePrefix('tasks/b'), fenced);
      await assert.rejects(store.compareAndSet('tasks/a', bytes('2'), bytes('stale')), fenced);
      await assert.rejects(store.compareAndSet('tasks/a', bytes('no match'), bytes('stale')), fenced, 'fenced even when the comparison would fail too');
      await assert.rejects(store.compareAndSet('tasks/other', undefined, bytes('stale')), fenced);
      assert.equal(source.refusals.length, 6, 'the election heard of every refusal');
      assert.match(source.refusals[0]!, /no longer has create revision/);

      // Nothing was written; reads are not fenced.
      assert.equal(text(await store.get('tasks/a')), '2');
      assert.deepEqual((await store.list('tasks')).map((e) => e.key), ['tasks/a', 'tasks/b', 'tasks/b/c']);
      assert.equal(await store.get('tasks/other'), undefined);
    } finally {
      await store.close();
    }
  });

  it('a batch of the leader is one transaction; a batch by a fenced writer is refused, nothing of it written, and the election hears of it', async () => {
    const source = new BelievesItLeads(await electionKey('batch'));
    const store = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'fenced-batch/', fence: source });
    try {
      await store.put('tasks/old', bytes('x'));
      await store.batch([
        { type: 'put', key: 'tasks/a', value: bytes('state') },
        { type: 'put', key: 'tasks/a/next', value: bytes('attempt 2') },
        { type: 'del', key: 'tasks/old' },
      ]);
      const kvs = (await raw.getAll().prefix('fenced-batch/tasks/').exec()).kvs;
      assert.deepEqual(kvs.map((kv) => kv.key.toString()).sort(), ['fenced-batch/tasks/a', 'fenced-batch/tasks/a/next']);
      assert.equal(new Set(kvs.map((kv) => kv.mod_revision)).size, 1, 'both puts carry one revision: one transaction');
      assert.equal(await store.get('tasks/old'), undefined);
      // A key twice: the last operation wins, as applied in order (etcd itself refuses a key twice in a transaction).
      await store.batch([{ type: 'put', key: 'k', value: bytes('1') }, { type: 'del', key: 'k' }, { type: 'put', key: 'j', value: bytes('1') }, { type: 'put', key: 'j', value: bytes('2') }]);
      assert.equal(await store.get('k'), undefined);
      assert.equal(text(await store.get('j')), '2');
      await assert.rejects(store.batch([{ type: 'put', key: 'tasks/c', value: bytes('1') }, { type: 'put', key: 'bad//key', value: bytes('1') }]), { code: 'ERR_STORAGE_BAD_KEY' });
      assert.equal(await store.get('tasks/c'), undefined, 'a bad key writes nothing');
      assert.deepEqual(source.refusals, []);

      await raw.delete().key(source.fence.key);
      await assert.rejects(
        store.batch([
          { type: 'put', key: 'tasks/a', value: bytes('stale') },
          { type: 'put', key: 'tasks/b', value: bytes('stale') },
          { type: 'del', key: 'tasks/a/next' },
        ]),
        (err: Error & { code?: string; retryable?: boolean }) => err.name === 'StorageError' && err.code === 'ERR_FENCED' && err.retryable === false && /batch of "tasks\/a" refused/.test(err.message),
      );
      assert.equal(source.refusals.length, 1, 'the election heard of the refusal');
      assert.equal(text(await store.get('tasks/a')), 'state');
      assert.equal(text(await store.get('tasks/a/next')), 'attempt 2');
      assert.equal(await store.get('tasks/b'), undefined);
    } finally {
      await store.close();
    }
    await assert.rejects(store.batch([{ type: 'put', key: 'x', value: bytes('1') }]), { code: 'ERR_STORAGE_CLOSED', retryable: true });
    await assert.rejects(store.get('x'), { code: 'ERR_STORAGE_CLOSED', retryable: true });
  });

  it('a key of the same name created again (a new campaign) does not revive an old fence', async () => {
    const fence = await electionKey('recreated');
    await raw.delete().key(fence.key);
    await raw.put(fence.key).value('someone else');
    const store = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'fenced-b/', fence: new BelievesItLeads(fence) });
    try {
      await assert.rejects(store.put('x', bytes('1')), { code: 'ERR_FENCED' });
      assert.equal(await store.get('x'), undefined);
    } finally {
      await store.close();
    }
  });

  it('with EtcdLeaderElection: a standby\'s writes are refused before they are sent; a leader writes; a refused write ends its leadership at once', async () => {
    const a = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'coupled', ttlSeconds: 30, id: 'a' });
    const b = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'coupled', ttlSeconds: 30, id: 'b' });
    const sa = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'fenced-c/', fence: a });
    const sb = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'fenced-c/', fence: b });
    try {
      await a.campaign();
      const bElected = b.campaign();
      await sa.put('state', bytes('from a'));
      await assert.rejects(sb.put('state', bytes('from b')), (err: Error & { code?: string }) => err.code === 'ERR_FENCED' && /not the leader/.test(err.message));
      await assert.rejects(sb.batch([{ type: 'put', key: 'state', value: bytes('from b') }, { type: 'put', key: 'other', value: bytes('from b') }]), (err: Error & { code?: string }) => err.code === 'ERR_FENCED' && /not the leader/.test(err.message));
      assert.equal(await sb.get('other'), undefined);
      assert.equal(text(await sb.get('state')), 'from a', 'a standby reads');

      // a's key goes; its next write is refused by etcd, whether or not a's key poll saw it first.
      const fence = a.writeFence()!;
      assert.equal(fence.key.startsWith('mesos-sdk/elections/coupled/'), true);
      const heard: boolean[] = [];
      a.onChange((l) => heard.push(l));
      await raw.delete().key(fence.key);
      await assert.rejects(sa.batch([{ type: 'put', key: 'state', value: bytes('stale a') }]), { code: 'ERR_FENCED' });
      assert.equal(a.isLeader, false);
      assert.deepEqual(heard, [false]);
      assert.equal(a.writeFence(), undefined);
      assert.throws(() => a.assertLeader(), { code: 'ERR_NOT_LEADER' });

      await bElected;
      await sb.put('state', bytes('from b'));
      assert.equal(text(await sa.get('state')), 'from b');
    } finally {
      await Promise.all([sa.close(), sb.close()]);
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('without a fence, writes carry no precondition (AlwaysLeader, a single instance)', async () => {
    const store = new EtcdStorage({ hosts: [etcd.endpoint], namespace: 'unfenced/' });
    try {
      await store.put('p', bytes('1'));
      await store.put('p/q', bytes('1'));
      await store.put('pq', bytes('1'));
      assert.equal(await store.deletePrefix('p'), 2);
      assert.equal(await store.delete('pq'), true);
      assert.equal(await store.delete('pq'), false);
    } finally {
      await store.close();
    }
  });
});
