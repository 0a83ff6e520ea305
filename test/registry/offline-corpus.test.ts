import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';
import { toJson } from '../../src/report/json.js';
import { toSarif } from '../../src/report/sarif.js';
import { toMarkdown } from '../../src/report/markdown.js';
import { corpusPath, hasCorpora } from '../helpers/corpus.js';
import { scanGraphs, tempDir } from './scan.js';

/** Rules that say "this package was not verified". */
const NOT_VERIFIED = new Set(['CPD130', 'CPD131', 'CPD132', 'CPD133']);

const CASES = [
  { file: 'vuejs-core.v9.pnpm-lock.yaml', as: 'pnpm-lock.yaml' },
  { file: 'vuejs-core.v6.pnpm-lock.yaml', as: 'pnpm-lock.yaml' },
  { file: 'babel.berry-v10.yarn.lock', as: 'yarn.lock' },
  { file: 'webpack.v1.yarn.lock', as: 'yarn.lock' },
  { file: 'npm-cli.v3-workspaces.package-lock.json', as: 'package-lock.json' },
  { file: 'salesforce-cli-2.146.3.v3.npm-shrinkwrap.json', as: 'npm-shrinkwrap.json' },
];

describe.skipIf(!hasCorpora())('offline scans of healthy real lockfiles: one finding per cause', () => {
  it.each(CASES)('$file: at most two "not verified" findings, every unverified package counted', async (c) => {
    const text = readFileSync(corpusPath('lockfiles', c.file), 'utf8');
    const graph = parseLockfile(c.as, text);
    const registryPackages = new Set(
      graph.packages
        // Bundled packages with their own resolved URL and integrity are checked like the rest (npm/cli has 193).
        .filter(
          (p) =>
            p.source === 'registry' &&
            (p.bundled !== true || (p.resolved?.startsWith('http') === true && p.integrity !== undefined)),
        )
        .map((p) => `${p.name}@${p.version}`),
    );
    expect(registryPackages.size).toBeGreaterThan(100);
    const result = await scanGraphs({ root: tempDir(), graphs: [graph], offline: true });

    const notVerified = result.findings.filter((f) => NOT_VERIFIED.has(f.ruleId));
    expect(notVerified.length).toBeGreaterThan(0);
    expect(notVerified.length).toBeLessThanOrEqual(2);
    expect(result.summary.unverifiable).toBe(registryPackages.size);
    const listed = notVerified.flatMap((f) => String(f.evidence?.['packages']).split(' '));
    expect(new Set(listed)).toEqual(registryPackages);

    // The same counts in every report.
    const json = toJson(result, '0.0.0') as { summary: { unverifiable: number } };
    expect(json.summary.unverifiable).toBe(registryPackages.size);
    const sarif = toSarif(result, { toolVersion: '0.0.0' });
    expect(sarif.runs[0]!.properties).toMatchObject({ summary: { unverifiable: registryPackages.size } });
    expect(toMarkdown(result, { toolVersion: '0.0.0' })).toContain(`| ${registryPackages.size} |`);
  });
});
