// The command lines of the samples and of mesos-sim, run as a user runs them (compiled, as child
// processes): bad values are refused with one readable line and exit status 2, --version prints the
// package's version, and run-time failures (a taken port, an unreachable master) are one line too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SAMPLE_01 = file('../../samples/01-launch-tasks/main.js');
const SAMPLE_02 = file('../../samples/02-custom-executor/main.js');
const SIM = file('../../src/simulator/cli.js');
const VERSION = (JSON.parse(readFileSync(file('../../../package.json'), 'utf8')) as { version: string }).version;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(script: string, args: string[], timeoutMs = 30_000): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** stderr holds exactly one line, matching `pattern`, and no stack trace. */
function oneLine(o: Outcome, pattern: RegExp): void {
  const lines = o.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${o.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(o.stderr, /^\s+at /m, 'no stack trace');
}

async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('sample 01 command line', () => {
  const bad: Array<[string[], RegExp]> = [
    [['--agents', 'abc'], /^error: option '--agents <n>' argument 'abc' is invalid\. expected a whole number from 1 to 10000\.$/],
    [['--agents', '2.5'], /--agents .*'2\.5' is invalid\. expected a whole number/],
    [['--timeout', 'abc'], /^error: option '--timeout <seconds>' argument 'abc' is invalid\. expected a number above 0\.$/],
    [['--timeout', '-1'], /--timeout .* expected a number above 0/],
    [['--encoding', 'xml'], /^error: option '--encoding <encoding>' argument 'xml' is invalid\. Allowed choices are protobuf, json\.$/],
    [['--port', '70000'], /--port .*'70000' is invalid\. expected a port from 0 to 65535/],
    [['--log-level', 'loud'], /--log-level .* Allowed choices are trace, debug, info, warn, error, fatal/],
  ];
  for (const [args, pattern] of bad) {
    it(`refuses ${args.join(' ')} with one line and exit status 2`, async () => {
      const o = await runCli(SAMPLE_01, args);
      assert.equal(o.code, 2);
      oneLine(o, pattern);
      assert.equal(o.stdout, '', 'nothing ran');
    });
  }

  it('--version prints the package version', async () => {
    const o = await runCli(SAMPLE_01, ['--version']);
    assert.equal(o.code, 0);
    assert.equal(o.stdout.trim(), VERSION);
  });

  it('a taken --port is one line saying to pick another, exit status 1', async () => {
    const taken = await occupiedPort();
    try {
      const o = await runCli(SAMPLE_01, ['--port', String(taken.port), '--agents', '1', '--timeout', '20']);
      assert.equal(o.code, 1);
      oneLine(o, new RegExp(`^error: port ${taken.port} is in use; pick another with --port`));
    } finally {
      await taken.close();
    }
  });

  it('an unreachable master is one line saying so and why, within --timeout, exit status 1', async () => {
    const closed = await occupiedPort();
    await closed.close(); // nobody listens there now
    const o = await runCli(SAMPLE_01, ['--master', `http://127.0.0.1:${closed.port}`, '--timeout', '3'], 20_000);
    assert.equal(o.code, 1, `exited on its own (stderr: ${o.stderr})`);
    oneLine(o, new RegExp(`^error ERR_MASTER_UNREACHABLE: .*master.*127\\.0\\.0\\.1:${closed.port}.*ECONNREFUSED`));
  });
});

describe('sample 02 command line', () => {
  it('refuses --timeout abc with one line and exit status 2', async () => {
    const o = await runCli(SAMPLE_02, ['--timeout', 'abc']);
    assert.equal(o.code, 2);
    oneLine(o, /^error: option '--timeout <seconds>' argument 'abc' is invalid\. expected a number above 0\.$/);
  });

  it('--version prints the package version', async () => {
    const o = await runCli(SAMPLE_02, ['--version']);
    assert.equal(o.stdout.trim(), VERSION);
  });

  it('an unreachable master is one line saying so and why, within --timeout, exit status 1', async () => {
    const o = await runCli(SAMPLE_02, ['--master', 'http://127.0.0.1:1', '--timeout', '3'], 20_000);
    assert.equal(o.code, 1);
    oneLine(o, /^error ERR_MASTER_UNREACHABLE: .*127\.0\.0\.1:1.*ECONNREFUSED/);
  });
});

describe('mesos-sim command line', () => {
  const bad: Array<[string[], RegExp]> = [
    [['--agents', 'abc'], /^error: option '--agents <n>' argument 'abc' is invalid\. expected a whole number from 1 to 10000\.$/],
    [['--cpus', 'lots'], /--cpus .* expected a number above 0/],
    [['--port', '65536'], /--port .* expected a port from 0 to 65535/],
    [['--commands', 'xml'], /^error: option '--commands <mode>' argument 'xml' is invalid\. Allowed choices are real, simulated\.$/],
    [['--heartbeat', '0'], /--heartbeat .* expected a number above 0/],
  ];
  for (const [args, pattern] of bad) {
    it(`refuses ${args.join(' ')} with one line and exit status 2`, async () => {
      const o = await runCli(SIM, args);
      assert.equal(o.code, 2);
      oneLine(o, pattern);
    });
  }

  it('--version prints the package version', async () => {
    const o = await runCli(SIM, ['--version']);
    assert.equal(o.code, 0);
    assert.equal(o.stdout.trim(), VERSION);
  });

  describe('on a taken port', () => {
    let taken: { port: number; close(): Promise<void> };
    before(async () => (taken = await occupiedPort()));
    after(async () => taken.close());
    it('says so in one line and exits 1', async () => {
      const o = await runCli(SIM, ['--port', String(taken.port), '--agents', '1']);
      assert.equal(o.code, 1);
      oneLine(o, new RegExp(`^mesos-sim: port ${taken.port} is in use; pick another with --port`));
    });
  });
});
