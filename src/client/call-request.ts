import http from 'node:http';
import https from 'node:https';

/** The answer to a scheduler call: status, Content-Type and the whole body. */
export interface CallAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** How one call is sent. */
export interface CallRequestOptions {
  /** Keep-alive agent for `http:` URLs. */
  httpAgent: http.Agent;
  /** Keep-alive agent for `https:` URLs (carries the TLS options). */
  httpsAgent: https.Agent;
  headers: http.OutgoingHttpHeaders;
  /** The request fails with `ECONNABORTED` when the socket is idle this long, ms (0: never). */
  timeoutMs: number;
  /** The request fails with `ERR_BAD_RESPONSE` when the answer's body is longer, bytes. */
  maxBodyBytes: number;
  signal?: AbortSignal;
}

/**
 * POSTs one scheduler call with Node's `http.request` on a keep-alive agent and collects the whole
 * answer. The scheduler sends one call per update (ACKNOWLEDGE), so this is the SDK's hottest
 * request path: it does what the call needs (no redirects followed, no proxy, no transformation),
 * without a general HTTP client's per-request configuration merging. Failures are Node errors with
 * the codes the connection diagnosis reads (`ECONNREFUSED`, `ECONNRESET`, ...; `ECONNABORTED` for
 * a timeout, `ERR_CANCELED` when `signal` aborted it, `ERR_BAD_RESPONSE` for an answer too long).
 */
export function postCall(url: URL, body: Buffer, options: CallRequestOptions): Promise<CallAnswer> {
  return new Promise<CallAnswer>((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const headers: http.OutgoingHttpHeaders = { ...options.headers, 'Content-Length': body.length };
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(err);
    };
    const onAbort = () => fail(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }));
    const req = (tls ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || (tls ? 443 : 80),
        path: url.pathname + url.search,
        method: 'POST',
        headers,
        agent: tls ? options.httpsAgent : options.httpAgent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > options.maxBodyBytes) {
            // First: destroying the request makes the answer report 'aborted'.
            fail(Object.assign(new Error(`maxContentLength size of ${options.maxBodyBytes} exceeded`), { code: 'ERR_BAD_RESPONSE' }));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          options.signal?.removeEventListener('abort', onAbort);
          const type = res.headers['content-type'];
          resolve({ status: res.statusCode ?? 0, contentType: Array.isArray(type) ? type.join(', ') : (type ?? ''), body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) });
        });
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      },
    );
    req.on('error', fail);
    if (options.timeoutMs > 0) {
      req.setTimeout(options.timeoutMs, () => fail(Object.assign(new Error(`timeout of ${options.timeoutMs}ms exceeded`), { code: 'ECONNABORTED' })));
    }
    if (options.signal) {
      if (options.signal.aborted) {
        onAbort();
        return;
      }
      options.signal.addEventListener('abort', onAbort, { once: true });
    }
    req.end(body);
  });
}
