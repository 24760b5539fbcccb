/**
 * etcd's own history of a key range, read through its JSON gateway (`/v3/watch` from revision 1),
 * and who led an etcd election at each revision.
 */

/** One change etcd applied. */
export interface EtcdEvent {
  type: 'PUT' | 'DELETE';
  key: string;
  value: string;
  revision: bigint;
  createRevision: bigint;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const prefixEnd = (prefix: string) => {
  const b = Buffer.from(prefix);
  b[b.length - 1]! += 1;
  return b;
};

/**
 * Every change etcd applied under `prefix` since revision 1 (the store must not have been
 * compacted): the watch replays the history at once, so it is complete when the stream has been
 * quiet for `quietMs`.
 */
export async function history(endpoint: string, prefix: string, quietMs = 1000): Promise<EtcdEvent[]> {
  const abort = new AbortController();
  const events: EtcdEvent[] = [];
  let quiet: NodeJS.Timeout | undefined;
  const rearm = () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => abort.abort(), quietMs);
  };
  rearm();
  try {
    const res = await fetch(`${endpoint}/v3/watch`, {
      method: 'POST',
      signal: abort.signal,
      body: JSON.stringify({ create_request: { key: b64(prefix), range_end: b64(prefixEnd(prefix)), start_revision: '1' } }),
    });
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      rearm();
      buffer += decoder.decode(chunk, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { result?: { events?: Array<{ type?: string; kv: { key: string; value?: string; mod_revision: string; create_revision?: string } }> } };
        for (const e of msg.result?.events ?? []) {
          events.push({
            type: e.type === 'DELETE' ? 'DELETE' : 'PUT',
            key: Buffer.from(e.kv.key, 'base64').toString(),
            value: e.kv.value ? Buffer.from(e.kv.value, 'base64').toString() : '',
            revision: BigInt(e.kv.mod_revision),
            createRevision: BigInt(e.kv.create_revision ?? '0'),
          });
        }
      }
    }
    return events;
  } catch (err) {
    if (abort.signal.aborted) return events;
    throw err;
  } finally {
    clearTimeout(quiet);
    abort.abort();
  }
}

/** Who led an election, and from which revision to which (exclusive; `undefined`: still leading). */
export interface Leadership {
  /** The value the leader announced (`host:pid` by default). */
  id: string;
  key: string;
  from: bigint;
  to: bigint | undefined;
}

/**
 * The leaders of an election from its key history: the key with the lowest create revision leads
 * (the rule `EtcdLeaderElection` and etcd's own `concurrency.Election` follow).
 */
export function leaderships(events: EtcdEvent[]): Leadership[] {
  const live = new Map<string, { id: string; create: bigint }>();
  const out: Leadership[] = [];
  let current: Leadership | undefined;
  for (const e of [...events].sort((a, b) => (a.revision < b.revision ? -1 : a.revision > b.revision ? 1 : 0))) {
    if (e.type === 'PUT') {
      if (!live.has(e.key)) live.set(e.key, { id: e.value, create: e.createRevision });
    } else live.delete(e.key);
    let lowest: [string, { id: string; create: bigint }] | undefined;
    for (const entry of live) if (!lowest || entry[1].create < lowest[1].create) lowest = entry;
    if (lowest?.[0] !== current?.key) {
      if (current) current.to = e.revision;
      current = lowest ? { id: lowest[1].id, key: lowest[0], from: e.revision, to: undefined } : undefined;
      if (current) out.push(current);
    }
  }
  return out;
}

/** The leadership in force for a write applied at `revision` (the state etcd compared it against is revision − 1). */
export function leaderAt(list: Leadership[], revision: bigint): Leadership | undefined {
  return list.find((l) => l.from < revision && (l.to === undefined || revision <= l.to));
}
