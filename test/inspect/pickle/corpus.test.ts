import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { corpusPath } from '../../helpers/corpus.js';
import { FIXTURES, inspectFolder } from './scan-folder.js';

/** picklescan's and fickling's samples, read in place from ../shared/corpora/pickles. */
const PICKLES = corpusPath('pickles');
/** Hand-built cases made for this project. */
const CASES_DIR = path.join(FIXTURES, 'pickles', 'cases');

/** fickling's verdict per file; everything above LIKELY_SAFE must be flagged, LIKELY_SAFE must be clean. */
function ficklingCases(folder: string): { name: string; file: string; malicious: boolean }[] {
  const index = JSON.parse(readFileSync(path.join(PICKLES, folder, 'index.json'), 'utf8')) as Record<
    string,
    { severity: string; bytes: number | null }
  >;
  return Object.entries(index)
    .filter(([, v]) => v.bytes !== null) // the suite saved no bytes for this case
    .map(([file, v]) => ({
      name: `${folder}/${file} (${v.severity})`,
      file: `${folder}/${file}`,
      malicious: v.severity !== 'LIKELY_SAFE',
    }));
}

/** picklescan's expectation is in the name: benign* clean, malicious* flagged, and the named quirk files. */
function picklescanCases(): { name: string; file: string; malicious: boolean }[] {
  const flagged = new Set([
    'broken_model.pkl',
    'bad_pytorch.pt',
    'pytorch_magic_bypass.pt',
    'sys_module_override_sploit.pkl',
  ]);
  return readdirSync(path.join(PICKLES, 'picklescan-data'))
    .filter((f) => f.startsWith('benign') || f.startsWith('malicious') || flagged.has(f))
    .map((f) => ({ name: `picklescan-data/${f}`, file: `picklescan-data/${f}`, malicious: !f.startsWith('benign') }));
}

const FOLDERS = [
  'fickling-bypasses',
  'fickling-crashes',
  'fickling-expansion_attack_analysis',
  'fickling-scanner_deactivation_analysis',
];
const CASES = [...FOLDERS.flatMap(ficklingCases), ...picklescanCases()];

describe('pickle corpora (picklescan and fickling samples)', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(PICKLES);
  }, 120_000);

  it('covers every sample the corpora give a verdict for', () => {
    expect(CASES.length).toBeGreaterThan(120);
  });

  it.each(CASES)('$name', ({ file, malicious }) => {
    const got = findings.get(file) ?? [];
    if (malicious) expect(got.map((f) => f.ruleId)).not.toEqual([]);
    else expect(got.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it.each([
    {
      name: 'eval in a plain pickle is critical',
      file: 'picklescan-data/malicious1_v4.pkl',
      rule: 'CPI001',
      global: 'builtins.eval',
    },
    {
      name: 'memo-named STACK_GLOBAL resolves to os.system',
      file: 'picklescan-data/malicious11.pkl',
      rule: 'CPI001',
      global: 'os.system',
    },
    {
      name: 'dotted name reaches os.system through pathlib',
      file: 'fickling-bypasses/test_dotted_attr_via_stdlib_module.pkl',
      rule: 'CPI001',
      global: 'pathlib.os.system',
    },
    {
      name: 'second pickle of a legacy torch stream',
      file: 'picklescan-data/pytorch_magic_bypass.pt',
      rule: 'CPI001',
      global: '__builtin__.eval',
    },
    {
      name: 'member hidden by a renamed local header',
      file: 'picklescan-data/malicious1_central_directory.zip',
      rule: 'CPI014',
      global: undefined,
    },
    {
      name: 'pickle in a zip member with a .txt name',
      file: 'picklescan-data/malicious1_wrong_ext.zip',
      rule: 'CPI001',
      global: 'builtins.eval',
    },
    {
      name: 'BUILD on a module rewrites it',
      file: 'picklescan-data/sys_module_override_sploit.pkl',
      rule: 'CPI005',
      global: 'torch._utils',
    },
    { name: 'PNG bytes named .pt', file: 'picklescan-data/bad_pytorch.pt', rule: 'CPI016', global: undefined },
    { name: '7z archive cannot be opened', file: 'picklescan-data/malicious1.7z', rule: 'CPI015', global: undefined },
    {
      name: 'memo self-reference bomb',
      file: 'fickling-expansion_attack_analysis/test_memo_expansion_detection.pkl',
      rule: 'CPI008',
      global: undefined,
    },
    {
      name: 'STOP outside the frame',
      file: 'fickling-bypasses/test_frame_boundary_straddle_variants_5.pkl',
      rule: 'CPI007',
      global: undefined,
    },
    {
      name: 'unhashable dict key',
      file: 'fickling-crashes/test_impossible_cyclic_pickle.pkl',
      rule: 'CPI003',
      global: undefined,
    },
  ])('$name → $rule', ({ file, rule, global }) => {
    const got = (findings.get(file) ?? []).filter((f) => f.ruleId === rule);
    expect(got.length).toBeGreaterThan(0);
    if (global !== undefined) expect(got.map((f) => f.evidence?.global)).toContain(global);
    if (rule === 'CPI001' || rule === 'CPI005') expect(got[0]!.level).toBe('error');
  });

  it('names the denylist entry a dangerous global matched only when it says more than the name itself', () => {
    const messages = (file: string) =>
      (findings.get(file) ?? []).filter((f) => f.ruleId === 'CPI001').map((f) => f.message);
    // builtins.eval is itself the entry: "`builtins.eval` (builtins.eval)" said nothing twice.
    expect(messages('picklescan-data/malicious1_v4.pkl').join('\n')).toContain('imports `builtins.eval` at byte');
    // A Python 2 name is shown with the Python 3 entry it reaches.
    expect(messages('picklescan-data/malicious0.pkl').join('\n')).toContain('`__builtin__.eval` (builtins.eval)');
  });
});

describe('hand-built opcode and bypass cases (fixtures/pickles/cases)', () => {
  const want = JSON.parse(readFileSync(path.join(CASES_DIR, 'index.json'), 'utf8')) as Record<string, string[]>;
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(CASES_DIR);
  });
  it.each(Object.entries(want).map(([name, rules]) => ({ name, rules })))('$name → $rules', ({ name, rules }) => {
    const got = [...new Set((findings.get(name) ?? []).map((f) => f.ruleId))].sort();
    expect(got).toEqual([...rules].sort());
  });
});
