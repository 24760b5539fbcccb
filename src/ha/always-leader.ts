import type { LeaderElection } from './leader-election.interface.js';

/** The single-instance default: this instance always leads. */
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
