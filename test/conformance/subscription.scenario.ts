// The subscription stream, by hand: SUBSCRIBE in both encodings, RecordIO framing, SUBSCRIBED and
// HEARTBEAT, re-subscription on a second connection, TEARDOWN and what follows it.
import http from 'node:http';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { get, post, RawSubscription } from '../simulator/raw-client.js';
import { Codecs } from '../../src/protocol/messages.js';
import type { scheduler } from '../../src/protocol/generated/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const info = (name: string, extra: Record<string, unknown> = {}) => ({ user: 'root', name, failover_timeout: 60, ...extra });

/** Splits RecordIO bytes into records; fails on anything that is not `<decimal length>\n<bytes>`. */
function splitRecords(bytes: Buffer): { records: Buffer[]; rest: Buffer } {
  const records: Buffer[] = [];
  let at = 0;
  for (;;) {
    const nl = bytes.indexOf(0x0a, at);
    if (nl < 0) break;
    const header = bytes.subarray(at, nl).toString('latin1');
    assert.match(header, /^[1-9][0-9]*$/, `a RecordIO header is a decimal length, got ${JSON.stringify(header)}`);
    const length = Number(header);
    if (nl + 1 + length > bytes.length) break;
    records.push(bytes.subarray(nl + 1, nl + 1 + length));
    at = nl + 1 + length;
  }
  return { records, rest: bytes.subarray(at) };
}

/** Opens a SUBSCRIBE by hand in the given encoding and collects the raw bytes until `records` records came (or the events satisfy it). */
function rawSubscribe(url: string, body: Buffer, contentType: string, accept: string, records: number | ((events: scheduler.Event[]) => boolean)): Promise<{ res: http.IncomingMessage; raw: Buffer; events: scheduler.Event[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1/scheduler`, { method: 'POST', agent: false, headers: { 'Content-Type': contentType, Accept: accept } }, (res) => {
      let raw = Buffer.alloc(0);
      const timer = setTimeout(() => reject(new Error(`only ${splitRecords(raw).records.length} records came`)), 10_000);
      res.on('data', (chunk: Buffer) => {
        raw = Buffer.concat([raw, chunk]);
        const { records: got } = splitRecords(raw);
        const encoding = accept === 'application/x-protobuf' ? 'protobuf' : 'json';
        const events = got.map((r) => Codecs.schedulerEvent().decode(r, encoding));
        if (typeof records === 'number' ? got.length >= records : records(events)) {
          clearTimeout(timer);
          resolve({ res, raw, events, close: () => req.destroy() });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function teardown(url: string, frameworkId: string, streamId: string): Promise<void> {
  await post(url, JSON.stringify({ type: 'TEARDOWN', framework_id: { value: frameworkId } }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId });
}

conformance('subscription stream', (target) => {
  for (const [encoding, media] of [['json', 'application/json'], ['protobuf', 'application/x-protobuf']] as const) {
    it(`SUBSCRIBE (${encoding}): 200, chunked RecordIO in ${media}, a stream id, SUBSCRIBED then HEARTBEAT`, async () => {
      const url = target().url;
      const call: scheduler.Call = { type: 'SUBSCRIBE', subscribe: { framework_info: info(`conformance-sub-${encoding}-${Date.now()}`) } };
      const body = Buffer.from(Codecs.schedulerCall().encode(call, encoding));
      const s = await rawSubscribe(url, body, media, media, (events) => events.some((e) => e.type === 'HEARTBEAT'));
      const subscribed = s.events[0]!.subscribed!;
      try {
        assert.equal(s.res.statusCode, 200);
        assert.equal(s.res.headers['content-type'], media);
        assert.equal(s.res.headers['transfer-encoding'], 'chunked');
        assert.match(String(s.res.headers['mesos-stream-id']), UUID);
        // A first HEARTBEAT follows SUBSCRIBED at once; on Mesos the first OFFERS may come between them.
        assert.deepEqual(s.events.map((e) => e.type).filter((t) => t !== 'OFFERS'), ['SUBSCRIBED', 'HEARTBEAT']);
        assert.ok(subscribed.framework_id.value.length > 0);
        assert.equal(subscribed.heartbeat_interval_seconds, 15);
        const master = subscribed.master_info!;
        const host = new URL(url);
        assert.equal(master.version, '1.11.0');
        assert.equal(master.port, Number(host.port));
        assert.equal(master.hostname, host.hostname);
        assert.equal(master.pid, `master@${host.hostname}:${host.port}`);
        assert.equal(master.ip, 16777343); // 127.0.0.1 in network byte order read as a little-endian integer
        assert.deepEqual(master.address, { hostname: host.hostname, ip: host.hostname, port: Number(host.port) });
        assert.match(master.id, UUID);
        assert.deepEqual((master.capabilities ?? []).map((c) => c.type).filter((t) => typeof t === 'string'), ['AGENT_UPDATE', 'AGENT_DRAINING']);
        // Each record is its own `<length>\n<bytes>`, and nothing is left over but a record still arriving.
        const { records } = splitRecords(s.raw);
        assert.ok(records.length >= 2);
      } finally {
        await teardown(url, subscribed.framework_id.value, String(s.res.headers['mesos-stream-id']));
        s.close();
      }
    });
  }

  it('JSON SUBSCRIBED is written with Mesos field names', async () => {
    const url = target().url;
    const body = Buffer.from(JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info(`conformance-sub-names-${Date.now()}`) } }));
    const s = await rawSubscribe(url, body, 'application/json', 'application/json', 1);
    const record = JSON.parse(splitRecords(s.raw).records[0]!.toString('utf8')) as Record<string, any>;
    try {
      assert.deepEqual(Object.keys(record), ['type', 'subscribed']);
      assert.deepEqual(Object.keys(record['subscribed']).sort(), ['framework_id', 'heartbeat_interval_seconds', 'master_info']);
      assert.deepEqual(Object.keys(record['subscribed'].master_info).sort(), ['address', 'capabilities', 'hostname', 'id', 'ip', 'pid', 'port', 'version']);
    } finally {
      await teardown(url, record['subscribed'].framework_id.value, String(s.res.headers['mesos-stream-id']));
      s.close();
    }
  });

  it('a second SUBSCRIBE of the same framework takes over: the old stream gets ERROR "Framework failed over" and ends', async () => {
    const url = target().url;
    const fwInfo = info(`conformance-sub-failover-${Date.now()}`);
    const first = await RawSubscription.open(url, fwInfo);
    let second: RawSubscription | undefined;
    try {
      await first.waitFor((s) => s.frameworkId !== '', 10_000, 'SUBSCRIBED');
      second = await RawSubscription.open(url, { ...fwInfo, id: { value: first.frameworkId } });
      await second.waitFor((s) => s.frameworkId !== '', 10_000, 'SUBSCRIBED on the second connection');
      await first.waitFor((s) => s.ended, 10_000, 'the old stream to end');
      assert.equal(second.status, 200);
      assert.equal(second.frameworkId, first.frameworkId);
      assert.notEqual(second.streamId, first.streamId);
      assert.deepEqual(first.events.at(-1), { type: 'ERROR', error: { message: 'Framework failed over' } });
      assert.equal(first.ofType('ERROR').length, 1);
      assert.equal(second.ofType('ERROR').length, 0);
      const stale = await post(url, JSON.stringify({ type: 'REVIVE', framework_id: { value: first.frameworkId } }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': first.streamId });
      assert.equal(stale.status, 400);
      assert.equal(stale.body, `The stream ID '${first.streamId}' included in this request didn't match the stream ID currently associated with framework ID ${first.frameworkId}`);
      const fresh = await second.call(url, { type: 'REVIVE' });
      assert.equal(fresh.status, 202);
    } finally {
      if (second?.frameworkId) await second.call(url, { type: 'TEARDOWN' });
      second?.close();
      first.close();
    }
  });

  it('SUBSCRIBE with the id of a framework the master does not know registers it under that id', async () => {
    const url = target().url;
    const id = `conformance-ghost-${Date.now()}`;
    const sub = await RawSubscription.open(url, info(`conformance-sub-ghost-${Date.now()}`, { id: { value: id } }));
    try {
      await sub.waitFor((s) => s.frameworkId !== '', 10_000, 'SUBSCRIBED');
      assert.equal(sub.status, 200);
      assert.equal(sub.frameworkId, id);
    } finally {
      if (sub.frameworkId) await sub.call(url, { type: 'TEARDOWN' });
      sub.close();
    }
  });

  it('TEARDOWN: 202, the stream ends without an ERROR, the framework is completed, later calls find no framework', async () => {
    const url = target().url;
    const fwInfo = info(`conformance-sub-teardown-${Date.now()}`);
    const sub = await RawSubscription.open(url, fwInfo);
    try {
      await sub.waitFor((s) => s.frameworkId !== '', 10_000, 'SUBSCRIBED');
      const r = await sub.call(url, { type: 'TEARDOWN' });
      assert.equal(r.status, 202);
      assert.equal(r.body, '');
      await sub.waitFor((s) => s.ended, 10_000, 'the stream to end');
      assert.equal(sub.ofType('ERROR').length, 0);
      assert.deepEqual([...new Set(sub.events.map((e) => e['type']))].filter((t) => !['SUBSCRIBED', 'HEARTBEAT', 'OFFERS'].includes(t)), []);

      const state = JSON.parse((await get(`${url}/master/state`)).body) as Record<string, any>;
      assert.equal(state['frameworks'].some((f: any) => f.id === sub.frameworkId), false);
      const done = state['completed_frameworks'].find((f: any) => f.id === sub.frameworkId);
      assert.ok(done, 'the framework is in completed_frameworks');
      assert.equal(done.name, fwInfo.name);
      assert.equal(done.active, false);
      assert.equal(done.connected, false);
      assert.equal(done.user, 'root');
      assert.equal(done.failover_timeout, 60);
      assert.deepEqual(done.tasks, []);
      assert.ok(done.unregistered_time > 0);

      const after = await post(url, JSON.stringify({ type: 'REVIVE', framework_id: { value: sub.frameworkId } }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': sub.streamId });
      assert.equal(after.status, 400);
      assert.equal(after.body, 'Framework cannot be found');

      const again = await RawSubscription.open(url, { ...fwInfo, id: { value: sub.frameworkId } });
      await again.waitFor((s) => s.ended, 10_000, 'the refused stream to end');
      assert.equal(again.status, 200);
      assert.deepEqual(again.events, [{ type: 'ERROR', error: { message: 'Framework has been removed' } }]);
    } finally {
      sub.close();
    }
  });

  it('TEARDOWN ends the old stream cleanly: the chunked body completes (not cut), with nothing after what came before', async () => {
    const url = target().url;
    const body = Buffer.from(JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info(`conformance-sub-teardown-end-${Date.now()}`) } }));
    const sub = await rawSubscribe(url, body, 'application/json', 'application/json', 1);
    const frameworkId = sub.events[0]!.subscribed!.framework_id.value;
    try {
      const ending = new Promise<string>((resolve) => {
        sub.res.on('end', () => resolve(sub.res.complete ? 'complete' : 'incomplete'));
        sub.res.on('aborted', () => resolve('aborted'));
        sub.res.on('error', (err) => resolve(`error: ${err.message}`));
      });
      let after = Buffer.alloc(0);
      sub.res.on('data', (chunk: Buffer) => (after = Buffer.concat([after, chunk])));
      await new Promise((r) => setTimeout(r, 200));
      after = Buffer.alloc(0);
      await teardown(url, frameworkId, String(sub.res.headers['mesos-stream-id']));
      assert.equal(await ending, 'complete');
      const types = splitRecords(after).records.map((r) => Codecs.schedulerEvent().decode(r, 'json').type);
      assert.deepEqual(types.filter((t) => t !== 'HEARTBEAT' && t !== 'OFFERS'), [], 'no ERROR or other event before the end');
    } finally {
      sub.close();
    }
  });
});
