import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCliAsync } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

/**
 * One end-to-end run of the built binary (`node bin/chainproof.js`, the bundle) per command: the rest of the suite
 * calls main() in-process (test/helpers/cli.ts runMain) or the command modules directly. `scan` runs end to end in
 * test/report/sarif-demo.test.ts and test/package/pack-install.test.ts.
 */
const CONF = corpusPath('sigstore', 'conformance', 'bundle-verify');
const BEACON =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const work = mkdtempSync(path.join(tmpdir(), 'chainproof-e2e-'));

function sarifWith(ruleId: string, category: string): string {
  const file = path.join(work, `${category}.sarif`);
  const run = {
    tool: { driver: { name: 'chainproof', rules: [{ id: ruleId }] } },
    automationDetails: { id: `chainproof/${category}` },
    results: [
      {
        ruleId,
        ruleIndex: 0,
        message: { text: 'x' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'a.pkl' } } }],
        partialFingerprints: { primaryLocationLineHash: category },
      },
    ],
  };
  writeFileSync(file, JSON.stringify({ version: '2.1.0', runs: [run] }));
  return file;
}

describe('each command once through the built binary', () => {
  it.each([
    { name: '--version', args: () => ['--version'], code: 0, out: /^\d+\.\d+\.\d+\n$/ },
    { name: '--help lists every command', args: () => ['--help'], code: 0, out: /scan \[dir\][\s\S]*sarif <command>/ },
    { name: 'rules', args: () => ['rules', '--json'], code: 0, out: /"id": "CPD001"/ },
    {
      name: 'verify',
      args: () => [
        path.join(CONF, 'happy-path-v0.3', 'bundle.sigstore.json'),
        path.join(CONF, 'a.txt'),
        '--identity',
        BEACON,
        '--issuer',
        'https://token.actions.githubusercontent.com',
      ],
      prefix: 'verify',
      code: 0,
      out: /Verified OK/,
    },
    {
      name: 'registry check',
      args: () => ['registry', 'check', '--root', 'fixtures/demo-project'],
      code: 0,
      out: /trusted registry OK/,
    },
    { name: 'policy validate', args: () => ['policy', 'validate', 'policies/default.yml'], code: 0, out: /is valid/ },
    {
      name: 'init',
      args: () => ['init', mkdtempSync(path.join(work, 'init-'))],
      code: 0,
      out: /\.chainproof\/policy\.yml/,
    },
    {
      name: 'sarif merge',
      args: () => ['sarif', 'merge', sarifWith('CPI001', 'shard-1-of-2'), sarifWith('CPI001', 'shard-2-of-2')],
      code: 0,
      out: /"version": "2\.1\.0"/,
    },
  ])('$name', async ({ args, prefix, code, out }) => {
    const r = await runCliAsync(prefix ? [prefix, ...args()] : args());
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toMatch(out);
  });

  it('a typo exits 2 with a suggestion', async () => {
    const r = await runCliAsync(['scna']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean scan?');
  });

  it('the version is the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect((await runCliAsync(['--version'])).stdout).toBe(`${version}\n`);
  });
});
