import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { scanDeps } from './helpers.js';

/**
 * Lockfiles nobody showed us: each case is an attack (or a normal file) where the verdict must be what the package
 * manager would actually fetch and run. Fixtures: fixtures/lockfiles/fidelity/README.md.
 */
const FIDELITY = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/fidelity');

interface Case {
  name: string;
  dir: string;
  /** `ruleId:level@path:line`, sorted. */
  want: string[];
  /** `name@version` of the package each finding is about, in the order of `want`, when the case is about names. */
  artifacts?: string[];
}

const cases: Case[] = [
  {
    // x (line 27), claimed by a p that does not depend on it, is no bundle and nothing reaches it: npm ci prunes it
    // as extraneous, so its missing integrity is folded into CPD171.
    name: 'npm: inBundle counts only under a parent that depends on it (loadVirtual assignBundles, Node.getBundler)',
    dir: 'inbundle-claimed.v3',
    want: ['CPD002:error@package-lock.json:32', 'CPD171:note@package-lock.json:27'],
  },
  {
    name: 'npm: listed, nested and deduplicated bundle members come from the parent tarball',
    dir: 'inbundle-real.v3',
    want: [],
  },
  {
    name: 'yarn berry: a checksum under another cache key is rewritten, not checked (Cache.fetchPackageFromCache)',
    dir: 'checksum-cachekey.berry',
    want: ['CPD016:error@yarn.lock:8'],
  },
  {
    name: 'npm: file: folder and tarball outside the repository; a sibling one folder up from sub/ is inside',
    dir: 'local-outside.v3',
    want: [
      'CPD009:note@package-lock.json:16',
      'CPD009:note@package-lock.json:20',
      'CPD009:note@package-lock.json:32',
      'CPD009:note@sub/package-lock.json:14',
      'CPD017:warning@package-lock.json:16',
      'CPD017:warning@package-lock.json:32',
    ],
  },
  {
    name: 'yarn berry: link:, portal: and file: outside the repository',
    dir: 'local-outside.berry',
    want: [
      'CPD009:note@yarn.lock:21',
      'CPD017:warning@yarn.lock:15',
      'CPD017:warning@yarn.lock:21',
      'CPD017:warning@yarn.lock:28',
    ],
  },
  {
    name: 'yarn 1: file: outside the repository',
    dir: 'local-outside.yarn-v1',
    want: ['CPD009:note@yarn.lock:4', 'CPD017:warning@yarn.lock:4'],
  },
  {
    name: 'bun: the folder `a` holds evil@1.0.0 although package.json asks for a@^1.0.0; a declared npm: alias is fine',
    dir: 'name-swap.bun',
    want: ['CPD021:error@bun.lock:13'],
  },
  {
    name: 'bun: a binary bun.lockb is reported as not read, never a silent pass',
    dir: 'binary.bun',
    want: ['CPD001:error@bun.lockb:1'],
  },
  {
    name: 'pnpm 9: a git key holding `git@` is package g, locked as package.json asks',
    dir: 'git-key.pnpm9',
    want: ['CPD007:warning@pnpm-lock.yaml:13'],
    artifacts: ['g@1.0.0'],
  },
  {
    name: 'npm: keys with .. segments are extracted where they resolve (arborist loadVirtual), into src/ and outside',
    dir: 'dotdot-key.v3',
    want: ['CPD018:error@package-lock.json:19', 'CPD018:error@package-lock.json:25'],
  },
  {
    name: 'yarn berry: patch files outside the repository (visitPatchPath), and exec: runs a script at fetch time',
    dir: 'patch-exec.berry',
    want: ['CPD017:warning@yarn.lock:54', 'CPD017:warning@yarn.lock:68', 'CPD019:error@yarn.lock:75'],
    artifacts: ['c@1.0.0', 'd@1.0.0', 'gen@1.0.0'],
  },
  {
    name: 'pnpm: an importer link: (an override) and a patch file outside the repository',
    dir: 'link-patch-outside.pnpm9',
    want: ['CPD017:warning@pnpm-lock.yaml:16', 'CPD017:warning@pnpm-lock.yaml:24'],
  },
  {
    name: 'npm: a registry range locked to git or a tarball URL is injection (depValid only checks the version)',
    dir: 'range-to-git.v3',
    want: [
      'CPD007:warning@package-lock.json:21',
      'CPD008:warning@package-lock.json:25',
      'CPD020:error@package-lock.json:12',
      'CPD020:error@package-lock.json:16',
    ],
    artifacts: ['c@1.0.0', 'd@1.0.0', 'a@1.0.3', 'b@2.1.0'],
  },
  {
    name: 'npm: a name in devDependencies and peerDependencies installs the dev spec (arborist Node[_loadDeps])',
    dir: 'dev-and-peer.v3',
    want: ['CPD015:warning@package-lock.json:23'],
    artifacts: ['zod@3.25.0'],
  },
  {
    name: 'bun: the same library layout; only zod, locked outside its dev range, is out of sync',
    dir: 'dev-and-peer.bun',
    want: ['CPD015:warning@bun.lock:18'],
    artifacts: ['zod@3.25.0'],
  },
  {
    name: 'npm: below the root, folder x holds evil@1.0.0 that a asks for as x@^1.0.0; b asks for its alias s',
    dir: 'alias-swap.v3',
    want: ['CPD021:error@package-lock.json:37'],
    artifacts: ['evil@1.0.0'],
  },
  {
    name: 'pnpm 9: a catalog: dependency locked outside the catalog range (catalogs.default.vue ^3.4.0, 3.0.0 locked)',
    dir: 'catalog-outside.pnpm9',
    want: ['CPD015:warning@pnpm-lock.yaml:33'],
    artifacts: ['vue@3.0.0'],
  },
  {
    name: 'yarn 1: a registry range resolved to a tarball URL on another host',
    dir: 'range-to-tarball.yarn-v1',
    want: ['CPD020:error@yarn.lock:5'],
  },
  {
    name: "npm: a package's own registry range locked to git or a tarball URL, one level down; nested override exempt",
    dir: 'range-to-git-transitive.v3',
    want: [
      'CPD007:warning@package-lock.json:27',
      'CPD007:warning@package-lock.json:37',
      'CPD020:error@package-lock.json:18',
      'CPD020:error@package-lock.json:22',
    ],
    artifacts: ['g@1.0.0', 'q@2.0.0', 'b@2.1.0', 'c@3.1.4'],
  },
  {
    name: "yarn 1: a package's own registry range resolved to a tarball URL on another host",
    dir: 'range-to-tarball-transitive.yarn-v1',
    want: ['CPD020:error@yarn.lock:12'],
  },
];

const place = (f: Finding) => `${f.ruleId}:${f.level}@${f.location.path}:${f.location.line}`;

describe('dependency verdicts agree with the package manager', () => {
  it.each(cases)('$name ($dir)', async ({ dir, want, artifacts }) => {
    const r = await scanDeps(path.join(FIDELITY, dir));
    const findings = [...r.findings].sort((a, b) => (place(a) < place(b) ? -1 : place(a) > place(b) ? 1 : 0));
    expect(findings.map(place)).toEqual(want);
    if (artifacts)
      expect(
        findings.map((f) => (f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : '')),
      ).toEqual(artifacts);
  });
});
