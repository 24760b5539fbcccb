import { ExecutorHost } from './executor-host.js';
import { SimEngine } from './sim-engine.js';
import { MasterServer, type ClusterView } from './master-server.js';
import type { AgentSpec, SimulatorOptions, UpdateFaults } from './sim-types.js';

export interface SimulatedMasterOptions extends SimulatorOptions {
  /** Number of master processes; one leads, the others answer 307. @default 1 */
  masters?: number;
}

/** A fault to inject, over HTTP (`POST /__sim/faults`) or with {@link SimulatedMaster.fault}. */
export type Fault =
  | { action: 'drop-stream'; frameworkId?: string }
  | { action: 'stop-heartbeats' }
  | { action: 'resume-heartbeats' }
  | { action: 'failover' }
  | { action: 'no-leader' }
  | { action: 'elect'; index?: number }
  | { action: 'partition-agent'; agentId: string }
  | { action: 'heal-agent'; agentId: string }
  | { action: 'remove-agent'; agentId: string }
  | { action: 'add-agent'; agent?: AgentSpec }
  | { action: 'rescind-offers'; frameworkId?: string }
  | { action: 'fail-calls'; count: number }
  | { action: 'schedule-maintenance'; agentId: string; startInMs?: number; durationMs?: number }
  | { action: 'cancel-maintenance'; agentId?: string }
  | ({ action: 'update-faults' } & Partial<UpdateFaults>)
  /** Closes executor connections (all, or one executor's) and refuses re-subscription for `refuseMs`. */
  | { action: 'drop-executor'; executorId?: string; refuseMs?: number };

/**
 * A wire-faithful simulated Mesos 1.11 master with simulated agents, over real HTTP.
 *
 * @example
 * ```ts
 * const sim = await SimulatedMaster.start({ agents: 10, heartbeatIntervalSeconds: 1 });
 * // point a framework at sim.url ...
 * sim.fault({ action: 'drop-stream' });
 * await sim.stop();
 * ```
 */
export class SimulatedMaster implements ClusterView {
  readonly engine: SimEngine;
  readonly servers: MasterServer[] = [];
  private leaderIndex: number | undefined = 0;
  readonly credentials: Array<{ principal: string; secret: string }> | undefined;
  readonly heartbeatSeconds: number;
  readonly maxBodyBytes: number;
  readonly failCalls = { remaining: 0 };
  heartbeatsStopped = false;
  readonly faultsApi: boolean;

  private constructor(readonly options: SimulatedMasterOptions) {
    this.engine = new SimEngine(options);
    this.credentials = options.credentials;
    this.heartbeatSeconds = options.heartbeatIntervalSeconds ?? 15;
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.faultsApi = options.faultsApi ?? true;
    this.engine.sink = (frameworkId, event) => this.leader()?.send(frameworkId, event) ?? false;
  }

  /** Starts the masters and agents; resolves once every master listens. */
  static async start(options: SimulatedMasterOptions = {}): Promise<SimulatedMaster> {
    const sim = new SimulatedMaster(options);
    const count = Math.max(1, options.masters ?? 1);
    for (let i = 0; i < count; i++) {
      const server = new MasterServer(sim);
      await server.listen(options.host ?? '127.0.0.1', i === 0 ? options.port ?? 0 : 0);
      sim.servers.push(server);
    }
    const commands = options.commands === 'real';
    if (options.executors || commands) {
      const host = new ExecutorHost(sim.engine, typeof options.executors === 'object' ? options.executors : {}, { executors: !!options.executors, commands });
      await host.listen(options.host ?? '127.0.0.1');
      sim.engine.executorHost = host;
    }
    sim.engine.start();
    return sim;
  }

  leader(): MasterServer | undefined {
    return this.leaderIndex === undefined ? undefined : this.servers[this.leaderIndex];
  }

  /** URL of the leading master (of the first master while none leads). */
  get url(): string {
    return (this.leader() ?? this.servers[0]!).url;
  }

  /** URLs of every master. */
  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  /** Makes another master lead; frameworks lose their streams and must re-subscribe there. */
  failover(index?: number): MasterServer {
    const old = this.leader();
    const next = index ?? ((this.leaderIndex ?? -1) + 1) % this.servers.length;
    this.leaderIndex = next;
    old?.closeStreams();
    return this.servers[next]!;
  }

  /** Applies a fault; see {@link Fault}. */
  fault(fault: Fault): unknown {
    switch (fault.action) {
      case 'drop-stream':
        return this.leader()?.closeStreams(fault.frameworkId) ?? 0;
      case 'stop-heartbeats':
        this.heartbeatsStopped = true;
        return undefined;
      case 'resume-heartbeats':
        this.heartbeatsStopped = false;
        return undefined;
      case 'failover':
        return this.failover().url;
      case 'no-leader':
        this.leader()?.closeStreams();
        this.leaderIndex = undefined;
        return undefined;
      case 'elect':
        this.leaderIndex = fault.index ?? 0;
        return this.url;
      case 'partition-agent':
        return this.engine.partitionAgent(fault.agentId);
      case 'heal-agent':
        return this.engine.healAgent(fault.agentId);
      case 'remove-agent':
        return this.engine.removeAgent(fault.agentId);
      case 'add-agent':
        return this.engine.addAgent(fault.agent).id;
      case 'rescind-offers':
        return this.engine.rescindOffers((o) => !fault.frameworkId || o.frameworkId === fault.frameworkId);
      case 'schedule-maintenance':
        return this.engine.scheduleMaintenance(fault.agentId, fault.startInMs, fault.durationMs);
      case 'cancel-maintenance':
        return this.engine.cancelMaintenance(fault.agentId);
      case 'fail-calls':
        this.failCalls.remaining = fault.count;
        return undefined;
      case 'drop-executor':
        if (!this.engine.executorHost) throw new Error('drop-executor needs a simulator started with executors: true');
        return this.engine.executorHost.dropConnections(fault.executorId, fault.refuseMs ?? 0);
      case 'update-faults': {
        const { action: _action, ...rest } = fault;
        Object.assign(this.engine.updateFaults, rest);
        return { ...this.engine.updateFaults };
      }
      default:
        throw new Error(`unknown fault action ${JSON.stringify((fault as { action?: unknown }).action)}; see the Fault type for the list`);
    }
  }

  handleFault(body: Record<string, unknown>): unknown {
    return this.fault(body as Fault);
  }

  /** Waits until `predicate` holds (polled every 10 ms) or the timeout passes. */
  async waitFor(predicate: (sim: SimulatedMaster) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`simulator condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** A summary of the simulated cluster, for tests and tools. */
  summary(): { frameworks: number; connected: number; agents: number; offers: number; tasks: Record<string, number>; completed: number } {
    const tasks: Record<string, number> = {};
    for (const t of this.engine.tasks.values()) tasks[t.state] = (tasks[t.state] ?? 0) + 1;
    const fws = [...this.engine.frameworks.values()];
    return {
      frameworks: fws.filter((f) => !f.removed).length,
      connected: fws.filter((f) => f.connected).length,
      agents: this.engine.agents.size,
      offers: this.engine.offers.size,
      tasks,
      completed: this.engine.completedTasks.length,
    };
  }

  async stop(): Promise<void> {
    this.engine.stop();
    await this.engine.executorHost?.close();
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
