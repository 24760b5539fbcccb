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
 *
 * @module mesos-sdk/testing
 */
import type { Container, ServiceIdentifier, Newable } from 'inversify';
import { createFramework, type FrameworkHandle, type FrameworkOptions, type ProviderOverride } from './bootstrap/create-framework.js';
import { SimulatedMaster, type SimulatedMasterOptions } from './simulator/simulated-master.js';

/**
 * The {@link FrameworkOptions} of a test, every field optional and without `master` (the
 * simulator's URL is used), plus the simulator's options. `framework.name` defaults to
 * `'test-framework'`, and the scheduler's reconnect backoff to 20–200 ms.
 */
export interface TestingFrameworkOptions extends Partial<Omit<FrameworkOptions, 'master'>> {
  /** Options of the simulated master started for the test. */
  simulator?: SimulatedMasterOptions;
}

/** What {@link TestingFrameworkBuilder.compile} gives: the framework, not started yet, and the running simulator. */
export interface TestingFramework {
  /** The framework, built against the simulator; call `start()`. */
  framework: FrameworkHandle;
  /** The simulated master it talks to: inject faults, read its `engine`. */
  simulator: SimulatedMaster;
  /** Stops the framework (ignoring a failed stop), then the simulator. */
  close(): Promise<void>;
}

/** Records overrides, then builds the framework on `compile()`. */
export class TestingFrameworkBuilder {
  private readonly overrides: ProviderOverride[] = [];

  constructor(private readonly options: TestingFrameworkOptions) {
    this.overrides.push(...(options.overrides ?? []));
  }

  /**
   * Replaces the provider bound to `token`, like NestJS's `overrideProvider`: call one of the
   * returned methods. Overrides apply after every module, in the order given (the `overrides`
   * option's first).
   *
   * @example
   * ```ts
   * builder.overrideProvider(TOKENS.Logger).useValue(new MemoryLogger());
   * ```
   */
  overrideProvider<T>(token: ServiceIdentifier<T>): {
    /** Binds this value as a constant. */
    useValue(value: T): TestingFrameworkBuilder;
    /** Binds this class in singleton scope. */
    useClass(cls: Newable<T>): TestingFrameworkBuilder;
    /** Binds what the factory returns, called once with the container the first time the token is resolved. */
    useFactory(fn: (container: Container) => T): TestingFrameworkBuilder;
  } {
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

  /**
   * Starts a simulated master (3 agents, 5 s heartbeats, a 100 ms allocation interval, unless `simulator`
   * says otherwise), then builds the framework against it with the recorded overrides. When
   * building fails, the simulator is stopped and the error rethrown.
   */
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

/** Starts building a framework for a test; call `.compile()` to start the simulator and build it. */
export function createTestingFramework(options: TestingFrameworkOptions = {}): TestingFrameworkBuilder {
  return new TestingFrameworkBuilder(options);
}

export { SimulatedMaster } from './simulator/simulated-master.js';
