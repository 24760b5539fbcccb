import { codecFor, type MessageCodec } from './codec.js';
import type { executor, master, scheduler, v1 } from './generated/index.js';

/**
 * Typed codecs of the messages that travel on the Mesos V1 HTTP APIs. Each is created lazily
 * on first use and cached.
 *
 * @example
 * ```ts
 * const bytes = Codecs.schedulerCall().encode({ type: 'DECLINE', ... }, 'protobuf');
 * const event = Codecs.schedulerEvent().decode(record, 'json');
 * ```
 */
export const Codecs = {
  /** `mesos.v1.scheduler.Call`: what a scheduler POSTs to `/api/v1/scheduler`. */
  schedulerCall: (): MessageCodec<scheduler.Call> => codecFor<scheduler.Call>('mesos.v1.scheduler.Call'),
  /** `mesos.v1.scheduler.Event`: one record of the SUBSCRIBE stream. */
  schedulerEvent: (): MessageCodec<scheduler.Event> => codecFor<scheduler.Event>('mesos.v1.scheduler.Event'),
  /** `mesos.v1.scheduler.Response`: the body answering a RECONCILE_OPERATIONS call. */
  schedulerResponse: (): MessageCodec<scheduler.Response> => codecFor<scheduler.Response>('mesos.v1.scheduler.Response'),
  /** `mesos.v1.executor.Call`: what an executor POSTs to the agent's `/api/v1/executor`. */
  executorCall: (): MessageCodec<executor.Call> => codecFor<executor.Call>('mesos.v1.executor.Call'),
  /** `mesos.v1.executor.Event`: one record of the executor's SUBSCRIBE stream. */
  executorEvent: (): MessageCodec<executor.Event> => codecFor<executor.Event>('mesos.v1.executor.Event'),
  /** `mesos.v1.master.Call`: an operator API call to the master's `/api/v1`. */
  masterCall: (): MessageCodec<master.Call> => codecFor<master.Call>('mesos.v1.master.Call'),
  /** `mesos.v1.master.Response`: the master's answer to an operator call. */
  masterResponse: (): MessageCodec<master.Response> => codecFor<master.Response>('mesos.v1.master.Response'),
  /** `mesos.v1.master.Event`: one record of the operator SUBSCRIBE stream. */
  masterEvent: (): MessageCodec<master.Event> => codecFor<master.Event>('mesos.v1.master.Event'),
  /** `mesos.v1.TaskInfo`: a task description (as in LAUNCH operations). */
  taskInfo: (): MessageCodec<v1.TaskInfo> => codecFor<v1.TaskInfo>('mesos.v1.TaskInfo'),
  /** `mesos.v1.TaskStatus`: a task state update. */
  taskStatus: (): MessageCodec<v1.TaskStatus> => codecFor<v1.TaskStatus>('mesos.v1.TaskStatus'),
  /** `mesos.v1.FrameworkInfo`: a framework's description (as sent in SUBSCRIBE). */
  frameworkInfo: (): MessageCodec<v1.FrameworkInfo> => codecFor<v1.FrameworkInfo>('mesos.v1.FrameworkInfo'),
} as const;
