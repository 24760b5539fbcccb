import { it } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from './support/targets.js';
import { get } from '../simulator/raw-client.js';

conformance('master endpoints', (target) => {
  it('GET /health answers 200 with an empty body', async () => {
    const r = await get(`${target().url}/health`);
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  it('GET /version names Mesos 1.11.0 with its build fields', async () => {
    const r = await get(`${target().url}/version`);
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const body = JSON.parse(r.body) as Record<string, unknown>;
    assert.equal(body['version'], '1.11.0');
    assert.deepEqual(Object.keys(body).sort(), ['build_date', 'build_time', 'build_user', 'version']);
  });

  for (const path of ['/redirect', '/master/redirect']) {
    it(`GET ${path} answers 307 to the leader as a scheme-relative URL`, async () => {
      const r = await get(`${target().url}${path}`);
      assert.equal(r.status, 307);
      assert.equal(r.headers['location'], `//${new URL(target().url).host}`);
    });
  }
});
