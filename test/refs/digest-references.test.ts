import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runMain } from '../helpers/cli.js';

/**
 * Downloads pinned by digest (openai-whisper `load_model`, OpenAI CLIP `load`: python-loaders.ts `WHISPER_MODELS`),
 * through the CLI as a user runs it: judged against the trusted registry's files by SHA-256 — listed, revoked or
 * unknown — never as unpinned, and listed in the ML-BOM with the digest the loader checks.
 */
const BASE = 'ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e';
const VIT_B_32 = '40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af';
const WHISPER = 'https://openaipublic.azureedge.net/main/whisper/models';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chainproof-digest-refs-'));
  copyFileSync(path.join(REPO, 'fixtures/refs/fidelity/digest-tables.py'), path.join(dir, 'transcribe.py'));
  mkdirSync(path.join(dir, 'trusted-registry'));
  writeFileSync(
    path.join(dir, 'trusted-registry', 'models.yml'),
    [
      'version: 1',
      'models:',
      '  - name: openai-whisper base',
      '    revision: v20240930',
      '    source: https://github.com/openai/whisper',
      '    files:',
      `      - path: ${WHISPER}/${BASE}/base.pt`,
      `        sha256: ${BASE}`,
      'revoked:',
      '  - name: CLIP ViT-B/32',
      `    sha256: ${VIT_B_32}`,
      '    reason: withdrawn after review',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('references pinned by digest, through the CLI', () => {
  it('a listed digest passes, a revoked one is an error (CPM003), the rest are unknown (CPR003); none is unpinned', async () => {
    const r = await runMain(['scan', dir, '--offline', '--no-progress', '-f', 'json', '--fail-on', 'error']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      findings: { ruleId: string; level: string; location: { path: string; line?: number }; message: string }[];
      references: { line: number; sha256?: string }[];
    };
    const at = (rule: string) =>
      out.findings
        .filter((f) => f.ruleId === rule)
        .map((f) => f.location.line)
        .sort((a, b) => a! - b!);
    // base.pt (line 10) is the registry's file: nothing. The file the registry lists by URL is no missing file.
    expect(at('CPR003')).toEqual([11, 12, 20, 21, 26, 27]);
    expect(at('CPM003')).toEqual([25]);
    expect(out.findings.filter((f) => f.ruleId === 'CPM003')[0]).toMatchObject({ level: 'error' });
    expect(out.findings.filter((f) => f.ruleId === 'CPR003')[0]!.message).toContain(
      'large-v3-turbo.pt from openaipublic.azureedge.net, pinned by the SHA-256 the loader checks',
    );
    expect(at('CPR001')).toEqual([]);
    expect(at('CPM004')).toEqual([]);
    expect(at('CPR010')).toEqual([22]);
    expect(out.references.find((x) => x.line === 10)?.sha256).toBe(BASE);
  });

  it('the ML-BOM lists each download with the SHA-256 its loader checks', async () => {
    const r = await runMain(['scan', dir, '--offline', '--no-progress', '-f', 'cyclonedx', '--fail-on', 'none']);
    const bom = JSON.parse(r.stdout) as {
      components: { name: string; hashes?: { alg: string; content: string }[] }[];
    };
    const base = bom.components.find((c) => c.name === `${WHISPER}/${BASE}/base.pt`);
    expect(base?.hashes).toEqual([{ alg: 'SHA-256', content: BASE }]);
  });

  it('registry add --from-refs records each download by its URL and digest; the next scan finds none unknown', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'chainproof-digest-add-'));
    try {
      copyFileSync(path.join(REPO, 'fixtures/refs/fidelity/digest-tables.py'), path.join(fresh, 'transcribe.py'));
      const before = await runMain(['scan', fresh, '--offline', '--no-progress', '-f', 'json', '--fail-on', 'none']);
      const rules = (out: string) =>
        (JSON.parse(out) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
      // The registry records no model yet: the eight unknown downloads are one CPR003, with their count.
      const unlisted = (
        JSON.parse(before.stdout) as { findings: { ruleId: string; evidence?: { count?: number } }[] }
      ).findings.filter((f) => f.ruleId === 'CPR003');
      expect(unlisted.map((f) => f.evidence?.count)).toEqual([8]);
      const add = await runMain(['registry', 'add', '--from-refs', fresh, '--root', fresh]);
      expect(add.code).toBe(0);
      expect(add.stdout).toContain(`added ${WHISPER}/${BASE}/base.pt (sha256:${BASE})`);
      const after = await runMain(['scan', fresh, '--offline', '--no-progress', '-f', 'json', '--fail-on', 'none']);
      // The run-time choice stays a note; no download is unknown, and no registry file is missing from the repository.
      expect(rules(after.stdout)).toEqual(['CPR010']);
      const again = await runMain(['registry', 'add', '--from-refs', fresh, '--root', fresh]);
      expect(again.stdout).toContain(`present ${WHISPER}/${BASE}/base.pt`);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('the text summary counts them as pinned', async () => {
    const r = await runMain(['scan', dir, '--offline', '--no-progress', '--fail-on', 'none']);
    expect(r.stdout).toContain('model references 8 (8 pinned to a commit or digest)');
  });
});
