import type { v1 } from '../mesos-types.js';

const scalarFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/**
 * Renders an agent attribute as Marathon compares it in constraints: TEXT as is, SCALAR with US
 * grouping and at most 3 decimals (`1,234.5`), RANGES as `[b-e,...]` sorted by begin, SET as
 * `{a,b}` sorted.
 */
export function renderAttribute(attribute: v1.Attribute): string {
  switch (attribute.type) {
    case 'TEXT':
      return attribute.text?.value ?? '';
    case 'SCALAR':
      return scalarFormat.format(attribute.scalar?.value ?? 0);
    case 'RANGES':
      return `[${[...(attribute.ranges?.range ?? [])].sort((a, b) => a.begin - b.begin).map((r) => `${r.begin}-${r.end}`).join(',')}]`;
    case 'SET':
      return `{${[...(attribute.set?.item ?? [])].sort().join(',')}}`;
    default:
      return '';
  }
}

/** Renders every attribute of an offer into a name → value map (first occurrence of a name wins). */
export function renderAttributes(attributes: readonly v1.Attribute[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of attributes ?? []) if (!out.has(a.name)) out.set(a.name, renderAttribute(a));
  return out;
}
