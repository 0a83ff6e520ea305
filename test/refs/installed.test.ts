import { describe, expect, it } from 'vitest';
import { refsStage } from '../../src/refs/stage.js';
import { isInstalledPackage } from '../../src/refs/sources.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('cp-refs-installed-');

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
    const root = tree({
      'train.py': LOAD('org/own'),
      '.venv/lib/python3.11/site-packages/transformers/auto.py': LOAD('org/vendored'),
      '.venv/lib/python3.11/site-packages/transformers/cfg.json': '{"model_name_or_path": "org/vendored-config"}',
    });
    const r = await scanWith(root, [refsStage]);
    expect((r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}`)).toEqual(['train.py:2 org/own']);
    const skipped = r.findings.filter((f) => f.ruleId === 'CPR011');
    expect(skipped.map((f) => [f.location.path, f.evidence?.['count'], f.evidence?.['reason']])).toEqual([
      ['.venv/lib/python3.11/site-packages/transformers/auto.py', 2, 'installed-packages'],
    ]);
  });
});
