import type { v1 } from '../../src/resource-manager/mesos-types.js';

export interface OfferSpec {
  id?: string;
  agent: string;
  hostname?: string;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: Array<[number, number]>;
  attributes?: Record<string, string | number>;
  /** MULTI_ROLE: allocation role of the offer and every resource. */
  role?: string;
  /** Dynamically reserved resources for `role` in addition to the unreserved ones. */
  reserved?: { cpus?: number; mem?: number; ports?: Array<[number, number]> };
}

let seq = 0;

/** A realistic Mesos offer: unreserved cpus/mem/disk/ports, optional reservations and MULTI_ROLE allocation_info. */
export function makeOffer(s: OfferSpec): v1.Offer {
  const alloc = s.role !== undefined ? { allocation_info: { role: s.role } } : {};
  const resources: v1.Resource[] = [];
  const scalar = (name: string, value: number, extra: Partial<v1.Resource> = {}): v1.Resource => ({ name, type: 'SCALAR', scalar: { value }, ...alloc, ...extra });
  const reservation = { reservations: [{ type: 'DYNAMIC' as const, role: s.role ?? 'web', principal: 'ops' }] };
  if (s.reserved?.cpus !== undefined) resources.push(scalar('cpus', s.reserved.cpus, reservation));
  if (s.reserved?.mem !== undefined) resources.push(scalar('mem', s.reserved.mem, reservation));
  if (s.reserved?.ports !== undefined) resources.push({ name: 'ports', type: 'RANGES', ranges: { range: s.reserved.ports.map(([begin, end]) => ({ begin, end })) }, ...alloc, ...reservation });
  resources.push(scalar('cpus', s.cpus ?? 4));
  resources.push(scalar('mem', s.mem ?? 8192));
  resources.push(scalar('disk', s.disk ?? 10_000));
  if (s.gpus !== undefined) resources.push(scalar('gpus', s.gpus));
  resources.push({ name: 'ports', type: 'RANGES', ranges: { range: (s.ports ?? [[31000, 32000]]).map(([begin, end]) => ({ begin, end })) }, ...alloc });
  const attributes: v1.Attribute[] = Object.entries(s.attributes ?? {}).map(([name, value]) =>
    typeof value === 'number' ? { name, type: 'SCALAR', scalar: { value } } : { name, type: 'TEXT', text: { value } },
  );
  return {
    id: { value: s.id ?? `offer-${++seq}` },
    framework_id: { value: 'framework-1' },
    agent_id: { value: s.agent },
    hostname: s.hostname ?? `${s.agent}.example.com`,
    resources,
    attributes,
    ...alloc,
  };
}

/** `n` agents named agent-0.., racks rack-(i % racks), zones zone-(i % zones). */
export function cluster(n: number, opts: { racks?: number; zones?: number; cpus?: number; mem?: number } = {}): v1.Offer[] {
  return Array.from({ length: n }, (_, i) =>
    makeOffer({
      agent: `agent-${i}`,
      cpus: opts.cpus ?? 8,
      mem: opts.mem ?? 16_384,
      attributes: { rack: `rack-${i % (opts.racks ?? 10)}`, zone: `zone-${i % (opts.zones ?? 3)}` },
    }),
  );
}

/** Sums a scalar over resources. */
export function sumScalar(resources: readonly v1.Resource[], name: string): number {
  return resources.filter((r) => r.name === name).reduce((a, r) => a + Math.round((r.scalar?.value ?? 0) * 1000), 0) / 1000;
}
