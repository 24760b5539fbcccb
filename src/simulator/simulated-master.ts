import { ExecutorHost } from './executor-host.js';
import { SimEngine } from './sim-engine.js';
import { MasterServer, type ClusterView } from './master-server.js';
import type { OutboxStats } from './event-outbox.js';
import type { AgentSpec, SimulatorOptions, UpdateFaults } from './sim-types.js';

/** Options of {@link SimulatedMaster.start}: the cluster ({@link SimulatorOptions}) and how many masters serve it. */
export interface SimulatedMasterOptions extends SimulatorOptions {
  /** Number of master processes; one leads, the others answer 307. @default 1 */
  masters?: number;
}

/** A fault to inject, over HTTP (`POST /__sim/faults`) or with {@link SimulatedMaster.fault}. */
export type Fault =
  | {
      /** Closes the leader's event streams (all, or one framework's): the scheduler sees the stream end and must re-subscribe. */
      action: 'drop-stream';
      /** Only this framework's stream. */
      frameworkId?: string;
    }
  | {
      /** Stops sending HEARTBEAT events (the streams stay open), to trip heartbeat watchdogs. */
      action: 'stop-heartbeats';
    }
  | {
      /** Sends HEARTBEAT events again. */
      action: 'resume-heartbeats';
    }
  | {
      /** The next master leads (see {@link SimulatedMaster.failover}); answers the new leader's URL. */
      action: 'failover';
    }
  | {
      /** No master leads: streams close and every master answers 503 until `elect`. */
      action: 'no-leader';
    }
  | {
      /** Makes master `index` lead; answers its URL. */
      action: 'elect';
      /** Index of the master. @defaultValue 0 */
      index?: number;
    }
  | {
      /** The agent stops answering: its tasks become TASK_UNREACHABLE (TASK_LOST for frameworks that are not partition-aware). */
      action: 'partition-agent';
      /** Id of the agent. */
      agentId: string;
    }
  | {
      /** A partitioned agent comes back: its tasks report TASK_RUNNING again. */
      action: 'heal-agent';
      /** Id of the agent. */
      agentId: string;
    }
  | {
      /** The agent is marked gone: its tasks become TASK_GONE_BY_OPERATOR (TASK_LOST for others). */
      action: 'remove-agent';
      /** Id of the agent. */
      agentId: string;
    }
  | {
      /** Adds an agent; answers its id. */
      action: 'add-agent';
      /** The new agent. Default: an agent with the default resources. */
      agent?: AgentSpec;
    }
  | {
      /** Rescinds outstanding offers (all, or one framework's); answers how many. */
      action: 'rescind-offers';
      /** Only this framework's offers. */
      frameworkId?: string;
    }
  | {
      /** Answers the next `count` scheduler calls with 503. */
      action: 'fail-calls';
      /** How many calls fail. */
      count: number;
    }
  | {
      /** Schedules a maintenance window on the agent: frameworks get inverse offers for it. */
      action: 'schedule-maintenance';
      /** Id of the agent. */
      agentId: string;
      /** When the window starts, from now. @defaultValue 0 */
      startInMs?: number;
      /** Length of the window. */
      durationMs?: number;
    }
  | {
      /** Cancels maintenance (of one agent, or all): outstanding inverse offers are rescinded. */
      action: 'cancel-maintenance';
      /** Only this agent. */
      agentId?: string;
    }
  | ({
      /** Changes the {@link UpdateFaults} switches given; answers the switches now in force. */
      action: 'update-faults';
    } & Partial<UpdateFaults>)
  | {
      /** Closes executor connections (all, or one executor's) and refuses re-subscription for `refuseMs`. Needs `executors` or `commands: 'real'`. */
      action: 'drop-executor';
      /** Only this executor. */
      executorId?: string;
      /** How long re-subscription is refused. @defaultValue 0 */
      refuseMs?: number;
    };

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
  /** The simulated cluster behind the masters: its agents, frameworks, offers and tasks, and the records tests assert on (`launchLog`, `completedTasks`, `stats`...). */
  readonly engine: SimEngine;
  /** @internal one HTTP server per master. */
  readonly servers: MasterServer[] = [];
  private leaderIndex: number | undefined = 0;
  /** @internal */
  readonly credentials: Array<{ principal: string; secret: string }> | undefined;
  /** @internal */
  readonly heartbeatSeconds: number;
  /** @internal */
  readonly maxBodyBytes: number;
  /** @internal */
  readonly eventQueueBytes: number;
  /** @internal the `fail-calls` fault's counter. */
  readonly failCalls = { remaining: 0 };
  /** @internal the `stop-heartbeats` fault's switch. */
  heartbeatsStopped = false;
  /** @internal */
  readonly faultsApi: boolean;

  private constructor(
    /** The options it was started with. */
    readonly options: SimulatedMasterOptions,
  ) {
    this.engine = new SimEngine(options);
    this.credentials = options.credentials;
    this.heartbeatSeconds = options.heartbeatIntervalSeconds ?? 15;
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.faultsApi = options.faultsApi ?? true;
    this.eventQueueBytes = options.eventQueueBytes ?? 8 * 1024 * 1024;
    if (!Number.isFinite(this.eventQueueBytes) || this.eventQueueBytes <= 0) {
      // 0 or less would hold status updates back for good (nothing is ever written to wake them); NaN would lift the bound.
      throw new RangeError(`eventQueueBytes must be a finite number of bytes greater than 0 (got ${String(options.eventQueueBytes)}); leave it out for the default 8 MiB`);
    }
    this.engine.sink = (frameworkId, event, carrier) => this.leader()?.send(frameworkId, event, carrier) ?? false;
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

  /** The leading master's server, or undefined while none leads (after the `no-leader` fault). */
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

  /**
   * Applies a fault; see {@link Fault}.
   * @returns What the fault reports (a URL, an agent id, a count...), or undefined.
   * @throws Error for an unknown action, or `drop-executor` without real executors.
   */
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

  /** @internal `POST /__sim/faults`. */
  handleFault(body: Record<string, unknown>): unknown {
    return this.fault(body as Fault);
  }

  /**
   * Waits until `predicate` holds (polled every 10 ms) or the timeout passes.
   * @param timeoutMs - How long to wait, ms (default 5000).
   * @throws Error when the condition does not hold within `timeoutMs`.
   */
  async waitFor(predicate: (sim: SimulatedMaster) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`simulator condition not met within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * What waits on the framework's event stream at the leading master: events queued in its outbox
   * (bounded, see {@link SimulatorOptions.eventQueueBytes}), bytes on the socket, status updates held
   * back for want of room. Undefined while the framework has no open stream there.
   */
  streamStats(frameworkId: string): OutboxStats | undefined {
    return this.leader()?.streamStats(frameworkId);
  }

  /** A summary of the simulated cluster, for tests and tools. */
  summary(): {
    /** Frameworks not removed. */
    frameworks: number;
    /** Frameworks with an open event stream. */
    connected: number;
    /** Agents, in any state. */
    agents: number;
    /** Outstanding offers. */
    offers: number;
    /** Tasks not yet retired, by state, e.g. `{ TASK_RUNNING: 3 }`. */
    tasks: Record<string, number>;
    /** Ended tasks remembered. */
    completed: number;
  } {
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

  /** Stops the allocation and task timers, the executor processes (if any) and every master's server. */
  async stop(): Promise<void> {
    this.engine.stop();
    await this.engine.executorHost?.close();
    await Promise.all(this.servers.map((s) => s.close()));
  }
}
