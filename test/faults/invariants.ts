import type { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import type { TaskManager } from '../../src/task-manager/task-manager.js';
import type { TaskDefinition } from '../../src/task-spec/task-definition.js';
import type { TaskRecordState } from '../../src/task-manager/task-record.js';

/**
 * The promises a scheduler must keep whatever happened during a run, checked against the
 * simulator's own records (what was launched, what ended, what is still unacknowledged) and the
 * task manager's. Each check returns readable violations; an empty list means all hold.
 */
export interface InvariantInput {
  sim: SimulatedMaster;
  tasks: TaskManager;
  definitions: TaskDefinition[];
  /** Every framework id the framework instances reported (subscriptions, re-subscriptions, restarts). */
  frameworkIds: string[];
  /** Expected end state per definition name. @default TASK_FINISHED for every definition */
  expected?: Record<string, TaskRecordState>;
}

const slotOf = (taskId: string) => taskId.split('.').slice(0, 2).join('.');

/** Slots `<name>.<instance>` the definitions ask for. */
export function slotsOf(definitions: TaskDefinition[]): string[] {
  return definitions.flatMap((d) => Array.from({ length: d.instances ?? 1 }, (_, i) => `${d.name}.${i}`));
}

/** How many slots currently show their expected end state (TASK_FINISHED by default) in the task manager. */
export function expectedFinished(tasks: TaskManager, definitions: TaskDefinition[], expected: Record<string, TaskRecordState> = {}): number {
  const names = new Set(definitions.map((d) => d.name));
  return tasks.list().filter((r) => names.has(r.name) && r.state === (expected[r.name] ?? 'TASK_FINISHED')).length;
}

/**
 * Offers of these frameworks still outstanding after `ms` and before it: neither accepted nor
 * declined, so their resources are offered to no one (Mesos has no offer timeout by default).
 */
export async function leakedOffers(sim: SimulatedMaster, frameworkIds: string[], ms = 300): Promise<string[]> {
  const ids = new Set(frameworkIds);
  const outstanding = () => [...sim.engine.offers.values()].filter((o) => ids.has(o.frameworkId));
  const before = new Set(outstanding().map((o) => o.id));
  await new Promise((r) => setTimeout(r, ms));
  return outstanding().filter((o) => before.has(o.id)).map((o) => `offer ${o.id} stayed outstanding ${ms}+ ms after the run (neither accepted nor declined)`);
}

export function checkInvariants(input: InvariantInput): string[] {
  const { sim, tasks, definitions, frameworkIds } = input;
  const expected = input.expected ?? {};
  const violations: string[] = [];
  const engine = sim.engine;

  // The framework id never changes.
  const ids = [...new Set(frameworkIds)];
  if (ids.length !== 1) violations.push(`framework id changed: ${ids.join(', ') || 'none seen'}`);
  const fwIds = new Set(ids);

  // Every slot has exactly one current record, in its expected end state.
  const slots = slotsOf(definitions);
  const current = new Map<string, string[]>();
  for (const r of tasks.list()) current.set(`${r.name}.${r.instance}`, [...(current.get(`${r.name}.${r.instance}`) ?? []), `${r.id}=${r.state}`]);
  for (const slot of slots) {
    const recs = current.get(slot) ?? [];
    const want = expected[slot.split('.')[0]!] ?? 'TASK_FINISHED';
    if (recs.length !== 1) violations.push(`slot ${slot} has ${recs.length} current records: ${recs.join(', ')}`);
    else if (!recs[0]!.endsWith(`=${want}`)) violations.push(`slot ${slot} ended as ${recs[0]}, expected ${want}`);
  }

  // No task id launched twice.
  const launches = new Map<string, number>();
  for (const l of engine.launchLog) if (fwIds.has(l.frameworkId)) launches.set(l.taskId, (launches.get(l.taskId) ?? 0) + 1);
  for (const [id, n] of launches) if (n > 1) violations.push(`task ${id} was launched ${n} times`);

  // Each slot reached its expected end exactly once on the cluster (never two attempts both finishing).
  const ends = new Map<string, number>();
  for (const t of engine.completedTasks) {
    if (!fwIds.has(t.frameworkId)) continue;
    const slot = slotOf(t.taskId);
    if (t.state === (expected[slot.split('.')[0]!] ?? 'TASK_FINISHED')) ends.set(slot, (ends.get(slot) ?? 0) + 1);
  }
  for (const slot of slots) {
    const n = ends.get(slot) ?? 0;
    if (n !== 1) violations.push(`slot ${slot} reached its end state ${n} times on the cluster`);
  }

  // Nothing still runs and no status update is left unacknowledged.
  for (const t of engine.tasks.values()) {
    if (!fwIds.has(t.frameworkId)) continue;
    if (t.updates.pending.length > 0) violations.push(`task ${t.info.task_id.value} has ${t.updates.pending.length} unacknowledged update(s) (${t.updates.pending.map((u) => u.state).join(', ')})`);
    else violations.push(`task ${t.info.task_id.value} is still ${t.state} on the cluster`);
  }
  return violations;
}
