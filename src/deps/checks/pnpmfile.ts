import type { Finding } from '../../core/finding.js';

/** What decides which pnpmfile pnpm loads for a lockfile: its settings from pnpm-workspace.yaml and `.npmrc`. */
export interface PnpmfileSettings {
  /** `pnpmfile` (pnpm-workspace.yaml) / `pnpmfile=` (.npmrc): a path relative to the lockfile's folder. */
  readonly pnpmfile?: string;
  /** `ignorePnpmfile: true` / `ignore-pnpmfile=true`: pnpm then loads none. */
  readonly ignore: boolean;
}

/**
 * The pnpmfile pnpm loads for a lockfile in `dir` (repo-relative, '' for the root): `getPnpmfilePath(prefix,
 * pnpmfile)` (@pnpm/pnpmfile) takes the `pnpmfile` setting, else `.pnpmfile.cjs`, joined to the lockfile's folder;
 * an absolute path is outside the scan. Undefined when none is loaded.
 */
export function pnpmfilePath(dir: string, settings: PnpmfileSettings): string | undefined {
  if (settings.ignore) return undefined;
  const name = settings.pnpmfile?.trim() || '.pnpmfile.cjs';
  if (/^([a-z]:)?[\\/]/i.test(name)) return undefined;
  const parts: string[] = dir === '' ? [] : dir.split('/');
  for (const seg of name.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/**
 * CPD167: `requireHooks` (@pnpm/pnpmfile) `require`s the pnpmfile on every `pnpm install` — `--frozen-lockfile` and
 * `--ignore-scripts` included; only `--ignore-pnpmfile` skips it — so its top-level code and hooks run on every
 * machine that installs, and `readPackage` can rewrite any dependency's manifest. One finding per file; the file is
 * never loaded by the scan.
 */
export function pnpmfileFinding(path: string, lockfile: string): Finding {
  return {
    ruleId: 'CPD167',
    message: `${path} is loaded by pnpm (requireHooks) on every install of ${lockfile}, including --frozen-lockfile and --ignore-scripts: its code runs and its hooks can rewrite dependency manifests. Review it like an install script; only --ignore-pnpmfile skips it.`,
    location: { path, line: 1 },
    artifact: { kind: 'file', path },
    evidence: { lockfile },
  };
}
