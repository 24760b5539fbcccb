import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive } from './processes.js';

const NODE = join(dirname(fileURLToPath(import.meta.url)), 'task-node.js');

/** One JSON line a task-node process printed. */
export interface Line {
  ev: string;
  [k: string]: unknown;
}

/**
 * A framework child process (`task-node.js`: the built-in task manager on a LevelStorage) and the
 * JSON lines it printed; optionally under a file size limit (`ulimit -f`, KiB).
 */
export class TaskNode {
  readonly lines: Line[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  stderr = '';
  constructor(args: string[], env: Record<string, string> = {}, fileSizeLimitKb?: number) {
    const command = fileSizeLimitKb === undefined ? [process.execPath, [NODE, ...args]] as const : ['bash', ['-c', `ulimit -f ${fileSizeLimitKb}; exec "$0" "$@"`, process.execPath, NODE, ...args]] as const;
    this.child = spawn(command[0], command[1], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      try {
        this.lines.push(JSON.parse(l) as Line);
      } catch {
        /* not ours */
      }
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  get pid(): number {
    return this.child.pid!;
  }
  async waitFor(ev: string, ms: number): Promise<Line | undefined> {
    const deadline = Date.now() + ms;
    let done = false;
    void this.exited.then(() => (done = true));
    while (Date.now() < deadline) {
      const line = this.lines.find((l) => l.ev === ev);
      if (line) return line;
      if (done) return this.lines.find((l) => l.ev === ev);
      await new Promise((r) => setTimeout(r, 25));
    }
    return undefined;
  }
  async stop(): Promise<void> {
    if (!alive(this.pid)) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }
}

