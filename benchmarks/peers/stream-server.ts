import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** One RecordIO record (`<length>\n<payload>`) framed as one HTTP/1.1 chunk. */
function httpChunk(payload: Buffer): Buffer {
  const record = Buffer.concat([Buffer.from(`${payload.length}\n`), payload]);
  return Buffer.concat([Buffer.from(`${record.length.toString(16)}\r\n`), record, Buffer.from('\r\n')]);
}

/**
 * A minimal HTTP server answering any request with a Mesos-like SUBSCRIBE response: 200,
 * `Content-Type: application/json`, a `Mesos-Stream-Id`, chunked, one RecordIO record per HTTP
 * chunk (as a Mesos master writes its event stream). It sends `first`, then `cycle` over and
 * over until `total` records have followed, then keeps the connection open (a master does not
 * close the stream). The body is framed once up front and written in 64 KiB slices with
 * backpressure, so the server costs next to nothing and the reader is what is measured.
 */
export class RecordedStreamServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly head: Buffer;
  private readonly body: Buffer;

  constructor(first: Buffer, cycle: Buffer[], private readonly total: number, private readonly cycleLength = cycle.length) {
    this.head = httpChunk(first);
    this.body = Buffer.concat(cycle.map(httpChunk));
  }

  /** Starts listening on a free loopback port; resolves with its base URL. */
  async start(): Promise<string> {
    const server = createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.resume();
      void this.stream(socket);
    };
    socket.on('data', onData);
  }

  private async stream(socket: Socket): Promise<void> {
    socket.write(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nMesos-Stream-Id: ${randomUUID()}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
    );
    socket.write(this.head);
    const rounds = Math.ceil(this.total / this.cycleLength);
    const slice = 64 * 1024;
    for (let r = 0; r < rounds && !socket.destroyed; r++) {
      for (let i = 0; i < this.body.length && !socket.destroyed; i += slice) {
        if (!socket.write(this.body.subarray(i, i + slice))) await drained(socket);
      }
    }
  }

  /** Records the server sends after the first one. */
  get recordsSent(): number {
    return Math.ceil(this.total / this.cycleLength) * this.cycleLength;
  }

  /** Closes every connection and the listener. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
