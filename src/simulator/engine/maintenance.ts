import type { v1 } from '../../protocol/generated/index.js';
import type { ClusterState, SimFramework } from './cluster-state.js';

/** Maintenance windows: inverse offers asking frameworks for an agent back, their answers and cancellation. */
export class Maintenance {
  constructor(private readonly state: ClusterState) {}

  /**
   * Schedules maintenance of an agent: every connected framework with tasks or offers there (or all
   * connected frameworks) gets an INVERSE_OFFERS event asking for the agent back.
   */
  schedule(agentId: string, startInMs = 60_000, durationMs = 3_600_000): string[] {
    const { state } = this;
    const agent = state.agents.get(agentId);
    if (!agent) throw new Error(`no agent ${agentId}`);
    const ids: string[] = [];
    for (const fw of state.frameworks.values()) {
      if (!fw.connected) continue;
      const id = state.nextOfferId();
      state.inverseOffers.set(id, { frameworkId: fw.id, agentId });
      ids.push(id);
      const start = (Date.now() + startInMs) * 1e6;
      state.sink(fw.id, {
        type: 'INVERSE_OFFERS',
        inverse_offers: {
          inverse_offers: [{
            id: { value: id },
            framework_id: { value: fw.id },
            agent_id: { value: agentId },
            url: { scheme: 'http', address: { hostname: agent.hostname, ip: '127.0.0.1', port: agent.port }, path: '/slave(1)' },
            unavailability: { start: { nanoseconds: start }, duration: { nanoseconds: durationMs * 1e6 } },
          }],
        },
      });
    }
    return ids;
  }

  /** Withdraws outstanding inverse offers (maintenance cancelled) with RESCIND_INVERSE_OFFER. */
  cancel(agentId?: string): number {
    let n = 0;
    for (const [id, io] of [...this.state.inverseOffers]) {
      if (agentId && io.agentId !== agentId) continue;
      this.state.inverseOffers.delete(id);
      this.state.sink(io.frameworkId, { type: 'RESCIND_INVERSE_OFFER', rescind_inverse_offer: { inverse_offer_id: { value: id } } });
      n++;
    }
    return n;
  }

  /** ACCEPT_INVERSE_OFFERS / DECLINE_INVERSE_OFFERS: the answer is recorded and the inverse offer used up. */
  answer(fw: SimFramework, ids: v1.OfferID[], accepted: boolean): void {
    for (const { value } of ids) {
      const io = this.state.inverseOffers.get(value);
      if (!io || io.frameworkId !== fw.id) continue;
      this.state.inverseOffers.delete(value);
      this.state.inverseOfferAnswers.push({ id: value, frameworkId: fw.id, agentId: io.agentId, accepted });
    }
  }
}
