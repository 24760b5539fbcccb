#!/usr/bin/env node
import { Command, Option } from 'commander';
import { SimulatedMaster } from './simulated-master.js';
import { hasErrorCode, integerArg, packageVersion, portArg, positiveNumberArg, usageErrorsExit } from '../cli/cli-args.js';

const program = usageErrorsExit(new Command())
  .name('mesos-sim')
  .description('A simulated Mesos 1.11 master with simulated agents, speaking the V1 scheduler API over HTTP')
  .version(packageVersion(import.meta.url))
  .option('--agents <n>', 'number of simulated agents', integerArg(1, 10_000), 3)
  .option('--cpus <n>', 'cpus per agent', positiveNumberArg(), 4)
  .option('--mem <mb>', 'memory per agent (MB)', positiveNumberArg(), 8192)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--port <port>', 'port of the (first) master (0: a free one)', portArg(), 5050)
  .option('--masters <n>', 'number of masters (one leads, the others redirect)', integerArg(1, 9), 1)
  .option('--heartbeat <seconds>', 'heartbeat interval', positiveNumberArg(), 15)
  .addOption(
    new Option('--commands <mode>', "how command tasks run: 'real' (a command executor runs each task's command, as on a Mesos agent) or 'simulated' (scripted, nothing executed)")
      .choices(['real', 'simulated'])
      .default('real'),
  )
  .option('--task-run-ms <ms>', 'how long simulated tasks run before finishing (with --commands simulated)', integerArg(0), 1000)
  .option('--no-faults-api', 'do not serve POST /__sim/faults')
  .parse();

const o = program.opts<{ agents: number; cpus: number; mem: number; host: string; port: number; masters: number; heartbeat: number; commands: 'real' | 'simulated'; taskRunMs: number; faultsApi: boolean }>();
let sim: SimulatedMaster;
try {
  sim = await SimulatedMaster.start({
    agents: Array.from({ length: o.agents }, (_, i) => ({ cpus: o.cpus, mem: o.mem, hostname: `agent-${i}.sim.local`, attributes: { rack: `r${i % 4}` } })),
    host: o.host,
    port: o.port,
    masters: o.masters,
    heartbeatIntervalSeconds: o.heartbeat,
    commands: o.commands,
    ...(o.commands === 'simulated' ? { taskBehaviours: [{ runMs: o.taskRunMs }] } : {}),
    faultsApi: o.faultsApi,
  });
} catch (err) {
  if (hasErrorCode(err, 'EADDRINUSE')) console.error(`mesos-sim: port ${o.port} is in use${o.masters > 1 ? ' (or one of the next ones, for the other masters)' : ''}; pick another with --port (0 picks a free one)`);
  else if (hasErrorCode(err, 'EADDRNOTAVAIL') || hasErrorCode(err, 'ENOTFOUND')) console.error(`mesos-sim: cannot listen on ${o.host}; pick an interface of this machine with --host`);
  else console.error(`mesos-sim: could not start: ${(err as Error).message}`);
  process.exit(1);
}
console.log(`mesos-sim: leading master at ${sim.url} (${o.agents} agents, ${o.commands} commands${o.masters > 1 ? `, masters ${sim.urls.join(' ')}` : ''})`);
const shutdown = () => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
