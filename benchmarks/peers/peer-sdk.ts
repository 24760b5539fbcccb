import { createRequire } from 'node:module';

/**
 * The peer, tobilg's `mesos-framework` (npm, 0.5.3, CommonJS, no types): loaded as a user loads
 * it, with `require`. Only the members the benchmarks drive are typed here.
 */
export interface PeerScheduler {
  on(event: string, listener: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  subscribe(): void;
  teardown(): void;
  frameworkId: string | null;
  pendingTasks: unknown[];
  launchedTasks: unknown[];
}

/** Options of the peer's `Scheduler` that the benchmarks set (its README lists them). */
export interface PeerSchedulerOptions {
  masterUrl: string;
  port: number;
  frameworkName: string;
  logging?: { path?: string; fileName?: string; level?: string };
  tasks?: Record<string, unknown>;
  handlers?: Record<string, (arg: any) => void>;
  restartStates?: string[];
  masterConnectionTimeout?: number;
}

/** What `require('mesos-framework')` exports that the benchmarks use. */
export interface PeerModule {
  Scheduler: new (options: PeerSchedulerOptions) => PeerScheduler;
  Mesos: { getMesos(): { CommandInfo: new (...args: unknown[]) => unknown } };
}

/** Loads the peer package (a devDependency of this repository, used only by the benchmarks). */
export function loadPeer(): PeerModule {
  return createRequire(import.meta.url)('mesos-framework') as PeerModule;
}

/** The version of the peer package installed. */
export function peerVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('mesos-framework/package.json') as { version: string }).version;
}
