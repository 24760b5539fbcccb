import { hostname } from 'node:os';
import type { Etcd3, IOptions, Lease, Namespace } from 'etcd3';
import { NotSubscribedError, MesosSdkError } from '../errors/index.js';
import { HaErrorCodes, type LeaderElection } from './leader-election.interface.js';

/** Options of {@link EtcdLeaderElection}. */
export interface EtcdLeaderElectionOptions {
  /** etcd endpoints, e.g. `['http://127.0.0.1:2379']`. */
  hosts: string[];
  /** Election name; instances of one framework share it. */
  name: string;
  /** Lease TTL in seconds: a dead leader is replaced after at most this long. @default 10 */
  ttlSeconds?: number;
  /** What this instance announces as leader. @default `<hostname>:<pid>` */
  id?: string;
  /**
   * The leader fences itself off when its lease has not been confirmed for this fraction of the
   * TTL (keepalives go out every third of it), so it stops before etcd can expire the lease and
   * elect a standby. @default 2/3
   */
  fenceAfterFraction?: number;
  /** Called when a campaign attempt fails and is retried (etcd unreachable while standing by). */
  onRetry?: (err: Error, attempt: number) => void;
  /** Further `etcd3` client options (auth, TLS, timeouts). */
  client?: Omit<IOptions, 'hosts'>;
}

/**
 * The precondition of a leader's storage writes on etcd: its election key still exists with the
 * create revision it had when this instance was elected. etcd checks it in the same transaction as
 * the write, so the write fails once the lease has expired (the key is gone) even when the
 * instance has not noticed yet, paused or cut off.
 */
export interface EtcdWriteFence {
  /** The election key, in full (no namespace applied), e.g. `mesos-sdk/elections/<name>/<lease id>`. */
  readonly key: string;
  /** Its create revision (decimal). */
  readonly createRevision: string;
}

/**
 * What `EtcdStorage` needs of an election to fence its writes ({@link EtcdLeaderElection} is one):
 * the precondition while leading, and a way to say etcd refused it.
 */
export interface EtcdFenceSource {
  /** The fence while this instance leads; `undefined` otherwise (writes are then refused without asking etcd). */
  writeFence(): EtcdWriteFence | undefined;
  /** etcd refused a write because `fence` no longer holds: the leadership is lost (drop it now). */
  fenceFailed(fence: EtcdWriteFence, reason: string): void;
}

const ELECTION_PREFIX = 'mesos-sdk/elections/';

/**
 * Leader election on etcd v3, written on `etcd3`'s lease, transaction and range primitives
 * (the algorithm of etcd's own `concurrency.Election`): each candidate puts a key bound to its
 * lease under the election prefix; the candidate whose key has the lowest create revision leads,
 * and every other one waits for the key just before its own to go.
 *
 * Calls to Mesos are fenced locally, without waiting for etcd: the leader records when each
 * keepalive was sent and confirmed, and drops the leadership as soon as its lease has gone
 * unconfirmed for `fenceAfterFraction` of the TTL, or its key disappears. `isLeader` turns false,
 * listeners hear `false`, and `assertLeader()` throws, so no further call reaches Mesos. A standby
 * keeps campaigning (with backoff) through etcd outages.
 *
 * Storage writes are fenced by etcd itself: as an {@link EtcdFenceSource} (pass it as
 * `EtcdStorage`'s `fence`; `createFramework`'s `ha` option does), the election gives every write
 * the precondition that its key still exists with the create revision it was elected with. A
 * leader paused past its TTL (SIGSTOP, a long GC, a frozen VM) that resumes and writes before its
 * own timers have noticed gets `ERR_FENCED` from etcd, and the election drops the leadership then.
 *
 * `etcd3` (and gRPC under it) is loaded by the first campaign or query, not when `mesos-sdk` is
 * imported.
 */
export class EtcdLeaderElection implements LeaderElection, EtcdFenceSource {
  private etcd: { client: Etcd3; ns: Namespace } | undefined;
  private connecting: Promise<Namespace> | undefined;
  private readonly ttl: number;
  private lease: Lease | undefined;
  private fenceTimer: NodeJS.Timeout | undefined;
  private keyTimer: NodeJS.Timeout | undefined;
  private checkingKey = false;
  private readonly pollMs: number;
  private leading = false;
  private closed = false;
  private pending: Promise<void> | undefined;
  /** Send times of keepalives not yet answered, oldest first. */
  private readonly inFlight: number[] = [];
  private confirmedAt = 0;
  private readonly listeners = new Set<(leading: boolean) => void>();
  /** The fence of the leadership held now (set while leading). */
  private fenceNow: EtcdWriteFence | undefined;
  /** What this instance announces as leader. */
  readonly id: string;
  /** Why the leadership was last lost, for logs and health reports. */
  fencedReason: string | undefined;

  constructor(
    /** The options given. */
    readonly options: EtcdLeaderElectionOptions,
  ) {
    this.ttl = options.ttlSeconds ?? 10;
    this.pollMs = Math.min(500, (this.ttl * 1000) / 4);
    this.id = options.id ?? `${hostname()}:${process.pid}`;
  }

  /** The election's namespace on etcd; loads `etcd3` and creates the client the first time. */
  private namespace(): Promise<Namespace> {
    this.connecting ??= import('etcd3').then(({ Etcd3 }) => {
      const client = new Etcd3({ ...this.options.client, hosts: this.options.hosts });
      this.etcd = { client, ns: client.namespace(`${ELECTION_PREFIX}${this.options.name}/`) };
      if (this.closed) client.close();
      return this.etcd.ns;
    });
    return this.connecting;
  }

  /** True while this instance holds the leadership and its lease is confirmed (not fenced). */
  get isLeader(): boolean {
    return this.leading;
  }

  /** The precondition of this leader's storage writes; `undefined` unless leading. */
  writeFence(): EtcdWriteFence | undefined {
    return this.leading ? this.fenceNow : undefined;
  }

  /** etcd refused a write fenced by this leadership: it is lost (listeners hear `false`). */
  fenceFailed(fence: EtcdWriteFence, reason: string): void {
    if (fence === this.fenceNow) this.fence(reason);
  }

  /** Resolves once this instance leads; retries through etcd outages until elected or closed. */
  campaign(): Promise<void> {
    if (this.leading) return Promise.resolve();
    this.pending ??= this.campaignLoop().finally(() => (this.pending = undefined));
    return this.pending;
  }

  onChange(listener: (leading: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  assertLeader(): void {
    if (!this.leading) {
      throw new NotSubscribedError(HaErrorCodes.NOT_LEADER, 'this instance is not the leader (lease lost or not elected); calls to Mesos are fenced off', { retryable: false });
    }
  }

  /** The id announced by the current leader, if any. */
  async leader(): Promise<string | undefined> {
    const ns = await this.namespace();
    const res = await ns.getAll().sort('Create', 'Ascend').limit(1).exec();
    return res.kvs[0]?.value.toString();
  }

  async resign(): Promise<void> {
    this.set(false);
    await this.dropLease();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.resign();
    this.etcd?.client.close();
  }

  private async campaignLoop(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new MesosSdkError(HaErrorCodes.ELECTION_FAILED, 'leader election closed before this instance was elected', { retryable: false });
      try {
        await this.campaignOnce();
        return;
      } catch (err) {
        await this.dropLease();
        if (this.closed) continue;
        this.options.onRetry?.(err as Error, attempt);
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private async campaignOnce(): Promise<void> {
    const ns = await this.namespace();
    const lease = ns.lease(this.ttl);
    this.lease = lease;
    const lost = new Promise<never>((_, reject) => lease.once('lost', (err: Error) => reject(err)));
    lost.catch(() => {});
    lease.on('keepaliveFired', () => this.inFlight.push(Date.now()));
    lease.on('keepaliveSucceeded', () => (this.confirmedAt = this.inFlight.shift() ?? Date.now()));
    lease.on('keepaliveFailed', () => (this.inFlight.length = 0));
    lease.on('lost', () => this.fence('lease lost'));
    const sentAt = Date.now();
    const leaseId = await Promise.race([lease.grant(), lost]);
    this.confirmedAt = sentAt;
    const key = leaseId;
    const put = await Promise.race([
      ns.if(key, 'Create', '==', 0).then(ns.put(key).value(this.id).lease(leaseId)).else(ns.get(key)).commit(),
      lost,
    ]);
    const myRevision = put.succeeded ? BigInt(put.header.revision) : BigInt(put.responses[0]!.response_range.kvs[0]!.create_revision);
    for (;;) {
      if (this.lease !== lease) throw new Error('campaign abandoned');
      const before = await Promise.race([
        ns.getAll().maxCreateRevision(String(myRevision - 1n)).sort('Create', 'Descend').limit(1).exec(),
        lost,
      ]);
      const predecessor = before.kvs[0];
      if (!predecessor) break;
      await Promise.race([this.waitForDelete(ns, predecessor.key.toString(), lease), lost]);
    }
    if (!(await ns.get(key).exists())) throw new Error('election key vanished while being elected');
    this.fenceNow = { key: `${ELECTION_PREFIX}${this.options.name}/${key}`, createRevision: String(myRevision) };
    this.set(true);
    this.fenceTimer = setInterval(() => {
      if (Date.now() - this.confirmedAt > this.ttl * 1000 * (this.options.fenceAfterFraction ?? 2 / 3)) this.fence('lease not confirmed in time');
    }, Math.max(50, (this.ttl * 1000) / 20));
    // Our key must stay ours: if it goes (deleted by hand), so does the leadership.
    this.keyTimer = setInterval(() => {
      if (this.checkingKey) return;
      this.checkingKey = true;
      ns.get(key).exists().then((exists) => !exists && this.fence('election key deleted'), () => {}).finally(() => (this.checkingKey = false));
    }, this.pollMs);
  }

  /**
   * Polls rather than watches: etcd3's watch manager keeps reconnect timers alive after
   * `close()` (up to 30 s), which would hold a stopping framework's process open.
   */
  private async waitForDelete(ns: Namespace, key: string, lease: Lease): Promise<void> {
    while (this.lease === lease && (await ns.get(key).exists())) await new Promise((r) => setTimeout(r, this.pollMs));
  }

  /** Leadership lost: fence at once, then let the lease go in the background. */
  private fence(reason: string): void {
    if (!this.leading) return;
    this.fencedReason = reason;
    this.set(false);
    void this.dropLease();
  }

  private async dropLease(): Promise<void> {
    clearInterval(this.fenceTimer);
    this.fenceTimer = undefined;
    const lease = this.lease;
    clearInterval(this.keyTimer);
    this.keyTimer = undefined;
    this.lease = undefined;
    this.inFlight.length = 0;
    // etcd may be unreachable (that is often why we resign): do not wait past the lease TTL.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      lease?.revoke().catch(() => {}),
      new Promise<void>((r) => (timer = setTimeout(r, this.ttl * 1000))),
    ]);
    clearTimeout(timer);
  }

  private set(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    for (const l of [...this.listeners]) l(leading);
  }
}
