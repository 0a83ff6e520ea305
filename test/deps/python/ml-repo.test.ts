import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/app/stages.js';
import { toCycloneDx } from '../../../src/report/cyclonedx.js';
import { toSarif } from '../../../src/report/sarif.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanWith } from '../../helpers/scan.js';

const SHA_A = 'a'.repeat(64);

describe('an ML repository: requirements.txt, uv.lock and model files in one pass', () => {
  it('scans Python dependencies and models together into one report (SARIF and CycloneDX)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-ml-repo-'));
    await mkdir(path.join(dir, 'models'), { recursive: true });
    // Third-party inputs are copied into a temp repository at test time, never committed.
    await copyFile(corpusPath('python', 'lockfiles', 'karpathy-nanochat.uv.lock'), path.join(dir, 'uv.lock'));
    await copyFile(
      corpusPath('python', 'lockfiles', 'karpathy-nanochat.pyproject.toml'),
      path.join(dir, 'pyproject.toml'),
    );
    await copyFile(corpusPath('models', 'torch_state_dict_zip.pt'), path.join(dir, 'models', 'model.pt'));
    await copyFile(
      corpusPath('models', 'real-safetensors', 'model2vec-test-model-float32.safetensors'),
      path.join(dir, 'models', 'model.safetensors'),
    );
    await writeFile(path.join(dir, 'requirements.txt'), `torch==2.9.1 --hash=sha256:${SHA_A}\nrequests>=2\n`);

    const result = await scanWith(dir, STAGES, { options: { offline: true } });

    expect(result.graphs.map((g) => [g.lockfile, g.ecosystem, g.packages.length])).toEqual([
      ['requirements.txt', 'pypi', 2],
      ['uv.lock', 'pypi', 104],
    ]);
    expect(result.models.map((m) => m.path)).toEqual(['models/model.pt', 'models/model.safetensors']);
    const ids = result.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`);
    // Python: the unpinned requirement, its missing hash in hash mode, and one offline finding for all 106.
    expect(ids.filter((i) => i.startsWith('CPP'))).toEqual(
      expect.arrayContaining(['CPP010@requirements.txt:2', 'CPP011@requirements.txt:2']),
    );
    const offline = result.findings.filter((f) => f.ruleId === 'CPP050');
    expect(offline.map((f) => f.evidence?.count)).toEqual([105]);

    const sarif = toSarif(result, { toolVersion: '0.0.0-test' });
    expect(sarif.runs).toHaveLength(1);
    const ruleIds = new Set(sarif.runs[0]!.results!.map((r) => r.ruleId));
    expect(ruleIds.has('CPP010')).toBe(true);

    const bom = toCycloneDx(result, { toolVersion: '0.0.0-test' });
    const torch = bom.components.find((c) => c.purl === 'pkg:pypi/torch@2.9.1%2Bcu128');
    // Each wheel's digest on its own distribution reference (cyclonedx-py's shape), none on the component.
    const digests = (torch?.externalReferences ?? []).flatMap((r) => r.hashes ?? []);
    expect(digests.length).toBeGreaterThan(0);
    expect(digests.every((h) => h.alg === 'SHA-256')).toBe(true);
    expect(torch).not.toHaveProperty('hashes');
    expect(bom.components.filter((c) => c.type === 'machine-learning-model').map((c) => c.name)).toEqual([
      'models/model.pt',
      'models/model.safetensors',
    ]);
  });
});
