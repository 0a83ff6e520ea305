import net from 'node:net';
import { afterEach } from 'vitest';

/**
 * Raw TCP servers on loopback, for what http.createServer cannot do (never answer at all, answer headers a byte at a
 * time). Call at a test file's top level: every server made in a test is closed after it, its sockets destroyed.
 * The returned function starts one and resolves to its `http://127.0.0.1:<port>/` URL.
 */
export function rawServers(): (onSocket: (s: net.Socket) => void) => Promise<string> {
  const servers: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  return async (onSocket) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
      onSocket(s);
    });
    const close = server.close.bind(server);
    server.close = (cb) => {
      for (const s of sockets) s.destroy();
      return close(cb);
    };
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
  };
}
