import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inject } from 'inversify';
import {
  EventController, OnInverseOffers, OnRescindInverseOffer, OnConnected, OnDisconnected, OnElected, OnError, OnFailure, OnHeartbeat, OnMessage, OnOffer, OnOffers,
  OnOperationUpdate, OnReconnected, OnRescind, OnSubscribed, OnUpdate,
} from '../../src/decorators/index.js';
import { TOKENS } from '../../src/tokens.js';
import type { Scheduler } from '../../src/scheduler/scheduler.interface.js';
import type { scheduler, v1 } from '../../src/protocol/generated/index.js';
import { MemoryLogger, type Logger } from '../../src/logging/logger.js';
import { createFramework } from '../../src/bootstrap/create-framework.js';
import { createTestingFramework, type TestingFramework } from '../../src/testing.js';
import { ConfigurationError } from '../../src/errors/index.js';
import { waitFor } from '../client/fake-master.js';

const seen: string[] = [];
const offers: v1.Offer[] = [];

@EventController()
class Recorder {
  constructor(@inject(TOKENS.Scheduler) readonly scheduler: Scheduler, @inject(TOKENS.Logger) readonly logger: Logger) {}
  @OnElected() elected() { seen.push('ELECTED'); }
  @OnConnected() connected() { seen.push('CONNECTED'); }
  @OnSubscribed() subscribed(s: scheduler.Event.Subscribed) { seen.push(`SUBSCRIBED:${s.framework_id.value ? 'id' : ''}`); }
  @OnOffers() batch(list: v1.Offer[]) { seen.push('OFFERS'); offers.push(...list); }
  @OnOffer() one() { seen.push('OFFER'); }
  @OnRescind() rescind() { seen.push('RESCIND'); }
  @OnInverseOffers() inverse(list: v1.InverseOffer[]) { seen.push(`INVERSE_OFFERS:${list.length}`); }
  @OnRescindInverseOffer() rescindInverse() { seen.push('RESCIND_INVERSE_OFFER'); }
  @OnUpdate() update(s: v1.TaskStatus) { seen.push(`UPDATE:${s.state}`); }
  @OnOperationUpdate() op(s: v1.OperationStatus) { seen.push(`OPERATION:${s.state}`); }
  @OnMessage() message(m: scheduler.Event.Message) { seen.push(`MESSAGE:${Buffer.from(m.data).toString()}`); }
  @OnFailure() failure() { seen.push('FAILURE'); }
  @OnHeartbeat() heartbeat() { seen.push('HEARTBEAT'); }
  @OnDisconnected() disconnected() { seen.push('DISCONNECTED'); }
  @OnReconnected() reconnected() { seen.push('RECONNECTED'); }
  @OnError() error(e: { code: string }) { seen.push(`ERROR:${e.code}`); }
}

describe('createFramework with the simulated master', () => {
  let t: TestingFramework | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    seen.length = 0;
    offers.length = 0;
  });

  it('delivers every kind of event to a decorated controller, handlers ready before SUBSCRIBE', async () => {
    const logger = new MemoryLogger();
    t = await createTestingFramework({ controllers: [Recorder], simulator: { agents: 2, heartbeatIntervalSeconds: 0.2, taskBehaviours: [{ outcome: 'running-forever' }] } })
      .overrideProvider(TOKENS.Logger).useValue(logger)
      .compile();
    const { framework, simulator } = t;
    await framework.start();
    assert.deepEqual(seen.slice(0, 3), ['ELECTED', 'CONNECTED', 'SUBSCRIBED:id'], 'no event reached the controller before its handlers were bound');
    await waitFor(() => seen.includes('OFFERS') && seen.includes('HEARTBEAT'), 3000, 'offers');
    assert.equal(seen.filter((s) => s === 'OFFER').length, offers.length);
    const s = framework.get<Scheduler>(TOKENS.Scheduler);
    const offer = offers[0]!;
    const cpus = offer.resources!.find((r) => r.name === 'cpus')!;
    await s.accept([offer.id], [
      { type: 'LAUNCH', launch: { task_infos: [{ name: 'x', task_id: { value: 'x-1' }, agent_id: offer.agent_id, resources: [{ ...cpus, scalar: { value: 0.1 } }], command: { value: 'true' } }] } },
      { type: 'RESERVE', id: { value: 'op-1' }, reserve: { resources: [] } },
    ]);
    await waitFor(() => seen.includes('UPDATE:TASK_RUNNING') && seen.includes('OPERATION:OPERATION_ERROR'), 3000, 'updates');
    await simulator.waitFor((m) => m.engine.stats.acks >= 2, 3000);
    simulator.engine.executorMessage(framework.frameworkId!, offer.agent_id.value, 'x-1', Buffer.from('hi'));
    await waitFor(() => seen.includes('MESSAGE:hi'));
    await waitFor(() => simulator.engine.offers.size > 0);
    simulator.fault({ action: 'rescind-offers' });
    await waitFor(() => seen.includes('RESCIND'));
    simulator.fault({ action: 'schedule-maintenance', agentId: offer.agent_id.value });
    await waitFor(() => seen.includes('INVERSE_OFFERS:1'));
    simulator.fault({ action: 'cancel-maintenance' });
    await waitFor(() => seen.includes('RESCIND_INVERSE_OFFER'));
    simulator.fault({ action: 'partition-agent', agentId: offer.agent_id.value });
    await waitFor(() => seen.includes('FAILURE') && seen.includes('UPDATE:TASK_UNREACHABLE'));
    simulator.fault({ action: 'drop-stream' });
    await waitFor(() => seen.includes('DISCONNECTED') && seen.includes('RECONNECTED'), 3000, 'reconnect');
    const other = createFramework({ master: simulator.url, framework: { name: 'usurper', id: { value: framework.frameworkId! } }, overrides: [{ token: TOKENS.Logger, useValue: new MemoryLogger() }] });
    await other.start();
    await waitFor(() => seen.includes('ERROR:ERR_MESOS_ERROR_EVENT'), 3000, 'failover ERROR');
    assert.equal(framework.state, 'stopped');
    await other.stop();
  });

  it('uses the provider swapped in by an override', async () => {
    const logger = new MemoryLogger();
    t = await createTestingFramework({ controllers: [Recorder], overrides: [{ token: TOKENS.Logger, useValue: logger }] }).compile();
    const recorder = t.framework.get(Recorder);
    assert.equal(recorder.logger, logger);
  });

  it('refuses a controller class without @EventController', () => {
    class Plain {}
    assert.throws(() => createFramework({ master: 'http://127.0.0.1:1', framework: { name: 'x' }, controllers: [Plain] }), (err: unknown) =>
      err instanceof ConfigurationError && err.code === 'ERR_BOOTSTRAP_NOT_A_CONTROLLER');
  });
});
