import type { SimEngine, SimFramework, SimTask } from './sim-engine.js';
import type { MasterServer } from './master-server.js';
import type { SimAgent, SimOffer } from './sim-types.js';
import { addQuantities, emptyQuantities, type Quantities } from './sim-resources.js';
import type { Holding } from './sim-holdings.js';

/**
 * The master's v0 JSON views (`/master/state`, `/master/state-summary`, `/master/frameworks`,
 * `/master/slaves`, `/master/tasks`), with their older field names (`slaves`, `slave_id`). Every
 * field served is one real Mesos 1.11 serves, with the same JSON type; fields the simulator cannot
 * know (log_dir, task status history, `*_full` resources, executors) are left out rather than faked.
 */

export const SIM_VERSION = { version: '1.11.0', build_date: '2020-11-16 00:00:00', build_time: 1605484800, build_user: 'mesos-sdk-simulator' };
/** What an agent of Mesos 1.11 announces. */
const AGENT_CAPABILITIES = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT', 'RESOURCE_PROVIDER', 'RESIZE_VOLUME', 'AGENT_OPERATION_FEEDBACK', 'AGENT_DRAINING', 'TASK_RESOURCE_LIMITS'];
export const TASK_STATES = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_UNREACHABLE'] as const;
/** The agent port the simulated agents announce (their offers' URL says the same). */

/** Times the master-server noted for each framework (the engine keeps none). */
interface FrameworkTimes {
  registered: number;
  reregistered?: number;
  unregistered?: number;
}
const times = new WeakMap<SimFramework, FrameworkTimes>();
const now = () => Date.now() / 1000;

/** Called by the master-server on every successful SUBSCRIBE. */
export function noteSubscribed(fw: SimFramework, resubscribed: boolean): void {
  const t = times.get(fw);
  if (!t) times.set(fw, { registered: now() });
  else if (resubscribed) t.reregistered = now();
}

function timesOf(fw: SimFramework): FrameworkTimes {
  let t = times.get(fw);
  if (!t) times.set(fw, (t = { registered: now() }));
  if (fw.removed && t.unregistered === undefined) t.unregistered = now();
  return t;
}

/** Mesos's JSON model of resources: disk, mem, gpus, cpus always; ports as `[a-b, c-d]` when any. */
export function resourcesJson(q: Quantities): Record<string, number | string> {
  const out: Record<string, number | string> = { disk: q.disk, mem: q.mem, gpus: q.gpus, cpus: q.cpus };
  if (q.ports.length > 0) out['ports'] = `[${q.ports.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
  return out;
}

export const holdingQuantities = (h: Holding): Quantities => addQuantities(h.unreserved, h.reserved);
const sum = (list: Quantities[]): Quantities => list.reduce((a, b) => addQuantities(a, b), emptyQuantities());

const isMultiRole = (fw: SimFramework) => fw.multiRole;
export const liveTasks = (engine: SimEngine, filter: (t: SimTask) => boolean = () => true) => [...engine.tasks.values()].filter(filter);

export function taskJson(t: SimTask): Record<string, unknown> {
  const executorId = t.info.executor?.executor_id.value ?? '';
  return {
    id: t.info.task_id.value,
    name: t.info.name,
    framework_id: t.frameworkId,
    executor_id: executorId,
    slave_id: t.agentId,
    state: t.state,
    resources: resourcesJson(holdingQuantities(t.resources)),
    role: t.resources.role,
  };
}

function completedTaskJson(t: SimEngine['completedTasks'][number]): Record<string, unknown> {
  return { id: t.taskId, framework_id: t.frameworkId, slave_id: t.agentId, state: t.state };
}

/**
 * Tasks and offers grouped by agent, built once per synchronous turn (one endpoint answer) and
 * dropped at the next microtask: the per-agent views then cost O(tasks + agents), not O(agents x tasks).
 */
const byAgentCache = new WeakMap<SimEngine, { tasks: Map<string, SimTask[]>; offers: Map<string, SimOffer[]> }>();
export function byAgent(engine: SimEngine): { tasks: Map<string, SimTask[]>; offers: Map<string, SimOffer[]> } {
  let cached = byAgentCache.get(engine);
  if (!cached) {
    const tasks = new Map<string, SimTask[]>();
    const offers = new Map<string, SimOffer[]>();
    for (const t of engine.tasks.values()) {
      const list = tasks.get(t.agentId);
      if (list) list.push(t);
      else tasks.set(t.agentId, [t]);
    }
    for (const o of engine.offers.values()) {
      const list = offers.get(o.agentId);
      if (list) list.push(o);
      else offers.set(o.agentId, [o]);
    }
    cached = { tasks, offers };
    byAgentCache.set(engine, cached);
    queueMicrotask(() => byAgentCache.delete(engine));
  }
  return cached;
}

export function agentUsage(engine: SimEngine, agent: SimAgent) {
  const grouped = byAgent(engine);
  const onAgent = (grouped.tasks.get(agent.id) ?? []).filter((t) => !isTerminalState(t.state));
  const used = sum(onAgent.map((t) => holdingQuantities(t.resources)));
  const offers = grouped.offers.get(agent.id) ?? [];
  const offered = sum(offers.map((o) => holdingQuantities(o.holding)));
  const reservedByRole = new Map<string, Quantities>();
  const addReserved = (role: string, q: Quantities) => reservedByRole.set(role, addQuantities(reservedByRole.get(role) ?? emptyQuantities(), q));
  for (const [role, q] of agent.reserved) addReserved(role, q);
  for (const o of offers) if (!isEmpty(o.holding.reserved)) addReserved(o.holding.role, o.holding.reserved);
  for (const t of onAgent) if (!isEmpty(t.resources.reserved)) addReserved(t.resources.role, t.resources.reserved);
  return { used, offered, reservedByRole };
}

const isEmpty = (q: Quantities) => q.cpus === 0 && q.mem === 0 && q.disk === 0 && q.gpus === 0 && q.ports.length === 0;
const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_LOST', 'TASK_GONE_BY_OPERATOR']);
export const isTerminalState = (s: string) => TERMINAL.has(s);

export function agentJson(engine: SimEngine, agent: SimAgent, registeredTime: number): Record<string, unknown> {
  const { used, offered, reservedByRole } = agentUsage(engine, agent);
  // The simulator's agent total counts unreserved resources only: reserved ones are on top of it
  // only while reserved, so unreserved_resources is what is not reserved now.
  return {
    id: agent.id,
    hostname: agent.hostname,
    port: agent.port,
    attributes: Object.fromEntries(agent.attributes.map((a) => [a.name, a.text?.value ?? a.scalar?.value ?? ''])),
    pid: `slave(1)@${agent.hostname}:${agent.port}`,
    registered_time: registeredTime,
    resources: resourcesJson(agent.total),
    used_resources: resourcesJson(used),
    offered_resources: resourcesJson(offered),
    reserved_resources: Object.fromEntries([...reservedByRole].map(([role, q]) => [role, resourcesJson(q)])),
    unreserved_resources: resourcesJson(subtractReserved(agent.total, [...reservedByRole.values()])),
    active: agent.state === 'active',
    deactivated: false,
    version: '1.11.0',
    capabilities: AGENT_CAPABILITIES,
  };
}

function subtractReserved(total: Quantities, reserved: Quantities[]): Quantities {
  const r = sum(reserved);
  const sub = (a: number, b: number) => Math.max(0, Math.round((a - b) * 1000) / 1000);
  return { cpus: sub(total.cpus, r.cpus), mem: sub(total.mem, r.mem), disk: sub(total.disk, r.disk), gpus: sub(total.gpus, r.gpus), ports: total.ports };
}

export function frameworkJson(engine: SimEngine, fw: SimFramework): Record<string, unknown> {
  const tasks = liveTasks(engine, (t) => t.frameworkId === fw.id);
  const offers = [...engine.offers.values()].filter((o) => o.frameworkId === fw.id);
  const used = sum(tasks.filter((t) => !isTerminalState(t.state)).map((t) => holdingQuantities(t.resources)));
  const offered = sum(offers.map((o) => holdingQuantities(o.holding)));
  const t = timesOf(fw);
  const info = fw.info;
  return {
    id: fw.id,
    name: info.name,
    used_resources: resourcesJson(used),
    offered_resources: resourcesJson(offered),
    capabilities: (info.capabilities ?? []).map((c) => c.type).filter((c): c is NonNullable<typeof c> => !!c),
    hostname: info.hostname ?? '',
    webui_url: info.webui_url ?? '',
    active: fw.connected && !fw.removed,
    connected: fw.connected && !fw.removed,
    recovered: false,
    user: info.user,
    failover_timeout: info.failover_timeout ?? 0,
    checkpoint: info.checkpoint ?? false,
    registered_time: t.registered,
    unregistered_time: fw.removed ? t.unregistered : 0,
    ...(t.reregistered !== undefined ? { reregistered_time: t.reregistered } : {}),
    ...(info.principal ? { principal: info.principal } : {}),
    resources: resourcesJson(addQuantities(used, offered)),
    ...(isMultiRole(fw) ? { roles: fw.roles } : { role: fw.roles[0] ?? '*' }),
    // A task stays here, with its latest state, until its terminal update is acknowledged (then it is
    // retired to completed_tasks), as on a Mesos master.
    tasks: fw.removed ? [] : tasks.map(taskJson),
    unreachable_tasks: [],
    completed_tasks: engine.completedTasks.filter((x) => x.frameworkId === fw.id).map(completedTaskJson),
    offers: offers.map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      allocation_info: { role: o.role },
      slave_id: o.agentId,
      resources: resourcesJson(holdingQuantities(o.holding)),
    })),
    executors: [],
    offer_constraints: {},
  };
}

/** Remembered agent registration times (the engine keeps none). */
const agentTimes = new WeakMap<SimAgent, number>();
export function agentRegisteredTime(agent: SimAgent): number {
  let t = agentTimes.get(agent);
  if (t === undefined) agentTimes.set(agent, (t = now()));
  return t;
}

export const activeFrameworks = (engine: SimEngine) => [...engine.frameworks.values()].filter((f) => !f.removed);
export const completedFrameworks = (engine: SimEngine) => [...engine.frameworks.values()].filter((f) => f.removed);
export const visibleAgents = (engine: SimEngine) => [...engine.agents.values()].filter((a) => a.state !== 'gone');

/** `/master/state`. */
export function stateJson(engine: SimEngine, server: MasterServer, flags: Record<string, string>): Record<string, unknown> {
  const agents = visibleAgents(engine);
  const pid = `master@${server.host}:${server.port}`;
  return {
    ...SIM_VERSION,
    start_time: server.startTime,
    elected_time: server.startTime,
    id: engine.masterId,
    pid,
    hostname: server.host,
    capabilities: ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2'],
    activated_slaves: agents.filter((a) => a.state === 'active').length,
    deactivated_slaves: 0,
    unreachable_slaves: agents.filter((a) => a.state === 'unreachable').length,
    leader: pid,
    leader_info: { id: engine.masterId, pid, port: server.port, hostname: server.host },
    flags,
    slaves: agents.filter((a) => a.state === 'active').map((a) => agentJson(engine, a, agentRegisteredTime(a))),
    recovered_slaves: [],
    frameworks: activeFrameworks(engine).map((f) => frameworkJson(engine, f)),
    completed_frameworks: completedFrameworks(engine).map((f) => frameworkJson(engine, f)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
