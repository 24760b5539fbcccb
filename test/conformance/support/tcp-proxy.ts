import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay in front of a master, so that a scenario can cut a scheduler's connections (the
 * subscription stream and the call connections) on any master, real or simulated.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  url = '';

  private constructor(private readonly target: URL) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(masterUrl: string): Promise<TcpProxy> {
    const proxy = new TcpProxy(new URL(masterUrl));
    await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', r));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  /** Cuts every connection relayed so far (both directions, abruptly). */
  cut(): number {
    const n = this.sockets.size;
    for (const s of [...this.sockets]) s.destroy();
    return n;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
