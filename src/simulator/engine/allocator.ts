import type { v1 } from '../../protocol/generated/index.js';
import { addQuantities, containsQuantities, emptyQuantities, isAllocatable, type Quantities } from '../sim-resources.js';
import { holdingResources, type Holding } from '../sim-holdings.js';
import type { SimAgent, SimOffer } from '../sim-types.js';
import type { ClusterState, SimFramework } from './cluster-state.js';

/**
 * The allocator: every allocation cycle (a timer, and soon after anything frees resources) each
 * free, allocatable agent is offered whole to one framework role, round-robin, honouring decline
 * filters (an agent is skipped while what it could offer is within a live refusal) and suppressed roles.
 */
export class Allocator {
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private rrStart = 0;

  constructor(
    private readonly state: ClusterState,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.allocate(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Runs an allocation cycle soon (once, however often it is asked before it runs). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.allocate();
    });
  }

  /** One allocation cycle: every free, allocatable agent is offered to one framework role, round-robin. */
  allocate(): void {
    const { state } = this;
    const fws = [...state.frameworks.values()].filter((f) => f.connected && !f.removed);
    if (fws.length === 0) return;
    const now = Date.now();
    const batches = new Map<string, v1.Offer[]>();
    const candidates: Array<[SimFramework, string]> = fws.flatMap((f) => f.roles.filter((r) => !f.suppressed.has(r)).map((r) => [f, r] as [SimFramework, string]));
    if (candidates.length === 0) return;
    let i = this.rrStart++ % candidates.length;
    for (const agent of state.agents.values()) {
      if (agent.state !== 'active') continue;
      for (let tried = 0; tried < candidates.length; tried++) {
        const [fw, role] = candidates[i++ % candidates.length]!;
        const reserved = agent.reserved.get(role) ?? emptyQuantities();
        if (this.isFiltered(fw, agent.id, role, addQuantities(agent.free, reserved), now)) continue;
        const volumes = agent.volumes.filter((v) => v.role === role);
        if (!isAllocatable(addQuantities(agent.free, reserved)) && volumes.length === 0) continue;
        const holding: Holding = { role, unreserved: agent.free, reserved, volumes };
        agent.free = emptyQuantities();
        agent.reserved.delete(role);
        agent.volumes = agent.volumes.filter((v) => v.role !== role);
        const offer: SimOffer = { id: state.nextOfferId(), frameworkId: fw.id, agentId: agent.id, role, holding };
        state.offers.set(offer.id, offer);
        const list = batches.get(fw.id) ?? [];
        list.push(offerMessage(offer, fw, agent));
        batches.set(fw.id, list);
        break;
      }
    }
    for (const [fwId, offers] of batches) {
      if (state.sink(fwId, { type: 'OFFERS', offers: { offers } })) state.stats.offersSent += offers.length;
      else {
        // Not connected, or its stream is full (see EventOutbox): the offers were never made.
        for (const o of offers) {
          const offer = state.offers.get(o.id.value);
          if (offer) state.returnOffer(offer);
        }
      }
    }
  }

  /** Installs the framework's filter (`refuse_seconds`, default 5, none when 0) on what it refused of one agent for one role. */
  refuse(fw: SimFramework, agentId: string, role: string, filters: v1.Filters | undefined, refused: Holding): void {
    const refuse = filters?.refuse_seconds ?? 5;
    const seconds = refuse < 0 ? 5 : Math.min(refuse, 31_536_000);
    if (seconds <= 0) return;
    const k = `${agentId}|${role}`;
    fw.filters.set(k, [...(fw.filters.get(k) ?? []), { until: Date.now() + seconds * 1000, refused: addQuantities(refused.unreserved, refused.reserved) }]);
    const t = setTimeout(() => this.schedule(), seconds * 1000 + 5);
    t.unref();
  }

  /** True while a live refusal of the framework there covers everything the agent could offer. Expired ones are dropped. */
  private isFiltered(fw: SimFramework, agentId: string, role: string, offerable: Quantities, now: number): boolean {
    const k = `${agentId}|${role}`;
    const all = fw.filters.get(k);
    if (!all) return false;
    const live = all.filter((f) => f.until > now);
    if (live.length === 0) fw.filters.delete(k);
    else if (live.length !== all.length) fw.filters.set(k, live);
    return live.some((f) => containsQuantities(f.refused, offerable));
  }

  /** Sends RESCIND for the offers (all of a framework's, or all) and takes them back. */
  rescindOffers(filter: (o: SimOffer) => boolean = () => true): number {
    let n = 0;
    for (const offer of [...this.state.offers.values()].filter(filter)) {
      this.state.returnOffer(offer);
      this.state.sink(offer.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: offer.id } } });
      n++;
    }
    this.schedule();
    return n;
  }
}

function offerMessage(offer: SimOffer, fw: SimFramework, agent: SimAgent): v1.Offer {
  return {
    id: { value: offer.id },
    framework_id: { value: fw.id },
    agent_id: { value: agent.id },
    hostname: agent.hostname,
    url: { scheme: 'http', address: { hostname: agent.hostname, ip: '127.0.0.1', port: agent.port }, path: '/slave(1)' },
    resources: holdingResources(offer.holding, fw.multiRole, fw.refinement),
    ...(agent.attributes.length ? { attributes: agent.attributes } : {}),
    ...(fw.multiRole ? { allocation_info: { role: offer.role } } : {}),
  };
}
