/**
 * Mesos `Value.Set` arithmetic on normalised string sets (sorted, unique). All functions are pure.
 */

/** Sorts and de-duplicates set items. */
export function normalizeSet(items: Iterable<string>): string[] {
  return [...new Set(items)].sort();
}

/** Union. */
export function addSets(a: readonly string[], b: readonly string[]): string[] {
  return normalizeSet([...a, ...b]);
}

/** Items of `a` that are not in `b`. */
export function subtractSets(a: readonly string[], b: readonly string[]): string[] {
  const drop = new Set(b);
  return a.filter((x) => !drop.has(x));
}

/** True when every item of `b` is in `a`. */
export function containsSet(a: readonly string[], b: readonly string[]): boolean {
  const have = new Set(a);
  return b.every((x) => have.has(x));
}
