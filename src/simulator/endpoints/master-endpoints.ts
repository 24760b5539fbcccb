import type { SimEngine } from '../sim-engine.js';
import type { MasterServer } from '../master-server.js';
import { addQuantities, emptyQuantities, type Quantities } from '../sim-resources.js';
import {
  activeFrameworks,
  agentJson,
  agentRegisteredTime,
  agentUsage,
  byAgent,
  completedFrameworks,
  frameworkJson,
  holdingQuantities,
  isTerminalState,
  liveTasks,
  stateJson,
  taskJson,
  TASK_STATES,
  visibleAgents,
} from '../state-endpoint.js';

/**
 * The master's read-only JSON endpoints other than `/master/state`, as far as the simulator knows
 * their values: `/master/state-summary`, `/master/frameworks`, `/master/slaves`, `/master/tasks`,
 * `/master/roles`, `/master/flags` (a documented subset of real flags, each with the value the
 * simulator behaves by) and `/metrics/snapshot` (a subset of the real `master/*` keys).
 */

/** stout's Duration text: the largest unit that keeps the value at least 1 (`1secs`, `100ms`, `1.5secs`, `10mins`). */
export function durationText(ms: number): string {
  const units: Array<[number, string]> = [[7 * 86_400_000, 'weeks'], [86_400_000, 'days'], [3_600_000, 'hrs'], [60_000, 'mins'], [1000, 'secs'], [1, 'ms']];
  for (const [size, name] of units) if (ms >= size) return `${Number((ms / size).toPrecision(15))}${name}`;
  return `${ms * 1000}us`;
}

export interface FlagsSource {
  allocationIntervalMs: number;
  authenticateHttpFrameworks: boolean;
}

/** Flags whose values the simulator honours or mirrors; names and formats are real Mesos flags. */
export function flagsJson(server: MasterServer, source: FlagsSource): Record<string, string> {
  return {
    allocation_interval: durationText(source.allocationIntervalMs),
    authenticate_http_frameworks: String(source.authenticateHttpFrameworks),
    framework_sorter: 'drf',
    hostname: server.host,
    ip: server.host,
    max_completed_frameworks: '50',
    max_completed_tasks_per_framework: '1000',
    min_allocatable_resources: 'cpus:0.01|mem:32',
    port: String(server.port),
    registry: 'in_memory',
    role_sorter: 'drf',
    version: 'false',
  };
}

const taskCounts = (states: string[]) => Object.fromEntries(TASK_STATES.map((s) => [s, states.filter((x) => x === s).length]));

export function stateSummaryJson(engine: SimEngine, server: MasterServer): Record<string, unknown> {
  const agents = visibleAgents(engine).filter((a) => a.state === 'active');
  const frameworks = activeFrameworks(engine);
  const tasks = liveTasks(engine);
  const states = (filter: (t: (typeof tasks)[number]) => boolean) => [
    ...tasks.filter(filter).map((t) => t.state as string),
  ];
  const completedByAgent = new Map<string, string[]>();
  for (const t of engine.completedTasks) {
    const list = completedByAgent.get(t.agentId);
    if (list) list.push(t.state);
    else completedByAgent.set(t.agentId, [t.state]);
  }
  return {
    hostname: server.host,
    slaves: agents.map((a) => {
      const here = byAgent(engine).tasks.get(a.id) ?? [];
      return {
        ...agentJson(engine, a, agentRegisteredTime(a)),
        ...taskCounts([...here.map((t) => t.state as string), ...(completedByAgent.get(a.id) ?? [])]),
        framework_ids: [...new Set(here.map((t) => t.frameworkId))],
      };
    }),
    frameworks: frameworks.map((f) => {
      const full = frameworkJson(engine, f);
      return {
        id: full['id'], name: full['name'], used_resources: full['used_resources'], offered_resources: full['offered_resources'],
        capabilities: full['capabilities'], hostname: full['hostname'], webui_url: full['webui_url'], active: full['active'],
        connected: full['connected'], recovered: full['recovered'],
        ...taskCounts([...states((t) => t.frameworkId === f.id), ...engine.completedTasks.filter((t) => t.frameworkId === f.id).map((t) => t.state as string)]),
        slave_ids: [...new Set(tasks.filter((t) => t.frameworkId === f.id).map((t) => t.agentId))],
      };
    }),
  };
}

export function frameworksJson(engine: SimEngine, query: URLSearchParams): Record<string, unknown> {
  const only = query.get('framework_id');
  const pick = <T extends { id: string }>(list: T[]) => (only ? list.filter((f) => f.id === only) : list);
  return {
    frameworks: pick(activeFrameworks(engine)).map((f) => frameworkJson(engine, f)),
    completed_frameworks: pick(completedFrameworks(engine)).map((f) => frameworkJson(engine, f)),
    unregistered_frameworks: [],
  };
}

export function slavesJson(engine: SimEngine, query: URLSearchParams): Record<string, unknown> {
  const only = query.get('slave_id');
  const agents = visibleAgents(engine).filter((a) => a.state === 'active' && (!only || a.id === only));
  return { slaves: agents.map((a) => agentJson(engine, a, agentRegisteredTime(a))), recovered_slaves: [] };
}

/** `/master/tasks`: `limit` (default 100), `offset`, `order` (`asc`|`des`, default `des`), `framework_id`, `task_id`. */
export function tasksJson(engine: SimEngine, query: URLSearchParams): Record<string, unknown> {
  const limit = Number(query.get('limit') ?? 100);
  const offset = Number(query.get('offset') ?? 0);
  const fwId = query.get('framework_id');
  const taskId = query.get('task_id');
  let tasks = liveTasks(engine, (t) => (!fwId || t.frameworkId === fwId) && (!taskId || t.info.task_id.value === taskId)).map(taskJson);
  if (query.get('order') === 'asc') tasks = tasks.reverse();
  return { tasks: tasks.slice(offset, offset + limit) };
}

/** Mesos's ResourceQuantities JSON: only names with a non-zero amount, in name order; ports counted. */
function quantitiesJson(q: Quantities): Record<string, number> {
  const ports = q.ports.reduce((n, r) => n + (r.end - r.begin + 1), 0);
  const all: Array<[string, number]> = [['cpus', q.cpus], ['disk', q.disk], ['gpus', q.gpus], ['mem', q.mem], ['ports', ports]];
  return Object.fromEntries(all.filter(([, v]) => v > 0));
}

export function rolesJson(engine: SimEngine): Record<string, unknown> {
  const frameworks = activeFrameworks(engine);
  const roles = [...new Set(frameworks.flatMap((f) => f.roles))].filter((r) => r !== '*').sort();
  return {
    roles: roles.map((role) => {
      const allocated = liveTasks(engine, (t) => t.resources.role === role && !isTerminalState(t.state)).reduce((acc, t) => addQuantities(acc, holdingQuantities(t.resources)), emptyQuantities());
      const offered = [...engine.offers.values()].filter((o) => o.role === role).reduce((acc, o) => addQuantities(acc, holdingQuantities(o.holding)), emptyQuantities());
      return {
        name: role,
        weight: 1,
        quota: { role, guarantee: {}, limit: {}, consumed: quantitiesJson(allocated) },
        // What the role holds: allocated plus offered.
        resources: quantitiesJson(addQuantities(allocated, offered)),
        allocated: quantitiesJson(allocated),
        offered: quantitiesJson(offered),
        reserved: {},
        frameworks: frameworks.filter((f) => f.roles.includes(role)).map((f) => f.id),
      };
    }),
  };
}

/** `/metrics/snapshot`: the `master/*` keys whose values the simulator knows (every one a real key). */
export function metricsJson(engine: SimEngine, server: MasterServer, elected: boolean): Record<string, number> {
  const frameworks = activeFrameworks(engine);
  const agents = visibleAgents(engine);
  const active = agents.filter((a) => a.state === 'active');
  const tasks = liveTasks(engine);
  const count = (state: string) => tasks.filter((t) => t.state === state).length + engine.completedTasks.filter((t) => t.state === state).length;
  const total = active.reduce((acc, a) => addQuantities(acc, a.total), emptyQuantities());
  const used = active.reduce((acc, a) => addQuantities(acc, agentUsage(engine, a).used), emptyQuantities());
  const percent = (u: number, t: number) => (t > 0 ? u / t : 0);
  const out: Record<string, number> = {
    'master/elected': elected ? 1 : 0,
    'master/uptime_secs': (Date.now() / 1000) - server.startTime,
    'master/frameworks_active': frameworks.filter((f) => f.connected).length,
    'master/frameworks_inactive': frameworks.filter((f) => !f.connected).length,
    'master/frameworks_connected': frameworks.filter((f) => f.connected).length,
    'master/frameworks_disconnected': frameworks.filter((f) => !f.connected).length,
    'master/slaves_active': active.length,
    'master/slaves_inactive': 0,
    'master/slaves_connected': active.length,
    'master/slaves_disconnected': agents.filter((a) => a.state === 'unreachable').length,
    'master/slaves_unreachable': agents.filter((a) => a.state === 'unreachable').length,
    'master/outstanding_offers': engine.offers.size,
  };
  for (const state of ['staging', 'starting', 'running', 'killing', 'finished', 'failed', 'killed', 'lost', 'error', 'dropped', 'unreachable', 'gone', 'gone_by_operator']) {
    out[`master/tasks_${state}`] = count(`TASK_${state.toUpperCase()}`);
  }
  for (const r of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    out[`master/${r}_total`] = total[r];
    out[`master/${r}_used`] = used[r];
    out[`master/${r}_percent`] = percent(used[r], total[r]);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export { stateJson };
