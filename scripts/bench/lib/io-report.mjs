// What one scan read, from the scan's own I/O counters (`result.io`): printed by the hash bench to show a model's
// bytes are read once (by the hash worker) and the Sigstore trusted root file once. A helper, not a bench.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpusPath } from './corpora.mjs';
import { REPO } from './process.mjs';

const built = (rel) => import(pathToFileURL(path.join(REPO, 'build', rel)).href);

/**
 * Scan `repo` in-process, with a policy (written into `work`, outside the repo) that names a trusted_root.json file
 * and requires signatures over `models/**`, so the signature stage runs. Returns printable lines.
 */
export async function ioReport(repo, work, cacheDir) {
  const { scanRepository } = await built('app/scan.js');
  const { loadTrust } = await built('app/trust.js');
  const { silentLogger } = await built('core/context.js');
  const { trustedRootFileReads } = await built('trust/sigstore/root.js');
  copyFileSync(corpusPath('sigstore', 'public-good', 'trusted_root.json'), path.join(work, 'root.json'));
  const policy = path.join(work, 'policy.yml');
  writeFileSync(
    policy,
    "version: 1\nsignatures:\n  trustedRoot: root.json\n  require:\n    - paths: ['models/**']\n      signers: [sigstore-any]\n  signers:\n    sigstore-any: {kind: sigstore, issuer: https://example.invalid, subjectPattern: '.*'}\n",
  );
  const before = trustedRootFileReads();
  const result = await scanRepository({
    root: repo,
    trust: await loadTrust(repo, policy, []),
    options: { offline: true, concurrency: 4, verifyTarballs: false, cacheDir, env: {} },
    include: [],
    exclude: [],
    logger: silentLogger,
  });
  const { plugins, hash } = result.io.byKind;
  const size = result.models.reduce((n, m) => n + m.size, 0);
  return [
    `  result.io of one cold scan (signature stage on): ${result.io.opens} opens, ${result.io.bytesRead} bytes`,
    `    hash workers: ${hash.opens} open(s), ${hash.bytesRead} bytes = ${(hash.bytesRead / size).toFixed(2)}× the model's ${size} bytes`,
    `    plugins (parsers, analysers): ${plugins.opens} open(s), ${plugins.bytesRead} bytes`,
    `    trusted_root.json read ${trustedRootFileReads() - before} time(s)`,
  ];
}
