import picomatch from 'picomatch';
import type { Finding } from '../../core/finding.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';

export interface ModelChange {
  readonly path: string;
  readonly kind: 'added' | 'removed' | 'changed';
}

/** Model files added, removed or changed between two revisions, by git object id (LFS pointers compare as pointers). */
export function diffModels(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): ModelChange[] {
  const out: ModelChange[] = [];
  for (const p of [...new Set([...base.keys(), ...head.keys()])].sort()) {
    const a = base.get(p);
    const b = head.get(p);
    if (a === undefined) out.push({ path: p, kind: 'added' });
    else if (b === undefined) out.push({ path: p, kind: 'removed' });
    else if (a !== b) out.push({ path: p, kind: 'changed' });
  }
  return out;
}

/** What the registry pins for one path: the digests of every file entry that names it (exactly or by glob). */
function pinsFor(reg: TrustedRegistry, path: string): string {
  const pins: string[] = [];
  for (const m of reg.models) {
    for (const f of m.files) {
      const matches = picomatch.scan(f.path).isGlob ? picomatch(f.path, { dot: true })(path) : f.path === path;
      if (matches) pins.push(`${m.name}@${m.revision}:${f.sha256 ?? ''}:${f.sha512 ?? ''}:${f.size ?? ''}`);
    }
  }
  return pins.sort().join('\n');
}

/**
 * CPU010: a model the registry pins changed bytes while its pin stayed the same. (An unpinned model is the scan's
 * business — CPM rules — and a pin that moved with the bytes is exactly the reviewed path.)
 */
export function modelQuestions(
  changes: readonly ModelChange[],
  baseRegistry: TrustedRegistry,
  headRegistry: TrustedRegistry,
  vouched: ReadonlySet<string> = new Set(),
): Finding[] {
  const out: Finding[] = [];
  // A file whose new bytes (or LFS object) match a registry entry is the reviewed path, pin moved or not.
  for (const c of changes.filter((x) => x.kind === 'changed' && !vouched.has(x.path))) {
    const before = pinsFor(baseRegistry, c.path);
    if (before === '' || before !== pinsFor(headRegistry, c.path)) continue;
    out.push({
      ruleId: 'CPU010',
      message: `${c.path} changed, but its trusted-registry entry did not: the new weights were not reviewed. Record them with \`chainproof registry add\` in a pull request of its own, then rebase this change on it.`,
      location: { path: c.path },
      artifact: { kind: 'model', path: c.path },
      evidence: { registryEntry: before.split('\n')[0]!.split(':')[0]! },
    });
  }
  return out;
}
