import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { list as listTar, type ReadEntry } from 'tar';
import { corpusPath } from './corpus.js';

/**
 * A loopback server for the registry endpoints Verdaccio and the local npm mirror lack: `/-/npm/v1/keys`,
 * packuments with `dist.signatures`, `dist.attestations` and `time`, `/-/npm/v1/attestations/<name>@<version>`,
 * and tarballs. It serves real data (../shared/corpora/sigstore), plus fault modes for the "unverifiable" tests.
 */

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export interface ServedVersion {
  readonly version: string;
  /** The integrity the packument publishes (and that signatures are over). */
  readonly integrity: string;
  readonly time: string;
  readonly tarball?: Buffer;
  readonly signatures?: readonly { keyid: string; sig: string }[];
  /** The attestations endpoint answer (`{attestations:[…]}`); its presence sets `dist.attestations`. */
  readonly attestations?: unknown;
  readonly deprecated?: string;
  /** Set `dist.attestations.provenance` without serving attestations (for older versions in downgrade tests). */
  readonly provenanceFlagOnly?: boolean;
  /** The version's `scripts` and the registry's `hasInstallScript` flag. */
  readonly scripts?: Readonly<Record<string, string>>;
  readonly hasInstallScript?: boolean;
}

export interface ServedPackage {
  readonly name: string;
  readonly versions: readonly ServedVersion[];
}

/**
 * Fault modes: `timeout` answers after `delayMs`; `never-ends` sends headers and part of a body, then nothing;
 * `trickle` sends one byte every 50 ms; `huge` streams a body far larger than any packument limit;
 * `redirect` answers 302 to another host (the `redirectTo` URL); `http-401-echo` answers 401 quoting the
 * Authorization header back in its body, as a hostile registry might.
 */
export type Fault =
  | 'none'
  | 'timeout'
  | 'http-500'
  | 'http-429'
  | 'garbage-json'
  | 'never-ends'
  | 'trickle'
  | 'huge'
  | 'redirect'
  | 'http-401-echo';

export interface EndpointsOptions {
  /** Body of `/-/npm/v1/keys`, or undefined to answer 404. */
  readonly keys?: unknown;
  readonly packages: readonly ServedPackage[];
  /** Require `Authorization: Bearer <token>` on every request. */
  readonly token?: string;
  readonly fault?: Fault;
  /** Apply the fault only to request paths matching this (default: every path). */
  readonly faultPaths?: RegExp;
  /** Delay for the `timeout` fault. */
  readonly delayMs?: number;
  /** Target of the `redirect` fault. */
  readonly redirectTo?: string;
  /** Extra latency added to every answer (the bench's slow registry). */
  readonly latencyMs?: number;
  /** Answer with `Vary: Authorization` (the header that put tokens into make-fetch-happen's cache index). */
  readonly varyAuthorization?: boolean;
  /**
   * Serve the abbreviated packument (no `time`, no `scripts`; `modified` and `hasInstallScript` instead) to
   * requests that accept `application/vnd.npm.install-v1+json`, as registry.npmjs.org does.
   */
  readonly abbreviated?: boolean;
}

export interface RequestSeen {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  /** The `If-None-Match` the client sent (a conditional request). */
  readonly ifNoneMatch: string | undefined;
  readonly accept?: string | undefined;
}

export interface EndpointsServer {
  readonly url: string;
  readonly requests: RequestSeen[];
  setFault(fault: Fault): void;
  close(): Promise<void>;
}

export async function startNpmEndpoints(opts: EndpointsOptions): Promise<EndpointsServer> {
  let fault: Fault = opts.fault ?? 'none';
  const requests: RequestSeen[] = [];
  const byName = new Map(opts.packages.map((p) => [p.name, p]));
  let base = '';
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    if (opts.latencyMs !== undefined && opts.latencyMs > 0) {
      const t = setTimeout(() => {
        timers.delete(t);
        handle(req, res);
      }, opts.latencyMs);
      timers.add(t);
      return;
    }
    handle(req, res);
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? '/';
    const ifNoneMatch = req.headers['if-none-match'];
    const accept = req.headers.accept;
    requests.push({ method: req.method ?? 'GET', url, authorization: req.headers.authorization, ifNoneMatch, accept });
    const send = (status: number, body: unknown, type = 'application/json') => {
      const data = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const etag = `"${createHash('sha1').update(data).digest('hex')}"`;
      const vary = opts.varyAuthorization === true ? { vary: 'Accept, Authorization' } : {};
      if (status === 200 && ifNoneMatch === etag) {
        res.writeHead(304, { etag, ...vary });
        res.end();
        return;
      }
      res.writeHead(status, { 'content-type': type, 'content-length': data.length, etag, ...vary });
      res.end(data);
    };
    if (opts.token !== undefined && req.headers.authorization !== `Bearer ${opts.token}`)
      return send(401, { error: 'unauthorized' });
    const faulty = fault !== 'none' && (opts.faultPaths === undefined || opts.faultPaths.test(url));
    if (faulty && fault === 'timeout') {
      const t = setTimeout(() => {
        timers.delete(t);
        send(200, {});
      }, opts.delayMs ?? 5_000);
      timers.add(t);
      return;
    }
    if (faulty && fault === 'http-500') return send(500, { error: 'internal' });
    if (faulty && fault === 'http-429') return send(429, { error: 'rate limited' });
    if (faulty && fault === 'http-401-echo')
      return send(401, { error: `bad credentials: ${req.headers.authorization}` });
    if (faulty && fault === 'redirect') {
      res.writeHead(302, { location: `${opts.redirectTo ?? 'http://localhost:9/'}${url.slice(1)}` });
      return res.end();
    }
    if (faulty && (fault === 'never-ends' || fault === 'trickle' || fault === 'huge')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"name":"x","versions":{');
      if (fault === 'never-ends') return;
      const chunk = fault === 'huge' ? Buffer.alloc(1 << 20, 0x20) : Buffer.from(' ');
      const t = setInterval(
        () => {
          if (res.destroyed) clearInterval(t);
          else res.write(chunk);
        },
        fault === 'huge' ? 1 : 50,
      );
      timers.add(t);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (faulty && fault === 'garbage-json') return send(200, '{"versions": {"1.0.0": <<garbage', 'application/json');
    const pathname = decodeURIComponent(new URL(url, 'http://x').pathname);
    if (pathname === '/-/npm/v1/keys')
      return opts.keys === undefined ? send(404, { error: 'not found' }) : send(200, opts.keys);
    const att = /^\/-\/npm\/v1\/attestations\/(.+)@([^@/]+)$/.exec(pathname);
    if (att) {
      const v = byName.get(att[1]!)?.versions.find((x) => x.version === att[2]);
      return v?.attestations === undefined ? send(404, { error: 'not found' }) : send(200, v.attestations);
    }
    const tgz = /^\/(.+)\/-\/[^/]+-([^/]+)\.tgz$/.exec(pathname);
    if (tgz) {
      const v = byName.get(tgz[1]!)?.versions.find((x) => x.version === tgz[2]);
      return v?.tarball === undefined
        ? send(404, { error: 'not found' })
        : send(200, v.tarball, 'application/octet-stream');
    }
    const pkg = byName.get(pathname.slice(1));
    if (!pkg) return send(404, { error: 'not found' });
    const full = packument(pkg, base);
    const corgi = opts.abbreviated === true && /application\/vnd\.npm\.install-v1\+json/.test(accept ?? '');
    return send(200, corgi ? abbreviatedOf(full) : full);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    requests,
    setFault: (f) => (fault = f),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t); // clears intervals too
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function packument(
  pkg: ServedPackage,
  base: string,
): {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, unknown>;
  time: Record<string, string>;
} {
  const file = pkg.name.slice(pkg.name.lastIndexOf('/') + 1);
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = {};
  for (const v of pkg.versions) {
    const dist: Record<string, unknown> = {
      integrity: v.integrity,
      tarball: `${base}/${pkg.name}/-/${file}-${v.version}.tgz`,
    };
    if (v.signatures) dist.signatures = v.signatures;
    if (v.attestations !== undefined || v.provenanceFlagOnly)
      dist.attestations = {
        url: `${base}/-/npm/v1/attestations/${pkg.name}@${v.version}`,
        provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
      };
    versions[v.version] = {
      name: pkg.name,
      version: v.version,
      dist,
      ...(v.deprecated !== undefined ? { deprecated: v.deprecated } : {}),
      ...(v.scripts !== undefined ? { scripts: v.scripts } : {}),
      ...(v.hasInstallScript === true ? { hasInstallScript: true } : {}),
    };
    time[v.version] = v.time;
  }
  const latest = pkg.versions[pkg.versions.length - 1]?.version ?? '0.0.0';
  return { name: pkg.name, 'dist-tags': { latest }, versions, time };
}

/** The abbreviated form of a full packument, as the registry derives it (its fields for installs only). */
function abbreviatedOf(full: { name: string; versions: Record<string, unknown>; time: Record<string, string> }) {
  const installEvents = ['preinstall', 'install', 'postinstall'];
  const versions = Object.fromEntries(
    Object.entries(full.versions).map(([v, m]) => {
      const { scripts, hasInstallScript, ...rest } = m as {
        scripts?: Record<string, string>;
        hasInstallScript?: boolean;
      };
      const runs = hasInstallScript === true || installEvents.some((e) => scripts?.[e] !== undefined);
      return [v, { ...rest, ...(runs ? { hasInstallScript: true } : {}) }];
    }),
  );
  const modified = Object.values(full.time).sort().at(-1) ?? '2020-01-01T00:00:00.000Z';
  return { name: full.name, modified, versions };
}

/** npm's keys as the registry serves them (`/-/npm/v1/keys`), converted from the TUF target the corpora hold. */
export function registryKeysFromTuf(tuf: unknown): unknown {
  const keys = (tuf as { keys: { keyId: string; publicKey: { rawBytes: string; validFor?: { end?: string } } }[] })
    .keys;
  const seen = new Map<string, unknown>();
  for (const k of keys)
    if (!seen.has(k.keyId))
      seen.set(k.keyId, {
        expires: k.publicKey.validFor?.end ?? null,
        keyid: k.keyId,
        keytype: 'ecdsa-sha2-nistp256',
        scheme: 'ecdsa-sha2-nistp256',
        key: k.publicKey.rawBytes,
      });
  return { keys: [...seen.values()] };
}

/** A JSON file of the third-party corpora (`../shared/corpora/<rel>`), e.g. `sigstore/npm-registry-signatures.json`. */
export function readFixtureJson(rel: string): unknown {
  return JSON.parse(readFileSync(corpusPath(rel), 'utf8')) as unknown;
}

export function sri(algorithm: 'sha512' | 'sha1', data: Buffer): string {
  return `${algorithm}-${createHash(algorithm).update(data).digest('base64')}`;
}

export interface ProvenanceCase {
  readonly name: string;
  readonly version: string;
  readonly tarball: Buffer;
  readonly integrity: string;
  readonly attestations: unknown;
  /** The publish attestation's transparency-log time: when the version was published. */
  readonly time: string;
}

/** A real attestations response with its tarball (corpora `sigstore/npm-provenance/gha/<file>`). */
export function loadProvenanceCase(file: string): ProvenanceCase {
  const dir = corpusPath('sigstore', 'npm-provenance', 'gha');
  const tarball = readFileSync(path.join(dir, `${file}.tgz`));
  const attestations = JSON.parse(readFileSync(path.join(dir, `${file}.tgz.json`), 'utf8')) as {
    attestations: {
      predicateType: string;
      bundle: {
        dsseEnvelope: { payload: string };
        verificationMaterial: { tlogEntries: { integratedTime: string }[] };
      };
    }[];
  };
  const publish = attestations.attestations.find((a) => a.predicateType.includes('/npm/attestation/'));
  if (!publish) throw new Error(`${file}: no publish attestation`);
  // Name and version come from the tarball: the `-invalidsigpub` cases alter the publish statement itself.
  const manifest = readManifest(path.join(dir, `${file}.tgz`));
  const seconds = Number(publish.bundle.verificationMaterial.tlogEntries[0]?.integratedTime);
  return {
    name: manifest.name,
    version: manifest.version,
    tarball,
    integrity: sri('sha512', tarball),
    attestations,
    time: new Date(seconds * 1000).toISOString(),
  };
}

function readManifest(file: string): { name: string; version: string } {
  let text = '';
  listTar({
    file,
    sync: true,
    onReadEntry: (e: ReadEntry) => {
      if (e.path === 'package/package.json') e.on('data', (c: Buffer) => (text += c.toString('utf8')));
      else e.resume();
    },
  });
  return JSON.parse(text) as { name: string; version: string };
}
