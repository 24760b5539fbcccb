// The master's read-only JSON endpoints with one framework and one running task: the fields a
// scheduler author or a tool reads are there with the right values on both masters, and every field
// the simulator serves is one real Mesos 1.11 serves, with the same JSON type (checked against
// `support/mesos-1.11-shapes.ts`, recorded from a real 1.11 master by the same kind of request).
import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { MESOS_1_11_SHAPES } from './support/mesos-1.11-shapes.js';
import { get, launch, RawSubscription } from '../simulator/raw-client.js';

type Json = Record<string, any>;
const SHAPES = MESOS_1_11_SHAPES;
const ROLE = 'conformance-state';

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** Task lists and completed frameworks have the shape of tasks and frameworks. */
const norm = (p: string) => p.replace(/\.(completed_tasks|unreachable_tasks|orphan_tasks)\[\]/g, '.tasks[]').replace(/^\.completed_frameworks\[\]/, '.frameworks[]');

/** Every key path of `value` with a type not in the reference shape of `endpoint`. */
function unknownFields(endpoint: string, value: unknown, path = '', out: string[] = []): string[] {
  const shape = SHAPES[endpoint]!;
  const p = norm(path);
  const k = kind(value);
  if (path !== '' && !(shape[p] ?? '').split('|').includes(k)) out.push(`${p} (${k}, real: ${shape[p] ?? 'absent'})`);
  if (k === 'array') for (const x of value as unknown[]) unknownFields(endpoint, x, `${path}[]`, out);
  if (k === 'object') {
    for (const [key, v] of Object.entries(value as Json)) {
      // Metrics named after frameworks, roles and the (state, source, reason) of updates seen are data, not fields.
      if (key.startsWith('master/frameworks/') || /^allocator\/mesos\/.*roles\//.test(key) || /^master\/task_[a-z_]+\/source_/.test(key)) continue;
      unknownFields(endpoint, v, `${path}.${/\.reserved_resources$/.test(p) ? '*' : key}`, out);
    }
  }
  return out;
}

/**
 * The part of an answer that is this scenario's: our framework (the real cluster also holds the
 * frameworks of earlier scenarios, with tasks of every kind), our tasks and our role.
 */
function scoped(body: Json, frameworkId: string): Json {
  const out: Json = { ...body };
  const ours = (list: Json[] | undefined) => list?.filter((x) => x['id'] === frameworkId || x['framework_id'] === frameworkId);
  for (const key of ['frameworks', 'completed_frameworks', 'tasks']) if (Array.isArray(out[key])) out[key] = ours(out[key]);
  if (Array.isArray(out['roles'])) out['roles'] = out['roles'].filter((r: Json) => r['name'] === ROLE);
  return out;
}

async function getJson(url: string): Promise<Json> {
  const r = await get(url);
  assert.equal(r.status, 200, `${url}: ${r.body}`);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  return JSON.parse(r.body) as Json;
}

conformance('master JSON endpoints', (target) => {
  let sub: RawSubscription;
  let taskId: string;
  let agentId: string;
  const name = `conformance-state-${Date.now()}`;

  before(async () => {
    const url = target().url;
    sub = await RawSubscription.open(url, { user: 'root', name, failover_timeout: 60, roles: [ROLE], capabilities: [{ type: 'MULTI_ROLE' }] });
    await sub.waitFor((s) => s.ofType('OFFERS').length > 0, 15_000, 'OFFERS');
    const offer = sub.ofType('OFFERS')[0]!['offers'].offers[0] as Json;
    agentId = offer['agent_id'].value;
    taskId = `${name}-task`;
    const r = await sub.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer['id']], operations: [launch(offer, taskId, 0.5, 64, taskId, { command: { value: 'sleep 60' } })], filters: { refuse_seconds: 1 } } });
    assert.equal(r.status, 202);
    const acked = new Set<string>();
    await sub.waitFor((s) => {
      for (const u of s.updates(taskId)) {
        if (u.uuid && !acked.has(u.uuid)) {
          acked.add(u.uuid);
          void s.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: u.agent_id, task_id: u.task_id, uuid: u.uuid } });
        }
      }
      return s.updates(taskId).some((u) => u.state === 'TASK_RUNNING');
    }, 20_000, 'TASK_RUNNING');
  });

  after(async () => {
    // The last test tears the framework down; this is for a run that stopped before it.
    if (sub?.frameworkId && !sub.ended) await sub.call(target().url, { type: 'TEARDOWN' }).catch(() => undefined);
    sub?.close();
  });

  const endpoints = ['/master/state', '/master/state-summary', '/master/frameworks', '/master/slaves', '/master/tasks', '/master/roles', '/master/flags', '/metrics/snapshot'];
  for (const endpoint of endpoints) {
    it(`${endpoint}: every field served is a real Mesos 1.11 field of the same JSON type`, async () => {
      const body = scoped(await getJson(`${target().url}${endpoint}`), sub.frameworkId);
      assert.deepEqual(unknownFields(endpoint, body), []);
    });
  }

  it('/master/state: the master, its agents, our framework, its task and offers', async () => {
    const url = target().url;
    const state = await getJson(`${url}/master/state`);
    const host = new URL(url);
    for (const key of ['version', 'build_date', 'build_time', 'build_user', 'start_time', 'elected_time', 'id', 'pid', 'hostname', 'capabilities', 'activated_slaves', 'deactivated_slaves', 'unreachable_slaves', 'leader', 'leader_info', 'flags', 'slaves', 'recovered_slaves', 'frameworks', 'completed_frameworks', 'orphan_tasks', 'unregistered_frameworks']) {
      assert.ok(key in state, `/master/state has ${key}`);
    }
    assert.equal(state['version'], '1.11.0');
    assert.equal(state['pid'], `master@${host.hostname}:${host.port}`);
    assert.equal(state['leader'], state['pid']);
    assert.deepEqual(state['leader_info'], { id: state['id'], pid: state['pid'], port: Number(host.port), hostname: host.hostname });
    assert.deepEqual(state['capabilities'], ['AGENT_UPDATE', 'AGENT_DRAINING', 'QUOTA_V2']);
    assert.equal(state['activated_slaves'], 2);

    assert.equal(state['slaves'].length, 2);
    const racks = state['slaves'].map((s: Json) => s.attributes.rack).sort();
    assert.deepEqual(racks, ['r1', 'r2']);
    for (const slave of state['slaves'] as Json[]) {
      for (const key of ['id', 'hostname', 'port', 'pid', 'registered_time', 'resources', 'used_resources', 'offered_resources', 'reserved_resources', 'unreserved_resources', 'attributes', 'active', 'deactivated', 'version', 'capabilities']) {
        assert.ok(key in slave, `slave has ${key}`);
      }
      assert.equal(slave['hostname'], '127.0.0.1');
      assert.equal(slave['active'], true);
      assert.equal(slave['version'], '1.11.0');
      const ports = slave['attributes'].rack === 'r1' ? '[31000-31999]' : '[32000-32999]';
      assert.deepEqual(slave['resources'], { disk: 10000, mem: 4096, gpus: 0, cpus: 4, ports });
      assert.deepEqual(slave['unreserved_resources'], slave['resources']);
      assert.deepEqual(slave['reserved_resources'], {});
      assert.deepEqual(Object.keys(slave['used_resources']).slice(0, 4), ['disk', 'mem', 'gpus', 'cpus']);
    }
    const agent = state['slaves'].find((s: Json) => s.id === agentId) as Json;
    assert.ok(agent['used_resources'].cpus >= 0.5);

    const fw = state['frameworks'].find((f: Json) => f.id === sub.frameworkId) as Json;
    assert.ok(fw, 'our framework is in frameworks');
    assert.equal(fw['name'], name);
    assert.equal(fw['user'], 'root');
    assert.deepEqual(fw['roles'], [ROLE]);
    assert.equal('role' in fw, false);
    assert.deepEqual(fw['capabilities'], ['MULTI_ROLE']);
    assert.equal(fw['active'], true);
    assert.equal(fw['connected'], true);
    assert.equal(fw['recovered'], false);
    assert.equal(fw['failover_timeout'], 60);
    assert.equal(fw['checkpoint'], false);
    assert.equal(fw['hostname'], '');
    assert.equal(fw['webui_url'], '');
    assert.equal(fw['unregistered_time'], 0);
    assert.ok(fw['registered_time'] > 0);
    assert.deepEqual(fw['used_resources'], { disk: 0, mem: 64, gpus: 0, cpus: 0.5 });
    assert.deepEqual(fw['unreachable_tasks'], []);
    assert.deepEqual(fw['offer_constraints'], {});
    assert.equal(fw['tasks'].length, 1);
    const task = fw['tasks'][0] as Json;
    for (const key of ['id', 'name', 'framework_id', 'executor_id', 'slave_id', 'state', 'resources', 'role']) assert.ok(key in task, `task has ${key}`);
    assert.equal(task['id'], taskId);
    assert.equal(task['name'], taskId);
    assert.equal(task['framework_id'], sub.frameworkId);
    assert.equal(task['executor_id'], '');
    assert.equal(task['slave_id'], agentId);
    assert.equal(task['state'], 'TASK_RUNNING');
    assert.equal(task['role'], ROLE);
    assert.deepEqual(task['resources'], { disk: 0, mem: 64, gpus: 0, cpus: 0.5 });
    for (const offer of fw['offers'] as Json[]) {
      assert.equal(offer['framework_id'], sub.frameworkId);
      assert.deepEqual(offer['allocation_info'], { role: ROLE });
      assert.ok(state['slaves'].some((s: Json) => s.id === offer['slave_id']));
      assert.equal(typeof offer['resources'].cpus, 'number');
    }
  });

  it('/master/state-summary counts our task per agent and per framework', async () => {
    const summary = await getJson(`${target().url}/master/state-summary`);
    assert.deepEqual(Object.keys(summary).sort(), ['frameworks', 'hostname', 'slaves']);
    const agent = summary['slaves'].find((s: Json) => s.id === agentId) as Json;
    assert.ok(agent['TASK_RUNNING'] >= 1);
    assert.ok(agent['framework_ids'].includes(sub.frameworkId));
    const fw = summary['frameworks'].find((f: Json) => f.id === sub.frameworkId) as Json;
    assert.equal(fw['TASK_RUNNING'], 1);
    assert.equal(fw['TASK_FINISHED'], 0);
    assert.deepEqual(fw['slave_ids'], [agentId]);
    assert.equal(fw['active'], true);
    assert.equal('tasks' in fw, false);
  });

  it('/master/frameworks lists frameworks and filters by framework_id', async () => {
    const url = target().url;
    const all = await getJson(`${url}/master/frameworks`);
    assert.deepEqual(Object.keys(all).sort(), ['completed_frameworks', 'frameworks', 'unregistered_frameworks']);
    assert.ok(all['frameworks'].some((f: Json) => f.id === sub.frameworkId));
    const one = await getJson(`${url}/master/frameworks?framework_id=${sub.frameworkId}`);
    assert.deepEqual(one['frameworks'].map((f: Json) => f.id), [sub.frameworkId]);
    assert.deepEqual(one['completed_frameworks'], []);
    assert.deepEqual(await getJson(`${url}/master/frameworks?framework_id=no-such-framework`), { frameworks: [], completed_frameworks: [], unregistered_frameworks: [] });
  });

  it('/master/slaves lists both agents', async () => {
    const slaves = await getJson(`${target().url}/master/slaves`);
    assert.equal(slaves['slaves'].length, 2);
    assert.deepEqual(slaves['recovered_slaves'], []);
    assert.ok(slaves['slaves'].some((s: Json) => s.id === agentId));
  });

  it('/master/tasks lists our task, alone when filtered by framework_id', async () => {
    const tasks = await getJson(`${target().url}/master/tasks?framework_id=${sub.frameworkId}`);
    assert.deepEqual(Object.keys(tasks), ['tasks']);
    assert.deepEqual(tasks['tasks'].map((t: Json) => [t.id, t.state, t.slave_id]), [[taskId, 'TASK_RUNNING', agentId]]);
    const byId = await getJson(`${target().url}/master/tasks?task_id=${taskId}`);
    assert.deepEqual(byId['tasks'].map((t: Json) => t.id), [taskId]);
  });

  it('/master/roles shows our role with its framework and allocation', async () => {
    const roles = await getJson(`${target().url}/master/roles`);
    const role = roles['roles'].find((r: Json) => r.name === ROLE) as Json;
    assert.ok(role, `role ${ROLE} is listed`);
    assert.equal(role['weight'], 1);
    assert.deepEqual(role['frameworks'], [sub.frameworkId]);
    assert.deepEqual(role['allocated'], { cpus: 0.5, mem: 64 });
    assert.deepEqual(role['quota'], { role: ROLE, guarantee: {}, limit: {}, consumed: { cpus: 0.5, mem: 64 } });
    // A role's resources are what it holds: allocated plus offered.
    const held: Record<string, number> = { ...role['allocated'] };
    for (const [k, v] of Object.entries(role['offered'] as Record<string, number>)) held[k] = (held[k] ?? 0) + v;
    assert.deepEqual(role['resources'], Object.fromEntries(Object.keys(held).sort().map((k) => [k, held[k]])));
    assert.deepEqual(role['reserved'], {});
  });

  it('/master/flags holds the flags a framework author reads, as strings', async () => {
    const url = target().url;
    const { flags } = await getJson(`${url}/master/flags`);
    assert.equal(flags['allocation_interval'], '1secs');
    assert.equal(flags['port'], new URL(url).port);
    assert.equal(flags['authenticate_http_frameworks'], 'false');
    assert.equal(flags['min_allocatable_resources'], 'cpus:0.01|mem:32');
    for (const v of Object.values(flags)) assert.equal(typeof v, 'string');
  });

  it('/metrics/snapshot counts frameworks, agents, tasks and resources', async () => {
    const m = await getJson(`${target().url}/metrics/snapshot`);
    assert.equal(m['master/elected'], 1);
    assert.equal(m['master/slaves_active'], 2);
    assert.equal(m['master/slaves_connected'], 2);
    assert.ok(m['master/frameworks_active'] >= 1);
    assert.ok(m['master/frameworks_connected'] >= 1);
    assert.ok(m['master/tasks_running'] >= 1);
    assert.equal(m['master/cpus_total'], 8);
    assert.equal(m['master/mem_total'], 8192);
    assert.equal(m['master/disk_total'], 20000);
    assert.ok(m['master/cpus_used'] >= 0.5);
    assert.equal(m['master/cpus_percent'], m['master/cpus_used'] / 8);
    assert.ok(m['master/uptime_secs'] > 0);
    for (const key of ['master/outstanding_offers', 'master/tasks_finished', 'master/tasks_failed', 'master/tasks_killed', 'master/tasks_lost', 'master/frameworks_inactive', 'master/slaves_unreachable']) {
      assert.equal(typeof m[key], 'number', key);
    }
  });

  it('after TEARDOWN the framework is completed, with its task killed', async () => {
    const url = target().url;
    const r = await sub.call(url, { type: 'TEARDOWN' });
    assert.equal(r.status, 202);
    await sub.waitFor((s) => s.ended, 10_000, 'the stream to end');
    let done: Json | undefined;
    for (let i = 0; i < 50 && !done?.['completed_tasks']?.length; i++) {
      const state = await getJson(`${url}/master/state`);
      done = state['completed_frameworks'].find((f: Json) => f.id === sub.frameworkId);
      if (!done?.['completed_tasks']?.length) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(done, 'the framework is in completed_frameworks');
    assert.equal(done['active'], false);
    assert.deepEqual(done['tasks'], []);
    assert.deepEqual(done['completed_tasks'].map((t: Json) => [t.id, t.state, t.framework_id, t.slave_id]), [[taskId, 'TASK_KILLED', sub.frameworkId, agentId]]);
    assert.deepEqual(done['used_resources'], { disk: 0, mem: 0, gpus: 0, cpus: 0 });
    assert.deepEqual(done['offers'], []);
    const frameworks = await getJson(`${url}/master/frameworks?framework_id=${sub.frameworkId}`);
    assert.deepEqual(frameworks['frameworks'], []);
    assert.equal(frameworks['completed_frameworks'].length, 1);
  });
}, { taskBehaviours: [{ name: '^conformance-state-', outcome: 'running-forever' }] });

conformance('operator API on the master (/api/v1)', (target) => {
  const operator = async (body: string, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST') => {
    const r = await fetch(`${target().url}/api/v1`, { method, headers, body: method === 'GET' ? undefined : body });
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  };

  it('answers bad requests as the scheduler endpoint does, with master::Call in the validation text', async () => {
    assert.deepEqual(await operator('', {}, 'GET'), { status: 405, type: 'text/plain; charset=utf-8', body: "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'." });
    assert.deepEqual(await operator('{}', { 'Content-Type': 'text/plain' }), { status: 415, type: 'text/plain; charset=utf-8', body: "Expecting 'Content-Type' of application/json or application/x-protobuf" });
    assert.deepEqual(await operator('xx'), { status: 400, type: 'text/plain; charset=utf-8', body: 'Failed to parse body into JSON: syntax error at line 1 near: xx' });
    assert.deepEqual(await operator('{}'), { status: 400, type: 'text/plain; charset=utf-8', body: "Failed to validate master::Call: Expecting 'type' to be present" });
    assert.deepEqual(await operator('{"type":"FOO"}'), { status: 400, type: 'text/plain; charset=utf-8', body: "Failed to validate master::Call: Expecting 'type' to be present" });
    assert.deepEqual(await operator('{"type":"UNKNOWN"}'), { status: 501, type: 'text/plain; charset=utf-8', body: '501 Not Implemented.' });
    assert.deepEqual(await operator('{"type":"GET_HEALTH"}', { 'Content-Type': 'application/json', Accept: 'text/html' }), { status: 406, type: 'text/plain; charset=utf-8', body: "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'" });
  });

  it('GET_HEALTH and GET_VERSION answer in JSON', async () => {
    assert.deepEqual(await operator('{"type":"GET_HEALTH"}'), { status: 200, type: 'application/json', body: '{"type":"GET_HEALTH","get_health":{"healthy":true}}' });
    const version = await operator('{"type":"GET_VERSION"}');
    assert.equal(version.status, 200);
    const body = JSON.parse(version.body) as Json;
    assert.equal(body['type'], 'GET_VERSION');
    assert.equal(body['get_version'].version_info.version, '1.11.0');
    assert.deepEqual(Object.keys(body['get_version'].version_info).sort(), ['build_date', 'build_time', 'build_user', 'version']);
  });
});
