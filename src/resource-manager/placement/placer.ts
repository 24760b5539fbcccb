import type { v1 } from '../mesos-types.js';
import { buildNodes, type AgentNode } from './agent-node.js';
import { BinPackStrategy } from './bin-pack.strategy.js';
import type { CompiledConstraint } from './constraints.js';
import { makeBatches } from './request-batches.js';
import { NodeHeap } from './node-heap.js';
import type { Assignment, PlacementContext, PlacementRequest, PlacementResult, PlacementStrategy } from './placement-types.js';

type Counts = Map<string, number>;
const PERMANENT = 1;
const TEMPORARY = 2;

const COUNTED = new Set(['UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER']);

/**
 * Places many requests onto many offers in one cycle. Several tasks may share an agent, and the
 * offers of one agent (per allocation role) are combined. Constraints count the tasks of the same
 * group already running (`context.running`) plus those placed earlier in this cycle. Deterministic:
 * the same input gives the same output.
 *
 * Cost: O(batches × agents + tasks × log agents), where a batch is a set of identical requests.
 *
 * @param strategy how to choose among fitting agents. Default {@link BinPackStrategy}.
 * @throws ValidationError `ERR_CONSTRAINT_INVALID` / `ERR_PLACEMENT_REQUEST_INVALID` with every problem.
 */
export function place(
  offers: readonly v1.Offer[],
  requests: readonly PlacementRequest[],
  context: PlacementContext = { running: [] },
  strategy: PlacementStrategy = new BinPackStrategy(),
): PlacementResult {
  const batches = makeBatches(requests);
  if (batches.length === 0) return { assignments: [], unplaced: [], unusedOfferIds: offers.map((o) => o.id) };
  const { nodes } = buildNodes(offers);
  const assignments: Assignment[] = [];
  const unplaced: PlacementResult['unplaced'] = [];

  // Per group, per counted field: value -> number of tasks.
  const counts = new Map<string, Map<string, Counts>>();
  for (const b of batches) {
    for (const c of b.constraints) {
      if (!COUNTED.has(c.operator)) continue;
      let g = counts.get(b.group);
      if (!g) counts.set(b.group, (g = new Map()));
      if (!g.has(c.field)) g.set(c.field, new Map());
    }
  }
  if (counts.size > 0) {
    for (const t of context.running) {
      const g = counts.get(t.group);
      if (!g) continue;
      for (const [field, m] of g) {
        const v = field === 'hostname' ? t.hostname : t.attributes[field];
        if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
      }
    }
  }

  let minCpus = Infinity;
  let minMem = Infinity;
  for (const b of batches) {
    if (b.demand.cpus < minCpus) minCpus = b.demand.cpus;
    if (b.demand.mem < minMem) minMem = b.demand.mem;
  }
  const alive = nodes.filter((n) => n.cpus >= minCpus && n.mem >= minMem);
  const scores = new Float64Array(nodes.length);

  for (const batch of batches) {
    const { demand, taskDemand, executorDemand, units, constraints, group } = batch;
    const reasons = new Map<string, number>();
    const reject = (why: string): void => void reasons.set(why, (reasons.get(why) ?? 0) + 1);
    const groupCounts = counts.get(group);
    const countsOf = (field: string): Counts => groupCounts!.get(field)!;

    // Static constraints are evaluated once per distinct attribute value.
    const staticCs = constraints.filter((c) => c.operator === 'LIKE' || c.operator === 'UNLIKE' || c.operator === 'IS' || (c.operator === 'CLUSTER' && c.value !== undefined));
    const staticCache = staticCs.map(() => new Map<string | undefined, boolean>());
    const staticOk = (c: CompiledConstraint, v: string | undefined): boolean => {
      switch (c.operator) {
        case 'LIKE':
          return v !== undefined && c.regex!.test(v);
        case 'UNLIKE':
          return v === undefined || !c.regex!.test(v);
        default:
          return v === c.value;
      }
    };
    const dynamicCs = constraints.filter((c) => !staticCs.includes(c));
    const partitionBy = dynamicCs.find((c) => c.operator === 'GROUP_BY');

    const candidates: number[] = [];
    const resourcesReason = `not enough free resources (need cpus ${units.cpus}, mem ${units.mem}${units.disk ? `, disk ${units.disk}` : ''}${units.gpus ? `, gpus ${units.gpus}` : ''}${units.ports ? `, ${units.ports} port(s)` : ''})`;
    let unfit = 0; // counted apart from `reasons`: the common case, kept cheap
    const simple = batch.role === undefined && staticCs.length === 0 && partitionBy === undefined;
    for (let i = 0; i < alive.length; i++) {
      const node = alive[i]!;
      if (simple) {
        // Fast path: no role and no static constraint to check.
        if (node.fits(demand)) {
          scores[node.index] = strategy.score(node, units);
          candidates.push(node.index);
        } else unfit++;
        continue;
      }
      if (batch.role !== undefined && node.role !== batch.role && node.role !== '*') {
        reject(`offers are for another role than ${JSON.stringify(batch.role)}`);
        continue;
      }
      if (!node.fits(demand)) {
        unfit++;
        continue;
      }
      let ok = true;
      for (let j = 0; j < staticCs.length; j++) {
        const c = staticCs[j]!;
        const v = node.valueOf(c.field);
        let r = staticCache[j]!.get(v);
        if (r === undefined) staticCache[j]!.set(v, (r = staticOk(c, v)));
        if (!r) {
          reject(`constraint ${c.label} not met`);
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (partitionBy !== undefined && node.valueOf(partitionBy.field) === undefined) {
        reject(`constraint ${partitionBy.label} not met (no ${partitionBy.field} attribute)`);
        continue;
      }
      scores[node.index] = strategy.score(node, units);
      candidates.push(node.index);
    }

    // One heap, or one heap per value of the GROUP_BY field.
    const heaps = new Map<string, NodeHeap>();
    if (partitionBy === undefined) heaps.set('', NodeHeap.from(scores, candidates));
    else {
      const parts = new Map<string, number[]>();
      for (const n of candidates) {
        const v = nodes[n]!.valueOf(partitionBy.field)!;
        let list = parts.get(v);
        if (!list) parts.set(v, (list = []));
        list.push(n);
      }
      for (const [v, list] of parts) heaps.set(v, NodeHeap.from(scores, list));
    }

    const dynamicCheck = (node: AgentNode): number => {
      for (const c of dynamicCs) {
        if (c === partitionBy) continue;
        const v = node.valueOf(c.field);
        if (v === undefined) {
          reject(`constraint ${c.label} not met (no ${c.field} attribute)`);
          return PERMANENT;
        }
        const m = countsOf(c.field);
        const n = m.get(v) ?? 0;
        let ok: boolean;
        if (c.operator === 'UNIQUE') ok = n === 0;
        else if (c.operator === 'MAX_PER') ok = n < c.number;
        else if (c.operator === 'CLUSTER') ok = m.size === 0 || (n > 0 && m.size === 1);
        else {
          if (!groupByAccepts(m, v, c.number)) {
            reject(`constraint ${c.label} not met`);
            return TEMPORARY;
          }
          ok = true;
        }
        if (!ok) {
          reject(`constraint ${c.label} not met`);
          return PERMANENT;
        }
      }
      return 0;
    };

    const stash: Array<[number, NodeHeap]> = [];
    const popValid = (heap: NodeHeap): number => {
      while (heap.size > 0) {
        const n = heap.pop()!;
        const r = dynamicCheck(nodes[n]!);
        if (r === 0) return n;
        if (r === TEMPORARY) stash.push([n, heap]);
      }
      return -1;
    };

    let placedAny = false;
    for (let t = 0; t < batch.ids.length; t++) {
      let chosen = -1;
      let heap: NodeHeap | undefined;
      if (partitionBy === undefined) {
        heap = heaps.get('')!;
        chosen = popValid(heap);
      } else {
        const m = countsOf(partitionBy.field);
        while (chosen < 0) {
          let bestHeap: NodeHeap | undefined;
          let bestTop = -1;
          let bestCount = Infinity;
          // Among acceptable values, the one with the fewest tasks (even spread), then the best agent.
          for (const [v, h] of heaps) {
            if (h.size === 0 || !groupByAccepts(m, v, partitionBy.number)) continue;
            const top = h.peek()!;
            const count = m.get(v) ?? 0;
            if (bestTop < 0 || count < bestCount || (count === bestCount && (scores[top]! > scores[bestTop]! || (scores[top] === scores[bestTop] && top < bestTop)))) {
              bestCount = count;
              bestTop = top;
              bestHeap = h;
            }
          }
          if (bestHeap === undefined) break;
          chosen = popValid(bestHeap); // when -1, bestHeap is now empty and skipped next round
          heap = bestHeap;
        }
        if (chosen < 0 && heaps.size > 0) reject(`constraint ${partitionBy.label} not met`);
      }
      for (const [n, h] of stash) h.push(n);
      stash.length = 0;
      if (chosen < 0) {
        if (unfit > 0) reasons.set(resourcesReason, (reasons.get(resourcesReason) ?? 0) + unfit);
        const why = reasonList(reasons, nodes.length === 0);
        for (let u = t; u < batch.ids.length; u++) unplaced.push({ requestId: batch.ids[u]!, reasons: why });
        break;
      }
      const node = nodes[chosen]!;
      const { resources, ports } = node.allocate(taskDemand);
      placedAny = true;
      const assignment: Assignment = {
        requestId: batch.ids[t]!,
        offerId: node.offerIds[0]!,
        offerIds: node.offerIds,
        agentId: node.agentIdMsg,
        hostname: node.hostname,
        resources,
        ports,
      };
      // The node fit task and executor together, so the executor's share is there.
      if (executorDemand !== undefined) assignment.executorResources = node.allocate(executorDemand, false).resources;
      assignments.push(assignment);
      if (groupCounts !== undefined) {
        for (const [field, m] of groupCounts) {
          const v = node.valueOf(field);
          if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
        }
      }
      if (node.fits(demand)) {
        scores[chosen] = strategy.score(node, units);
        heap!.push(chosen);
      } else {
        reject(resourcesReason);
      }
    }
    if (placedAny) {
      // Drop agents that cannot take even the smallest request any more (in place, no garbage).
      let w = 0;
      for (let i = 0; i < alive.length; i++) {
        const n = alive[i]!;
        if (n.cpus >= minCpus && n.mem >= minMem) alive[w++] = n;
      }
      alive.length = w;
    }
  }

  const unusedOfferIds: v1.OfferID[] = [];
  const usedOffers = new Set<string>();
  for (const n of nodes) if (n.assigned > 0) for (const id of n.offerIds) usedOffers.add(id.value);
  for (const o of offers) if (!usedOffers.has(o.id.value)) unusedOfferIds.push(o.id);
  return { assignments, unplaced, unusedOfferIds };
}

/**
 * Marathon's GROUP_BY rule: a value is acceptable when no task of the group has it yet, or when at
 * least `minGroups` values are in use and this value has the fewest tasks.
 *
 * @param m - Tasks of the group per attribute value.
 * @param value - The candidate agent's value of the attribute.
 * @param minGroups - The constraint's value: how many distinct values to spread over.
 */
export function groupByAccepts(m: ReadonlyMap<string, number>, value: string, minGroups: number): boolean {
  const n = m.get(value);
  if (n === undefined || n === 0) return true;
  if (m.size < minGroups) return false;
  let min = Infinity;
  for (const c of m.values()) if (c < min) min = c;
  return n === min;
}

function reasonList(reasons: Map<string, number>, noOffers: boolean): string[] {
  if (noOffers) return ['no offers available'];
  if (reasons.size === 0) return ['no agent can take the task (no offers with free resources)'];
  return [...reasons].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([why, n]) => `${why} on ${n} agent(s)`);
}
