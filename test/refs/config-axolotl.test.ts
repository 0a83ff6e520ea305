import { describe, expect, it } from 'vitest';
import { findConfigReferencesFast } from '../../src/refs/config-fast.js';
import { findConfigReferences, findConfigReferencesWithYaml } from '../../src/refs/config.js';
import { judgeReference } from '../../src/refs/judge.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

/**
 * axolotl configs (axolotl-ai-cloud/axolotl): `revision_of_model` pins `base_model` (loaders/model.py
 * `model_kwargs["revision"]`) and `base_model_config` (loaders/utils.py `load_model_config`); `tokenizer_config` is
 * loaders/tokenizer.py `load_tokenizer`'s download, with the same trust_remote_code and no revision. Both readers agree.
 */
const SHA = '0123456789abcdef0123456789abcdef01234567';
const none = () => false;

function findings(text: string): string[] {
  const fast = findConfigReferencesFast('axolotl.yml', text, none);
  expect(fast).toEqual(findConfigReferencesWithYaml('axolotl.yml', text, none));
  return findConfigReferences('axolotl.yml', text, none).references.flatMap((ref) =>
    judgeReference(ref, new Map(), DEFAULT_POLICY)
      .filter((f) => f.ruleId !== 'CPR003')
      .map((f) => `${f.ruleId} ${ref.via} ${ref.repoId}@${ref.revision ?? '-'}`),
  );
}

describe('axolotl configs', () => {
  it.each([
    {
      name: 'revision_of_model pins base_model; tokenizer_config is a download of its own, at its default branch',
      text: `base_model: NousResearch/Llama-2-7b-hf\nrevision_of_model: ${SHA}\ntokenizer_config: acme/axo-tok\nmodel_type: LlamaForCausalLM\nload_in_8bit: true\n`,
      want: ['CPR001 tokenizer_config acme/axo-tok@-'],
    },
    {
      name: 'trust_remote_code covers base_model_config and tokenizer_config too',
      text: `base_model: acme/base\nbase_model_config: acme/base-config\nrevision_of_model: main\ntokenizer_config: acme/tok\ntrust_remote_code: true\n`,
      want: [
        'CPR002 base_model acme/base@main',
        'CPR001 base_model acme/base@main',
        'CPR002 base_model_config acme/base-config@main',
        'CPR001 base_model_config acme/base-config@main',
        'CPR002 tokenizer_config acme/tok@-',
        'CPR001 tokenizer_config acme/tok@-',
      ],
    },
    {
      name: 'tokenizer_config without base_model is no axolotl key',
      text: 'tokenizer_config: acme/not-axolotl\n',
      want: [],
    },
  ])('$name', ({ text, want }) => {
    expect(findings(text)).toEqual(want);
  });

  it('advises the key axolotl reads (revision_of_model), not base_model_revision', () => {
    const [ref] = findConfigReferences('axolotl.yml', 'base_model: acme/base\nadapter: lora\n', none).references;
    const messages = judgeReference(ref!, new Map(), DEFAULT_POLICY).map((f) => f.message);
    expect(messages.some((m) => m.includes('revision_of_model: <40-hex>'))).toBe(true);
    expect(messages.some((m) => m.includes('base_model_revision'))).toBe(false);
  });
});
