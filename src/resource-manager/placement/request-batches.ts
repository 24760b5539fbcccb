import { fromMillis, toMillis } from '../resources/fixed-point.js';
import { rangesFromValues } from '../resources/ranges.js';
import type { Demand } from './agent-node.js';
import { compileConstraints, constraintError, requestProblems, type CompiledConstraint } from './constraints.js';
import type { PlacementRequest, ResourceAmounts } from './placement-types.js';

/**
 * Groups identical requests into batches that placement handles together, validating each distinct
 * request once. @internal
 */

/** Identical requests (same group, role, resources, constraints) placed together. */
export interface Batch {
  readonly group: string;
  readonly role: string | undefined;
  /** Task and executor together: what must fit. */
  readonly demand: Demand;
  /** The task's part of `demand`, and the executor's (when the request names one). */
  readonly taskDemand: Demand;
  readonly executorDemand: Demand | undefined;
  readonly units: ResourceAmounts;
  readonly constraints: CompiledConstraint[];
  readonly ids: string[];
}


function batchKey(r: PlacementRequest): string {
  const res = r.resources;
  const ports = Array.isArray(res.ports) ? `[${(res.ports as number[]).join(',')}]` : String(res.ports ?? 0);
  let key = `${r.group}\u0000${r.role ?? ''}\u0000${res.cpus}\u0000${res.mem}\u0000${res.disk ?? 0}\u0000${res.gpus ?? 0}\u0000${ports}`;
  if (r.constraints !== undefined) for (const c of r.constraints) key += `\u0000${c[0]}\u0001${c[1]}\u0001${c[2] ?? ''}`;
  if (r.executor !== undefined) key += `\u0000executor\u0001${r.executor.cpus}\u0001${r.executor.mem}\u0001${r.executor.disk ?? 0}`;
  return key;
}

function sameRequest(a: PlacementRequest, b: PlacementRequest): boolean {
  if (a.group !== b.group || a.role !== b.role) return false;
  const x = a.resources;
  const y = b.resources;
  if (x.cpus !== y.cpus || x.mem !== y.mem || x.disk !== y.disk || x.gpus !== y.gpus) return false;
  const e = a.executor;
  const f = b.executor;
  if (e !== f && (e === undefined || f === undefined || e.cpus !== f.cpus || e.mem !== f.mem || e.disk !== f.disk)) return false;
  if (x.ports !== y.ports) {
    if (!Array.isArray(x.ports) || !Array.isArray(y.ports) || x.ports.length !== y.ports.length) return false;
    for (let i = 0; i < x.ports.length; i++) if (x.ports[i] !== y.ports[i]) return false;
  }
  const c = a.constraints;
  const d = b.constraints;
  if (c === d) return true;
  if (c === undefined || d === undefined || c.length !== d.length) return false;
  for (let i = 0; i < c.length; i++) if (c[i]![0] !== d[i]![0] || c[i]![1] !== d[i]![1] || c[i]![2] !== d[i]![2]) return false;
  return true;
}

/** Groups and validates requests. Throws one ValidationError listing every problem. */
export function makeBatches(requests: readonly PlacementRequest[]): Batch[] {
  const problems: Array<{ path: string; message: string }> = [];
  const byKey = new Map<string, Batch>();
  const ids = new Set<string>();
  const batches: Batch[] = [];
  let prev: PlacementRequest | undefined;
  let prevBatch: Batch | undefined;
  requests.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || r.resources === null || typeof r.resources !== 'object') {
      requestProblems(r, `requests[${i}]`, problems);
      return;
    }
    if (ids.has(r.id)) problems.push({ path: `requests[${i}].id`, message: `duplicate request id ${JSON.stringify(r.id)}` });
    ids.add(r.id);
    if (prev !== undefined && prevBatch !== undefined && sameRequest(prev, r)) {
      prevBatch.ids.push(r.id);
      prev = r;
      return;
    }
    prev = r;
    prevBatch = undefined;
    const key = batchKey(r);
    const existing = byKey.get(key);
    if (existing) {
      existing.ids.push(r.id);
      prevBatch = existing;
      return;
    }
    const path = `requests[${i}]`;
    const before = problems.length;
    requestProblems(r, path, problems);
    const constraints = compileConstraints(r.constraints, `${path}.constraints`, problems);
    if (problems.length > before || constraints === undefined) return;
    const res = r.resources;
    const specificPorts = Array.isArray(res.ports) ? (res.ports as readonly number[]) : undefined;
    const demand: Demand = {
      cpus: toMillis(res.cpus),
      mem: toMillis(res.mem),
      disk: toMillis(res.disk ?? 0),
      gpus: toMillis(res.gpus ?? 0),
      portCount: specificPorts ? specificPorts.length : ((res.ports as number | undefined) ?? 0),
      specificPorts,
      specificRanges: specificPorts ? rangesFromValues(specificPorts) : undefined,
    };
    const ex = r.executor;
    const executorDemand: Demand | undefined = ex
      ? { cpus: toMillis(ex.cpus), mem: toMillis(ex.mem), disk: toMillis(ex.disk ?? 0), gpus: 0, portCount: 0, specificPorts: undefined, specificRanges: undefined }
      : undefined;
    const total: Demand = executorDemand
      ? { ...demand, cpus: demand.cpus + executorDemand.cpus, mem: demand.mem + executorDemand.mem, disk: demand.disk + executorDemand.disk }
      : demand;
    const units = ex
      ? { cpus: fromMillis(total.cpus), mem: fromMillis(total.mem), disk: fromMillis(total.disk), gpus: res.gpus ?? 0, ports: demand.portCount }
      : { cpus: res.cpus, mem: res.mem, disk: res.disk ?? 0, gpus: res.gpus ?? 0, ports: demand.portCount };
    const batch: Batch = { group: r.group, role: r.role, demand: total, taskDemand: demand, executorDemand, units, constraints, ids: [r.id] };
    byKey.set(key, batch);
    batches.push(batch);
    prevBatch = batch;
  });
  if (problems.length > 0) throw constraintError(problems);
  // Constrained batches are harder to satisfy: place them first; otherwise keep input order.
  return [...batches.filter((b) => b.constraints.length > 0), ...batches.filter((b) => b.constraints.length === 0)];
}
