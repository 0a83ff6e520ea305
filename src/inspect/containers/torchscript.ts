import type { Finding } from '../../core/finding.js';

/**
 * Operators in TorchScript code that reach outside the model: file reads/writes, loading other archives, Python
 * fallbacks. TorchScript cannot import Python modules, so these are the ways its code touches the host.
 */
const DANGEROUS_CALLS: readonly [RegExp, string][] = [
  [/\b(?:torch\.)?(?:ops\.aten\.)?from_file\s*\(/, 'reads an arbitrary file (aten::from_file)'],
  [/\btorch\.(?:ops\.aten\.)?save\s*\(/, 'writes a file (torch.save)'],
  [/\btorch\.(?:jit\.)?load\s*\(/, 'loads another archive (torch.load / torch.jit.load)'],
  [/\bops\.prim\.PythonOp\b|\bprim::PythonOp\b/, 'calls back into Python (prim::PythonOp)'],
  [/\b__import__\s*\(|\beval\s*\(|\bexec\s*\(/, 'uses Python code execution built-ins'],
  [/\bops\.aten\._?save\b|\bops\.aten\.(?:write|open)\b/, 'calls a file-writing operator'],
];

/** Findings (without location) for dangerous calls in one TorchScript source member. */
export function scanTorchScriptCode(source: string, member: string): Omit<Finding, 'location'>[] {
  const out: Omit<Finding, 'location'>[] = [];
  const lines = source.split('\n');
  for (const [re, why] of DANGEROUS_CALLS) {
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) continue;
    out.push({
      ruleId: 'CPI017',
      message: `TorchScript code ${member} line ${i + 1} ${why}: \`${lines[i]!.trim().slice(0, 120)}\`. Do not run this model.`,
      evidence: { member, line: i + 1, call: lines[i]!.trim().slice(0, 200) },
    });
  }
  return out;
}
