export type { Scheduler, SubscriptionState, LifecycleEvent, EventHandler, SchedulerEventHandler, SchedulerObserver } from './scheduler.interface.js';
export { isSchedulerEvent, SCHEDULER_EVENT_FIELDS, type SchedulerEvent, type SchedulerEventType, type SchedulerEventFields, type UnknownSchedulerEvent, type EventOfType } from './scheduler-event.js';
export { MesosScheduler, type SchedulerOptions } from './mesos-scheduler.js';
export { Calls } from './call-builders.js';
export { SchedulerErrorCodes } from './scheduler-error-codes.js';
