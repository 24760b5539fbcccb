import { after, before, describe } from 'node:test';
import { SimulatedMaster, type SimulatedMasterOptions } from '../../../src/simulator/simulated-master.js';

/**
 * One master a conformance scenario runs against: our simulator (always) or a real Apache Mesos
 * 1.11 master (when `MESOS_MASTER=http://HOST:PORT` is set, as `npm run test:mesos` and `.ci/run` do).
 * Scenarios are written once against `url` and assert the same observable outcome on both.
 */
export interface MasterTarget {
  kind: 'simulator' | 'mesos';
  /** Base URL of the leading master, e.g. `http://127.0.0.1:5050`. */
  url: string;
  /** The simulator itself (only for `kind: 'simulator'`): scenarios may use it for fault injection only. */
  sim?: SimulatedMaster;
}

/** The real master under test, if any. */
export const REAL_MASTER = process.env['MESOS_MASTER']?.replace(/\/+$/, '') || undefined;

/**
 * The simulated cluster mirrors `../shared/mesos/local-cluster.sh start`: two agents on 127.0.0.1
 * with `cpus:4;mem:4096;disk:10000`, ports 31000-31999 and 32000-32999, attributes rack:r1 / rack:r2,
 * and command tasks run for real.
 */
export function conformanceSimulatorOptions(extra: SimulatedMasterOptions = {}): SimulatedMasterOptions {
  return {
    agents: [1, 2].map((i) => ({
      hostname: '127.0.0.1',
      cpus: 4,
      mem: 4096,
      disk: 10000,
      ports: [[31000 + (i - 1) * 1000, 31999 + (i - 1) * 1000]] as Array<[number, number]>,
      attributes: { rack: `r${i}` },
    })),
    executors: true,
    commands: 'real',
    ...extra,
  };
}

/**
 * Registers the scenarios of `body` once per master: `describe('<title> [simulator]')` always and
 * `describe('<title> [mesos]')` when a real master is given. `target()` is valid inside tests and hooks.
 */
export function conformance(title: string, body: (target: () => MasterTarget) => void, simOptions: SimulatedMasterOptions = {}): void {
  describe(`${title} [simulator]`, () => {
    let target: MasterTarget | undefined;
    before(async () => {
      const sim = await SimulatedMaster.start(conformanceSimulatorOptions(simOptions));
      target = { kind: 'simulator', url: sim.url, sim };
    });
    after(async () => {
      await target?.sim?.stop();
    });
    body(() => {
      if (!target) throw new Error('conformance target used outside a test');
      return target;
    });
  });
  if (REAL_MASTER) {
    describe(`${title} [mesos]`, () => {
      const target: MasterTarget = { kind: 'mesos', url: REAL_MASTER };
      body(() => target);
    });
  }
}
