export { HaErrorCodes, type LeaderElection } from './leader-election.interface.js';
export { AlwaysLeader } from './always-leader.js';
export { EtcdLeaderElection, type EtcdLeaderElectionOptions, type EtcdWriteFence, type EtcdFenceSource } from './etcd-leader-election.js';
