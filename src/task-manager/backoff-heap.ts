/**
 * A binary min-heap of `(time, id)` entries: the restart-backoff ends of pending tasks, earliest
 * first. Entries are never updated in place; a stale one (its task placed, relaunched, pruned) is
 * dropped when it reaches the top (the caller says which are still valid), so a push and a pop
 * cost O(log n) and finding the earliest end never scans every record.
 */
export class BackoffHeap {
  private times: number[] = [];
  private ids: string[] = [];

  /** Number of entries held, stale ones included. */
  get size(): number {
    return this.times.length;
  }

  /** Adds an entry. */
  push(time: number, id: string): void {
    const { times, ids } = this;
    let i = times.length;
    times.push(time);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      times[i] = times[parent]!;
      ids[i] = ids[parent]!;
      i = parent;
    }
    times[i] = time;
    ids[i] = id;
  }

  /** The earliest entry, if any (not removed). */
  peek(): { time: number; id: string } | undefined {
    return this.times.length ? { time: this.times[0]!, id: this.ids[0]! } : undefined;
  }

  /** Removes and returns the earliest entry, if any. */
  pop(): { time: number; id: string } | undefined {
    const { times, ids } = this;
    if (times.length === 0) return undefined;
    const top = { time: times[0]!, id: ids[0]! };
    const lastTime = times.pop()!;
    const lastId = ids.pop()!;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && times[r]! < times[l]! ? r : l;
        if (times[c]! >= lastTime) break;
        times[i] = times[c]!;
        ids[i] = ids[c]!;
        i = c;
      }
      times[i] = lastTime;
      ids[i] = lastId;
    }
    return top;
  }

  /**
   * The earliest valid time: pops entries from the top while `valid(time, id)` is false, and
   * returns the first valid entry's time (kept), or undefined when none is left.
   */
  earliest(valid: (time: number, id: string) => boolean): number | undefined {
    while (this.times.length) {
      if (valid(this.times[0]!, this.ids[0]!)) return this.times[0];
      this.pop();
    }
    return undefined;
  }

  /** Keeps only the entries for which `valid` is true (a compaction, O(n)). */
  retain(valid: (time: number, id: string) => boolean): void {
    const keep: Array<[number, string]> = [];
    for (let i = 0; i < this.times.length; i++) if (valid(this.times[i]!, this.ids[i]!)) keep.push([this.times[i]!, this.ids[i]!]);
    this.times = [];
    this.ids = [];
    for (const [t, id] of keep) this.push(t, id);
  }
}
