import type { Finding } from '../../core/finding.js';
import { lineOfKey, untrustedSettings } from '../npmrc-trust.js';
import type { NpmrcConfig } from '../npmrc.js';
import { unknownRegistryFinding } from './unknown-registry.js';
import { carriesUrlCredentials, committedCredentialsFinding } from './credentials.js';

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
  /** A file that keeps no credential values (bunfig.toml): where one is written out, for CPD168. */
  readonly credentials?: readonly { readonly key: string; readonly line: number | undefined }[];
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

/** npm's credential fields (@npmcli/config `nerfDart` keys and the legacy top-level ones): secrets as values. */
const SECRET_FIELDS = ['_authToken', '_auth', '_password'];

/**
 * CPD168: credentials written into a repository `.npmrc` (or bunfig.toml, read as one): a `_authToken`, `_auth` or
 * `_password` whose value is text rather than `${VAR}` npm expands (`written` holds every key expansion touched), and
 * a registry URL with a password, a path token or a secret query parameter in it. One finding per file: keys and
 * lines, never a value.
 */
export function committedCredentials(f: RepoNpmrc): Finding | undefined {
  if (f.credentials !== undefined)
    return f.credentials.length > 0
      ? committedCredentialsFinding(f.path, f.credentials, 'take the value from a variable (`token = "$NPM_TOKEN"`)')
      : undefined;
  const { raw, written } = f.config;
  const keys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    // A value npm's env-replace changed or left unexpanded came from a variable, not from the file.
    if (value === '' || written[key] !== undefined) continue;
    const field = key.slice(key.lastIndexOf(':') + 1);
    const secret =
      (SECRET_FIELDS.includes(field) && (key === field || key.startsWith('//'))) ||
      (isRegistryValueKey(key) && carriesUrlCredentials(value));
    if (secret) keys.push(key);
  }
  if (keys.length === 0) return undefined;
  const where = keys.map((key) => {
    const own = f.keys?.[key];
    return { key: own?.key ?? key, line: own ? own.line : lineOfKey(f.text, key) };
  });
  return committedCredentialsFinding(
    f.path,
    where,
    "take the value from a variable (`//host/:_authToken=${NPM_TOKEN}`) or the user's ~/.npmrc",
  );
}

/** `registry`, `@scope:registry`, or a bunfig URL read as one: the keys whose values are registry URLs. */
function isRegistryValueKey(key: string): boolean {
  return key === 'registry' || key.endsWith(':registry');
}
