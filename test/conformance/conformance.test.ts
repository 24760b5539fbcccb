// The conformance suite: every `*.scenario.js` beside this file, in one process so that the
// scenarios run one after another (they share the real master's agents when one is given).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_MASTER } from './support/targets.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const only = process.env['CONFORMANCE_ONLY'];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.scenario.js'))
  .filter((f) => !only || only.split(',').some((s) => f.includes(s)))
  .sort();

it('finds the conformance scenarios', () => {
  assert.ok(files.length > 0, `no *.scenario.js under ${here}`);
});

if (!REAL_MASTER && process.env['CI'] === 'true') {
  it('runs against a real Mesos master in CI', () => {
    assert.fail('CI=true but MESOS_MASTER is not set: .ci/run must start ../shared/mesos/local-cluster.sh and export MESOS_MASTER');
  });
}

for (const f of files) await import(`./${f}`);
