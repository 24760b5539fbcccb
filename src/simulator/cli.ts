#!/usr/bin/env node
import { Command } from 'commander';
import { SimulatedMaster } from './simulated-master.js';

const program = new Command()
  .name('mesos-sim')
  .description('A simulated Mesos 1.11 master with simulated agents, speaking the V1 scheduler API over HTTP')
  .option('--agents <n>', 'number of simulated agents', (v) => parseInt(v, 10), 3)
  .option('--cpus <n>', 'cpus per agent', parseFloat, 4)
  .option('--mem <mb>', 'memory per agent (MB)', parseFloat, 8192)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--port <port>', 'port of the (first) master', (v) => parseInt(v, 10), 5050)
  .option('--masters <n>', 'number of masters (one leads, the others redirect)', (v) => parseInt(v, 10), 1)
  .option('--heartbeat <seconds>', 'heartbeat interval', parseFloat, 15)
  .option('--commands <mode>', "how command tasks run: 'real' (a command executor runs each task's command, as on a Mesos agent) or 'simulated' (scripted, nothing executed)", 'real')
  .option('--task-run-ms <ms>', "how long simulated tasks run before finishing (with --commands simulated)", (v) => parseInt(v, 10), 1000)
  .option('--no-faults-api', 'do not serve POST /__sim/faults')
  .parse();

const o = program.opts<{ agents: number; cpus: number; mem: number; host: string; port: number; masters: number; heartbeat: number; commands: string; taskRunMs: number; faultsApi: boolean }>();
if (o.commands !== 'real' && o.commands !== 'simulated') program.error(`--commands must be 'real' or 'simulated', not ${JSON.stringify(o.commands)}`);
const commands = o.commands as 'real' | 'simulated';
const sim = await SimulatedMaster.start({
  agents: Array.from({ length: o.agents }, (_, i) => ({ cpus: o.cpus, mem: o.mem, hostname: `agent-${i}.sim.local`, attributes: { rack: `r${i % 4}` } })),
  host: o.host,
  port: o.port,
  masters: o.masters,
  heartbeatIntervalSeconds: o.heartbeat,
  commands,
  ...(commands === 'simulated' ? { taskBehaviours: [{ runMs: o.taskRunMs }] } : {}),
  faultsApi: o.faultsApi,
});
console.log(`mesos-sim: leading master at ${sim.url} (${o.agents} agents, ${commands} commands${o.masters > 1 ? `, masters ${sim.urls.join(' ')}` : ''})`);
const shutdown = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
