/**
 * Placement cycle time: 1,000 offers × N pending tasks (~30 % with constraints), median of a few runs.
 */
import type { v1 } from '../src/resource-manager/mesos-types.js';
import {
  BinPackStrategy,
  FirstFitStrategy,
  FitnessStrategy,
  place,
  SpreadStrategy,
  type PlacementRequest,
  type PlacementStrategy,
} from '../src/resource-manager/index.js';
import { report } from './report.js';
import { prng as rng } from './prng.js';


export function buildOffers(count: number, seed = 1): v1.Offer[] {
  const r = rng(seed);
  const offers: v1.Offer[] = [];
  for (let i = 0; i < count; i++) {
    const cpus = 8 + Math.floor(r() * 25);
    const mem = (16 + Math.floor(r() * 113)) * 1024;
    offers.push({
      id: { value: `offer-${i}` },
      framework_id: { value: 'fw-1' },
      agent_id: { value: `agent-${i}` },
      hostname: `host-${i}.example.com`,
      allocation_info: { role: 'web' },
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, allocation_info: { role: 'web' } },
        { name: 'mem', type: 'SCALAR', scalar: { value: mem }, allocation_info: { role: 'web' } },
        { name: 'disk', type: 'SCALAR', scalar: { value: 200_000 }, allocation_info: { role: 'web' } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] }, allocation_info: { role: 'web' } },
      ],
      attributes: [
        { name: 'rack', type: 'TEXT', text: { value: `rack-${i % 10}` } },
        { name: 'zone', type: 'TEXT', text: { value: `zone-${i % 3}` } },
      ],
    });
  }
  return offers;
}

export function buildRequests(count: number, seed = 2): PlacementRequest[] {
  const r = rng(seed);
  const sizes = [
    { cpus: 0.1, mem: 128 },
    { cpus: 0.25, mem: 256 },
    { cpus: 0.5, mem: 512 },
    { cpus: 1, mem: 1024 },
    { cpus: 2, mem: 4096 },
  ];
  const out: PlacementRequest[] = [];
  let app = 0;
  while (out.length < count) {
    const size = sizes[Math.floor(r() * sizes.length)]!;
    const constrained = r() < 0.3;
    const kind = Math.floor(r() * 4);
    let instances = 1 + Math.floor(r() * 40);
    let constraints: PlacementRequest['constraints'];
    if (constrained) {
      if (kind === 0) {
        instances = 1 + Math.floor(r() * 10);
        constraints = [['hostname', 'UNIQUE']];
      } else if (kind === 1) constraints = [['zone', 'GROUP_BY', '3']];
      else if (kind === 2) constraints = [['rack', 'MAX_PER', String(Math.ceil(instances / 10) + 1)]];
      else constraints = [['rack', 'LIKE', 'rack-[0-6]']];
    }
    const ports = Math.floor(r() * 3);
    for (let i = 0; i < instances && out.length < count; i++) {
      out.push({ id: `app-${app}.${i}`, group: `app-${app}`, resources: { ...size, disk: 100, ports }, ...(constraints ? { constraints } : {}) });
    }
    app++;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function cycleMs(offers: v1.Offer[], requests: PlacementRequest[], strategy: PlacementStrategy, runs: number): { ms: number; placed: number } {
  let placed = 0;
  for (let i = 0; i < 3; i++) place(offers, requests, { running: [] }, strategy); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    placed = place(offers, requests, { running: [] }, strategy).assignments.length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: median(times), placed };
}

export async function run(): Promise<void> {
  const offers = buildOffers(1000);
  const r10k = buildRequests(10_000);
  const main = cycleMs(offers, r10k, new BinPackStrategy(), 7);
  report('placement.cycle_ms.1000x10000', main.ms, 'ms');
  report('placement.placed.1000x10000', main.placed, 'tasks');
  const strategies: PlacementStrategy[] = [
    new BinPackStrategy(),
    new SpreadStrategy(),
    new FirstFitStrategy(),
    new FitnessStrategy((a) => (a.attributes.get('zone') === 'zone-0' ? 1 : 0) + a.free.cpus / (a.total.cpus || 1)),
  ];
  for (const s of strategies) report(`placement.cycle_ms.${s.name}.tasks_10000`, cycleMs(offers, r10k, s, 5).ms, 'ms');
  // Scaling with the number of pending tasks (default strategy); 100k overflows the cluster on purpose.
  for (const n of [1_000, 10_000, 100_000]) {
    const res = cycleMs(offers, n === 10_000 ? r10k : buildRequests(n), new BinPackStrategy(), n === 100_000 ? 3 : 5);
    report(`placement.cycle_ms.tasks_${n}`, res.ms, 'ms');
    if (n === 100_000) report('placement.placed.tasks_100000', res.placed, 'tasks');
  }
}
