import type http from 'node:http';
import { MEDIA_TYPES, type Encoding } from '../../protocol/codec.js';

/** Mesos's plain-text answers carry this type and a Content-Length (never chunked). */
export const TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

/** Answers `status` with a plain-text body, as libprocess does. */
export function text(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...TEXT, ...headers, 'Content-Length': Buffer.byteLength(body) }).end(body);
}

/** Answers `status` with a JSON body. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }).end(payload);
}

/** An empty answer (202 Accepted, 200 OK) with `Content-Length: 0`. */
export function empty(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': '0' }).end();
}

/** libprocess's answer for a path no handler serves. */
export function notFound(res: http.ServerResponse): void {
  text(res, 404, '404 Not Found.');
}

/** libprocess's 405 for a POST-only endpoint. */
export function methodNotAllowed(res: http.ServerResponse, method: string | undefined, allowed = 'POST'): void {
  text(res, 405, `405 Method Not Allowed. Expecting one of { '${allowed}' }, but received '${method ?? ''}'.`, { Allow: allowed });
}

/** The encoding of a streamed answer: JSON when `Accept` allows it (or is absent), else protobuf, else none. */
export function acceptedEncoding(accept: string | undefined): Encoding | undefined {
  if (accept === undefined) return 'json';
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { type: type ?? '', q: q ? Number(q.slice(2)) : 1 };
  });
  const allows = (media: string) => {
    const [major] = media.split('/');
    const match = ranges.find((r) => r.type === media) ?? ranges.find((r) => r.type === `${major}/*`) ?? ranges.find((r) => r.type === '*/*');
    return !!match && match.q > 0;
  };
  if (allows(MEDIA_TYPES.json)) return 'json';
  if (allows(MEDIA_TYPES.protobuf)) return 'protobuf';
  return undefined;
}
