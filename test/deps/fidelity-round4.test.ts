import { describeFidelity, type FidelityCase } from './fidelity-cases.js';

/**
 * Round 4 of lockfile cases nobody showed us: lockfile shapes where the verdict must follow what the package manager
 * reads. Fixtures and where each came from: fixtures/lockfiles/fidelity/README.md.
 */
const cases: FidelityCase[] = [
  {
    name: 'npm: lockfileVersion 1 with a packages section installs packages (arborist Shrinkwrap.load); its legacy half differs',
    dir: 'packages-in-v1.v1',
    want: [
      'CPD005:error@package-lock.json:15',
      'CPD012:warning@package-lock.json:15',
      'CPD022:error@package-lock.json:28',
    ],
  },
  {
    name: 'npm: a v2 legacy dependencies tree edited (other host, other version, an extra nested package) is one CPD022',
    dir: 'legacy-disagrees.v2',
    want: ['CPD009:note@package-lock.json:17', 'CPD022:error@package-lock.json:70'],
    counts: { CPD022: 3 },
  },
  {
    name: 'npm: a v2 lockfile written by npm 10 (alias, link with nested deps under its target, file: tarball) agrees',
    dir: 'legacy-agrees.v2',
    want: ['CPD009:note@package-lock.json:20', 'CPD009:note@package-lock.json:39'],
  },
  {
    name: 'npm: git, remote tarball, alias and bundled entries in the legacy form agree with packages',
    dir: 'legacy-sources-agree.v2',
    want: ['CPD007:warning@package-lock.json:17', 'CPD008:warning@package-lock.json:42'],
  },
  {
    name: 'npm: git entries locked to a branch, a tag, a semver: range or no ref are resolved at install (pacote GitFetcher)',
    dir: 'git-unpinned.v3',
    want: [
      'CPD007:warning@package-lock.json:34',
      'CPD023:error@package-lock.json:18',
      'CPD023:error@package-lock.json:22',
      'CPD023:error@package-lock.json:26',
      'CPD023:error@package-lock.json:30',
    ],
  },
  {
    name: 'pnpm 9: a codeload tarball and a git resolution naming main; a codeload sha is pinned',
    dir: 'git-unpinned.pnpm9',
    want: ['CPD007:warning@pnpm-lock.yaml:31', 'CPD023:error@pnpm-lock.yaml:23', 'CPD023:error@pnpm-lock.yaml:27'],
  },
  {
    name: 'yarn 1: resolved #main is fetched at install; a codeload sha is pinned',
    dir: 'git-unpinned.yarn-v1',
    want: ['CPD007:warning@yarn.lock:9', 'CPD023:error@yarn.lock:5'],
  },
  {
    name: 'yarn berry: commit=main with a checksum fails on a moved ref (pinned by bytes); without one it is not',
    dir: 'git-unpinned.berry',
    want: ['CPD007:warning@yarn.lock:17', 'CPD023:error@yarn.lock:24'],
  },
  {
    name: 'yarn berry: patches adding a postinstall or a new binding.gyp run at build; a code-only patch and built: false do not',
    dir: 'patch-script.berry',
    want: ['CPD024:error@.yarn/patches/a-npm-1.0.0.patch:11', 'CPD024:error@.yarn/patches/c-npm-1.0.0.patch:5'],
  },
  {
    name: 'pnpm 9: patches adding preinstall/install, one path in the lockfile, one (hash-only entry) in package.json',
    dir: 'patch-script.pnpm9',
    want: ['CPD024:error@patches/x@1.0.0.patch:11', 'CPD024:error@patches/y.patch:11'],
  },
  {
    name: 'pnpm 10: patch paths from pnpm-workspace.yaml; y is not in onlyBuiltDependencies, so its script never runs',
    dir: 'patch-script.pnpm10',
    want: ['CPD024:error@patches/x@1.0.0.patch:11'],
  },
  {
    name: 'npm: a package entry written twice installs the last copy (JSON.parse); findings point at it, plus one CPD025',
    dir: 'dup-key.v3',
    want: [
      'CPD005:error@package-lock.json:19',
      'CPD012:warning@package-lock.json:19',
      'CPD025:error@package-lock.json:19',
    ],
  },
  {
    name: 'bun: a packages key written twice is refused by Bun ("Duplicate package path"): unread, like pnpm',
    dir: 'dup-key.bun',
    want: ['CPD001:error@bun.lock:15'],
  },
  {
    name: 'yarn 1: a descriptor written twice installs the last entry (lockfile parse assigns in order)',
    dir: 'dup-key.yarn-v1',
    want: ['CPD005:error@yarn.lock:10', 'CPD025:error@yarn.lock:10'],
  },
  {
    name: 'yarn berry: a descriptor written twice installs the last entry; findings point at it',
    dir: 'dup-key.berry',
    want: ['CPD005:error@yarn.lock:23', 'CPD025:error@yarn.lock:23'],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 4)', cases);
