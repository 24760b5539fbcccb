import { MesosSdkError } from '../errors/mesos-sdk.error.js';
import type { Logger } from '../logging/logger.js';

/** Stable codes of lifecycle misuse and of a stop that could not finish every step. */
export const LifecycleErrorCodes = {
  /** `start()` after `stop()` (or after a failed `start()`), or `stop()` called while `start()` was running. */
  FRAMEWORK_STOPPED: 'ERR_FRAMEWORK_STOPPED',
  /** `start()` after `stop()` on an executor. */
  EXECUTOR_STOPPED: 'ERR_EXECUTOR_STOPPED',
  /** `stop()` ran every step, but some of them failed (`errors` lists them). */
  STOP_FAILED: 'ERR_STOP_FAILED',
  /** The options of `createFramework()` are invalid (`problems` lists them all). */
  OPTIONS_INVALID: 'ERR_FRAMEWORK_OPTIONS_INVALID',
  /** The framework API server could not listen: its port is taken. */
  PORT_IN_USE: 'ERR_SERVER_PORT_IN_USE',
} as const;

/** Where a framework or executor is in its life: `created` → `starting` → `started` → `stopping` → `stopped`. */
export type LifecyclePhase = 'created' | 'starting' | 'started' | 'stopping' | 'stopped';

/** Lifecycle misuse: `start()` on a stopped framework or executor (create a new one instead). */
export class LifecycleError extends MesosSdkError {}

/** One step of `stop()` that failed. */
export interface StopFailure {
  /** The step, e.g. `scheduler`, `leader election`, `server`, `metrics`, `storage`. */
  step: string;
  /** What it threw. */
  error: unknown;
}

/**
 * `stop()` ran every one of its steps, but some failed: each failure is in `errors` (and was
 * logged as it happened). The framework is stopped all the same.
 */
export class StopError extends MesosSdkError {
  /** Each step that failed and what it threw, in the order they ran. */
  readonly errors: readonly StopFailure[];
  constructor(code: string, message: string, errors: readonly StopFailure[]) {
    super(code, message, { cause: errors[0]?.error });
    this.errors = errors;
  }
}

interface StopStep<StopOptions> {
  name: string;
  run: (options: StopOptions | undefined) => Promise<void> | void;
}

/**
 * Start/stop bookkeeping shared by frameworks and executors:
 *
 * - `start()` runs once: a second call while starting or started returns the same promise;
 *   after `stop()` it rejects with `ERR_FRAMEWORK_STOPPED` (a stopped framework cannot start again).
 * - What `start()` sets up registers how to undo it (`onStop`); `stop()` undoes it in reverse
 *   order, runs every step even when one throws (each failure is logged), then throws a
 *   {@link StopError} listing the failures. A second `stop()` returns the same promise; `stop()`
 *   before `start()` undoes what was registered at creation.
 * - A `start()` that fails undoes what it had set up, so nothing is left listening or connected.
 */
export class Lifecycle<StopOptions = void> {
  private current: LifecyclePhase = 'created';
  private readonly steps: Array<StopStep<StopOptions>> = [];
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private startFailure: unknown;
  /** The options of the `stop()` that runs (the first one). */
  private stopOptions: StopOptions | undefined;

  constructor(
    private readonly subject: 'framework' | 'executor',
    private readonly logger: Pick<Logger, 'error' | 'debug'>,
    private readonly stoppedCode: string = subject === 'framework' ? LifecycleErrorCodes.FRAMEWORK_STOPPED : LifecycleErrorCodes.EXECUTOR_STOPPED,
  ) {}

  get phase(): LifecyclePhase {
    return this.current;
  }

  /** True once `stop()` began (or a failed `start()` rolled back): nothing new may start. */
  get closing(): boolean {
    return this.current === 'stopping' || this.current === 'stopped';
  }

  /**
   * Registers how to undo something: `stop()` runs the steps in reverse order of registration.
   * Registering a name again moves it to the top (it runs once, at its latest position).
   */
  onStop(name: string, run: (options: StopOptions | undefined) => Promise<void> | void): void {
    const i = this.steps.findIndex((s) => s.name === name);
    if (i >= 0) this.steps.splice(i, 1);
    this.steps.push({ name, run });
  }

  /** Throws `ERR_FRAMEWORK_STOPPED` when `stop()` was called meanwhile: a start step checks before it runs. */
  checkpoint(): void {
    if (this.closing) throw this.stoppedError('stop() was called while start() was running');
  }

  /** Runs `body` once (see the class); its later calls get the same promise. */
  start(body: () => Promise<void>): Promise<void> {
    if (this.closing) return Promise.reject(this.stoppedError());
    if (this.starting) return this.starting;
    this.current = 'starting';
    this.starting = (async () => {
      try {
        await body();
      } catch (err) {
        if (this.closing) {
          // stop() interrupted the start: say so, keeping what the interrupted step saw.
          throw err instanceof LifecycleError ? err : this.stoppedError('stop() was called while start() was running', err);
        }
        this.startFailure = err;
        // Nothing stays listening or connected after a failed start.
        await this.stop().catch(() => {});
        throw err;
      }
      if (this.closing) throw this.stoppedError('stop() was called while start() was running');
      this.current = 'started';
    })();
    return this.starting;
  }

  /** Runs every registered step in reverse order (see the class); later calls get the same promise. */
  stop(options?: StopOptions): Promise<void> {
    if (this.stopping) {
      if (options !== undefined && JSON.stringify(options) !== JSON.stringify(this.stopOptions)) {
        this.logger.debug(`stop(${JSON.stringify(options)}) ignored: the ${this.subject} is already stopping with ${JSON.stringify(this.stopOptions ?? {})}`);
      }
      return this.stopping;
    }
    this.stopOptions = options;
    this.current = 'stopping';
    this.stopping = this.runSteps();
    return this.stopping;
  }

  private async runSteps(): Promise<void> {
    const failures: Array<{ step: string; error: unknown }> = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.run(this.stopOptions);
      } catch (error) {
        failures.push({ step: step.name, error });
        this.logger.error(`stopping the ${this.subject}: ${step.name} failed (the other steps go on): ${(error as Error)?.stack ?? String(error)}`);
      }
    }
    this.current = 'stopped';
    if (failures.length > 0) {
      const list = failures.map((f) => `${f.step}: ${(f.error as Error)?.message ?? String(f.error)}`).join('; ');
      throw new StopError(LifecycleErrorCodes.STOP_FAILED, `the ${this.subject} stopped, but ${failures.length} step(s) failed: ${list}`, failures);
    }
  }

  private stoppedError(why?: string, cause?: unknown): LifecycleError {
    const reason = why ?? (this.startFailure !== undefined ? `its start() failed (${(this.startFailure as Error)?.message ?? String(this.startFailure)})` : 'stop() was called');
    const create = this.subject === 'framework' ? 'createFramework()' : 'createExecutor()';
    return new LifecycleError(this.stoppedCode, `this ${this.subject} is stopped: ${reason}; a stopped ${this.subject} cannot start again, create a new one with ${create}`, cause === undefined ? {} : { cause });
  }
}
