import { inject } from 'inversify';
import { EventController, OnUpdate, TOKENS, isTerminal, type TaskManager, type v1 } from '../../src/index.js';

/** The only handler this sample needs: it watches task updates and reports progress. */
@EventController()
export class ProgressController {
  onProgress: (done: number, total: number) => void = () => {};
  private resolveDone!: () => void;
  /** Resolves when every task has ended (after its retries). */
  readonly done = new Promise<void>((r) => (this.resolveDone = r));

  constructor(@inject(TOKENS.TaskManager) private readonly tasks: TaskManager) {}

  @OnUpdate()
  update(_status: v1.TaskStatus): void {
    const current = this.tasks.list();
    this.onProgress(current.filter((t) => isTerminal(t.state)).length, current.length);
    if (current.length > 0 && this.tasks.idle) this.resolveDone();
  }
}
