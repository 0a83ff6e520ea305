// A loopback npm registry for the registry benches, run as its own process (so its CPU is not charged to the
// client being measured): `node latency-registry.mjs <lockfile> <latency ms>` prints one JSON line
// `{"port", "packages", "packuments"}` when it listens. Every answer waits `latency` ms first.
//
// Packuments are shaped like registry.npmjs.org's, with sizes in the same range (synthetic data, not a copy):
// - every locked version plus 5–60 other versions; the full document (`Accept: application/json`) carries `time`,
//   a readme and the per-version publish fields, the abbreviated one (`application/vnd.npm.install-v1+json`)
//   only what an install needs and `modified`;
// - two signing keys as npm publishes them since its 2025 rotation: the old one expires 2025-01-29 and signed
//   every version published before (the locked ones: 2023–2024), the new one has no expiry;
// - 45 % of packages are "active": versions published after the rotation, so their `modified` is after the old
//   key's expiry and the publish time of a locked version is only in the full document; a quarter of those
//   publish with provenance (`dist.attestations`) since then; 1 % run a postinstall script.
// GET /-/bench/stats answers (uncounted) how many requests of each kind it served.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { parseLockfile } = await import(path.join(repo, 'build', 'deps', 'index.js'));

const [lockfile, latencyArg] = process.argv.slice(2);
const LATENCY_MS = Number(latencyArg ?? 20);
const graph = parseLockfile(
  path.basename(lockfile).replace(/^.*\.(yarn\.lock|package-lock\.json)$/, '$1'),
  readFileSync(lockfile, 'utf8'),
);
const pkgs = graph.packages.filter((p) => p.source === 'registry' && p.bundled !== true);

function makeKey(expires) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const keyid = `SHA256:${createHash('sha256').update(spki).digest('base64')}`;
  return {
    privateKey,
    keyid,
    json: {
      expires,
      keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: spki.toString('base64'),
    },
  };
}
const ROTATION = '2025-01-29T00:00:00.000Z';
const oldKey = makeKey(ROTATION);
const newKey = makeKey(null);
const keysBody = JSON.stringify({ keys: [oldKey.json, newKey.json] });

/** A stable number in [0, 1) per string: the same packages are "active" on every run. */
const unit = (s) => createHash('sha256').update(s).digest().readUInt32BE(0) / 2 ** 32;
const words = 'fast small robust parser plugin helper transform runtime module polyfill compiler loader utility'.split(
  ' ',
);
const text = (seed, n) =>
  Array.from({ length: n }, (_, i) => words[Math.floor(unit(`${seed}${i}`) * words.length)]).join(' ');

function integrityOf(name, version) {
  return `sha512-${createHash('sha512').update(`${name}@${version}`).digest('base64')}`;
}

const versionsByName = new Map();
for (const p of pkgs) versionsByName.set(p.name, new Set([...(versionsByName.get(p.name) ?? []), p.version]));

function documents(name, locked) {
  const active = unit(`active:${name}`) < 0.45;
  const provenance = active && unit(`prov:${name}`) < 0.25;
  const postinstall = unit(`scripts:${name}`) < 0.01;
  const fillers = 5 + Math.floor(unit(`n:${name}`) * 56);
  const file = name.slice(name.lastIndexOf('/') + 1);
  // Publish order: older fillers (2019–2022), the locked versions (2023–2024), newer fillers when active (2025–).
  const plan = [];
  const older = active ? Math.floor(fillers / 2) : fillers;
  for (let i = 0; i < older; i++)
    plan.push({ v: `0.${i}.0`, t: Date.UTC(2019, 0, 1) + i * 86_400_000 * 20, locked: false });
  [...locked].forEach((v, i) => plan.push({ v, t: Date.UTC(2023, 0, 1) + i * 86_400_000 * 30, locked: true }));
  if (active)
    for (let i = 0; i < fillers - older; i++)
      plan.push({ v: `99.${i}.0`, t: Date.UTC(2025, 2, 1) + i * 86_400_000 * 7, locked: false, after: true });
  const full = {};
  const abbreviated = {};
  const time = { created: new Date(plan[0].t).toISOString() };
  for (const { v, t, locked: isLocked, after } of plan) {
    const integrity = integrityOf(name, v);
    const key = t < Date.parse(ROTATION) ? oldKey : newKey;
    // Only locked versions are verified: the others carry a signature-shaped filler (signing is the slow part).
    const sig = isLocked
      ? sign('sha256', Buffer.from(`${name}@${v}:${integrity}`), key.privateKey).toString('base64')
      : createHash('sha512').update(v).digest('base64');
    const dist = {
      integrity,
      shasum: createHash('sha1').update(`${name}@${v}`).digest('hex'),
      tarball: `https://registry.npmjs.org/${name}/-/${file}-${v}.tgz`,
      fileCount: 12,
      unpackedSize: 48_213,
      signatures: [{ keyid: key.keyid, sig }],
      ...(provenance && after
        ? {
            attestations: {
              url: `https://registry.npmjs.org/-/npm/v1/attestations/${name}@${v}`,
              provenance: { predicateType: 'https://slsa.dev/provenance/v1' },
            },
          }
        : {}),
    };
    const dependencies = Object.fromEntries(
      Array.from({ length: 4 }, (_, i) => [`dep-${text(`${name}${v}${i}`, 1)}-${i}`, `^${i + 1}.0.0`]),
    );
    const scripts = { test: 'jest', build: 'tsc -p .', ...(postinstall ? { postinstall: 'node install.js' } : {}) };
    abbreviated[v] = {
      name,
      version: v,
      dependencies,
      dist,
      engines: { node: '>=6.9.0' },
      ...(postinstall ? { hasInstallScript: true } : {}),
    };
    full[v] = {
      name,
      version: v,
      description: text(`d${name}`, 24),
      keywords: text(`k${name}`, 6).split(' '),
      license: 'MIT',
      author: { name: 'A Maintainer', email: 'maintainer@example.org' },
      repository: { type: 'git', url: `git+https://github.com/example/${file}.git`, directory: `packages/${file}` },
      homepage: `https://github.com/example/${file}#readme`,
      bugs: { url: `https://github.com/example/${file}/issues` },
      main: './lib/index.js',
      types: './lib/index.d.ts',
      scripts,
      dependencies,
      devDependencies: Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`dev-${text(`${v}${i}`, 1)}-${i}`, `^${i}.2.3`]),
      ),
      engines: { node: '>=6.9.0' },
      gitHead: createHash('sha1').update(v).digest('hex'),
      _id: `${name}@${v}`,
      _nodeVersion: '20.11.1',
      _npmVersion: '10.2.4',
      _npmUser: { name: 'maintainer', email: 'maintainer@example.org' },
      maintainers: [{ name: 'maintainer', email: 'maintainer@example.org' }],
      directories: {},
      dist,
      _hasShrinkwrap: false,
      ...(postinstall ? { hasInstallScript: true } : {}),
    };
    time[v] = new Date(t).toISOString();
  }
  const modified = new Date(plan.at(-1).t + 3_600_000).toISOString();
  time.modified = modified;
  const latest = plan.at(-1).v;
  const fullDoc = {
    _id: name,
    _rev: `${plan.length}-${createHash('md5').update(name).digest('hex')}`,
    name,
    'dist-tags': { latest },
    versions: full,
    time,
    maintainers: [{ name: 'maintainer', email: 'maintainer@example.org' }],
    description: text(`d${name}`, 24),
    homepage: `https://github.com/example/${file}#readme`,
    license: 'MIT',
    readme: `# ${name}\n\n${text(`r${name}`, 900)}\n`,
    readmeFilename: 'README.md',
  };
  return {
    full: JSON.stringify(fullDoc),
    abbreviated: JSON.stringify({ name, modified, 'dist-tags': { latest }, versions: abbreviated }),
  };
}

const docs = new Map([...versionsByName].map(([name, versions]) => [name, documents(name, versions)]));
const stats = { full: 0, abbreviated: 0, keys: 0, other: 0, bytes: 0 };
const server = http.createServer((req, res) => {
  const pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (pathname === '/-/bench/stats') return void res.end(JSON.stringify(stats));
  const corgi = /application\/vnd\.npm\.install-v1\+json/.test(req.headers.accept ?? '');
  setTimeout(() => {
    let body;
    if (pathname === '/-/npm/v1/keys') {
      stats.keys++;
      body = keysBody;
    } else {
      const doc = docs.get(pathname.slice(1));
      if (doc) {
        stats[corgi ? 'abbreviated' : 'full']++;
        body = corgi ? doc.abbreviated : doc.full;
      } else stats.other++;
    }
    if (body === undefined) return void res.writeHead(404).end('{}');
    stats.bytes += Buffer.byteLength(body);
    res.writeHead(200, { 'content-type': corgi ? 'application/vnd.npm.install-v1+json' : 'application/json' });
    res.end(body);
  }, LATENCY_MS);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const size = (k) => [...docs.values()].reduce((n, d) => n + d[k].length, 0);
  console.log(
    JSON.stringify({
      port: server.address().port,
      packages: pkgs.length,
      packuments: docs.size,
      fullBytes: size('full'),
      abbreviatedBytes: size('abbreviated'),
    }),
  );
});
process.on('disconnect', () => process.exit(0));
