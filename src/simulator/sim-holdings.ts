import type { v1 } from '../protocol/generated/index.js';
import { addQuantities, containsQuantities, emptyQuantities, fromResources, subtractQuantities, toResources, type Quantities } from './sim-resources.js';

/** A persistent volume on reserved disk. */
/** A persistent volume on a simulated agent (created by a CREATE operation). */
export interface SimVolume {
  /** `DiskInfo.persistence.id`. */
  id: string;
  /** Role the disk is reserved for. */
  role: string;
  /** Size, MiB. */
  mb: number;
  /** Where tasks see it. */
  containerPath: string;
  /** `DiskInfo.persistence.principal`. */
  principal?: string;
}

/**
 * Resources of one agent held together for one role: unreserved ones, ones dynamically reserved for
 * the role, and persistent volumes. Offers, ACCEPT pools and tasks are holdings.
 */
export interface Holding {
  /** Role the resources are held for. */
  role: string;
  /** Unreserved resources. */
  unreserved: Quantities;
  /** Resources dynamically reserved for `role`. */
  reserved: Quantities;
  /** Persistent volumes. */
  volumes: SimVolume[];
}

export const emptyHolding = (role: string): Holding => ({ role, unreserved: emptyQuantities(), reserved: emptyQuantities(), volumes: [] });

export function addHoldings(a: Holding, b: Holding): Holding {
  return { role: a.role, unreserved: addQuantities(a.unreserved, b.unreserved), reserved: addQuantities(a.reserved, b.reserved), volumes: [...a.volumes, ...b.volumes] };
}

/** What a list of resources asks for, split the way holdings are. */
export interface Demand {
  unreserved: Quantities;
  reserved: Quantities;
  /** Roles the reserved resources are reserved for. */
  reservedRoles: Set<string>;
  /** Persistent volume ids used, and the volumes declared (for CREATE). */
  volumeIds: string[];
  volumes: SimVolume[];
  unsupported: string[];
}

function reservationRole(r: v1.Resource): string | undefined {
  if (r.reservations?.length) return r.reservations.at(-1)!.role;
  if (r.role && r.role !== '*') return r.role;
  return undefined;
}

/** Splits resources into unreserved, reserved and persistent-volume parts. */
export function demandOf(resources: v1.Resource[] = []): Demand {
  const plain: v1.Resource[] = [];
  const reserved: v1.Resource[] = [];
  const d: Demand = { unreserved: emptyQuantities(), reserved: emptyQuantities(), reservedRoles: new Set(), volumeIds: [], volumes: [], unsupported: [] };
  for (const r of resources) {
    if (r.disk?.persistence) {
      const role = reservationRole(r);
      if (!role || r.name !== 'disk' || !r.scalar) {
        d.unsupported.push(`${r.name} (a persistent volume must be reserved disk)`);
        continue;
      }
      d.reservedRoles.add(role);
      d.volumeIds.push(r.disk.persistence.id);
      d.volumes.push({ id: r.disk.persistence.id, role, mb: r.scalar.value, containerPath: r.disk.volume?.container_path ?? 'volume', ...(r.disk.persistence.principal ? { principal: r.disk.persistence.principal } : {}) });
      continue;
    }
    const role = reservationRole(r);
    if (role) {
      d.reservedRoles.add(role);
      reserved.push({ ...r, role: '*', reservations: [], reservation: undefined } as v1.Resource);
    } else plain.push(r);
  }
  const u = fromResources(plain);
  const rs = fromResources(reserved);
  d.unreserved = u.quantities;
  d.reserved = rs.quantities;
  d.unsupported.push(...u.unsupported, ...rs.unsupported);
  return d;
}

/** True when the holding has everything the demand asks for. */
export function holdingContains(h: Holding, d: Demand): string | undefined {
  for (const role of d.reservedRoles) if (role !== h.role) return `resources reserved for role ${role} are not in offers for role ${h.role}`;
  if (!containsQuantities(h.unreserved, d.unreserved)) return 'unreserved resources are not covered by the offers';
  if (!containsQuantities(h.reserved, d.reserved)) return 'reserved resources are not covered by the offers';
  const have = new Set(h.volumes.map((v) => v.id));
  const missing = d.volumeIds.filter((id) => !have.has(id));
  if (missing.length) return `persistent volume(s) ${missing.join(', ')} are not in the offers`;
  return undefined;
}

/** Removes a demand (already checked with {@link holdingContains}) from a holding; returns the part taken. */
export function takeDemand(h: Holding, d: Demand): { rest: Holding; taken: Holding } {
  const ids = new Set(d.volumeIds);
  return {
    rest: { role: h.role, unreserved: subtractQuantities(h.unreserved, d.unreserved), reserved: subtractQuantities(h.reserved, d.reserved), volumes: h.volumes.filter((v) => !ids.has(v.id)) },
    taken: { role: h.role, unreserved: d.unreserved, reserved: d.reserved, volumes: h.volumes.filter((v) => ids.has(v.id)) },
  };
}

/** Writes a holding as Mesos resources for a framework (reservation format per its capabilities). */
export function holdingResources(h: Holding, multiRole: boolean, refinement: boolean): v1.Resource[] {
  // As Mesos 1.11 offers them: the deprecated `role` ("*" when unreserved) unless the framework
  // has RESERVATION_REFINEMENT; unreserved ports first, then reserved resources, then the other
  // unreserved ones (cpus, mem, disk, gpus).
  const allocation = multiRole ? h.role : undefined;
  const unreserved = toResources(h.unreserved, allocation, refinement ? undefined : '*');
  const reservation = (r: v1.Resource): v1.Resource => {
    const base: v1.Resource = { ...r };
    delete base.role;
    return refinement ? { ...base, reservations: [{ type: 'DYNAMIC', role: h.role }] } : { ...base, role: h.role, reservation: {} };
  };
  const ports = (r: v1.Resource) => r.name === 'ports';
  const out = [...unreserved.filter(ports), ...toResources(h.reserved, allocation, undefined).map(reservation), ...unreserved.filter((r) => !ports(r))];
  for (const v of h.volumes) {
    out.push(
      reservation({
        name: 'disk',
        type: 'SCALAR',
        scalar: { value: v.mb },
        disk: { persistence: { id: v.id, ...(v.principal ? { principal: v.principal } : {}) }, volume: { container_path: v.containerPath, mode: 'RW' } },
        ...(multiRole ? { allocation_info: { role: h.role } } : {}),
      }),
    );
  }
  return out;
}
