import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdLeaderElection } from '../../src/ha/etcd-leader-election.js';
import { startEtcd, type EtcdServer } from '../support/etcd-harness.js';

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
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual([a.isLeader, b.isLeader], [true, false]);
      assert.throws(() => b.assertLeader(), { code: 'ERR_NOT_LEADER' });
      await a.resign();
      await bElected;
      assert.deepEqual([a.isLeader, b.isLeader], [false, true]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
