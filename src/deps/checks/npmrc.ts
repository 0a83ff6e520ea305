import type { Finding } from '../../core/finding.js';
import { lineOfKey, untrustedSettings } from '../npmrc-trust.js';
import type { NpmrcConfig } from '../npmrc.js';
import { unknownRegistryFinding } from './unknown-registry.js';

export interface RepoNpmrc {
  /** Repo-relative path. */
  readonly path: string;
  readonly text: string;
  readonly config: NpmrcConfig;
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
      const line = lineOfKey(f.text, s.key);
      out.push({
        ruleId: s.kind === 'registry' ? 'CPD134' : 'CPD135',
        message:
          s.kind === 'registry'
            ? `${f.path}${line !== undefined ? `:${line}` : ''} sets ${s.key} to ${s.value}, which the policy does not allow. A repository's .npmrc cannot widen the allowed registries: add it to dependencies.allowedRegistries in the policy if you trust it, or remove the line.`
            : `${f.path}${line !== undefined ? `:${line}` : ''} sets ${s.key} (${s.value}): the repository brings its own TLS trust. The scan ignores it; remove the line, or configure the CA in your own ~/.npmrc outside the repository.`,
        location: { path: f.path, ...(line !== undefined ? { line } : {}) },
        artifact: { kind: 'file', path: f.path },
        evidence: { key: s.key, value: s.value },
      });
    }
  }
  return out;
}
