import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';

// pip's `RequirementsFileParser._parse_and_recurse` refuses an include already on the chain being read ("… recursively
// references itself"); every file of the cycle was read, so "not checked / commit the file" would be wrong advice.
describe('a requirements include cycle', () => {
  it('says pip refuses the install and that the files were read; a missing include keeps its own advice', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-include-cycle-'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'requirements.txt'), '-r sub/base.txt\n-r missing.txt\nrequests==2.31.0\n');
    await writeFile(path.join(dir, 'sub/base.txt'), '-r ../requirements.txt\nsix==1.16.0\n');
    const r = await scanWith(dir, [pythonDepsStage]);
    const byFile = new Map(r.findings.filter((f) => f.ruleId === 'CPP003').map((f) => [f.location.path, f.message]));
    expect(byFile.get('sub/base.txt')).toContain('pip refuses the whole install');
    expect(byFile.get('sub/base.txt')).not.toContain('not checked');
    expect(byFile.get('requirements.txt')).toContain('Its requirements were not checked');
  });
});
