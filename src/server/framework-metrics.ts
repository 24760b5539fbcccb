import { createRequire } from 'node:module';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { scheduler } from '../protocol/generated/index.js';
import type { Scheduler } from '../scheduler/scheduler.interface.js';
import type { ResourceManager } from '../resource-manager/resource-manager.js';
import type { TaskManager } from '../task-manager/task-manager.js';
import type { LeaderElection } from '../ha/leader-election.interface.js';

/** Options of {@link FrameworkMetrics} (`FrameworkOptions.metrics`). */
export interface FrameworkMetricsOptions {
  /** Prefix of every metric name. @default 'mesos_framework_' */
  prefix?: string;
  /** Also export Node's process metrics (CPU, heap, event loop lag). @default true */
  processMetrics?: boolean;
}

/** What the metrics watch; each part is optional. */
export interface MetricsSources {
  /** Calls, events, reconnections and the subscription state. */
  scheduler?: Scheduler;
  /** Offers held. */
  resources?: ResourceManager;
  /** Tasks per state. */
  tasks?: TaskManager;
  /** Leadership. */
  election?: LeaderElection;
}

/**
 * The framework's Prometheus metrics (prom-client, on a registry of its own; bound to
 * `TOKENS.Metrics`): offers received, accepted and declined, events per type, reconnections,
 * call latencies per call type, placement cycle time, and, read when scraped, tasks per state,
 * offers held, subscription and leadership.
 *
 * prom-client is loaded when the first `FrameworkMetrics` is created, not when `mesos-sdk` is
 * imported (synchronously: the counters are usable as soon as the constructor returns).
 */
export class FrameworkMetrics {
  /** The registry holding these metrics only (not prom-client's global one). */
  readonly registry: Registry;
  /** `<prefix>offers_received_total`. */
  readonly offersReceived: Counter;
  /** `<prefix>offers_accepted_total`: offers used by an ACCEPT. */
  readonly offersAccepted: Counter;
  /** `<prefix>offers_declined_total`. */
  readonly offersDeclined: Counter;
  /** `<prefix>offers_rescinded_total`. */
  readonly offersRescinded: Counter;
  /** `<prefix>events_total{type}`: events received, per type. */
  readonly events: Counter<'type'>;
  /** `<prefix>reconnects_total`: re-subscriptions after the first. */
  readonly reconnects: Counter;
  /** `<prefix>call_duration_seconds{call,outcome}`: latency of calls to the master. */
  readonly callDuration: Histogram<'call' | 'outcome'>;
  /** `<prefix>placement_cycle_seconds`: time spent placing pending tasks per cycle. */
  readonly placementCycle: Histogram;
  private readonly detachers: Array<() => void> = [];
  private sources: MetricsSources = {};
  private connectedOnce = false;

  constructor(options: FrameworkMetricsOptions = {}) {
    const { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } = promClient();
    this.registry = new Registry();
    const p = options.prefix ?? 'mesos_framework_';
    const registers = [this.registry];
    this.offersReceived = new Counter({ name: `${p}offers_received_total`, help: 'Offers received from the master', registers });
    this.offersAccepted = new Counter({ name: `${p}offers_accepted_total`, help: 'Offers accepted (used by an ACCEPT call)', registers });
    this.offersDeclined = new Counter({ name: `${p}offers_declined_total`, help: 'Offers declined', registers });
    this.offersRescinded = new Counter({ name: `${p}offers_rescinded_total`, help: 'Offers rescinded by the master', registers });
    this.events = new Counter({ name: `${p}events_total`, help: 'Events received from the master, per type', labelNames: ['type'], registers });
    this.reconnects = new Counter({ name: `${p}reconnects_total`, help: 'Re-subscriptions after the first subscription', registers });
    this.callDuration = new Histogram({
      name: `${p}call_duration_seconds`,
      help: 'Latency of calls to the master, per call type and outcome',
      labelNames: ['call', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.placementCycle = new Histogram({
      name: `${p}placement_cycle_seconds`,
      help: 'Time spent placing pending tasks on the held offers, per cycle',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    const sources = () => this.sources;
    new Gauge({
      name: `${p}tasks`,
      help: 'Current tasks per state (PENDING and LAUNCHING are the SDK\'s own states)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(sources().tasks?.counts() ?? {})) this.set({ state }, n);
      },
    });
    new Gauge({
      name: `${p}offers_held`,
      help: 'Offers held, not yet accepted or declined',
      registers,
      collect() {
        this.set(sources().resources?.pool.size ?? 0);
      },
    });
    new Gauge({
      name: `${p}subscribed`,
      help: '1 while subscribed to the master',
      registers,
      collect() {
        this.set(sources().scheduler?.state === 'subscribed' ? 1 : 0);
      },
    });
    new Gauge({
      name: `${p}leader`,
      help: '1 while this instance leads',
      registers,
      collect() {
        this.set(sources().election?.isLeader ? 1 : 0);
      },
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Starts watching the given components (call once, before subscribing). */
  attach(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
    const { scheduler: sched, resources } = sources;
    if (sched) {
      this.detachers.push(
        sched.observe({
          onEvent: (event) => this.onEvent(event),
          onCall: (type, seconds, error, call) => {
            this.callDuration.observe({ call: String(type), outcome: error ? 'error' : 'ok' }, seconds);
            if (error) return;
            if (type === 'ACCEPT') this.offersAccepted.inc(call.accept?.offer_ids?.length ?? 0);
            if (type === 'DECLINE') this.offersDeclined.inc(call.decline?.offer_ids?.length ?? 0);
          },
        }),
        sched.onLifecycle((e) => {
          if (e.type !== 'connected') return;
          if (this.connectedOnce) this.reconnects.inc();
          this.connectedOnce = true;
        }),
      );
    }
    if (resources) this.detachers.push(resources.onPlacementCycle((seconds) => this.placementCycle.observe(seconds)));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{
    /** Content-Type of the Prometheus text format. */
    contentType: string;
    /** The metrics. */
    body: string;
  }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops watching the sources given to `attach`. */
  detach(): void {
    for (const d of this.detachers.splice(0)) d();
  }

  private onEvent(event: scheduler.Event): void {
    this.events.inc({ type: String(event.type ?? 'UNKNOWN') });
    if (event.type === 'OFFERS') this.offersReceived.inc(event.offers?.offers?.length ?? 0);
    if (event.type === 'RESCIND') this.offersRescinded.inc();
  }
}

let loaded: typeof import('prom-client') | undefined;
/** prom-client, loaded on first use (it is CommonJS, so `require` gives it synchronously). */
function promClient(): typeof import('prom-client') {
  loaded ??= createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  return loaded;
}
