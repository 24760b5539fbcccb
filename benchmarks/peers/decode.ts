import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonPayloads, recordedEvents, subscribedEvent } from './events.js';
import { RecordedStreamServer } from './stream-server.js';

/** The readers compared (see decode-child.ts). */
export type DecodeVariant = 'ours' | 'peer' | 'bare';

/** What one reader measured. */
export interface DecodeRun {
  /** Reader. */
  variant: DecodeVariant;
  /** Events timed (after the warm-up). */
  events: number;
  /** Events it handed on in all, SUBSCRIBED excluded. */
  received: number;
  /** Events the server sent after SUBSCRIBED. */
  sent: number;
  /** Time for the timed events, s. */
  seconds: number;
  /** CPU for the timed events, ms. */
  cpuMs: number;
  /** Events it could not read (peer: its `error` events). */
  errors: number;
}

const CHILD = fileURLToPath(new URL('./decode-child.js', import.meta.url));

/** A recorded stream served by one {@link RecordedStreamServer}, read by one child process per run. */
export class DecodeBench {
  private readonly server: RecordedStreamServer;
  private url = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'peers-decode-'));

  /** `total` events after SUBSCRIBED (the recorded mix repeated), the first `warmup` not timed. */
  constructor(readonly total = 120_000, readonly warmup = 12_000) {
    const cycle = jsonPayloads(recordedEvents(5000));
    this.server = new RecordedStreamServer(jsonPayloads([subscribedEvent()])[0]!, cycle, total);
  }

  /** Starts the server. */
  async start(): Promise<void> {
    this.url = await this.server.start();
  }

  /** One run of `variant` in a fresh process. */
  run(variant: DecodeVariant, timeoutMs = 60_000): Promise<DecodeRun> {
    const child = fork(CHILD, [variant, this.url, String(this.total), String(this.warmup), this.dir], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`decode ${variant}: no result within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve({ ...(m as Omit<DecodeRun, 'sent'>), sent: this.server.recordsSent });
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`decode ${variant}: child exited (${code}) before reporting`));
      });
    });
  }

  /** Stops the server and removes the peer's log folder. */
  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
