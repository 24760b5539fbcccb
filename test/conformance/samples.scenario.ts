import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { conformance } from './support/targets.js';

// The samples, run as a user runs them (`node dist/samples/.../main.js --master URL`), to their
// summary with exit status 0, on the simulator and on a real master alike.

const SAMPLE_01 = fileURLToPath(new URL('../../samples/01-launch-tasks/main.js', import.meta.url));
const SAMPLE_02 = fileURLToPath(new URL('../../samples/02-custom-executor/main.js', import.meta.url));

function runSample(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

conformance('samples', (target) => {
  for (const encoding of ['protobuf', 'json']) {
    // Regression (issue #14): `sha256sum /dev/zero | head` never ended on a real agent and the run never did.
    it(`sample 01 runs every task of its default task file to the end (${encoding})`, async () => {
      const r = await runSample(SAMPLE_01, ['--master', target().url, '--encoding', encoding, '--timeout', '60']);
      const out = `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
      assert.equal(r.code, 0, out);
      assert.match(r.stdout, /^summary: launched 17, finished 17, failed 0, time [\d.]+ s$/m, out);
    });
  }

  // Regression (issue #14): the executor's random uuids were refused by a real agent; every task stayed LAUNCHING.
  it('sample 02 runs its tasks on the custom executor the agent fetched, to its summary', async () => {
    const r = await runSample(SAMPLE_02, ['--master', target().url, '--timeout', '60']);
    const out = `exit ${r.code}\n${r.stdout}\n${r.stderr}`;
    assert.equal(r.code, 0, out);
    const lines = r.stdout.split('\n');
    for (const expected of [
      'greet.0.0: TASK_FINISHED (exited with status 0: hello from greet.0.0)',
      'greet.1.0: TASK_FINISHED (exited with status 0: hello from greet.1.0)',
      'checksum.0.0: TASK_FINISHED (exited with status 0: 1345294785 1000000)',
      'fails.0.0: TASK_FAILED (exited with status 3: about to fail)',
    ]) {
      assert.ok(lines.includes(expected), `${expected}\n${out}`);
    }
    assert.match(r.stdout, /^summary: 4 tasks in [\d.]+ s; not finished: fails\.0\.0 /m, out);
  });
});
