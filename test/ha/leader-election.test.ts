import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { EtcdLeaderElection } from '../../src/ha/etcd-leader-election.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('EtcdLeaderElection on a real etcd', () => {
  let etcd: EtcdServer;
  before(async () => (etcd = await startEtcd()));
  after(async () => etcd.stop());

  it('elects exactly one of two candidates, and the other when the leader resigns', async () => {
    const a = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'two', ttlSeconds: 2, id: 'a' });
    const b = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'two', ttlSeconds: 2, id: 'b' });
    try {
      await a.campaign();
      const bElected = b.campaign();
      await sleep(300);
      assert.deepEqual([a.isLeader, b.isLeader], [true, false]);
      assert.equal(await b.leader(), 'a');
      assert.throws(() => b.assertLeader(), { code: 'ERR_NOT_LEADER' });
      await a.resign();
      await within(3000, 'standby elected after resign', bElected);
      assert.deepEqual([a.isLeader, b.isLeader], [false, true]);
      assert.equal(await a.leader(), 'b');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a leader whose key is deleted fences itself at once', async () => {
    const a = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'deleted', ttlSeconds: 5, id: 'a' });
    const raw = new Etcd3({ hosts: [etcd.endpoint] });
    try {
      await a.campaign();
      const heard: boolean[] = [];
      a.onChange((l) => heard.push(l));
      await raw.delete().prefix('mesos-sdk/elections/deleted/');
      await within(2000, 'fenced', (async () => { while (a.isLeader) await sleep(20); })());
      assert.deepEqual(heard, [false]);
      assert.equal(a.fencedReason, 'election key deleted');
      assert.throws(() => a.assertLeader(), { code: 'ERR_NOT_LEADER' });
    } finally {
      raw.close();
      await within(6000, 'close', a.close());
    }
  });

  it('a leader cut off from etcd fences itself before its lease can expire; a standby keeps campaigning through the outage', async () => {
    const ttl = 2;
    const a = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'outage', ttlSeconds: ttl, id: 'a' });
    const retries: number[] = [];
    const b = new EtcdLeaderElection({ hosts: [etcd.endpoint], name: 'outage', ttlSeconds: ttl, id: 'b', onRetry: (_e, n) => retries.push(n) });
    try {
      await a.campaign();
      const bElected = b.campaign();
      await sleep(200);
      const killedAt = Date.now();
      await etcd.kill();
      await within(ttl * 1000 + 1000, 'leader fenced', (async () => { while (a.isLeader) await sleep(10); })());
      const fencedAfter = Date.now() - killedAt;
      assert.ok(fencedAfter < ttl * 1000, `fenced ${fencedAfter} ms after etcd went away; the lease lasts ${ttl * 1000} ms`);
      assert.throws(() => a.assertLeader(), { code: 'ERR_NOT_LEADER' });
      await etcd.restart();
      // a's key expires with its lease; b (campaigning again after the outage) leads.
      await within(15_000, 'standby elected after the outage', bElected);
      assert.equal(b.isLeader, true);
      assert.equal(a.isLeader, false);
    } finally {
      await within(5000, 'close a', a.close());
      await within(5000, 'close b', b.close());
    }
  });
});
