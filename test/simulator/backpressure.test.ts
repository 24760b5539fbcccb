import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { RawSubscription } from './raw-client.js';

const fwInfo = { user: 'alice', name: 'slow-reader', failover_timeout: 60 };
const TASKS_PER_OFFER = 250;
const AGENTS = 20;
const LIMIT = 64 * 1024;

describe('simulated master: event stream backpressure', () => {
  let sim: SimulatedMaster | undefined;
  let sub: RawSubscription | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  afterEach(async () => {
    sub?.close();
    await sim?.stop();
  });

  function call(body: Record<string, unknown>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${sim!.url}/api/v1/scheduler`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': sub!.streamId } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ framework_id: { value: sub!.frameworkId }, ...body }));
    });
  }

  it('a subscriber that stops reading: what the stream holds stays bounded, retries are not piled up, and after it resumes every update arrives', async () => {
    sim = await SimulatedMaster.start({
      agents: Array.from({ length: AGENTS }, () => ({ cpus: 64, mem: 1_000_000 })),
      allocationIntervalMs: 50,
      heartbeatIntervalSeconds: 0.05,
      statusUpdateRetryMs: 200,
      statusUpdateRetryMaxMs: 400,
      eventQueueBytes: LIMIT,
      taskBehaviours: [{ outcome: 'running-forever', startDelayMs: 1 }],
    });
    sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.ofType('OFFERS').reduce((n, e) => n + e['offers'].offers.length, 0) >= AGENTS, 5000, 'offers');
    const offers = sub.ofType('OFFERS').flatMap((e) => e['offers'].offers as Array<Record<string, any>>).slice(0, AGENTS);
    sub.pause();
    const ids: string[] = [];
    for (const [n, offer] of offers.entries()) {
      const task_infos = Array.from({ length: TASKS_PER_OFFER }, (_, i) => {
        const id = `t${n}-${i}`;
        ids.push(id);
        return {
          name: id,
          task_id: { value: id },
          agent_id: offer['agent_id'],
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } }, { name: 'mem', type: 'SCALAR', scalar: { value: 1 } }],
          command: { value: 'sleep 1000' },
        };
      });
      assert.equal(await call({ type: 'ACCEPT', accept: { offer_ids: [offer['id']], operations: [{ type: 'LAUNCH', launch: { task_infos } }] } }), 202);
    }
    // Paused for 3 s: without backpressure every retry (each 0.2-0.4 s, 5,000 tasks) piles up in the socket's buffer.
    let most = 0;
    let heldBack = 0;
    for (let i = 0; i < 150; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const st = sim.streamStats(sub.frameworkId)!;
      most = Math.max(most, st.queuedBytes + st.socketBufferedBytes);
      heldBack = Math.max(heldBack, st.waitingUpdates);
    }
    const st = sim.streamStats(sub.frameworkId)!;
    assert.ok(most < LIMIT + 256 * 1024, `the stream held at most ${most} bytes`);
    assert.ok(heldBack > 0, 'updates were held back in their agents streams');
    assert.ok(st.heartbeatsCoalesced > 0, 'heartbeats were coalesced');
    // A retry follows a copy that reached the connection (the kernel's socket buffers take some while paused), never one still waiting.
    const written = [...sim.engine.tasks.values()].reduce((n, t) => n + t.updates.sent, 0);
    assert.ok(sim.engine.stats.updateRetries <= written, `${sim.engine.stats.updateRetries} retries, ${written} copies written`);

    // Resumed and acknowledging: every task's STARTING then RUNNING arrives.
    sub.resume();
    const acked = new Set<string>();
    const deadline = Date.now() + 120_000;
    let cursor = 0;
    for (;;) {
      const fresh = sub.events.slice(cursor);
      cursor += fresh.length;
      const todo = fresh.filter((e) => e['type'] === 'UPDATE').map((e) => e['update'].status).filter((u) => u.uuid && !acked.has(u.uuid) && acked.add(u.uuid));
      for (let i = 0; i < todo.length; i += 50) {
        await Promise.all(todo.slice(i, i + 50).map((u) => {
          return call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: u.agent_id, task_id: u.task_id, uuid: u.uuid } });
        }));
      }
      const pending = [...sim.engine.tasks.values()].reduce((n, t) => n + t.updates.pending.length, 0);
      if (pending === 0 && [...sim.engine.tasks.values()].every((t) => t.state === 'TASK_RUNNING')) break;
      assert.ok(Date.now() < deadline, `still ${pending} updates unacknowledged`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seen = new Map<string, Set<string>>();
    for (const u of sub.updates()) {
      const states = seen.get(u.task_id.value) ?? new Set<string>();
      states.add(u.state);
      seen.set(u.task_id.value, states);
    }
    assert.equal(seen.size, ids.length);
    for (const id of ids) assert.deepEqual([...seen.get(id)!].sort(), ['TASK_RUNNING', 'TASK_STARTING'], id);
    assert.equal(sim.engine.tasks.size, ids.length);
    agent.destroy();
  });
});

describe('SimulatedMaster eventQueueBytes', () => {
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`refuses eventQueueBytes ${String(bad)} (0 or less would hold updates back for good, NaN would lift the bound)`, async () => {
      // A simulator that did start is stopped, so that the failure is reported rather than left running.
      await assert.rejects(SimulatedMaster.start({ eventQueueBytes: bad }).then(async (sim) => void (await sim.stop())), (err: Error) => err instanceof RangeError && /eventQueueBytes must be a finite number of bytes greater than 0/.test(err.message));
    });
  }
});
