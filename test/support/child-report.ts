/**
 * What the framework child processes (ha-node, ha-fence-node, task-node) print: one JSON line per
 * milestone on stdout, which the tests that spawn them read.
 */
import type { TaskManager } from '../../src/index.js';

/** Prints one milestone line: `{ ev, pid, at, ...extra }`. */
export const say = (ev: string, extra: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ ev, pid: process.pid, at: Date.now(), ...extra })}\n`);

/** Every record, ended attempts included, as `id:state[:superseded]`. */
export function historyIds(tasks: TaskManager): string[] {
  return tasks.list({ history: true }).map((r) => `${r.id}:${r.state}${r.superseded ? ':superseded' : ''}`);
}

/** Once the task manager is idle (and `ready()` holds), says `ev` with the counts and the record ids, then runs `then`. */
export function sayWhenIdle(tasks: TaskManager, ev: string, options: { ready?: () => boolean; then?: () => void } = {}): void {
  const timer = setInterval(() => {
    if (!tasks.idle || !(options.ready?.() ?? true)) return;
    clearInterval(timer);
    say(ev, { counts: tasks.counts(), ids: historyIds(tasks) });
    options.then?.();
  }, 100);
}
