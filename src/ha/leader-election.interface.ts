/**
 * Leader election (bound to `TOKENS.LeaderElection`): only the leader subscribes to Mesos.
 * The default, {@link AlwaysLeader}, suits a single instance; {@link EtcdLeaderElection} runs
 * several instances with one leader and standbys.
 *
 * Calls to Mesos are fenced by {@link LeaderElection.assertLeader}. Storage writes need a fence
 * that the store itself checks, or a leader paused past its lease could write after a standby took
 * over: `EtcdLeaderElection` gives `EtcdStorage` one (see `EtcdFenceSource`). `AlwaysLeader` needs
 * none, there being no other instance to take over. An election of your own on another backend
 * should give its store the equivalent (a precondition evaluated by the store, in the same
 * transaction as the write).
 */
export interface LeaderElection {
  /** Resolves once this instance leads. */
  campaign(): Promise<void>;
  /** True while this instance holds the leadership. */
  readonly isLeader: boolean;
  /** Called with `true` when elected and `false` when the leadership is lost; returns an unsubscribe function. */
  onChange(listener: (leading: boolean) => void): () => void;
  /**
   * Fencing: throws `ERR_NOT_LEADER` at once unless this instance leads. Checked before every call
   * sent to the master, so a deposed leader sends nothing.
   */
  assertLeader(): void;
  /** Gives the leadership up (a standby takes over). */
  resign(): Promise<void>;
  /** Resigns if leading and releases the election's resources (its etcd client, say); the framework calls it on `stop()`. */
  close(): Promise<void>;
}

/** Codes of the leader-election errors. */
export const HaErrorCodes = {
  /** `NotSubscribedError` from `assertLeader()`: this instance is not the leader, so the call to Mesos was not sent. */
  NOT_LEADER: 'ERR_NOT_LEADER',
  /** `MesosSdkError`: the campaign ended without leadership (the election was closed first). */
  ELECTION_FAILED: 'ERR_ELECTION_FAILED',
  /**
   * `StorageError` (not retryable): a storage write of an instance that is not the leader was
   * refused, by etcd (the election key it was conditioned on is gone: the lease expired, another
   * instance may lead) or before it was sent (this instance knows it does not lead). Nothing was
   * written; the instance should stop and restart as a standby (`createFramework` does so).
   */
  FENCED: 'ERR_FENCED',
} as const;
