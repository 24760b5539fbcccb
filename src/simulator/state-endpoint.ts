import type { SimEngine } from './sim-engine.js';
import type { MasterServer } from './master-server.js';

/** `/master/state`: the v0-style JSON view (with its older field names such as `slaves`). */
export function stateJson(engine: SimEngine, server: MasterServer): Record<string, unknown> {
  const tasksByFramework = new Map<string, unknown[]>();
  for (const t of engine.tasks.values()) {
    const list = tasksByFramework.get(t.frameworkId) ?? [];
    list.push({ id: t.info.task_id.value, name: t.info.name, framework_id: t.frameworkId, slave_id: t.agentId, state: t.state });
    tasksByFramework.set(t.frameworkId, list);
  }
  const agents = [...engine.agents.values()];
  return {
    version: '1.11.0',
    id: engine.masterId,
    pid: `master@${server.host}:${server.port}`,
    hostname: server.host,
    leader: `master@${server.host}:${server.port}`,
    activated_slaves: agents.filter((a) => a.state === 'active').length,
    deactivated_slaves: 0,
    unreachable_slaves: agents.filter((a) => a.state === 'unreachable').length,
    slaves: agents.map((a) => ({
      id: a.id,
      hostname: a.hostname,
      active: a.state === 'active',
      resources: { cpus: a.total.cpus, mem: a.total.mem, disk: a.total.disk, gpus: a.total.gpus },
      unreserved_resources: { cpus: a.free.cpus, mem: a.free.mem, disk: a.free.disk, gpus: a.free.gpus },
      attributes: Object.fromEntries(a.attributes.map((x) => [x.name, x.text?.value])),
    })),
    frameworks: [...engine.frameworks.values()]
      .filter((f) => !f.removed)
      .map((f) => ({
        id: f.id,
        name: f.info.name,
        user: f.info.user,
        roles: f.roles,
        active: f.connected,
        connected: f.connected,
        capabilities: (f.info.capabilities ?? []).map((c) => c.type),
        offers: [...engine.offers.values()].filter((o) => o.frameworkId === f.id).length,
        tasks: tasksByFramework.get(f.id) ?? [],
      })),
    completed_frameworks: [...engine.frameworks.values()].filter((f) => f.removed).map((f) => ({ id: f.id, name: f.info.name })),
  };
}
