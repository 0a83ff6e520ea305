import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * JSON allows a surrogate without its pair (`"\ud800"`), and JSON.parse hands it over as such; encodeURIComponent
 * throws URIError on it. A package-lock.json naming `a\ud800b` stopped the registry stage — offline too — and the
 * scan ended "incomplete", exit 4, and the CycloneDX writer with "internal error: URI malformed".
 */
const tree = tempTrees('chainproof-surrogate-');

const lockfile = `{"name":"r","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"r","version":"1.0.0","dependencies":{"a\\ud800b":"1.0.0"}},
"node_modules/a\\ud800b":{"version":"1.0.0","resolved":"https://registry.npmjs.org/a/-/a-1.0.0.tgz","integrity":"sha512-AAAA"}}}
`;

describe('a package name holding an unpaired surrogate', () => {
  const dir = tree({
    'package-lock.json': lockfile,
    'package.json': '{"name":"r","version":"1.0.0","dependencies":{"a\\ud800b":"1.0.0"}}\n',
  });

  it.each(['text', 'json', 'sarif', 'cyclonedx', 'markdown'])('is scanned to the end: %s', async (format) => {
    const r = await runMain(['scan', dir, '--offline', '--quiet', '--fail-on', 'none', '-f', format]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    if (format === 'cyclonedx') {
      const bom = JSON.parse(r.stdout) as { components: { purl?: string }[] };
      expect(bom.components.map((c) => c.purl)).toEqual(['pkg:npm/a%EF%BF%BDb@1.0.0']);
    }
    if (format === 'json') {
      const json = JSON.parse(r.stdout) as { complete: boolean; findings: { ruleId: string }[] };
      expect(json.complete).toBe(true);
      expect(json.findings.map((f) => f.ruleId)).toContain('CPD010');
    }
  });
});
