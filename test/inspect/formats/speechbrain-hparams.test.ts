import { describe, expect, it } from 'vitest';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-speechbrain-');

describe('SpeechBrain hyperparams.yaml past the parse limit', () => {
  it('is not parsed, and fails the default gate (load_hyperpyyaml reads any size)', async () => {
    const text = `${'# padding\n'.repeat(110_000)}run: !new:subprocess.Popen\n  - [sh, -c, id]\n`;
    const res = await scanAsCli(tree({ 'm/hyperparams.yaml': text }));
    expect(res.findings.map((f) => `${f.location.path} ${f.ruleId}:${f.level}`)).toEqual([
      'm/hyperparams.yaml CPI051:error',
    ]);
  });
});
