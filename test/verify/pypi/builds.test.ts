import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/core/policy.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { createPypiStage } from '../../../src/registry/pypi/stage.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import type { PypiIndexServer, ServedProjects } from '../../helpers/pypi-index-server.js';
import { startPypiIndex } from '../../helpers/pypi-index-server.js';
import { scanWith } from '../../helpers/scan.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const WHEEL = { filename: 'native-1.0-cp312-cp312-manylinux_2_17_x86_64.whl', sha256: A };
const SDIST = { filename: 'native-1.0.tar.gz', sha256: B };
// pip on CPython 3 skips a wheel whose tags `packaging.tags.sys_tags` does not list (`Wheel.supported`).
const PY2_WHEEL = { filename: 'native-1.0-py2-none-any.whl', sha256: 'c'.repeat(64) };

let index: PypiIndexServer;
beforeAll(async () => {
  index = await startPypiIndex();
});
afterAll(() => index.close());

/**
 * An online scan of a folder holding `file` (its `text`), with the loopback index serving `native`'s `served` files
 * as PIP_INDEX_URL.
 */
async function scanServed(served: ServedProjects[string], file: string, text: string, policy?: Policy) {
  index.serve({ native: served } satisfies ServedProjects);
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pypi-build-'));
  await writeFile(path.join(dir, file), text);
  return scanWith(dir, [pythonDepsStage, createPypiStage({ timeoutMs: 5000, retries: 1, minRetryDelayMs: 10 })], {
    ...(policy ? { policy } : {}),
    options: { offline: false, env: { PIP_INDEX_URL: index.indexUrl } },
  });
}

// A requirements file pins hashes, not files: which files pip may install is only known from the index. In hash
// mode pip installs only a file whose hash is pinned; without hashes, a wheel if the release has one.
describe('online: a requirements pin that can only be built from its sdist (CPP074)', () => {
  it.each([
    { name: 'the index lists only the sdist', served: [SDIST], line: `native==1.0 --hash=sha256:${B}`, want: 1 },
    { name: 'the pinned hash is the wheel', served: [WHEEL, SDIST], line: `native==1.0 --hash=sha256:${A}`, want: 0 },
    {
      name: 'only the sdist hash is pinned though a wheel exists',
      served: [WHEEL, SDIST],
      line: `native==1.0 --hash=sha256:${B}`,
      want: 1,
    },
    { name: 'no hash, a wheel on the index', served: [WHEEL, SDIST], line: 'native==1.0', want: 0 },
    { name: 'no hash, no wheel on the index', served: [SDIST], line: 'native==1.0', want: 1 },
    { name: 'no hash, only a py2 wheel beside the sdist', served: [PY2_WHEEL, SDIST], line: 'native==1.0', want: 1 },
    {
      name: 'allowed by dependencies.allowInstallScripts',
      served: [SDIST],
      line: 'native==1.0',
      allow: ['nat*'],
      want: 0,
    },
    // canonicalize_name on both sides: the policy may spell the project as its authors do.
    { name: 'allowed as NATIVE', served: [SDIST], line: 'native==1.0', allow: ['NATIVE'], want: 0 },
    { name: 'allowed as the line spells it', served: [SDIST], line: 'Native==1.0', allow: ['Native'], want: 0 },
    // FormatControl.get_allowed_formats: pip may take only a wheel, so with none the install fails; nothing builds.
    { name: '--only-binary :all:', served: [SDIST], line: '--only-binary :all:\nnative==1.0', want: 0 },
    { name: '--only-binary naming it', served: [SDIST], line: '--only-binary=Native\nnative==1.0', want: 0 },
    // handle_mutual_excludes: `:none:` empties the set again.
    {
      name: '--only-binary :all: then :none:',
      served: [SDIST],
      line: '--only-binary :all:\n--only-binary :none:\nnative==1.0',
      want: 1,
    },
  ])('$name', async (c) => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: c.allow ?? [] },
    };
    const r = await scanServed(c.served, 'requirements.txt', `${c.line}\n`, policy);
    const builds = r.findings.filter((f) => f.ruleId === 'CPP074');
    expect(builds.map((f) => `${f.location.path}:${f.location.line ?? 0}`)).toEqual(
      c.want === 1 ? [`requirements.txt:${c.line.split('\n').length}`] : [],
    );
    // A line without --hash pins no bytes: the release is on the index, but what pip downloads is not checked.
    const status = c.line.includes('--hash') ? 'verified' : 'unverifiable';
    expect(r.verifications.map((v) => `${v.key} ${v.status}`)).toEqual([`pkg:pypi/native@1.0 ${status}`]);
  });
});

// pipenv creates the environment with the Pipfile's `[requires]` Python (`_meta.requires` in the lock:
// `Project.required_python_version`), so a wheel only for another CPython is not one pip takes there.
describe("online: a Pipfile.lock pin judged for the lock's own Python (CPP074)", () => {
  const pipfileLock = (requires: Record<string, string>) =>
    JSON.stringify(
      {
        _meta: {
          hash: { sha256: '0'.repeat(64) },
          'pipfile-spec': 6,
          requires,
          sources: [{ name: 'pypi', url: index.indexUrl, verify_ssl: true }],
        },
        default: { native: { hashes: [`sha256:${A}`, `sha256:${B}`], index: 'pypi', version: '==1.0' } },
        develop: {},
      },
      null,
      4,
    ) + '\n';
  it.each([
    { name: 'python_version 3.11: the cp312 wheel does not fit', requires: { python_version: '3.11' }, want: 1 },
    { name: 'python_full_version 3.11.9 likewise', requires: { python_full_version: '3.11.9' }, want: 1 },
    { name: 'python_version 3.12: the wheel fits', requires: { python_version: '3.12' }, want: 0 },
    { name: 'no [requires]: CPython 3.8–3.14, 3.12 among them', requires: {}, want: 0 },
  ])('$name', async (c) => {
    const r = await scanServed([WHEEL, SDIST], 'Pipfile.lock', pipfileLock(c.requires));
    const builds = r.findings.filter((f) => f.ruleId === 'CPP074');
    expect(builds.map((f) => f.location.path)).toEqual(c.want === 1 ? ['Pipfile.lock'] : []);
    if (c.want === 1) expect(builds[0]!.message).toContain('no wheel for Python ==3.11');
  });
});

// A poetry.lock entry with no files (`files = []`) leaves the index to say which files Poetry takes; its
// `[metadata] python-versions` decides which wheels fit, read as poetry-core `parse_constraint` reads it.
describe("online: a poetry.lock pin without files judged for the lock's python-versions (CPP074)", () => {
  const poetryLock = (pythons: string) => `[[package]]
name = "native"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = []

[metadata]
lock-version = "2.1"
python-versions = "${pythons}"
content-hash = "${'0'.repeat(64)}"
`;
  it.each([
    { pythons: '^3.10,<3.12', want: 1 },
    { pythons: '^3.10', want: 0 },
  ])('python-versions $pythons', async (c) => {
    const r = await scanServed([WHEEL, SDIST], 'poetry.lock', poetryLock(c.pythons));
    const builds = r.findings.filter((f) => f.ruleId === 'CPP074');
    expect(builds.map((f) => f.location.path)).toEqual(c.want === 1 ? ['poetry.lock'] : []);
    if (c.want === 1) expect(builds[0]!.message).toContain('no wheel for Python >=3.10,<4,<3.12');
  });
});
