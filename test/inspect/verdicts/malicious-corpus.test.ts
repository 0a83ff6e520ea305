import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import { FIXTURES, inspectFolder } from '../pickle/scan-folder.js';

const ROOT = path.join(FIXTURES, 'models-malicious');

/** Classes 3, 4 and 6 of issue #12: judged on this branch; `rule` is the finding that must be at error. */
const JUDGED: readonly { file: string; rule: string }[] = [
  { file: 'class3/timeit_timeit.pkl', rule: 'CPI001' },
  { file: 'class3/pkgutil_resolve_name.pkl', rule: 'CPI001' },
  { file: 'class3/ensurepip_run_pip.pkl', rule: 'CPI001' },
  { file: 'class3/doctest_debug_script.pkl', rule: 'CPI001' },
  { file: 'class3/pandas_eval.pkl', rule: 'CPI001' },
  { file: 'class3/jinja2_template.pkl', rule: 'CPI001' },
  { file: 'class3/idlelib_runcode.pkl', rule: 'CPI001' },
  { file: 'class3/torch_bottleneck.pkl', rule: 'CPI001' },
  { file: 'class3/numpy_runstring.pkl', rule: 'CPI001' },
  { file: 'class3/sympy_sympify.pkl', rule: 'CPI001' },
  { file: 'class3/getattr_dunder.pkl', rule: 'CPI001' },
  { file: 'class3/getattr_instance_dunder.pkl', rule: 'CPI001' },
  { file: 'class3/scipy_stats_exec_template.pkl', rule: 'CPI111' },
  { file: 'class3/scipy_stats_frozen_exec_template.pkl', rule: 'CPI111' },
  { file: 'class3/unknown_called_helper.pkl', rule: 'CPI100' },
  { file: 'class3/unknown_called_in_torch.pt', rule: 'CPI100' },
  { file: 'class4/reverse_filter.gguf', rule: 'CPI055' },
  { file: 'class4/join_filter.gguf', rule: 'CPI055' },
  { file: 'class4/format_char.gguf', rule: 'CPI055' },
  { file: 'class4/namespace_gadget.gguf', rule: 'CPI055' },
  { file: 'class6/nested_bytes.pkl', rule: 'CPI101' },
  { file: 'class6/nested_base64.pkl', rule: 'CPI101' },
  { file: 'class6/nested_text_in_torch.pt', rule: 'CPI101' },
  { file: 'class6/nested_twice.pkl', rule: 'CPI101' },
];

/**
 * Classes 1, 2 and 7, at error through how files are read: FRAME-first and no-op-prefixed sniffing, npy duplicate
 * keys (CPI080 warns; the pickle numpy would run is CPI001), bzip2 and lzma zip members, text-named members, zip in
 * zip, trailing pickles of legacy torch files.
 */
const READ_AT_ERROR: readonly { file: string; rule: string }[] = [
  { file: 'class1/weights.dat', rule: 'CPI001' },
  { file: 'class1/noop_prefix.pkl', rule: 'CPI001' },
  { file: 'class1/frame_first.model', rule: 'CPI001' },
  { file: 'class2/npy_duplicate_descr.npy', rule: 'CPI001' },
  { file: 'class2/bzip2_member.zip', rule: 'CPI001' },
  { file: 'class2/lzma_member.npz', rule: 'CPI001' },
  { file: 'class7/zip_in_zip.zip', rule: 'CPI001' },
  { file: 'class7/readme_only.zip', rule: 'CPI001' },
  { file: 'class7/legacy_torch_trailing_pickle.pt', rule: 'CPI001' },
];

describe('malicious corpus: every file at error', () => {
  let findings: Map<string, ResolvedFinding[]>;
  beforeAll(async () => {
    findings = await inspectFolder(ROOT);
  }, 60_000);

  const errorsOf = (file: string) => (findings.get(file) ?? []).filter((f) => f.level === 'error').map((f) => f.ruleId);

  it.each(JUDGED)('$file: $rule at error', ({ file, rule }) => {
    expect(errorsOf(file)).toContain(rule);
  });

  it.each(READ_AT_ERROR)('$file: $rule at error', ({ file, rule }) => {
    expect(errorsOf(file)).toContain(rule);
  });
});
