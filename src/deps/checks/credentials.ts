import type { Finding } from '../../core/finding.js';
import type { DependencyGraph, PackageNode } from '../../core/records.js';
import { hostOf } from '../source.js';
import { redactUrls } from './finding.js';

/**
 * The userinfo of a URL when it carries a secret: a password (`user:secret@`, not a `${VAR}` placeholder), or a
 * bare user on an http(s) URL (a token used as the user name, as GitHub and GitLab accept). `git+ssh://git@host`
 * and other ssh users are no secret. Undefined when there is none.
 */
function secretUserinfo(url: string): string | undefined {
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
 * CPD163: lockfile URLs that carry credentials (`https://user:token@registry/…`). npm, yarn 1 and Bun write the
 * URL they resolved, userinfo included, when the registry was configured with it (`registry=https://user:pass@…`),
 * and send it back at install; committed, the secret is readable by everyone with the repository. One cause per
 * lockfile: one finding with the count, every package and the hosts, the secrets themselves never shown.
 */
export function checkLockfileCredentials(graph: DependencyGraph): Finding[] {
  const hits: PackageNode[] = [];
  for (const node of graph.packages) {
    if (node.resolved !== undefined && node.resolved.includes('@') && secretUserinfo(node.resolved) !== undefined)
      hits.push(node);
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
