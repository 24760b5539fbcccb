import { inject } from 'inversify';
import {
  EventController, OnOffers, OnReconnected, OnRescind, OnUpdate, TOKENS, toPlacementRequest, toTaskInfo,
  type Scheduler, type ResourceManager, type TaskDefinition, type v1,
} from '../../src/index.js';

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);

/** Launches every task instance once on the offers it gets, and tracks them to their end. */
@EventController()
export class LaunchTasksController {
  readonly pending = new Map<string, TaskDefinition>();
  readonly states = new Map<string, string>();
  onProgress: (done: number, total: number) => void = () => {};
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(@inject(TOKENS.Scheduler) private readonly scheduler: Scheduler, @inject(TOKENS.ResourceManager) private readonly resources: ResourceManager) {}

  submit(specs: TaskDefinition[]): void {
    for (const spec of specs) for (let i = 0; i < (spec.instances ?? 1); i++) this.pending.set(`${spec.name}.${i}`, spec);
  }

  @OnOffers()
  async offers(offers: v1.Offer[]): Promise<void> {
    this.resources.onOffers(offers);
    const requests = [...this.pending].map(([id, def]) => toPlacementRequest(def, id));
    const placement = this.resources.placePending(requests);
    for (const { offerIds, assignments } of placement.accept) {
      const tasks: v1.TaskInfo[] = assignments.map((a) =>
        toTaskInfo(this.pending.get(a.requestId)!, { taskId: a.requestId, agentId: a.agentId, resources: a.resources, ports: a.ports }),
      );
      for (const t of tasks) {
        this.pending.delete(t.task_id.value);
        this.states.set(t.task_id.value, 'TASK_STAGING');
      }
      await this.scheduler.accept(offerIds, [{ type: 'LAUNCH', launch: { task_infos: tasks } }], { refuse_seconds: 1 });
    }
    if (placement.decline.length) await this.scheduler.decline(placement.decline, placement.declineFilters);
    if (this.resources.shouldSuppress(this.pending.size)) {
      await this.scheduler.suppress();
      this.resources.recordSuppressed();
    }
  }

  @OnRescind()
  rescind(offerId: v1.OfferID): void {
    this.resources.onRescind(offerId);
  }

  @OnUpdate()
  update(status: v1.TaskStatus): void {
    if (!this.states.has(status.task_id.value) || TERMINAL.has(this.states.get(status.task_id.value)!)) return;
    this.states.set(status.task_id.value, status.state);
    const done = [...this.states.values()].filter((s) => TERMINAL.has(s)).length;
    this.onProgress(done, this.states.size + this.pending.size);
    if (this.pending.size === 0 && done === this.states.size) this.resolveDone();
  }

  @OnReconnected()
  async reconnected(): Promise<void> {
    const open = [...this.states].filter(([, s]) => !TERMINAL.has(s)).map(([id]) => ({ task_id: { value: id } }));
    if (open.length) await this.scheduler.reconcile(open);
  }
}
