import type { Finding } from '../../core/finding.js';
import { lineOfKey, untrustedSettings } from '../npmrc-trust.js';
import type { NpmrcConfig } from '../npmrc.js';
import { unknownRegistryFinding } from './unknown-registry.js';

export interface RepoNpmrc {
  /** Repo-relative path. */
  readonly path: string;
  readonly text: string;
  readonly config: NpmrcConfig;
  /**
   * A file that is not `.npmrc` but says the same (bunfig.toml): each `.npmrc` key's own name and line there, for
   * the message and location.
   */
  readonly keys?: Readonly<Record<string, { readonly key: string; readonly line: number | undefined }>>;
}

/**
 * A repository `.npmrc` that points at a registry the policy does not allow (CPD134) or brings its own CA or turns
 * TLS checks off (CPD135): reported, never a quiet widening of trust. `allowed` comes from the policy only.
 */
export function checkRepoNpmrc(files: readonly RepoNpmrc[], allowed: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    const settings = untrustedSettings(f.config, allowed);
    const unknown = settings.filter((s) => s.kind === 'unknown-registry');
    if (unknown.length > 0)
      out.push(
        unknownRegistryFinding(
          f.path,
          unknown.map((s) => ({ key: s.key, line: lineOfKey(f.text, s.key), variables: s.value.split(', ') })),
        ),
      );
    for (const s of settings) {
      if (s.kind === 'unknown-registry') continue;
      const own = f.keys?.[s.key];
      const line = own ? own.line : lineOfKey(f.text, s.key);
      const key = own?.key ?? s.key;
      const base = f.path.slice(f.path.lastIndexOf('/') + 1);
      out.push({
        ruleId: s.kind === 'registry' ? 'CPD134' : 'CPD135',
        message:
          s.kind === 'registry'
            ? `${f.path}${line !== undefined ? `:${line}` : ''} sets ${key} to ${s.value}, which the policy does not allow. A repository's ${base} cannot widen the allowed registries: add it to dependencies.allowedRegistries in the policy if you trust it, or remove the line.`
            : `${f.path}${line !== undefined ? `:${line}` : ''} sets ${key} (${s.value}): the repository brings its own TLS trust. The scan ignores it; remove the line, or configure the CA in your own ~/.npmrc outside the repository.`,
        location: { path: f.path, ...(line !== undefined ? { line } : {}) },
        artifact: { kind: 'file', path: f.path },
        evidence: { key, value: s.value },
      });
    }
  }
  return out;
}
