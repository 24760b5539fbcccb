import { constants, type Stats } from 'node:fs';
import { open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Files of `artifactsDir`, opened so that nothing outside the folder is ever served.
 *
 * - The request path is split into segments; an empty segment, `.`/`..`, a dotfile (any segment
 *   starting with `.`), a backslash or a NUL is refused.
 * - The file's real path (every symlink resolved) must lie under the folder's real path, and must
 *   not pass through a dotfile either: a symlink to a file inside the folder is served, a symlink
 *   (to a file or a directory, relative or absolute, direct or through a chain) that leads
 *   outside is not. The folder itself may be a symlink (say `current -> releases/7`); it is
 *   resolved at each request, so flipping it takes effect at once.
 * - The real path is opened with `O_NOFOLLOW | O_NONBLOCK` (a FIFO cannot block the open), and
 *   what was opened is checked again through its descriptor (`/proc/self/fd` on Linux; elsewhere
 *   its device and inode against the path's), so a directory swapped for a symlink between the
 *   check and the open is caught. Only regular files are served.
 *
 * Every refusal looks the same as a missing file (`undefined`, answered 404), so probing does not
 * tell what exists outside the folder.
 *
 * @internal
 */
export async function openArtifact(root: string, requestPath: string): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  const segments = requestPath.split('/');
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return undefined;
  let rootReal: string;
  let real: string;
  try {
    rootReal = await realpath(root);
    real = await realpath(join(rootReal, ...segments));
  } catch {
    return undefined;
  }
  if (!inside(rootReal, real)) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile() && (await openedInside(handle, stats, rootReal, real))) return { handle, stats };
  } catch {
    // fall through: closed below
  }
  await handle.close().catch(() => {});
  return undefined;
}

/** True when `path` is strictly under `root` and no segment between them is a dotfile. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !isAbsolute(rel) && !rel.split(sep).some((s) => s.startsWith('.'));
}

/** Checks, through the descriptor, that the file opened is the one under the folder. */
async function openedInside(handle: FileHandle, stats: Stats, rootReal: string, real: string): Promise<boolean> {
  if (process.platform === 'linux') {
    try {
      return inside(rootReal, await readlink(`/proc/self/fd/${handle.fd}`));
    } catch {
      // no /proc (a container without it): the inode check below
    }
  }
  const now = await stat(real);
  return now.dev === stats.dev && now.ino === stats.ino && (await realpath(real)) === real;
}

/** The byte range a `Range` header asks for: a single `bytes=` range only; anything else is ignored (the whole file is sent). */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * Answers `GET|HEAD /artifacts/*`: the file (200), a single byte range (206), 416 for a range
 * past the end, 404 for anything {@link openArtifact} refuses. The file is streamed from the
 * descriptor that was checked; the stream closes it.
 *
 * @internal
 */
export async function serveArtifact(root: string, req: FastifyRequest, reply: FastifyReply, codes: { notFound: string; range: string }): Promise<FastifyReply> {
  const path = (req.params as { '*'?: string })['*'] ?? '';
  const opened = await openArtifact(root, path);
  if (!opened) return reply.code(404).send({ code: codes.notFound, message: `no artifact ${JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path)}` });
  const { handle, stats } = opened;
  const size = stats.size;
  const range = byteRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, size);
  void reply.header('accept-ranges', 'bytes').header('last-modified', stats.mtime.toUTCString());
  if (range === 'unsatisfiable') {
    await handle.close();
    return reply.code(416).header('content-range', `bytes */${size}`).send({ code: codes.range, message: `the range ${String(req.headers.range).slice(0, 100)} is outside the file (${size} bytes)` });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  void reply.header('content-type', 'application/octet-stream').header('content-length', String(end - start + 1));
  if (range) void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  if (req.method === 'HEAD' || end < start) {
    await handle.close();
    return reply.send('');
  }
  return reply.send(handle.createReadStream({ start, end, autoClose: true }));
}
