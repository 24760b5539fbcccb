import type { v1 } from '../protocol/generated/index.js';

/** Scalar quantities are kept in thousandths, like Mesos's fixed-point resources. */
const SCALE = 1000;
const toFixed = (x: number) => Math.round(x * SCALE);

export interface Range {
  begin: number;
  end: number;
}

/** The unreserved resources of one simulated agent (or of one offer or task). */
export interface Quantities {
  /** CPUs. */
  cpus: number;
  /** Memory, MiB. */
  mem: number;
  /** Disk, MiB. */
  disk: number;
  /** GPUs. */
  gpus: number;
  /** Port ranges, sorted and merged. */
  ports: Array<{
    /** First port, inclusive. */
    begin: number;
    /** Last port, inclusive. */
    end: number;
  }>;
}

export const emptyQuantities = (): Quantities => ({ cpus: 0, mem: 0, disk: 0, gpus: 0, ports: [] });

function normalizeRanges(ranges: Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end >= r.begin).map((r) => ({ ...r })).sort((a, b) => a.begin - b.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

function subtractRanges(from: Range[], remove: Range[]): Range[] {
  let out = normalizeRanges(from);
  for (const r of normalizeRanges(remove)) {
    const next: Range[] = [];
    for (const f of out) {
      if (r.end < f.begin || r.begin > f.end) next.push(f);
      else {
        if (f.begin < r.begin) next.push({ begin: f.begin, end: r.begin - 1 });
        if (f.end > r.end) next.push({ begin: r.end + 1, end: f.end });
      }
    }
    out = next;
  }
  return out;
}

function rangesContain(outer: Range[], inner: Range[]): boolean {
  return subtractRanges(inner, outer).length === 0;
}

export function addQuantities(a: Quantities, b: Quantities): Quantities {
  return {
    cpus: (toFixed(a.cpus) + toFixed(b.cpus)) / SCALE,
    mem: (toFixed(a.mem) + toFixed(b.mem)) / SCALE,
    disk: (toFixed(a.disk) + toFixed(b.disk)) / SCALE,
    gpus: (toFixed(a.gpus) + toFixed(b.gpus)) / SCALE,
    ports: normalizeRanges([...a.ports, ...b.ports]),
  };
}

export function subtractQuantities(a: Quantities, b: Quantities): Quantities {
  return {
    cpus: (toFixed(a.cpus) - toFixed(b.cpus)) / SCALE,
    mem: (toFixed(a.mem) - toFixed(b.mem)) / SCALE,
    disk: (toFixed(a.disk) - toFixed(b.disk)) / SCALE,
    gpus: (toFixed(a.gpus) - toFixed(b.gpus)) / SCALE,
    ports: subtractRanges(a.ports, b.ports),
  };
}

export function containsQuantities(outer: Quantities, inner: Quantities): boolean {
  return (
    toFixed(outer.cpus) >= toFixed(inner.cpus) &&
    toFixed(outer.mem) >= toFixed(inner.mem) &&
    toFixed(outer.disk) >= toFixed(inner.disk) &&
    toFixed(outer.gpus) >= toFixed(inner.gpus) &&
    rangesContain(outer.ports, inner.ports)
  );
}

export function isEmptyQuantities(q: Quantities): boolean {
  return toFixed(q.cpus) <= 0 && toFixed(q.mem) <= 0 && toFixed(q.disk) <= 0 && toFixed(q.gpus) <= 0 && q.ports.length === 0;
}

/** Mesos's minimum allocatable resources: an offer needs at least 0.01 cpus or 32 MB of memory. */
export function isAllocatable(q: Quantities): boolean {
  return toFixed(q.cpus) >= 10 || toFixed(q.mem) >= 32 * SCALE;
}

/**
 * Reads unreserved resources from their protobuf form. Resources the simulator does not model
 * (reserved, persistent volumes, revocable) are reported in `unsupported`.
 */
export function fromResources(resources: v1.Resource[] = []): { quantities: Quantities; unsupported: string[] } {
  const q = emptyQuantities();
  const unsupported: string[] = [];
  for (const r of resources) {
    if ((r.reservations?.length ?? 0) > 0 || r.reservation || (r.role && r.role !== '*') || r.disk?.persistence || r.revocable) {
      unsupported.push(r.name);
      continue;
    }
    switch (r.name) {
      case 'cpus':
      case 'mem':
      case 'disk':
      case 'gpus':
        if (r.type !== 'SCALAR' || !r.scalar || !(r.scalar.value >= 0)) {
          unsupported.push(r.name);
          break;
        }
        q[r.name] = (toFixed(q[r.name]) + toFixed(r.scalar.value)) / SCALE;
        break;
      case 'ports':
        if (r.type !== 'RANGES' || !r.ranges) {
          unsupported.push(r.name);
          break;
        }
        q.ports = normalizeRanges([...q.ports, ...(r.ranges.range ?? []).map((x) => ({ begin: x.begin, end: x.end }))]);
        break;
      default:
        unsupported.push(r.name);
    }
  }
  return { quantities: q, unsupported };
}

/** Writes quantities as Mesos resources: `allocation_info` for a MULTI_ROLE framework's role, the deprecated `role` when given. */
export function toResources(q: Quantities, allocationRole: string | undefined, deprecatedRole: string | undefined): v1.Resource[] {
  const out: v1.Resource[] = [];
  const allocation = allocationRole ? { allocation_info: { role: allocationRole } } : {};
  const roleField = deprecatedRole ? { role: deprecatedRole } : {};
  for (const name of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    if (toFixed(q[name]) > 0) out.push({ name, type: 'SCALAR', scalar: { value: q[name] }, ...roleField, ...allocation });
  }
  if (q.ports.length > 0) out.push({ name: 'ports', type: 'RANGES', ranges: { range: q.ports.map((r) => ({ ...r })) }, ...roleField, ...allocation });
  return out;
}
