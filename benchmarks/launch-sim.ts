/**
 * The simulated master of `launch.bench`, in a process of its own so that the framework's CPU is
 * measured alone: `node launch-sim.js <agents>` starts a SimulatedMaster on a free port with
 * `<agents>` agents (4 cpus, 8 GiB each) whose tasks start after 1 ms and finish after 5 ms, sends
 * `{ url }` to the parent over IPC, then answers `'summary'` with `{ unacknowledged, tasks,
 * completed }` and stops on `'stop'`.
 */
import { SimulatedMaster } from '../src/simulator/simulated-master.js';

const agents = Number(process.argv[2] ?? 50);
const sim = await SimulatedMaster.start({
  agents: Array.from({ length: agents }, (_, i) => ({ cpus: 4, mem: 8192, hostname: `agent-${i}` })),
  taskBehaviours: [{ startDelayMs: 1, runMs: 5 }],
});
process.on('message', (m) => {
  if (m === 'summary') {
    let unacknowledged = 0;
    for (const t of sim.engine.tasks.values()) unacknowledged += t.updates.pending.length;
    const s = sim.summary();
    process.send!({ unacknowledged, tasks: s.tasks, completed: s.completed });
  } else if (m === 'stop') {
    void sim.stop().then(() => process.exit(0));
  }
});
process.send!({ url: sim.url });
