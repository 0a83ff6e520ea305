import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';
import { REPO } from '../helpers/cli.js';
import { C } from './fidelity-cases.js';

/**
 * vLLM's command line downloads what its Python `LLM(…)` does (python-vllm.ts `vllmShape`, fidelity-cases-python.ts
 * `vllm-tokenizer-draft.py`): vllm/config/model.py `ModelConfig.__post_init__` gives the tokenizer the model's name
 * and `tokenizer_revision` the model's `revision` when unset; vllm/config/speculative.py gives the draft model its own
 * revision and the target's trust_remote_code.
 */
const DIR = path.join(REPO, 'fixtures', 'refs', 'fidelity', 'shell');

function findings(file: string): string[] {
  const r = findShellReferences(file, readFileSync(path.join(DIR, file), 'utf8'), () => false);
  return [
    ...r.references.flatMap((ref) =>
      judgeReference(ref, new Map(), DEFAULT_POLICY).map(
        (f) => `${f.ruleId}:${f.location.line}:${f.location.column} ${ref.repoId}@${ref.revision ?? '-'}`,
      ),
    ),
    ...r.dynamic.map((d) => {
      const f = dynamicFinding(d);
      return `${f.ruleId}:${f.location.line}:${f.location.column} dynamic`;
    }),
  ];
}

describe('vLLM command lines: tokenizer and draft model (fixtures/refs/fidelity/shell)', () => {
  it.each([
    {
      file: 'vllm-tokenizer-revision.sh',
      want: [
        `CPR003:3:12 acme/tr-model@${C}`,
        // --tokenizer with no --tokenizer-revision: at the model's --revision.
        `CPR003:3:90 acme/tr-tokenizer@${C}`,
        `CPR003:4:12 acme/tr-branch@${C}`,
        // --tokenizer-revision alone: the model repo's tokenizer files at that branch.
        'CPR001:4:12 acme/tr-branch@main',
        'CPR003:4:12 acme/tr-branch@main',
        // The same revision twice, the model named as its own tokenizer: one download each.
        `CPR003:5:12 acme/tr-same@${C}`,
        'CPR001:6:12 acme/tr-self@-',
        'CPR003:6:12 acme/tr-self@-',
        // The draft model: its own revision (none here), never the target's.
        `CPR003:7:12 acme/tr-target@${C}`,
        'CPR001:7:100 acme/tr-draft@-',
        'CPR003:7:100 acme/tr-draft@-',
        `CPR003:8:12 acme/tr-target@${C}`,
        `CPR003:8:106 acme/tr-draft2@${C}`,
      ],
    },
    {
      // An exec-form CMD: the tokenizer at the model's --revision, with its trust_remote_code.
      file: 'Dockerfile.vllm-tokenizer',
      want: [
        `CPR002:2:23 acme/exec-model@${C}`,
        `CPR003:2:23 acme/exec-model@${C}`,
        `CPR002:2:115 acme/exec-tokenizer@${C}`,
        `CPR003:2:115 acme/exec-tokenizer@${C}`,
      ],
    },
  ])('$file', ({ file, want }) => {
    expect(findings(file)).toEqual(want);
  });

  it('advises the flag that pins each download', () => {
    const text = readFileSync(path.join(DIR, 'vllm-tokenizer-revision.sh'), 'utf8');
    const r = findShellReferences('vllm-tokenizer-revision.sh', text, () => false);
    const advice = (line: number, repo: string) =>
      r.references
        .filter((x) => x.line === line && x.repoId === repo)
        .flatMap((x) => judgeReference(x, new Map(), DEFAULT_POLICY))
        .find((f) => f.ruleId === 'CPR001')?.message;
    expect(advice(4, 'acme/tr-branch')).toContain('--tokenizer-revision <40-hex>');
    expect(advice(7, 'acme/tr-draft')).toContain('"revision": "<40-hex>"');
  });
});
