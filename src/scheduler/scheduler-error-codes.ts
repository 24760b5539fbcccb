/** Stable error codes of the scheduler state machine. */
export const SchedulerErrorCodes = {
  /** `NotSubscribedError`: a call was made while not subscribed; wait for the subscription and retry. */
  NOT_SUBSCRIBED: 'ERR_NOT_SUBSCRIBED',
  /** `SubscriptionError` (retryable): no event for `heartbeatMissLimit` heartbeat intervals; the scheduler reconnects. */
  HEARTBEAT_TIMEOUT: 'ERR_HEARTBEAT_TIMEOUT',
  /** `SubscriptionError` (retryable): the master closed the event stream; the scheduler reconnects. */
  STREAM_ENDED: 'ERR_STREAM_ENDED',
  /** `SubscriptionError`: ERROR "Framework failed over": another scheduler took the framework over; this one stops. */
  FRAMEWORK_FAILED_OVER: 'ERR_FRAMEWORK_FAILED_OVER',
  /** `SubscriptionError`: ERROR saying the framework was removed (torn down); the scheduler stops. */
  FRAMEWORK_REMOVED: 'ERR_FRAMEWORK_REMOVED',
  /** `SubscriptionError`: an ERROR before SUBSCRIBED: the master refused the subscription (bad FrameworkInfo, role...). */
  SUBSCRIPTION_REFUSED: 'ERR_SUBSCRIPTION_REFUSED',
  /** `SubscriptionError` (retryable): any other ERROR event after SUBSCRIBED; the subscription goes on. */
  MESOS_ERROR_EVENT: 'ERR_MESOS_ERROR_EVENT',
  /** Lifecycle misuse (`start()` twice, `resumeFramework()` after `start()`), or stopped before it subscribed. */
  STOPPED: 'ERR_SCHEDULER_STOPPED',
  /** start() gave up: no master took the subscription within startTimeoutMs, or none can (see the message). */
  MASTER_UNREACHABLE: 'ERR_MASTER_UNREACHABLE',
} as const;
