import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressOutput, type OutputStream } from '../../samples/01-launch-tasks/progress-output.js';

/**
 * A small terminal: the screen a TTY would show for the bytes written to it (carriage return,
 * newline, cursor to a column, cursor up/down, erase in line; other escapes are ignored).
 */
class FakeTerminal implements OutputStream {
  readonly columns = 80;
  readonly rows: string[] = [''];
  private row = 0;
  private col = 0;
  constructor(readonly isTTY = true) {}

  write(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\x1b') {
        const m = /^\x1b(?:\[(\??)(\d*)(?:;(\d*))?([A-Za-z])|[78])/.exec(text.slice(i));
        if (!m) continue;
        i += m[0].length - 1;
        const n = m[2] === '' || m[2] === undefined ? undefined : Number(m[2]);
        if (m[1] === '?') continue; // cursor visibility, line wrapping
        switch (m[4]) {
          case 'G': this.col = (n ?? 1) - 1; break;
          case 'A': this.row = Math.max(0, this.row - (n ?? 1)); break;
          case 'B': this.down(n ?? 1); break;
          case 'K': {
            const line = this.rows[this.row]!;
            if ((n ?? 0) === 0) this.rows[this.row] = line.slice(0, this.col);
            else if (n === 1) this.rows[this.row] = ' '.repeat(this.col) + line.slice(this.col);
            else this.rows[this.row] = '';
            break;
          }
          case 'J': this.rows.splice(this.row + 1); this.rows[this.row] = this.rows[this.row]!.slice(0, this.col); break;
          default: break;
        }
        continue;
      }
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') {
        this.down(1);
        this.col = 0;
      } else {
        const line = this.rows[this.row]!.padEnd(this.col, ' ');
        this.rows[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
        this.col++;
      }
    }
    return true;
  }

  private down(n: number): void {
    this.row += n;
    while (this.rows.length <= this.row) this.rows.push('');
  }

  /** The screen's lines, without the trailing empty one. */
  screen(): string[] {
    const out = this.rows.map((r) => r.trimEnd());
    while (out.length > 0 && out.at(-1) === '') out.pop();
    return out;
  }
}

const tick = () => new Promise((r) => setTimeout(r, 120));

describe('ProgressOutput', () => {
  it('keeps every line intact and the bar on its own last line when lines and progress interleave on one terminal', async () => {
    const tty = new FakeTerminal();
    const out = new ProgressOutput(tty, { enabled: true });
    out.start(4);
    assert.equal(out.active, true);
    out.line(tty, 'subscribed as framework fw-1; running 4 tasks');
    for (let done = 1; done <= 4; done++) {
      out.update(done);
      await tick();
      out.line(tty, `*|1|INFO|-|1|-|-|sample-01|-|x.ts:1|now|task ${done} finished`);
    }
    out.line(tty, 'the last line before the end');
    out.stop();
    const screen = tty.screen();
    assert.deepEqual(screen.slice(0, -1), [
      'subscribed as framework fw-1; running 4 tasks',
      ...[1, 2, 3, 4].map((d) => `*|1|INFO|-|1|-|-|sample-01|-|x.ts:1|now|task ${d} finished`),
      'the last line before the end',
    ]);
    assert.match(screen.at(-1)!, /^tasks \[\S+\] 4\/4$/, 'the bar, complete, below every line');
  });

  it('would garble the screen without it: a line written straight to the terminal lands on the bar', async () => {
    // The failure this class prevents, shown with the same terminal: the line is glued to the bar.
    const tty = new FakeTerminal();
    const out = new ProgressOutput(tty, { enabled: true });
    out.start(2);
    out.update(1);
    await tick();
    tty.write('a log line\n');
    out.stop();
    assert.ok(tty.screen().some((l) => /^tasks \[.*\] \d\/2.*a log line$/.test(l) || /^a log line.+\d\/2/.test(l)), tty.screen().join('\n'));
  });

  it('writes lines for another stream (stdout piped to a file) there directly, leaving the bar alone', async () => {
    const tty = new FakeTerminal();
    const file: string[] = [];
    const out = new ProgressOutput(tty, { enabled: true });
    out.start(1);
    out.line({ write: (t: string) => file.push(t) }, 'to the file');
    out.update(1);
    out.stop();
    assert.deepEqual(file, ['to the file\n']);
    assert.deepEqual(tty.screen().map((l) => l.replace(/\[\S+\]/, '[]')), ['tasks [] 1/1']);
  });

  it('shows no bar when disabled or when its stream is not a terminal, and writes lines as they come', () => {
    for (const [stream, enabled] of [[new FakeTerminal(), false], [new FakeTerminal(false), true]] as const) {
      const out = new ProgressOutput(stream, { enabled });
      out.start(3);
      assert.equal(out.active, false);
      out.update(2);
      out.line(stream, 'plain');
      out.stop();
      assert.deepEqual(stream.screen(), ['plain']);
    }
  });
});
