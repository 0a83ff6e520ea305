import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refsStage } from '../../src/refs/stage.js';
import { isInstalledPackage } from '../../src/refs/sources.js';
import { scanWith } from '../helpers/scan.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const LOAD = (id: string) => `from transformers import AutoModel\nm = AutoModel.from_pretrained("${id}")\n`;

describe('installed Python packages are not the repository own source', () => {
  it.each([
    ['venv-site-packages', '.venv/lib/python3.11/site-packages/transformers/x.py', true],
    ['debian-dist-packages', 'usr/lib/python3/dist-packages/timm/y.py', true],
    ['top-level-site-packages', 'site-packages/a.py', true],
    ['own-package-named-like-it', 'src/site_packages/a.py', false],
    ['own-source', 'train.py', false],
  ])('%s', (_case, rel, want) => {
    expect(isInstalledPackage(rel)).toBe(want);
  });

  it('a scan finds the repository reference, skips the installed one and counts it (CPR011)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'cp-refs-installed-'));
    dirs.push(root);
    const files: Record<string, string> = {
      'train.py': LOAD('org/own'),
      '.venv/lib/python3.11/site-packages/transformers/auto.py': LOAD('org/vendored'),
      '.venv/lib/python3.11/site-packages/transformers/cfg.json': '{"model_name_or_path": "org/vendored-config"}',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}`)).toEqual(['train.py:2 org/own']);
    const skipped = r.findings.filter((f) => f.ruleId === 'CPR011');
    expect(skipped.map((f) => [f.location.path, f.evidence?.['count'], f.evidence?.['reason']])).toEqual([
      ['.venv/lib/python3.11/site-packages/transformers/auto.py', 2, 'installed-packages'],
    ]);
  });
});
