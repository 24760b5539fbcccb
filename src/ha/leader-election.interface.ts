/**
 * Leader election (bound to `TOKENS.LeaderElection`): only the leader subscribes to Mesos.
 * The default, {@link AlwaysLeader}, suits a single instance; {@link EtcdLeaderElection} runs
 * several instances with one leader and standbys.
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
} as const;
