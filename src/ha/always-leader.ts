import type { LeaderElection } from './leader-election.interface.js';

/**
 * The single-instance default: this instance always leads. Its storage writes carry no leadership
 * precondition: with one instance there is no other leader they could overwrite (run a second
 * instance on the same state only with an election that fences storage, such as
 * `EtcdLeaderElection` with `EtcdStorage`).
 */
export class AlwaysLeader implements LeaderElection {
  /** Always true. */
  readonly isLeader = true;
  async campaign(): Promise<void> {}
  onChange(listener: (leading: boolean) => void): () => void {
    void listener;
    return () => {};
  }
  assertLeader(): void {}
  async resign(): Promise<void> {}
  /** Nothing to release. */
  async close(): Promise<void> {}
}
