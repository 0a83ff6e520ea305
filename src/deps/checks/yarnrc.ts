import type { Finding } from '../../core/finding.js';
import { isAllowed } from '../npmrc-trust.js';
import type { YarnrcConfig, YarnrcSetting } from '../yarnrc.js';
import { unknownRegistryFinding } from './unknown-registry.js';
import { committedCredentialsFinding } from './credentials.js';

/** A repository `.yarnrc.yml` as the deps stage read it: its settings, or why it could not be read. */
export type RepoYarnrc =
  | { readonly kind: 'ok'; readonly path: string; readonly config: YarnrcConfig }
  | {
      readonly kind: 'unreadable';
      readonly path: string;
      readonly reason: string;
      readonly line?: number;
      /** Over the size limit: the deps stage's CPD169 says that once, not again as CPD153. */
      readonly tooLarge?: true;
    };

/**
 * The scanned tree is untrusted configuration, for yarn as for npm (checks/npmrc.ts): a repository `.yarnrc.yml`
 * that points yarn at a registry the policy does not allow (CPD150), brings its own CA or turns strict SSL off
 * (CPD151), or allows plain HTTP to a host (CPD152) is reported. A file that could not be read is CPD153: its
 * settings are unknown, never assumed harmless. `allowed` comes from the policy only.
 */
export function checkRepoYarnrc(files: readonly RepoYarnrc[], allowed: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const f of files) {
    if (f.kind === 'unreadable') {
      if (f.tooLarge === true) continue;
      out.push({
        ruleId: 'CPD153',
        message: `${at(f.path, f.line)} could not be read as yarn configuration: ${f.reason}. Its registries, TLS settings and enableScripts were not checked (install scripts are assumed to run); fix the file so that yarn reads it.`,
        location: { path: f.path, ...(f.line !== undefined ? { line: f.line } : {}) },
        artifact: { kind: 'file', path: f.path },
        evidence: { reason: f.reason.slice(0, 300) },
      });
      continue;
    }
    const unknown = f.config.settings.filter((s) => s.unresolved !== undefined);
    if (unknown.length > 0)
      out.push(
        unknownRegistryFinding(
          f.path,
          unknown.map((s) => ({ key: s.key, line: s.line, variables: s.unresolved ?? [] })),
        ),
      );
    for (const s of f.config.settings) {
      // Chosen by the environment where yarn runs: CPD164 above, not judged by its unexpanded text.
      if (s.unresolved !== undefined) continue;
      if (s.kind === 'registry' && isAllowed(s.target ?? s.value, allowed)) continue;
      out.push({
        ruleId: RULE[s.kind],
        message: messageOf(f.path, s),
        location: { path: f.path, line: s.line },
        artifact: { kind: 'file', path: f.path },
        evidence: { key: s.key, value: s.value },
      });
    }
  }
  return out;
}

const RULE = { registry: 'CPD150', certificate: 'CPD151', 'plain-http': 'CPD152', checksum: 'CPD155' } as const;

function messageOf(path: string, s: YarnrcSetting): string {
  const where = at(path, s.line);
  switch (s.kind) {
    case 'registry':
      return `${where} sets ${s.key} to ${s.value}, which the policy does not allow: yarn would install${s.scope !== undefined ? ` ${s.scope} packages` : ''} from there. A repository's .yarnrc.yml cannot widen the allowed registries: add it to dependencies.allowedRegistries in the policy if you trust it, or remove the setting.`;
    case 'certificate':
      return s.key === 'enableStrictSsl'
        ? `${where} sets enableStrictSsl: false: yarn would accept any certificate for its downloads, so whoever is on the network path can serve other packages. Remove the setting; configure a corporate CA in your own ~/.yarnrc.yml outside the repository instead.`
        : `${where} sets ${s.key} (${s.value}): the repository brings its own TLS trust for yarn's downloads. Remove the setting, or configure the CA in your own ~/.yarnrc.yml outside the repository.`;
    case 'plain-http':
      return `${where} lists ${s.value} in unsafeHttpWhitelist: yarn may download from it over plain HTTP, which anyone on the path can tamper with. Serve it over HTTPS and remove the entry.`;
    case 'checksum':
      return `${where} sets checksumBehavior: ${s.value}: yarn would install packages whose archive does not match the checksum in yarn.lock. Remove the setting (the default, throw, refuses a mismatch).`;
  }
}

function at(path: string, line: number | undefined): string {
  return line !== undefined ? `${path}:${line}` : path;
}

/** CPD168 for a `.yarnrc.yml`'s written-out credentials (`YarnrcConfig.credentials`), undefined when it has none. */
export function yarnrcCredentials(path: string, config: YarnrcConfig): Finding | undefined {
  return config.credentials === undefined
    ? undefined
    : committedCredentialsFinding(
        path,
        config.credentials,
        'take the value from a variable (`npmAuthToken: "${NPM_TOKEN}"`) or the user\'s ~/.yarnrc.yml',
      );
}
