import type { v1 } from '../mesos-types.js';
import { fromMillis, toMillis } from '../resources/fixed-point.js';
import { containsRanges, normalizeRanges, pickFromRanges, rangesFromValues, rangesHas, rangesSize, subtractRanges, type Range } from '../resources/ranges.js';
import { isReserved } from '../resources/resources.js';
import { renderAttributes } from './attributes.js';
import type { AgentView, ResourceAmounts } from './placement-types.js';

type ScalarName = 'cpus' | 'mem' | 'disk' | 'gpus';
const SCALARS: readonly ScalarName[] = ['cpus', 'mem', 'disk', 'gpus'];

/** Resource identity without its quantity (shared by every resource carved from it). */
type Identity = Omit<v1.Resource, 'scalar' | 'ranges' | 'set'>;

interface ScalarSource {
  readonly identity: Identity;
  left: number;
}
interface PortSource {
  readonly identity: Identity;
  ranges: Range[];
}

/** Demand of one task in integer thousandths (scalars) plus its ports. @internal */
export interface Demand {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number;
  readonly portCount: number;
  readonly specificPorts: readonly number[] | undefined;
  readonly specificRanges: Range[] | undefined;
}

function carveScalar(sources: ScalarSource[], need: number, out: v1.Resource[]): void {
  for (let i = 0; i < sources.length && need > 0; i++) {
    const s = sources[i]!;
    if (s.left <= 0) continue;
    const take = s.left < need ? s.left : need;
    s.left -= take;
    need -= take;
    out.push(fromIdentity(s.identity, 'SCALAR', { value: fromMillis(take) }, undefined));
  }
}

function withRanges(identity: Identity, ranges: readonly Range[]): v1.Resource {
  return fromIdentity(identity, 'RANGES', undefined, { range: ranges.map((x) => ({ begin: x.begin, end: x.end })) });
}

/** A resource with the identity of a source (nested identity objects are shared, not copied). */
function fromIdentity(id: Identity, type: v1.Value.Type, scalar: v1.Value.Scalar | undefined, ranges: v1.Value.Ranges | undefined): v1.Resource {
  const r: v1.Resource = { name: id.name, type };
  if (scalar !== undefined) r.scalar = scalar;
  if (ranges !== undefined) r.ranges = ranges;
  if (id.provider_id !== undefined) r.provider_id = id.provider_id;
  if (id.role !== undefined) r.role = id.role;
  if (id.allocation_info !== undefined) r.allocation_info = id.allocation_info;
  if (id.reservation !== undefined) r.reservation = id.reservation;
  if (id.reservations !== undefined) r.reservations = id.reservations;
  if (id.disk !== undefined) r.disk = id.disk;
  return r;
}

/** Ranges from ascending, distinct values. */
function rangesFromSorted(values: readonly number[]): Range[] {
  const out: Range[] = [];
  let begin = values[0]!;
  let end = begin;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v === end + 1) end = v;
    else {
      out.push({ begin, end });
      begin = end = v;
    }
  }
  if (values.length > 0) out.push({ begin, end });
  return out;
}

function identityOf(r: v1.Resource): Identity {
  const { scalar: _s, ranges: _r, set: _t, ...identity } = r;
  return identity;
}

/** True for plain (root) disk that tasks can take a slice of: no persistence, no MOUNT/PATH/BLOCK source. */
function isPlainDisk(r: v1.Resource): boolean {
  return r.disk === undefined || (r.disk.persistence === undefined && r.disk.source === undefined && r.disk.volume === undefined);
}

/**
 * The free resources of one agent for one allocation role during a placement cycle, as plain
 * integers (scalars in thousandths) plus the sources to carve `v1.Resource`s from. @internal
 */
export class AgentNode implements AgentView {
  readonly attributes: Map<string, string>;
  readonly free: ResourceAmounts = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
  readonly total: ResourceAmounts = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
  readonly offerIds: v1.OfferID[] = [];
  readonly agentIdMsg: v1.AgentID;
  cpus = 0;
  mem = 0;
  disk = 0;
  gpus = 0;
  freePorts: Range[] = [];
  portCount = 0;
  assigned = 0;
  private readonly scalarSources: Record<ScalarName, ScalarSource[]> = { cpus: [], mem: [], disk: [], gpus: [] };
  private readonly portSources: PortSource[] = [];

  constructor(
    offer: v1.Offer,
    readonly role: string,
    readonly index: number,
  ) {
    this.agentIdMsg = offer.agent_id;
    this.hostname = offer.hostname;
    this.agentId = offer.agent_id.value;
    this.attributes = renderAttributes(offer.attributes);
    this.region = offer.domain?.fault_domain?.region?.name;
    this.zone = offer.domain?.fault_domain?.zone?.name;
  }
  /** Fault domain region and zone (constraint fields `@region`, `@zone`). */
  readonly region: string | undefined;
  readonly zone: string | undefined;
  readonly agentId: string;
  readonly hostname: string;

  /** Adds the usable resources of one offer (cpus, mem, plain disk, gpus, ports; not revocable or shared). */
  addOffer(offer: v1.Offer, resources: readonly v1.Resource[]): void {
    this.offerIds.push(offer.id);
    for (const r of resources) {
      if (r.revocable !== undefined || r.shared !== undefined) continue;
      if (r.type === 'SCALAR' && (SCALARS as readonly string[]).includes(r.name)) {
        if (r.name === 'disk' && !isPlainDisk(r)) continue;
        const v = r.scalar?.value;
        if (typeof v !== 'number' || !(v > 0)) continue;
        const m = toMillis(v);
        this.scalarSources[r.name as ScalarName].push({ identity: identityOf(r), left: m });
        this[r.name as ScalarName] += m;
      } else if (r.type === 'RANGES' && r.name === 'ports') {
        const ranges = normalizeRanges((r.ranges?.range ?? []).filter((x) => Number.isInteger(x.begin) && Number.isInteger(x.end)));
        if (ranges.length === 0) continue;
        this.portSources.push({ identity: identityOf(r), ranges });
      }
    }
  }

  /** Finishes construction: reserved sources first, totals computed. */
  seal(): void {
    for (const name of SCALARS) {
      const list = this.scalarSources[name];
      this.scalarSources[name] = [...list.filter((s) => isReserved(s.identity)), ...list.filter((s) => !isReserved(s.identity))];
    }
    const reservedFirst = [...this.portSources.filter((s) => isReserved(s.identity)), ...this.portSources.filter((s) => !isReserved(s.identity))];
    this.portSources.splice(0, this.portSources.length, ...reservedFirst);
    this.freePorts = normalizeRanges(this.portSources.flatMap((s) => s.ranges));
    this.portCount = rangesSize(this.freePorts);
    this.syncView();
    Object.assign(this.total, this.free);
  }

  private syncView(): void {
    const f = this.free;
    f.cpus = fromMillis(this.cpus);
    f.mem = fromMillis(this.mem);
    f.disk = fromMillis(this.disk);
    f.gpus = fromMillis(this.gpus);
    f.ports = this.portCount;
  }

  /** Whether the free resources can take the demand right now. */
  fits(d: Demand): boolean {
    if (this.cpus < d.cpus || this.mem < d.mem || this.disk < d.disk || this.gpus < d.gpus) return false;
    if (d.specificRanges !== undefined) return d.specificRanges.length === 0 || containsRanges(this.freePorts, d.specificRanges);
    return this.portCount >= d.portCount;
  }

  /**
   * Takes the demand (which must fit) and returns the carved resources and chosen ports.
   * `countsAsTask: false` for the executor share of a task already counted.
   */
  allocate(d: Demand, countsAsTask = true): { resources: v1.Resource[]; ports: number[] } {
    const resources: v1.Resource[] = [];
    const src = this.scalarSources;
    if (d.cpus > 0) {
      this.cpus -= d.cpus;
      carveScalar(src.cpus, d.cpus, resources);
    }
    if (d.mem > 0) {
      this.mem -= d.mem;
      carveScalar(src.mem, d.mem, resources);
    }
    if (d.disk > 0) {
      this.disk -= d.disk;
      carveScalar(src.disk, d.disk, resources);
    }
    if (d.gpus > 0) {
      this.gpus -= d.gpus;
      carveScalar(src.gpus, d.gpus, resources);
    }
    let ports: number[] = [];
    if (d.specificPorts !== undefined && d.specificPorts.length > 0) ports = [...d.specificPorts];
    else if (d.portCount > 0) ports = pickFromRanges(this.freePorts, d.portCount) ?? [];
    if (ports.length > 0) {
      const taken = d.specificPorts !== undefined ? rangesFromValues(ports) : rangesFromSorted(ports);
      this.freePorts = subtractRanges(this.freePorts, taken);
      this.portCount -= ports.length;
      if (this.portSources.length === 1) {
        const s = this.portSources[0]!;
        s.ranges = subtractRanges(s.ranges, taken);
        resources.push(withRanges(s.identity, taken));
      } else {
        for (const s of this.portSources) {
          const mine = ports.filter((p) => rangesHas(s.ranges, p));
          if (mine.length === 0) continue;
          const part = rangesFromValues(mine);
          s.ranges = subtractRanges(s.ranges, part);
          resources.push(withRanges(s.identity, part));
        }
      }
    }
    if (countsAsTask) this.assigned++;
    this.syncView();
    return { resources, ports };
  }

  /** Value of a constraint field on this agent: the hostname or a rendered attribute. */
  valueOf(field: string): string | undefined {
    if (field === 'hostname') return this.hostname;
    if (field === '@region') return this.region;
    if (field === '@zone') return this.zone;
    return this.attributes.get(field);
  }
}

/**
 * Combines offers into one node per (agent, allocation role), in order of each node's first offer.
 * Resources of an offer allocated to different roles (MULTI_ROLE) go to separate nodes. @internal
 */
export function buildNodes(offers: readonly v1.Offer[]): { nodes: AgentNode[]; nodeOfOffer: Map<string, AgentNode[]> } {
  const byKey = new Map<string, AgentNode>();
  const nodes: AgentNode[] = [];
  const nodeOfOffer = new Map<string, AgentNode[]>();
  for (const offer of offers) {
    const byRole = new Map<string, v1.Resource[]>();
    for (const r of offer.resources ?? []) {
      const role = r.allocation_info?.role ?? offer.allocation_info?.role ?? '*';
      let list = byRole.get(role);
      if (!list) byRole.set(role, (list = []));
      list.push(r);
    }
    if (byRole.size === 0) byRole.set(offer.allocation_info?.role ?? '*', []);
    const used: AgentNode[] = [];
    for (const [role, resources] of byRole) {
      const key = `${offer.agent_id.value}\u0000${role}`;
      let node = byKey.get(key);
      if (!node) {
        node = new AgentNode(offer, role, nodes.length);
        byKey.set(key, node);
        nodes.push(node);
      }
      node.addOffer(offer, resources);
      used.push(node);
    }
    nodeOfOffer.set(offer.id.value, used);
  }
  for (const n of nodes) n.seal();
  return { nodes, nodeOfOffer };
}
