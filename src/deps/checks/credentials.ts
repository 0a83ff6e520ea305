import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { isSecretParameterName } from '../../core/redact-userinfo.js';
import { hostOf } from '../source.js';
import { redactUrls } from './finding.js';

/**
 * The userinfo of a URL when it carries a secret: a password (`user:secret@`, not a `${VAR}` placeholder), or a
 * bare user on an http(s) URL (a token used as the user name, as GitHub and GitLab accept). `git+ssh://git@host`
 * and other ssh users are no secret. Undefined when there is none.
 */
export function secretUserinfo(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/@\s]+)@/i.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  const userinfo = m[2]!;
  const colon = userinfo.indexOf(':');
  if (colon >= 0) {
    const password = userinfo.slice(colon + 1);
    return password === '' || /^\$\{[^}]+\}$/.test(password) ? undefined : userinfo;
  }
  if (!/^(git\+)?https?$/.test(scheme) || userinfo === 'git' || /^\$\{[^}]+\}$/.test(userinfo)) return undefined;
  return userinfo;
}

/**
 * Whether a URL carries a registry token as a path segment (core/redact-userinfo.ts `redactPathTokens` names the
 * hosts): Cloudsmith's `dl.cloudsmith.io/<token>/…` (not `public`, `basic`), anaconda.org's `/t/<token>/`, and
 * Gemfury's private URLs `…fury.io/<token>/<account>/`, told from its public ones (`…fury.io/<account>/`) by the
 * segment more: before the package's name in a tarball URL (`name`: `…/<name>/-/<file>`), in all of a registry's.
 */
export function holdsPathToken(url: string, name?: string): boolean {
  if (!url.includes('.io/') && !url.includes('.org/t/')) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  const segments = (path: string) => path.split('/').filter((s) => s !== '');
  const all = segments(u.pathname);
  if (host === 'dl.cloudsmith.io') return all.length > 1 && !['public', 'basic'].includes(all[0]!);
  if (host === 'anaconda.org' || host.endsWith('.anaconda.org')) return all[0] === 't' && all.length > 1;
  if (!host.endsWith('.fury.io')) return false;
  if (name === undefined) return all.length >= 2;
  const at = u.pathname.indexOf(`/${name}/-/`);
  return at > 0 && segments(u.pathname.slice(1, at)).length >= 2;
}

/**
 * Whether a URL's query holds a secret: a parameter whose name reports mask as one (core/redact-userinfo.ts
 * isSecretParameterName: `token`, `access_token`, `X-Amz-Credential`, `sig`, …) with a value that is not a `${VAR}`
 * placeholder. A query is part of the URL npm fetches (pacote RemoteFetcher, npm-registry-fetch), so a tarball link
 * with `?token=` or a presigned one works for anyone who reads it, as a password in its user info does.
 */
export function holdsSecretQuery(url: string): boolean {
  const q = url.indexOf('?');
  if (q < 0) return false;
  const hash = url.indexOf('#', q);
  // URLSearchParams decodes `%74oken` and `+` as the server reads them.
  for (const [name, value] of new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash))) {
    if (value !== '' && !/^\$\{[^}]+\}$/.test(value) && isSecretParameterName(name)) return true;
  }
  return false;
}

/**
 * Whether a URL carries credentials: a secret user info, a token in its path or in its query. The one test every
 * committed-URL check (lockfiles, .npmrc, bunfig.toml, .yarnrc.yml, Python index URLs) applies; `name` is the
 * package a tarball URL is of (holdsPathToken).
 */
export function carriesUrlCredentials(url: string, name?: string): boolean {
  return (url.includes('@') && secretUserinfo(url) !== undefined) || holdsPathToken(url, name) || holdsSecretQuery(url);
}

/** Whether a package's resolved URL carries credentials (carriesUrlCredentials). */
function carriesCredentials(node: PackageNode): boolean {
  return node.resolved !== undefined && carriesUrlCredentials(node.resolved, node.name);
}

/**
 * CPD163: lockfile URLs that carry credentials (`https://user:token@registry/…`, a token in the path as Gemfury
 * and Cloudsmith take it, or in the query: `?token=…`, a presigned URL's signature). npm, yarn 1 and Bun write the URL they resolved, user info and path included, when the
 * registry was configured with it (`registry=https://user:pass@…`), and send it back at install; committed, the
 * secret is readable by everyone with the repository. One cause per lockfile: one finding with the count, every
 * package and the hosts, the secrets themselves never shown.
 */
export function checkLockfileCredentials(graph: DependencyGraph): Finding[] {
  const hits: PackageNode[] = [];
  for (const node of graph.packages) {
    if (carriesCredentials(node)) hits.push(node);
  }
  const first = hits[0];
  if (first === undefined) return [];
  const hosts = [...new Set(hits.map((n) => hostOf(n.resolved ?? '') ?? '?'))].sort();
  const names = hits.map((n) => `${n.name}@${n.version}`);
  return [
    {
      ruleId: 'CPD163',
      message: redactUrls(
        `${graph.lockfile} records credentials in the resolved URL of ${hits.length} package${hits.length === 1 ? '' : 's'} (${names.slice(0, 10).join(', ')}${hits.length > 10 ? ', …' : ''}) on ${hosts.join(', ')}: anyone who can read the repository has them. Revoke them, move them to the user's .npmrc (\`//host/:_authToken=\${TOKEN}\`) and regenerate the lockfile without them.`,
      ),
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: { count: hits.length, hosts: hosts.join(', '), packages: names.join(', ').slice(0, 1000) },
      ...(hits.length > 1 ? { related: hits.slice(1, 1000).map((n) => ({ path: graph.lockfile, line: n.line })) } : {}),
    },
  ];
}

/**
 * CPD168: credentials written into a repository's package-manager configuration (`.npmrc`, `.yarnrc.yml`), one
 * finding per file: the keys and their lines, never a value. `fix` says where the value belongs instead.
 */
export function committedCredentialsFinding(
  path: string,
  where: readonly { readonly key: string; readonly line: number | undefined }[],
  fix: string,
): Finding {
  // In the file's order (a key without a line last, then by name): what a reader goes through.
  where = [...where].sort(
    (a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const lines = where.map((w) => w.line).filter((l): l is number => l !== undefined);
  const first = lines.length > 0 ? Math.min(...lines) : undefined;
  const listed = where.map((w) => (w.line !== undefined ? `${w.key} (line ${w.line})` : w.key)).join(', ');
  return {
    ruleId: 'CPD168',
    message: `${path} holds registry credentials written into it: ${listed}. Anyone who can read the repository can use them. Revoke them and ${fix}.`,
    location: { path, ...(first !== undefined ? { line: first } : {}) },
    artifact: { kind: 'file', path },
    evidence: { keys: where.map((w) => w.key).join(', '), count: where.length },
  };
}
