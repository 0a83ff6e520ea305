import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, statSync, mkdirSync, cpSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { create as createTar } from 'tar';

/**
 * Verdaccio 6 as a real private registry on loopback: storage in a temp dir, no uplinks (it never reaches out),
 * htpasswd auth with every route behind `$authenticated`, so a scan only works when the token reaches it.
 */
export interface Verdaccio {
  readonly url: string;
  /** Bearer token of the test user. Secret: tests assert it never appears in output. */
  readonly token: string;
  readonly storage: string;
  publish(dir: string): Promise<Published>;
  /** Replace a published tarball in storage (a compromised registry serving other bytes). */
  swapTarball(name: string, version: string, tarball: Buffer): void;
  stop(): Promise<void>;
}

export interface Published {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly tarball: string;
  readonly bytes: Buffer;
}

const require = createRequire(import.meta.url);

export async function startVerdaccio(opts: { startTimeoutMs?: number } = {}): Promise<Verdaccio> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-verdaccio-'));
  const storage = path.join(dir, 'storage');
  writeFileSync(path.join(dir, 'htpasswd'), '');
  writeFileSync(
    path.join(dir, 'config.yaml'),
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
      '    max_users: 100',
      '    algorithm: sha1',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $authenticated',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: json, level: error }',
      '',
    ].join('\n'),
  );
  const bin = path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  // Verdaccio loads ~100 modules before it listens: on a 2-core machine that also runs lint, typecheck and the other
  // vitest worker, 30 s was seen to run out (load average 25). A slow start only waits; it is not a test of speed.
  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + startTimeoutMs;
  let child: ChildProcess | undefined;
  let url = '';
  let output = '';
  // A free port can be taken between probing and listening: retry a few times.
  for (let attempt = 0; attempt < 3 && !url; attempt++) {
    const port = await freePort();
    child = spawn(process.execPath, [bin, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const ok = await waitForPing(`http://127.0.0.1:${port}/`, child, deadline);
    if (ok) url = `http://127.0.0.1:${port}/`;
    else child.kill('SIGKILL');
  }
  if (!url || !child) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Verdaccio did not start within ${startTimeoutMs} ms:\n${output.slice(-2000)}`);
  }
  const proc = child;
  const res = await fetch(new URL('-/user/org.couchdb.user:chainproof', url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'chainproof', password: 'chainproof-test-password' }),
  });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`Verdaccio did not create the test user: HTTP ${res.status}`);
  const token = body.token;

  return {
    url,
    token,
    storage,
    publish: (pkgDir) => publish(url, token, pkgDir),
    swapTarball(name, version, tarball) {
      const file = path.join(storage, name, `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`);
      statSync(file); // throws if the layout is not what we expect
      writeFileSync(file, tarball);
    },
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Pack a fixture package folder the way `npm pack` lays it out (`package/…`) and publish it over the npm API. */
export async function packFolder(pkgDir: string): Promise<{ manifest: Record<string, unknown>; bytes: Buffer }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'chainproof-pack-'));
  try {
    cpSync(pkgDir, path.join(tmp, 'package'), { recursive: true });
    const chunks: Buffer[] = [];
    const stream = createTar({ gzip: true, cwd: tmp, portable: true, mtime: new Date('2020-01-01T00:00:00Z') }, [
      'package',
    ]);
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    const manifest = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    return { manifest, bytes: Buffer.concat(chunks) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function publish(url: string, token: string, pkgDir: string): Promise<Published> {
  const { manifest, bytes } = await packFolder(pkgDir);
  const name = String(manifest.name);
  const version = String(manifest.version);
  const file = `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
  const tarball = new URL(`${name}/-/${file}`, url).toString();
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  const shasum = createHash('sha1').update(bytes).digest('hex');
  const doc = {
    _id: name,
    name,
    'dist-tags': { latest: version },
    versions: { [version]: { ...manifest, _id: `${name}@${version}`, dist: { integrity, shasum, tarball } } },
    _attachments: {
      [file]: { content_type: 'application/octet-stream', data: bytes.toString('base64'), length: bytes.length },
    },
  };
  const res = await fetch(new URL(name.replace('/', '%2f'), url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(doc),
  });
  if (!res.ok)
    throw new Error(`publishing ${name}@${version} to Verdaccio failed: HTTP ${res.status} ${await res.text()}`);
  return { name, version, integrity, tarball, bytes };
}

/** Every folder under `dir` holding a package.json. */
export function fixturePackages(dir: string): string[] {
  return readdirSync(dir)
    .map((d) => path.join(dir, d))
    .filter((d) => statSync(path.join(d, 'package.json'), { throwIfNoEntry: false })?.isFile());
}

export function ensureDir(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
