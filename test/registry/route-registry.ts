import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/**
 * A loopback registry whose every answer a test writes: a route table from request path to status, headers and
 * body, so a case can be any registry's convention (Artifactory's path prefix, a tarball host apart from the
 * packument host, 400 or 401 on the keys endpoint, a packument without `time`). Requests are recorded with their
 * Authorization header, so a test can see which host a token reached.
 */
export interface Route {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON-encoded unless a Buffer or string. */
  readonly body?: unknown;
  /** The answer to `Accept: application/vnd.npm.install-v1+json` (the abbreviated packument), when it differs. */
  readonly corgi?: unknown;
}

export interface SeenRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
}

export interface RouteRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  readonly origin: string;
  readonly seen: SeenRequest[];
  /** Set (or replace) the answer for a path (decoded, e.g. `/@corp/pkg`). */
  route(path: string, answer: Route): void;
}

/** Call at a test file's top level: each registry started in a test is closed after it. */
export function routeRegistries(): () => Promise<RouteRegistry> {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections();
            s.close(() => r());
          }),
      ),
    );
  });
  return async () => {
    const routes = new Map<string, Route>();
    const seen: SeenRequest[] = [];
    const server = http.createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      seen.push({ path, authorization: req.headers.authorization, accept: req.headers.accept });
      const r = routes.get(path) ?? { status: 404, body: { error: 'not found' } };
      const corgi = r.corgi !== undefined && /vnd\.npm\.install-v1\+json/.test(req.headers.accept ?? '');
      const answer = corgi ? r.corgi : r.body;
      const body = Buffer.isBuffer(answer)
        ? answer
        : Buffer.from(typeof answer === 'string' ? answer : JSON.stringify(answer ?? {}));
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...r.headers });
      res.end(body);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url: `${origin}/`, origin, seen, route: (p, a) => void routes.set(p, a) };
  };
}

/** A registry signing key of our own (ECDSA P-256), published in the `/-/npm/v1/keys` shape. */
export interface TestSigningKey {
  readonly keyid: string;
  /** The `/-/npm/v1/keys` entry. */
  readonly entry: Record<string, unknown>;
  /** `dist.signatures` entry over `name@version:integrity`, as a registry signs (npm docs, "registry signatures"). */
  signature(name: string, version: string, integrity: string): { keyid: string; sig: string };
}

export function testSigningKey(keyid: string, expires: string | null): TestSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const priv: KeyObject = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return {
    keyid,
    entry: {
      expires,
      keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    },
    signature: (name, version, integrity) => ({
      keyid,
      sig: sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), priv).toString('base64'),
    }),
  };
}

/** A made-up but well-formed sha512 integrity for `seed`. */
export function fakeIntegrity(seed: string): string {
  return `sha512-${createHash('sha512').update(seed).digest('base64')}`;
}
