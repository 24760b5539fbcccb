import type { LeaderElection } from './leader-election.interface.js';

/** The single-instance default: this instance always leads. */
export class AlwaysLeader implements LeaderElection {
  readonly isLeader = true;
  async campaign(): Promise<void> {}
  onChange(listener: (leading: boolean) => void): () => void {
    void listener;
    return () => {};
  }
  assertLeader(): void {}
  async resign(): Promise<void> {}
  async close(): Promise<void> {}
}
