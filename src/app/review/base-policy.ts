import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Policy } from '../../core/policy.js';
import { DEFAULT_POLICY, EMBEDDED_DEFAULT_SOURCE } from '../../trust/policy/default.js';
import type { Snapshot } from './snapshot.js';

const MAX_POLICY_BYTES = 1024 * 1024;

/**
 * The policy the base revision would have applied: the same file the head's policy came from (or the first of the
 * names a policy is looked for under), read from the base snapshot; the embedded default when the base had none.
 * Undefined when the base file does not load — the caller then says the head's policy judged instead.
 */
export async function policyAt(
  base: Snapshot,
  head: Policy,
  candidates: readonly string[],
): Promise<{ policy: Policy; judgedBy: string } | undefined> {
  const file =
    candidates.includes(head.source) && base.entries.has(head.source)
      ? head.source
      : candidates.find((p) => base.entries.has(p));
  if (file === undefined)
    return { policy: DEFAULT_POLICY, judgedBy: `${EMBEDDED_DEFAULT_SOURCE}: the base revision has no policy file` };
  const entry = base.entries.get(file)!;
  const target = path.resolve(base.root, ...file.split('/'));
  if (!target.startsWith(base.root + path.sep)) return undefined;
  try {
    // The snapshot lays out the policy names and `.chainproof/`; a policy elsewhere in the tree is written here.
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, await base.blobs.one(entry.oid, MAX_POLICY_BYTES), { mode: 0o600 });
    const { readPolicy } = await import('../../trust/policy/load.js');
    const loaded = await readPolicy(target, base.root);
    return { policy: loaded.policy, judgedBy: `${file} at the base revision` };
  } catch {
    return undefined;
  }
}
