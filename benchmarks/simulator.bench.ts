import { MesosHttpClient } from '../src/client/http-client.js';
import { MesosScheduler } from '../src/scheduler/mesos-scheduler.js';
import { SimulatedMaster } from '../src/simulator/simulated-master.js';
import type { v1 } from '../src/protocol/generated/index.js';
import { report } from './report.js';

/**
 * The simulator holding 1,000 agents and 10,000 running tasks, driven over loopback by a scheduler
 * that launches 10 tasks per offer and acknowledges every update; then offer throughput with
 * decline + revive.
 */
export async function run(): Promise<void> {
  const sim = await SimulatedMaster.start({
    agents: Array.from({ length: 1000 }, (_, i) => ({ cpus: 16, mem: 65536, attributes: { rack: `r${i % 20}` } })),
    allocationIntervalMs: 60_000,
    heartbeatIntervalSeconds: 15,
    taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 1 }],
  });
  const sched = new MesosScheduler(new MesosHttpClient({ masters: [sim.url] }), { frameworkInfo: { user: 'bench', name: 'sim-bench', failover_timeout: 60 } });
  let offersSeen = 0;
  let updates = 0;
  let running = 0;
  let launching = true;
  let seq = 0;
  const pendingOffers: v1.Offer[] = [];
  sched.setEventHandler(async (e) => {
    if (e.type === 'OFFERS') {
      const offers = e.offers?.offers ?? [];
      offersSeen += offers.length;
      if (!launching) {
        await sched.decline(offers.map((o) => o.id), { refuse_seconds: 0 });
        return;
      }
      pendingOffers.push(...offers);
    }
    if (e.type === 'UPDATE') {
      updates++;
      const s = e.update!.status;
      if (s.state === 'TASK_RUNNING') running++;
      if (s.uuid && s.agent_id) await sched.acknowledge(s.agent_id, s.task_id, s.uuid);
    }
  });
  await sched.start();
  await sim.waitFor(() => pendingOffers.length >= 1000, 30_000);
  const started = Date.now();
  for (const offer of pendingOffers.splice(0)) {
    const cpus = offer.resources!.find((r) => r.name === 'cpus')!;
    const mem = offer.resources!.find((r) => r.name === 'mem')!;
    const tasks: v1.TaskInfo[] = Array.from({ length: 10 }, () => {
      const id = `t${seq++}`;
      return { name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ ...cpus, scalar: { value: 0.1 } }, { ...mem, scalar: { value: 32 } }], command: { value: 'true' } };
    });
    await sched.accept([offer.id], [{ type: 'LAUNCH', launch: { task_infos: tasks } }], { refuse_seconds: 3600 });
  }
  await sim.waitFor(() => running >= 10_000, 120_000);
  const seconds = (Date.now() - started) / 1000;
  report('sim.tasks_running', sim.engine.tasks.size, 'tasks');
  report('sim.launch_to_running_s.10000_tasks', seconds, 's');
  report('sim.status_updates_per_s', Math.round(updates / seconds), 'updates/s');
  global.gc?.();
  report('sim.heap_mb', Math.round(process.memoryUsage().heapUsed / 1e6), 'MB');
  launching = false;
  const before = offersSeen;
  const t0 = Date.now();
  await sched.revive();
  while (Date.now() - t0 < 3000) {
    await new Promise((r) => setTimeout(r, 50));
    sim.engine.allocate();
    for (const f of sim.engine.frameworks.values()) f.filters.clear();
  }
  report('sim.offers_per_s', Math.round((offersSeen - before) / ((Date.now() - t0) / 1000)), 'offers/s');
  await sched.stop();
  await sim.stop();
}
