/**
 * Integer range sets (Mesos `Value.Ranges`, e.g. ports). A {@link RangeSet} is always normalised:
 * sorted by `begin`, non-overlapping, non-adjacent (`[1-2],[3-4]` becomes `[1-4]`), `begin <= end`.
 * All functions are pure and return new arrays.
 */

/** An inclusive integer interval. */
export interface Range {
  /** First value of the range, inclusive. */
  readonly begin: number;
  /** Last value of the range, inclusive (Mesos ranges are closed: `[31000-31005]` holds six ports). */
  readonly end: number;
}

/** A normalised, immutable list of ranges. */
export type RangeSet = ReadonlyArray<Range>;

/** Normalises arbitrary ranges (any order, overlapping, adjacent); drops ranges with `begin > end`. */
export function normalizeRanges(ranges: Iterable<Range>): Range[] {
  const sorted = [...ranges].filter((r) => r.begin <= r.end).sort((a, b) => a.begin - b.begin || a.end - b.end);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.begin <= last.end + 1) {
      if (r.end > last.end) out[out.length - 1] = { begin: last.begin, end: r.end };
    } else {
      out.push({ begin: r.begin, end: r.end });
    }
  }
  return out;
}

/** Union of two range sets. */
export function addRanges(a: RangeSet, b: RangeSet): Range[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  return normalizeRanges([...a, ...b]);
}

/** `a` minus `b`: every value of `a` that is not in `b`. */
export function subtractRanges(a: RangeSet, b: RangeSet): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const r of a) {
    let begin = r.begin;
    while (j < b.length && b[j]!.end < begin) j++;
    let k = j;
    while (k < b.length && b[k]!.begin <= r.end) {
      const cut = b[k]!;
      if (cut.begin > begin) out.push({ begin, end: cut.begin - 1 });
      begin = Math.max(begin, cut.end + 1);
      if (begin > r.end) break;
      k++;
    }
    if (begin <= r.end) out.push({ begin, end: r.end });
  }
  return out;
}

/** True when every value of `b` is in `a`. */
export function containsRanges(a: RangeSet, b: RangeSet): boolean {
  let i = 0;
  for (const r of b) {
    while (i < a.length && a[i]!.end < r.begin) i++;
    const host = a[i];
    if (host === undefined || host.begin > r.begin || host.end < r.end) return false;
  }
  return true;
}

/** True when the single value `n` is in `a`. */
export function rangesHas(a: RangeSet, n: number): boolean {
  for (const r of a) {
    if (n < r.begin) return false;
    if (n <= r.end) return true;
  }
  return false;
}

/** Number of integers in the set. */
export function rangesSize(a: RangeSet): number {
  let n = 0;
  for (const r of a) n += r.end - r.begin + 1;
  return n;
}

/**
 * Picks the `count` lowest values of `a` (e.g. dynamic host ports). Returns `undefined` when the
 * set holds fewer than `count` values.
 */
export function pickFromRanges(a: RangeSet, count: number): number[] | undefined {
  const out: number[] = [];
  for (const r of a) {
    for (let v = r.begin; v <= r.end && out.length < count; v++) out.push(v);
    if (out.length >= count) break;
  }
  return out.length >= count ? out : undefined;
}

/** Builds a normalised range set from individual values (duplicates allowed). */
export function rangesFromValues(values: Iterable<number>): Range[] {
  const sorted = [...new Set(values)].sort((x, y) => x - y);
  const out: Range[] = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && v === last.end + 1) out[out.length - 1] = { begin: last.begin, end: v };
    else out.push({ begin: v, end: v });
  }
  return out;
}

/** Renders ranges the way Mesos and Marathon print them: `[31000-31005,31010-31010]`. */
export function formatRanges(a: RangeSet): string {
  return `[${a.map((r) => `${r.begin}-${r.end}`).join(',')}]`;
}
