import { MesosSdkError } from '../errors/mesos-sdk.error.js';
import { NotSubscribedError } from '../errors/families.js';
import { HaErrorCodes, type LeaderElection } from './leader-election.interface.js';

/** The code `stop()` gives calls after it (as in `LifecycleErrorCodes`; repeated here to keep `ha` free of `bootstrap`). */
const FRAMEWORK_STOPPED = 'ERR_FRAMEWORK_STOPPED';

/** `err` and its `cause` chain (a few levels: user code may wrap). */
function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

/**
 * True when `err`, or an error in its `cause` chain, is a `MesosSdkError` `ERR_FENCED`: a storage
 * write refused because this instance no longer leads. It is not a storage outage; the instance
 * is stopping (`createFramework` stops it and it restarts as a standby).
 */
export function isFencedError(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof MesosSdkError && e.code === HaErrorCodes.FENCED) return true;
  return false;
}

/**
 * True when a call to the master failed because this instance may no longer act for the
 * framework: a `NotSubscribedError` `ERR_NOT_LEADER` (the leadership is lost, the call was fenced
 * off before it was sent) or `ERR_FRAMEWORK_STOPPED` (after `stop()`), or `election` no longer
 * leads. What the call would have changed is left for the next leader to reconcile. (An `ApiError`
 * `ERR_NOT_LEADER` is another thing: the Mesos master addressed does not lead the Mesos cluster.)
 */
export function leadershipGone(err: unknown, election?: Pick<LeaderElection, 'isLeader'>): boolean {
  if (election && !election.isLeader) return true;
  for (const e of causes(err)) if (e instanceof NotSubscribedError && (e.code === HaErrorCodes.NOT_LEADER || e.code === FRAMEWORK_STOPPED)) return true;
  return false;
}
