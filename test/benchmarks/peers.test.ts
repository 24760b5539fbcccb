/**
 * The peer benchmark (benchmarks/peers.bench.ts) at a tiny size: both frameworks really launch
 * every task to TASK_FINISHED (seen by the framework and retired by the simulator), and every
 * decode reader really reads the whole stream, so the benchmark cannot silently measure nothing.
 * No timing is asserted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchRun } from '../../benchmarks/peers/launch.js';
import { DecodeBench } from '../../benchmarks/peers/decode.js';
import { jsonPayloads, recordedEvents } from '../../benchmarks/peers/events.js';

describe('peers benchmark', { timeout: 240_000 }, () => {
  for (const variant of ['ours', 'peer'] as const) {
    it(`${variant}: launches 20 tasks to TASK_FINISHED on the simulator, and the master retired all 20`, async () => {
      const run = await launchRun(variant, 20, { timeoutMs: 90_000 });
      assert.equal(run.variant, variant);
      assert.equal(run.finished, 20, `framework saw ${run.finished} TASK_FINISHED; errors: ${run.errors.join(' | ')}`);
      assert.equal(run.failed, 0);
      assert.equal(run.masterFinished, 20, 'the simulator retired every task as TASK_FINISHED (acknowledged)');
      assert.match(run.frameworkId, /-0000$/);
      assert.ok(run.seconds > 0 && run.cpuMs > 0 && run.maxRssMb > 0);
    });
  }

  it('the peer at its documented log level error launches too (its logging is what the benchmark switches off)', async () => {
    const run = await launchRun('peer', 20, { timeoutMs: 90_000, peerLogLevel: 'error' });
    assert.equal(run.finished, 20);
    assert.equal(run.masterFinished, 20);
  });

  it('every decode reader reads the whole recorded stream (ours, the peer, bare JSON.parse)', async () => {
    const bench = new DecodeBench(3000, 100);
    await bench.start();
    try {
      for (const variant of ['ours', 'peer', 'bare'] as const) {
        const run = await bench.run(variant);
        assert.equal(run.received, 3000, `${variant} handed on ${run.received} of 3000 events`);
        assert.equal(run.events, 2900);
        assert.equal(run.errors, 0, `${variant} reported errors`);
      }
    } finally {
      await bench.stop();
    }
  });

  it('the recorded stream mixes OFFERS of 5 offers, UPDATEs and HEARTBEATs, one JSON line each', () => {
    const events = recordedEvents(100);
    const types = new Map<string, number>();
    for (const e of events) types.set(e.type!, (types.get(e.type!) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(types), { OFFERS: 4, UPDATE: 100, HEARTBEAT: 20 });
    assert.equal(events[0]!.offers?.offers?.length, 5);
    for (const p of jsonPayloads(events)) assert.equal(p.includes(0x0a), false);
  });
});
