import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One file a project page lists; `provenance` is the Integrity API answer for it (absent = `provenance: null`). */
export interface ServedFile {
  readonly filename: string;
  readonly sha256: string;
  readonly provenance?: unknown;
  /** PEP 592 `yanked` as the page lists it (absent = `false`). */
  readonly yanked?: boolean | string;
}

export type ServedProjects = Readonly<Record<string, readonly ServedFile[]>>;

export interface PypiIndexServer {
  /** `http://127.0.0.1:<port>/simple/` */
  readonly indexUrl: string;
  /** Replace what the index serves (per test). */
  serve(
    projects: ServedProjects,
    opts?: {
      fault?: 'http-500';
      requireAuth?: string;
      /** The origin the pages name in `provenance` URLs (default: this server's). */
      provenanceOrigin?: string;
    },
  ): void;
  /** Authorization headers seen, for the "credentials go only to the index" tests. */
  readonly authSeen: string[];
  /** Every request path, in order (cache tests count them). */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A loopback PyPI: PEP 691 JSON project pages at `/simple/<name>/` (with PEP 740 `provenance` URLs) and the
 * Integrity API at `/integrity/<name>/<version>/<filename>/provenance`. Serves real attestations from
 * ../shared/corpora/pypi as the test hands them in.
 */
export async function startPypiIndex(): Promise<PypiIndexServer> {
  let projects: ServedProjects = {};
  let fault: 'http-500' | undefined;
  let provenanceOrigin: string | undefined;
  let requireAuth: string | undefined;
  const authSeen: string[] = [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    if (req.headers.authorization !== undefined) authSeen.push(req.headers.authorization);
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (fault === 'http-500') return send(500, 'boom', 'text/plain');
    if (requireAuth !== undefined && req.headers.authorization !== requireAuth) return send(401, 'no', 'text/plain');
    const simple = /^\/simple\/([^/]+)\/$/.exec(url.pathname);
    if (simple) {
      const files = projects[decodeURIComponent(simple[1]!)];
      if (!files) return send(404, { message: 'not found' });
      return send(
        200,
        {
          meta: { 'api-version': '1.3' },
          name: simple[1],
          files: files.map((f) => ({
            filename: f.filename,
            url: `/files/${f.filename}`,
            hashes: { sha256: f.sha256 },
            provenance: f.provenance !== undefined ? provenanceUrl(simple[1]!, f.filename) : null,
            yanked: f.yanked ?? false,
          })),
        },
        'application/vnd.pypi.simple.v1+json',
      );
    }
    const integrity = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(url.pathname);
    if (integrity) {
      // Routed by the literal version, as an index that does not canonicalize it (Warehouse does) would.
      const file = projects[decodeURIComponent(integrity[1]!)]?.find(
        (f) =>
          f.filename === decodeURIComponent(integrity[3]!) &&
          versionOf(f.filename) === decodeURIComponent(integrity[2]!),
      );
      return file?.provenance !== undefined ? send(200, file.provenance) : send(404, { message: 'no provenance' });
    }
    return send(404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  function provenanceUrl(name: string, filename: string): string {
    return `${provenanceOrigin ?? base}/integrity/${name}/${versionOf(filename)}/${filename}/provenance`;
  }
  return {
    indexUrl: `${base}/simple/`,
    serve(p, opts = {}) {
      projects = p;
      fault = opts.fault;
      provenanceOrigin = opts.provenanceOrigin;
      requireAuth = opts.requireAuth;
    },
    authSeen,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The version a distribution file name spells (the loopback's Integrity API routes by it). */
function versionOf(filename: string): string {
  const version = filename.endsWith('.whl')
    ? filename.split('-')[1]
    : filename
        .replace(/\.(tar\.gz|zip)$/, '')
        .split('-')
        .pop();
  return version ?? '';
}
