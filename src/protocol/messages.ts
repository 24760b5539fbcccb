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
  schedulerCall: (): MessageCodec<scheduler.Call> => codecFor<scheduler.Call>('mesos.v1.scheduler.Call'),
  schedulerEvent: (): MessageCodec<scheduler.Event> => codecFor<scheduler.Event>('mesos.v1.scheduler.Event'),
  schedulerResponse: (): MessageCodec<scheduler.Response> => codecFor<scheduler.Response>('mesos.v1.scheduler.Response'),
  executorCall: (): MessageCodec<executor.Call> => codecFor<executor.Call>('mesos.v1.executor.Call'),
  executorEvent: (): MessageCodec<executor.Event> => codecFor<executor.Event>('mesos.v1.executor.Event'),
  masterCall: (): MessageCodec<master.Call> => codecFor<master.Call>('mesos.v1.master.Call'),
  masterResponse: (): MessageCodec<master.Response> => codecFor<master.Response>('mesos.v1.master.Response'),
  masterEvent: (): MessageCodec<master.Event> => codecFor<master.Event>('mesos.v1.master.Event'),
  taskInfo: (): MessageCodec<v1.TaskInfo> => codecFor<v1.TaskInfo>('mesos.v1.TaskInfo'),
  taskStatus: (): MessageCodec<v1.TaskStatus> => codecFor<v1.TaskStatus>('mesos.v1.TaskStatus'),
  frameworkInfo: (): MessageCodec<v1.FrameworkInfo> => codecFor<v1.FrameworkInfo>('mesos.v1.FrameworkInfo'),
} as const;
