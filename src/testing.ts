/**
 * `mesos-sdk/testing`: run a framework against the in-process simulated master, with providers
 * overridden the way NestJS's testing module does it.
 *
 * @example
 * ```ts
 * const t = await createTestingFramework({ controllers: [MyController], simulator: { agents: 3 } })
 *   .overrideProvider(TOKENS.Logger).useValue(new MemoryLogger())
 *   .compile();
 * await t.framework.start();
 * ...
 * await t.close();
 * ```
 */
import type { ServiceIdentifier, Newable } from 'inversify';
import { createFramework, type FrameworkHandle, type FrameworkOptions, type ProviderOverride } from './bootstrap/create-framework.js';
import { SimulatedMaster, type SimulatedMasterOptions } from './simulator/simulated-master.js';

export interface TestingFrameworkOptions extends Partial<Omit<FrameworkOptions, 'master'>> {
  /** Options of the simulated master started for the test. */
  simulator?: SimulatedMasterOptions;
}

export interface TestingFramework {
  framework: FrameworkHandle;
  simulator: SimulatedMaster;
  /** Stops the framework, then the simulator. */
  close(): Promise<void>;
}

/** Records overrides, then builds the framework on `compile()`. */
export class TestingFrameworkBuilder {
  private readonly overrides: ProviderOverride[] = [];

  constructor(private readonly options: TestingFrameworkOptions) {
    this.overrides.push(...(options.overrides ?? []));
  }

  overrideProvider<T>(token: ServiceIdentifier<T>): { useValue(value: T): TestingFrameworkBuilder; useClass(cls: Newable<T>): TestingFrameworkBuilder; useFactory(fn: ProviderOverrideFactory<T>): TestingFrameworkBuilder } {
    return {
      useValue: (value) => this.push({ token, useValue: value }),
      useClass: (cls) => this.push({ token, useClass: cls }),
      useFactory: (fn) => this.push({ token, useFactory: fn }),
    };
  }

  private push(o: ProviderOverride): this {
    this.overrides.push(o as ProviderOverride);
    return this;
  }

  async compile(): Promise<TestingFramework> {
    const simulator = await SimulatedMaster.start({ agents: 3, heartbeatIntervalSeconds: 5, allocationIntervalMs: 100, ...this.options.simulator });
    try {
      const framework = createFramework({
        ...this.options,
        master: simulator.url,
        framework: { name: 'test-framework', ...this.options.framework },
        overrides: this.overrides,
        scheduler: { backoff: { initialMs: 20, maxMs: 200 }, ...this.options.scheduler },
      });
      return {
        framework,
        simulator,
        async close() {
          await framework.stop().catch(() => {});
          await simulator.stop();
        },
      };
    } catch (err) {
      await simulator.stop();
      throw err;
    }
  }
}

type ProviderOverrideFactory<T> = Extract<ProviderOverride<T>, { useFactory: unknown }>['useFactory'];

/** Starts building a framework for a test; call `.compile()` to start the simulator and build it. */
export function createTestingFramework(options: TestingFrameworkOptions = {}): TestingFrameworkBuilder {
  return new TestingFrameworkBuilder(options);
}

export { SimulatedMaster } from './simulator/simulated-master.js';
