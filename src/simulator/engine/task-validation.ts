import type { v1 } from '../../protocol/generated/index.js';
import { holdingResources, type Holding } from '../sim-holdings.js';

/** Mesos 1.11's rules for an id (`common::validation::validateID`), with its texts. */
export function taskIdError(id: string): string | undefined {
  if (id === '') return 'ID must not be empty';
  if (id.length > 255) return 'ID must not be greater than 255 characters';
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  if (/[\x00-\x1f\x7f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** The resource order of a Mesos 1.11 agent's offers (`ports` first), for the master's texts. */
const MESOS_RESOURCE_ORDER = ['ports', 'cpus', 'mem', 'disk', 'gpus'];

/** Resources written as the master writes them: `cpus(allocated: *):0.5; ports(allocated: *):[31000-31009]`. */
export function mesosResourcesText(resources: v1.Resource[], role: string): string {
  return resources
    .map((r) => {
      const value =
        r.type === 'RANGES'
          ? `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(', ')}]`
          : r.type === 'SET'
            ? `{${(r.set?.item ?? []).join(', ')}}`
            : String(Math.round((r.scalar?.value ?? 0) * 1000) / 1000);
      // A reservation in the pre-refinement format (`role` and `reservation`) is written as its refined form.
      const refined = r.reservations?.length ? r.reservations : r.reservation && r.role && r.role !== '*' ? [{ type: 'DYNAMIC' as const, role: r.role, ...(r.reservation.principal ? { principal: r.reservation.principal } : {}) }] : [];
      const reservations = refined.length ? `(reservations: [${refined.map((x) => `(${x.type},${x.role}${x.principal ? `,${x.principal}` : ''})`).join(', ')}])` : '';
      const volume = r.disk?.persistence ? `[${r.disk.persistence.id}:${r.disk.volume?.container_path ?? ''}]` : '';
      return `${r.name}(allocated: ${r.allocation_info?.role ?? role})${reservations}${volume}:${value}`;
    })
    .join('; ');
}

/** The master's TASK_ERROR text for a task (and its executor) asking for more than the offers hold. */
export function shortfallMessage(task: v1.TaskInfo, pool: Holding): string {
  const required = [...(task.resources ?? []), ...(task.executor?.resources ?? [])];
  return `Total resources ${mesosResourcesText(required, pool.role)} required by task and its executor is more than available ${holdingText(pool)}`;
}

/** What the pooled offers hold, as the master writes it in its texts (ports, cpus, mem, disk, ...). */
export function holdingText(pool: Holding): string {
  const rank = (r: v1.Resource) => (MESOS_RESOURCE_ORDER.indexOf(r.name) + MESOS_RESOURCE_ORDER.length + 1) % (MESOS_RESOURCE_ORDER.length + 1);
  return mesosResourcesText(holdingResources(pool, true, true).sort((a, b) => rank(a) - rank(b)), pool.role);
}
