// Fail when the committed Action bundle (dist/) is not exactly what `npm run bundle` builds from the source.
// Usage: node scripts/check-dist.mjs [dist-dir] [--against built-dir]
// dist-dir lets the test point it at a copy; --against compares with a bundle already built from this source instead
// of building one (the test builds once and checks several copies against it).
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, bundle } from './bundle.mjs';

async function listFiles(dir, base = dir) {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const files = [];
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) files.push(...(await listFiles(abs, base)));
    else files.push(path.relative(base, abs).split(path.sep).join('/'));
  }
  return files.sort();
}

/** Names of files that differ, are missing from `committed` or are extra in it. */
export async function compareDirs(committed, fresh) {
  const [have, want] = await Promise.all([listFiles(committed), listFiles(fresh)]);
  const problems = [];
  for (const f of want) {
    if (!have.includes(f)) problems.push(`missing: ${f}`);
    else if (!(await readFile(path.join(committed, f))).equals(await readFile(path.join(fresh, f))))
      problems.push(`differs: ${f}`);
  }
  for (const f of have) if (!want.includes(f)) problems.push(`extra: ${f}`);
  return problems;
}

const args = process.argv.slice(2);
const at = args.indexOf('--against');
const against = at >= 0 ? args.splice(at, 2)[1] : undefined;
const committed = path.resolve(args[0] ?? path.join(REPO, 'dist'));
const fresh = against !== undefined ? path.resolve(against) : await mkdtemp(path.join(tmpdir(), 'chainproof-dist-'));
try {
  if (against === undefined) await bundle(fresh);
  const problems = await compareDirs(committed, fresh);
  if (problems.length > 0) {
    console.error(
      `dist/ is stale: it is not what the source builds to.\n  ${problems.join('\n  ')}\nRun \`npm run bundle\` and commit dist/.`,
    );
    process.exitCode = 1;
  } else {
    console.log('dist/ matches the source');
  }
} finally {
  if (against === undefined) await rm(fresh, { recursive: true, force: true });
}
