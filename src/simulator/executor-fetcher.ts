import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, createWriteStream, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { v1 } from '../protocol/generated/index.js';

/** A URI could not be fetched (the agent then fails the launch with its own message). */
export class FetchError extends Error {}

/**
 * The Mesos fetcher, for one URI: http(s), file:// or an absolute path, into the sandbox
 * (`output_file` must stay inside it); `executable` sets the mode, `extract` unpacks tarballs.
 */
export async function fetchUri(uri: v1.CommandInfo.URI, sandbox: string, max: number): Promise<void> {
  const source = uri.value;
  const name = uri.output_file ?? basename(decodeURIComponent(new URL(source, 'file:///').pathname));
  if (!name || name === '.' || name === '..' || isAbsolute(name) || name.split(/[\\/]/).some((p) => p === '..' || p === '') || name.includes('\0')) {
    throw new Error(`cannot fetch ${source}: output file ${JSON.stringify(name)} must be a relative path inside the sandbox`);
  }
  const target = join(sandbox, name);
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source);
    if (!res.ok || !res.body) throw new Error(`cannot fetch ${source}: HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > max) throw new Error(`cannot fetch ${source}: ${declared} bytes exceeds the limit of ${max}`);
    let seen = 0;
    const body = Readable.fromWeb(res.body as Parameters<typeof Readable.fromWeb>[0]);
    body.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > max) body.destroy(new Error(`cannot fetch ${source}: more than ${max} bytes`));
    });
    await pipeline(body, createWriteStream(target));
  } else {
    const path = source.startsWith('file://') ? fileURLToPath(source) : source;
    if (!isAbsolute(path)) throw new Error(`cannot fetch ${source}: not an http(s) URL, a file:// URL or an absolute path`);
    if (statSync(path).size > max) throw new Error(`cannot fetch ${source}: larger than ${max} bytes`);
    copyFileSync(path, target);
  }
  if (uri.executable) chmodSync(target, 0o755);
  if (uri.extract !== false && !uri.executable && /\.(tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$/.test(name)) {
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-xf', name], { cwd: sandbox, stdio: 'ignore' });
      tar.once('error', reject);
      tar.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cannot extract ${name}: tar exited with ${code}`))));
    });
  }
}
