import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { get, post, RawSubscription } from './raw-client.js';

const fwInfo = { user: 'alice', name: 'raw-fw', failover_timeout: 60 };

describe('simulated master: HTTP status codes (raw JSON client)', () => {
  let sim: SimulatedMaster;
  before(async () => {
    sim = await SimulatedMaster.start({ agents: 1, heartbeatIntervalSeconds: 60, maxBodyBytes: 4096 });
  });
  after(async () => sim.stop());

  it('405 for a GET, with Allow: POST', async () => {
    const res = await post(sim.url, '', {}, 'GET');
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'POST');
    assert.match(res.body, /Expecting one of \{ 'POST' \}, but received 'GET'/);
  });

  it('400 without Content-Type', async () => {
    const res = await post(sim.url, '{}', {});
    assert.equal(res.status, 400);
    assert.equal(res.body, "Expecting 'Content-Type' to be present");
  });

  it('415 for a Content-Type with parameters', async () => {
    const res = await post(sim.url, '{}', { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(res.status, 415);
  });

  it('400 for malformed JSON and for a body that is not a Call', async () => {
    assert.equal((await post(sim.url, '{"type":')).status, 400);
    const res = await post(sim.url, '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"name":"x"}}}');
    assert.equal(res.status, 400);
    assert.match(res.body, /Failed to convert JSON into Call protobuf/);
  });

  it('400 for a call that fails validation', async () => {
    const res = await post(sim.url, '{"framework_id":{"value":"x"}}');
    assert.equal(res.status, 400);
    assert.equal(res.body, "Failed to validate scheduler::Call: Expecting 'type' to be present");
    const res2 = await post(sim.url, '{"type":"DECLINE","framework_id":{"value":"x"}}');
    assert.equal(res2.body, "Failed to validate scheduler::Call: Expecting 'decline' to be present");
  });

  it('413 for an oversized body, and the master keeps serving', async () => {
    const res = await post(sim.url, JSON.stringify({ type: 'REVIVE', padding: 'x'.repeat(10_000) }));
    assert.equal(res.status, 413);
    assert.equal((await get(`${sim.url}/health`)).status, 200);
  });

  it('406 when Accept allows neither encoding on SUBSCRIBE', async () => {
    const res = await post(sim.url, JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: fwInfo } }), { 'Content-Type': 'application/json', Accept: 'text/html' });
    assert.equal(res.status, 406);
  });

  it('400 for a SUBSCRIBE carrying Mesos-Stream-Id', async () => {
    const res = await post(sim.url, JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: fwInfo } }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.body, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
  });

  it('400 for an unknown framework, missing or mismatched stream id; 501 for UNKNOWN; 202 otherwise', async () => {
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.frameworkId !== '');
    const unknown = await post(sim.url, JSON.stringify({ type: 'REVIVE', framework_id: { value: 'nope' } }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body, 'Framework cannot be found');
    const missing = await post(sim.url, JSON.stringify({ type: 'REVIVE', framework_id: { value: sub.frameworkId } }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
    const wrong = await post(sim.url, JSON.stringify({ type: 'REVIVE', framework_id: { value: sub.frameworkId } }), { 'Content-Type': 'application/json', 'Mesos-Stream-Id': 'other' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body, /didn't match the stream ID currently associated/);
    assert.equal((await sub.call(sim.url, { type: 'UNKNOWN' })).status, 501);
    assert.equal((await sub.call(sim.url, { type: 'REVIVE' })).status, 202);
    sub.close();
  });

  it('403 for a known framework that is not subscribed', async () => {
    const sub = await RawSubscription.open(sim.url, fwInfo);
    await sub.waitFor((s) => s.frameworkId !== '');
    sub.close();
    await sim.waitFor((s) => !s.engine.frameworks.get(sub.frameworkId)!.connected);
    const res = await sub.call(sim.url, { type: 'REVIVE' });
    assert.equal(res.status, 403);
    assert.equal(res.body, 'Framework is not subscribed');
  });

  it('serves /health, /version, /master/state and /master/redirect', async () => {
    assert.equal((await get(`${sim.url}/master/health`)).status, 200);
    assert.equal(JSON.parse((await get(`${sim.url}/version`)).body).version, '1.11.0');
    const state = JSON.parse((await get(`${sim.url}/master/state`)).body);
    assert.equal(state.slaves.length, 1);
    assert.equal(state.activated_slaves, 1);
    const redirect = await get(`${sim.url}/master/redirect`);
    assert.equal(redirect.status, 307);
    assert.equal(redirect.headers['location'], sim.url.replace('http:', ''));
  });
});

describe('simulated master: authentication', () => {
  it('401 with WWW-Authenticate without valid basic credentials, 200 with them', async () => {
    const sim = await SimulatedMaster.start({ agents: 1, credentials: [{ principal: 'fw', secret: 'pw' }] });
    try {
      const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: fwInfo } });
      const denied = await post(sim.url, body);
      assert.equal(denied.status, 401);
      assert.equal(denied.headers['www-authenticate'], 'Basic realm="mesos-master-scheduler"');
      const wrong = await post(sim.url, body, { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('fw:bad').toString('base64')}` });
      assert.equal(wrong.status, 401);
    } finally {
      await sim.stop();
    }
  });
});

describe('simulated master: several masters', () => {
  it('non-leaders answer 307 with a scheme-less Location; no leader gives 503; failover moves the leader', async () => {
    const sim = await SimulatedMaster.start({ agents: 1, masters: 3 });
    try {
      const [leader, follower] = sim.servers;
      const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: fwInfo } });
      const redirected = await post(follower!.url, body);
      assert.equal(redirected.status, 307);
      assert.equal(redirected.headers['location'], `//${leader!.host}:${leader!.port}/master/api/v1/scheduler`);
      sim.fault({ action: 'no-leader' });
      const none = await post(leader!.url, body);
      assert.equal(none.status, 503);
      assert.equal(none.body, 'No leader elected');
      sim.fault({ action: 'elect', index: 1 });
      assert.equal(sim.url, follower!.url);
      assert.equal((await post(leader!.url, body)).status, 307);
    } finally {
      await sim.stop();
    }
  });
});
