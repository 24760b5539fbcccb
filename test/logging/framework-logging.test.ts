import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inject } from 'inversify';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../../src/simulator/simulated-master.js';
import { EventController, OnSubscribed, OnUpdate } from '../../src/decorators/index.js';
import { MlogLogger, parseMlogLine, REDACTED, type Logger } from '../../src/logging/index.js';
import { TOKENS } from '../../src/tokens.js';
import type { v1 } from '../../src/protocol/generated/index.js';

const PRINCIPAL = 'fw-principal';
const SECRET = 'mesos-secret-7f3a9c';
const API_TOKEN = 'api-token-41b2e8d0';

/** A careless user controller: it logs the secret it got from configuration. */
@EventController()
class CarelessController {
  updates = 0;
  constructor(@inject(TOKENS.Logger) private readonly logger: Logger) {}
  @OnSubscribed()
  subscribed(): void {
    this.logger.child('careless').info(`connected with ${PRINCIPAL}:${SECRET}`, { credential: { principal: PRINCIPAL, secret: SECRET } });
  }
  @OnUpdate()
  update(status: v1.TaskStatus): void {
    this.updates++;
    this.logger.info(`update ${status.task_id.value} ${status.state}`);
  }
}

describe('logging of a framework run (MLOG, trace level, against the simulator with authentication)', () => {
  it('writes only parseable MLOG lines, correlates event handling, and never writes a configured secret', async () => {
    const sim = await SimulatedMaster.start({ agents: 2, allocationIntervalMs: 50, credentials: [{ principal: PRINCIPAL, secret: SECRET }], taskBehaviours: [{ runMs: 30 }] });
    const out: string[] = [];
    const logger = new MlogLogger({ name: 'fw', level: 'trace', env: { MLOG_APPLICATION: 'logging-test' }, write: (text) => out.push(...text.split('\n')) });
    const fw = createFramework({
      master: sim.url,
      framework: { name: 'logging-test', principal: PRINCIPAL },
      auth: { type: 'basic', principal: PRINCIPAL, secret: SECRET },
      tasks: [{ name: 'job', instances: 3, resources: { cpus: 0.1, mem: 16 }, command: { shell: 'true' }, restartPolicy: { policy: 'never' } }],
      controllers: [CarelessController],
      server: { token: API_TOKEN },
      overrides: [{ token: TOKENS.Logger, useValue: logger }],
    });
    try {
      await fw.start();
      // An authenticated mutating call and an unauthenticated one: the token must not be logged either way.
      const kill = await fetch(`${fw.serverUrl}/api/v1/tasks/nope.0.0/kill`, { method: 'POST', headers: { authorization: `Bearer ${API_TOKEN}` } });
      assert.equal(kill.status, 404);
      const deadline = Date.now() + 10_000;
      while (fw.get(CarelessController).updates < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(fw.get(CarelessController).updates >= 9, 'STARTING, RUNNING and FINISHED for three tasks');
    } finally {
      await fw.stop({ teardown: true });
      await sim.stop();
    }
    const text = out.join('\n');
    const basic = Buffer.from(`${PRINCIPAL}:${SECRET}`).toString('base64');
    for (const secret of [SECRET, API_TOKEN, basic]) assert.ok(!text.includes(secret), `${secret} appears in the log`);
    assert.ok(text.includes(`connected with ${PRINCIPAL}:${REDACTED}`), 'the careless line was written, redacted');
    const records = out.map((l) => parseMlogLine(l));
    assert.ok(records.every((r) => r.application === 'logging-test' && r.pid === process.pid));
    const updates = records.filter((r) => r.message.startsWith('update job.'));
    assert.equal(updates.length >= 9, true);
    for (const r of updates) assert.match(r.correlationId, /^update-\d+$/, 'handler lines carry the id of the event they handle');
    assert.equal(new Set(updates.map((r) => r.correlationId)).size, updates.length, 'one id per event');
    assert.ok(records.some((r) => r.name === 'fw.careless'));
  });
});
