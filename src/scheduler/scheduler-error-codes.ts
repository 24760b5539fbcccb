/** Stable error codes of the scheduler state machine. */
export const SchedulerErrorCodes = {
  NOT_SUBSCRIBED: 'ERR_NOT_SUBSCRIBED',
  HEARTBEAT_TIMEOUT: 'ERR_HEARTBEAT_TIMEOUT',
  STREAM_ENDED: 'ERR_STREAM_ENDED',
  FRAMEWORK_FAILED_OVER: 'ERR_FRAMEWORK_FAILED_OVER',
  FRAMEWORK_REMOVED: 'ERR_FRAMEWORK_REMOVED',
  SUBSCRIPTION_REFUSED: 'ERR_SUBSCRIPTION_REFUSED',
  MESOS_ERROR_EVENT: 'ERR_MESOS_ERROR_EVENT',
  STOPPED: 'ERR_SCHEDULER_STOPPED',
  /** start() gave up: no master took the subscription within startTimeoutMs, or none can (see the message). */
  MASTER_UNREACHABLE: 'ERR_MASTER_UNREACHABLE',
} as const;
