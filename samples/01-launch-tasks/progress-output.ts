import cliProgress from 'cli-progress';

/** A stream the output writes to: a terminal (`isTTY`) or anything else. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * The sample's terminal output: a progress bar on `barStream` when it is a terminal, and lines
 * (the sample's own and the SDK's log lines) that never overwrite the bar nor get overwritten by
 * it. While the bar is shown, a line bound for the same terminal goes through the bar
 * (cli-progress' `MultiBar.log`: the bar line is cleared, the line written, the bar drawn again
 * below it); a line bound for a stream that is not a terminal (stdout piped to a file, say) is
 * written there directly, the bar untouched.
 */
export class ProgressOutput {
  private bars: cliProgress.MultiBar | undefined;
  private bar: cliProgress.SingleBar | undefined;

  constructor(
    private readonly barStream: OutputStream,
    private readonly options: { enabled: boolean },
  ) {}

  /** True while the bar is on screen. */
  get active(): boolean {
    return this.bar !== undefined;
  }

  /** Shows the bar (when enabled and `barStream` is a terminal). */
  start(total: number): void {
    if (!this.options.enabled || this.barStream.isTTY !== true || this.bars) return;
    this.bars = new cliProgress.MultiBar(
      // forceRedraw: the bar is drawn again below each line even when its value did not change.
      { format: 'tasks [{bar}] {value}/{total}', hideCursor: true, gracefulExit: false, clearOnComplete: false, forceRedraw: true, stream: this.barStream as NodeJS.WritableStream },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(total, 0);
  }

  update(done: number): void {
    this.bar?.update(done);
  }

  /** Writes one line to `stream`; through the bar when the bar is on and `stream` is a terminal too. */
  line(stream: OutputStream, text: string): void {
    if (this.bars && stream.isTTY === true) {
      this.bars.log(`${text}\n`);
      this.bars.update(); // written now (clear the bar line, the line, the bar), not at the next redraw
    } else {
      stream.write(`${text}\n`);
    }
  }

  /** Draws the bar one last time (with every line still waiting), then leaves it on its own line. */
  stop(): void {
    if (!this.bars) return;
    this.bars.update();
    this.bars.stop();
    this.bars = undefined;
    this.bar = undefined;
  }
}
