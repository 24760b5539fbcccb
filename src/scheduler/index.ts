export type { Scheduler, SubscriptionState, LifecycleEvent, EventHandler } from './scheduler.interface.js';
export { MesosScheduler, type SchedulerOptions } from './mesos-scheduler.js';
export { Calls } from './call-builders.js';
export { SchedulerErrorCodes } from './scheduler-error-codes.js';
