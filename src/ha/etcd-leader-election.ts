import { hostname } from 'node:os';
import { Etcd3, type Campaign, type IOptions } from 'etcd3';
import { NotSubscribedError, MesosSdkError } from '../errors/index.js';
import { HaErrorCodes, type LeaderElection } from './leader-election.interface.js';

export interface EtcdLeaderElectionOptions {
  hosts: string[];
  /** Election name; instances of one framework share it. */
  name: string;
  /** Lease TTL in seconds: a dead leader is replaced after at most this long. @default 10 */
  ttlSeconds?: number;
  /** What this instance announces as leader. @default `<hostname>:<pid>` */
  id?: string;
  client?: Omit<IOptions, 'hosts'>;
}

/**
 * Leader election on etcd v3 (a lease-bound campaign through `etcd3`). When the lease cannot be
 * kept alive past its TTL the leadership is lost at once: `isLeader` turns false, listeners hear
 * `false`, and `assertLeader()` throws, so no further call reaches Mesos.
 */
export class EtcdLeaderElection implements LeaderElection {
  private readonly client: Etcd3;
  private campaignRef: Campaign | undefined;
  private leading = false;
  private readonly listeners = new Set<(leading: boolean) => void>();
  readonly id: string;

  constructor(readonly options: EtcdLeaderElectionOptions) {
    this.client = new Etcd3({ ...options.client, hosts: options.hosts });
    this.id = options.id ?? `${hostname()}:${process.pid}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  campaign(): Promise<void> {
    if (this.leading) return Promise.resolve();
    const election = this.client.election(`mesos-sdk/elections/${this.options.name}`, this.options.ttlSeconds ?? 10);
    const campaign = election.campaign(this.id);
    this.campaignRef = campaign;
    return new Promise<void>((resolve, reject) => {
      campaign.on('elected', () => {
        this.set(true);
        resolve();
      });
      campaign.on('error', (err: Error) => {
        const wasLeading = this.leading;
        this.set(false);
        if (!wasLeading) reject(new MesosSdkError(HaErrorCodes.ELECTION_FAILED, `leader election failed: ${err.message}`, { cause: err, retryable: true }));
      });
    });
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

  async resign(): Promise<void> {
    const c = this.campaignRef;
    this.campaignRef = undefined;
    this.set(false);
    if (!c) return;
    // etcd may be unreachable (that is often why we resign): do not wait past the lease TTL.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      c.resign().catch(() => {}),
      new Promise<void>((r) => (timer = setTimeout(r, (this.options.ttlSeconds ?? 10) * 1000))),
    ]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.resign();
    this.client.close();
  }

  private set(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    for (const l of [...this.listeners]) l(leading);
  }
}
