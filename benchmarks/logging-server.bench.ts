import { MlogLogger, SilentLogger } from '../src/logging/index.js';

import { createFramework } from '../src/bootstrap/create-framework.js';
import { SimulatedMaster } from '../src/simulator/simulated-master.js';
import { TOKENS } from '../src/tokens.js';
import { opsPerSecond, report } from './report.js';

/** Lines per second of the MLOG provider into a sink that keeps nothing. */
function logging(): Promise<void> {
  const sink = () => {};
  const cases: Array<[string, ConstructorParameters<typeof MlogLogger>[0]]> = [
    ['mlog (caller position)', { write: sink }],
    ['mlog (no caller)', { write: sink, caller: false }],
    ['json (no caller)', { write: sink, caller: false, format: 'json' }],
    ['mlog, 2 secrets (no caller)', { write: sink, caller: false, secrets: ['secret-one-1234', 'secret-two-5678'] }],
  ];
  return cases.reduce(async (prev, [name, options]) => {
    await prev;
    const logger = new MlogLogger({ env: {}, ...options }).child('bench');
    const rate = await opsPerSecond(() => {
      for (let i = 0; i < 100; i++) logger.info('task job.1.0 is TASK_RUNNING on agent-3', { agent: 'a3' });
    }, 700, 100);
    report(`log ${name}`, rate, 'lines/s');
  }, Promise.resolve());
}

/** Requests per second of /health and a /metrics scrape on a framework subscribed to the simulator. */
async function server(): Promise<void> {
  const sim = await SimulatedMaster.start({ agents: 5, allocationIntervalMs: 100 });
  const fw = createFramework({ master: sim.url, framework: { name: 'bench' }, taskManager: true, server: true, overrides: [{ token: TOKENS.Logger, useValue: new SilentLogger() }] });
  try {
    await fw.start();
    const url = fw.serverUrl!;
    const concurrent = async (path: string) => opsPerSecond(() => Promise.all(Array.from({ length: 8 }, async () => (await fetch(`${url}${path}`)).arrayBuffer())), 1000, 8);
    report('server GET /health', await concurrent('/health'), 'req/s');
    report('server GET /metrics', await concurrent('/metrics'), 'req/s');
    report('server GET /api/v1/state', await concurrent('/api/v1/state'), 'req/s');
  } finally {
    await fw.stop({ teardown: true });
    await sim.stop();
  }
}

export async function run(): Promise<void> {
  await logging();
  await server();
}
