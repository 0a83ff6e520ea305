import type { Finding } from '../../core/finding.js';
import type { AllowContext } from './allowlist.js';
import type { NestedBlob } from './nested.js';
import type { PickleRun } from './result.js';
import { ByteSource } from './source.js';
import { isTorchBytesPayload } from './torch-bytes.js';
import { runPickle } from './vm.js';

/** How deep pickles inside pickles are followed; deeper ones are reported without being opened. */
const MAX_DEPTH = 3;

interface Imported {
  readonly global: string;
  readonly verdict: string;
}

type Judge = (module: string, name: string, allow: AllowContext) => { kind: string };

/** Every global a blob's pickle (and the pickles nested in it, to MAX_DEPTH) imports, with its verdict. */
function importsOf(blob: NestedBlob, allow: AllowContext, judge: Judge, depth: number, out: Imported[]): void {
  const run = runPickle(ByteSource.fromBuffer(blob.data));
  for (const g of run.globals.values()) {
    const global = `${g.module}.${g.name}`;
    if (!out.some((i) => i.global === global)) out.push({ global, verdict: judge(g.module, g.name, allow).kind });
  }
  for (const inner of run.nested ?? []) {
    if (depth + 1 >= MAX_DEPTH) out.push({ global: '(a pickle nested deeper)', verdict: 'unknown' });
    else importsOf(inner, allow, judge, depth + 1, out);
  }
}

/**
 * CPI101 for each bytes/string value of the run that is itself a pickle importing globals: code that loads the
 * outer object may pass it to pickle.loads later. A nested pickle that imports nothing (plain data) is not reported.
 */
export function nestedFindings(
  run: PickleRun,
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
  allow: AllowContext,
  judge: Judge,
): Finding[] {
  const out: Finding[] = [];
  for (const blob of run.nested ?? []) {
    if (isTorchBytesPayload(run, blob.offset)) continue; // judged as the file torch.load reads (torch-bytes.ts)
    const imported: Imported[] = [];
    importsOf(blob, allow, judge, 0, imported);
    if (imported.length === 0) continue;
    const dangerous = imported.filter((i) => i.verdict === 'dangerous').map((i) => i.global);
    const names = imported.map((i) => `\`${i.global}\``).join(', ');
    out.push({
      ...base,
      ruleId: 'CPI101',
      message: `${where}: the ${blob.encoding === 'base64' || blob.encoding === 'hex' ? `${blob.encoding} ` : ''}${blob.encoding === 'bytes' ? 'bytes' : 'string'} value at byte ${blob.offset} is itself a pickle importing ${names}${dangerous.length ? ` (dangerous: ${dangerous.join(', ')})` : ''}. Code that unpickles it runs them. Do not load this file.`,
      evidence: {
        offset: blob.offset,
        pickle: index,
        encoding: blob.encoding,
        size: blob.data.length,
        globals: imported.map((i) => i.global).join(', '),
        ...(dangerous.length ? { dangerous: dangerous.join(', ') } : {}),
      },
    });
  }
  if (run.nestedSkipped) {
    out.push({
      ...base,
      ruleId: 'CPI101',
      message: `${where}: ${run.nestedSkipped} more values of pickle ${index} look like pickles of their own, past the ${run.nested?.length ?? 0} chainproof analyses per pickle; they were not checked. Do not load this file.`,
      evidence: { pickle: index, skipped: run.nestedSkipped },
    });
  }
  return out;
}
