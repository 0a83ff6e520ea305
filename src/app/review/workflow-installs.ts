import type { Finding } from '../../core/finding.js';
import type { InstallFileChange } from './install-files.js';

/**
 * CPU029: a workflow that now installs dependencies without holding the package manager to the lockfile. `npm ci`
 * installs exactly the lockfile and fails when package.json disagrees; `npm install` re-resolves and rewrites it
 * (arborist `buildIdealTree`). The same for `pnpm install --no-frozen-lockfile` (pnpm freezes by default in CI),
 * `yarn install --no-immutable` / `--no-frozen-lockfile`, `bun install` without `--frozen-lockfile` (bun does not
 * freeze by default) and `uv sync` without `--locked` / `--frozen`. The install commands each revision
 * runs are compared as text (comments dropped); one finding per workflow with both sides.
 */
const UNLOCKED: readonly { readonly re: RegExp; readonly unless?: RegExp }[] = [
  // A global tool install (`npm i -g x`) does not read the project's lockfile at all.
  { re: /\bnpm\s+(install|i|isntall|add|update|up)\b/, unless: /\s(-g|--global|--package-lock-only)\b/ },
  { re: /\bpnpm\s+(install|i)\b.*--no-frozen-lockfile/ },
  { re: /\byarn(\s+install)?\b.*--(no-immutable|no-frozen-lockfile)/ },
  { re: /\bbun\s+(install|i)\b/, unless: /--frozen-lockfile|--production\b.*--frozen-lockfile/ },
  { re: /\buv\s+sync\b/, unless: /--(locked|frozen)\b/ },
];
const INSTALL =
  /\b(npm\s+(ci|install|i|isntall|add|update|up)|pnpm\s+(install|i)|yarn(\s+install)?(?=\s+-|\s*$)|bun\s+(install|i)|uv\s+sync)\b/;

/** Install commands of a workflow, one per line that runs one, whitespace normalised. */
function installs(text: string | undefined): string[] {
  if (text === undefined) return [];
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (INSTALL.test(line)) out.push(line.replace(/^(-\s*)?(run:\s*[|>]?-?\s*)?/, '').replace(/\s+/g, ' '));
  }
  return out;
}

function unlocked(cmd: string): boolean {
  return UNLOCKED.some((u) => u.re.test(cmd) && !(u.unless?.test(cmd) ?? false));
}

export function workflowInstallFindings(changes: readonly InstallFileChange[]): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (!c.path.startsWith('.github/workflows/') || c.unread !== undefined || c.head === undefined) continue;
    const before = installs(c.base);
    const after = installs(c.head);
    const had = new Set(before);
    const fresh = [...new Set(after.filter((cmd) => unlocked(cmd) && !had.has(cmd)))];
    if (fresh.length === 0) continue;
    const lines = c.head.split('\n');
    const line = lines.findIndex((l) => l.replace(/\s+/g, ' ').includes(fresh[0]!)) + 1;
    const was = before.length > 0 ? before.join('; ') : '(no install)';
    out.push({
      ruleId: 'CPU029',
      message: `${c.path} now installs without holding to the lockfile: ${fresh.join('; ')} (the base ran: ${was}). That install resolves versions afresh on CI, so what runs is not what the lockfile and this review saw. Use npm ci, pnpm/yarn install with a frozen lockfile, bun install --frozen-lockfile or uv sync --locked.`,
      location: { path: c.path, line: line > 0 ? line : 1 },
      artifact: { kind: 'file', path: c.path },
      evidence: { before: was, after: after.join('; '), commands: fresh.join('\n') },
    });
  }
  return out;
}
