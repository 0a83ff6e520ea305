import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface SeenRequest {
  readonly path: string;
  readonly accept: string;
  readonly authorization: string | undefined;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

/**
 * Loopback Python indexes that behave like the mirrors chainproof meets (devpi, Nexus, Artifactory, a plain file
 * server): each test hands in its route. Call at a test file's top level; servers close after each test.
 */
export function mirrorServers(): (route: Route) => Promise<{ base: string; seen: SeenRequest[] }> {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      }),
    );
  });
  return async (route) => {
    const seen: SeenRequest[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ path: url.pathname, accept: req.headers.accept ?? '', authorization: req.headers.authorization });
      route(req, res, url);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  };
}

/** A PEP 503 page: one anchor per file, as devpi and pip's own test servers write it. */
export function simpleHtml(anchors: readonly string[]): string {
  return `<!DOCTYPE html>\n<html><head><title>Links</title></head><body><h1>Links</h1>\n${anchors
    .map((a) => `${a}<br/>`)
    .join('\n')}\n</body></html>\n`;
}
