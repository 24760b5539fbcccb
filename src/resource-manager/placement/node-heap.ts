/**
 * A binary max-heap of node indices ordered by score (higher first), ties by node index (lower first),
 * so placement is deterministic. Scores live in a shared array indexed by node. @internal
 */
export class NodeHeap {
  private readonly items: number[] = [];
  constructor(private readonly scores: Float64Array) {}

  get size(): number {
    return this.items.length;
  }

  private better(a: number, b: number): boolean {
    const sa = this.scores[a]!;
    const sb = this.scores[b]!;
    return sa > sb || (sa === sb && a < b);
  }

  /** Bulk-loads nodes (O(n)). */
  static from(scores: Float64Array, nodes: number[]): NodeHeap {
    const h = new NodeHeap(scores);
    h.items.push(...nodes);
    for (let i = (h.items.length >> 1) - 1; i >= 0; i--) h.down(i);
    return h;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  push(node: number): void {
    const items = this.items;
    items.push(node);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.down(0);
    }
    return top;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.better(items[l]!, items[best]!)) best = l;
      if (r < n && this.better(items[r]!, items[best]!)) best = r;
      if (best === i) return;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}
