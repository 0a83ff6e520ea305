import type { Finding } from '../../../../core/finding.js';
import { normalizePrefix } from '../../../checks/context.js';
import type { IndexSettings } from '../config-indexes.js';
import type { PythonCheckPolicy } from './context.js';
import { isAllowedIndex } from './context.js';
import { pyFileFinding } from './finding.js';
import { carriesUrlCredentials } from '../../../checks/credentials.js';
import { hostOf, indexCredentialsFinding } from './indexes.js';
import { isPlainHttp } from './plain-http.js';

const WEB_URL = /^https?:\/\//i;

/**
 * The indexes a configuration file in the repository gives pip / uv / Poetry / PDM (pip.conf, uv.toml, pyproject.toml)
 * apply to every install that reads it, with or without a lockfile: one CPP070 per file and host the policy does not
 * allow, one CPP013 per plain-http location, one CPP071 per host exempted from TLS checks. A host some lockfile
 * already locks packages from (its own CPP070, in `lockedHosts`) is that finding's cause and not repeated. A pip
 * extra index (CPP012) is reported whether the policy allows it or not: allowed or not, pip merges it with PyPI.
 * Credentials written into an index URL (user info, path token, secret query) are one CPP093 per file, as in a
 * requirements file: pip's `Configuration`, uv and Poetry send the URL as the file spells it.
 */
export function checkIndexSettings(
  s: IndexSettings,
  policy: PythonCheckPolicy,
  lockedHosts: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  const byHost = new Map<string, { line: number; keys: string[]; urls: string[] }>();
  for (const ix of s.indexes) {
    if (!WEB_URL.test(ix.value)) continue;
    if (isPlainHttp(ix.value)) {
      out.push(
        pyFileFinding(
          'CPP013',
          s.file,
          ix.line,
          `${s.file}:${ix.line} sets ${ix.key} to ${hostOf(ix.value)} over plain http: anything on the network path can replace what ${s.tool} downloads from it. Use https.`,
          { host: hostOf(ix.value), setting: ix.key },
        ),
      );
    }
    if (isAllowedIndex(ix.value, policy.allowedIndexes)) continue;
    const host = hostOf(ix.value);
    const g = byHost.get(host) ?? { line: ix.line, keys: [], urls: [] };
    if (!g.keys.includes(ix.key)) g.keys.push(ix.key);
    if (!g.urls.includes(ix.value)) g.urls.push(ix.value);
    byHost.set(host, g);
  }
  for (const [host, g] of byHost) {
    if (lockedHosts.has(host)) continue;
    out.push(
      pyFileFinding(
        'CPP070',
        s.file,
        g.line,
        `${s.file}:${g.line} configures ${s.tool} to download from ${host} (${g.keys.join(', ')}), an index the policy does not allow: every install that reads this file may take packages from it. A file in the repository cannot widen the allowed indexes: add it to dependencies.python.indexes in the policy if it is yours, or remove the setting.`,
        // Shown without user information or query: an index URL carries its token in either, by any parameter name.
        { host, urls: g.urls.slice(0, 10).map(withoutCredentials).join(' '), settings: g.keys.join(' ') },
      ),
    );
  }
  out.push(...pipExtraIndexes(s));
  // A `$` is a variable the shell or the CI runner substitutes (`$TOKEN`, `${TOKEN}`, `${{ secrets.T }}`) in a
  // Dockerfile, workflow or script; in pip.conf and TOML, which expand nothing, it is no working secret either.
  const secretLines = s.indexes.filter(
    (ix) => WEB_URL.test(ix.value) && !ix.value.includes('$') && carriesUrlCredentials(ix.value),
  );
  const lines = [...secretLines.map((ix) => ix.line), ...(s.credentialLines ?? [])];
  if (lines.length > 0) out.push(indexCredentialsFinding(s.file, lines));
  for (const h of s.insecureHosts) {
    out.push(
      pyFileFinding(
        'CPP071',
        s.file,
        h.line,
        `${s.file}:${h.line} tells ${s.tool} not to verify TLS for ${h.value} (${h.key}): anything on the network path can serve the packages it downloads from there. Remove it and use https with a valid certificate.`,
        { host: h.value },
      ),
    );
  }
  return out;
}

/**
 * CPP012 for pip's extra indexes a file sets (`PIP_EXTRA_INDEX_URL`, `pip install --extra-index-url`, pip.conf
 * `extra-index-url`), as for the same option in a requirements file: pip's `PackageFinder.find_all_candidates` asks
 * every URL of `SearchScope.index_urls` (`[index_url] + extra_index_urls`) for each name and `find_best_candidate`
 * takes the highest version any of them serves, so a name published on PyPI replaces the private package. uv's
 * extra indexes under an unsafe `index-strategy` are the same (uv-resolver's `IndexStrategy::UnsafeFirstMatch` /
 * `UnsafeBestMatch` ask every index for every name). One finding per file and URL, at its first line, with the
 * number of settings.
 */
function pipExtraIndexes(s: IndexSettings): Finding[] {
  type Group = { url: string; line: number; keys: string[]; count: number; uvUnsafe?: string };
  const byUrl = new Map<string, Group>();
  for (const ix of s.indexes) {
    if ((ix.pipExtra !== true && ix.uvUnsafe === undefined) || !WEB_URL.test(ix.value)) continue;
    const key = `${ix.uvUnsafe !== undefined ? 'uv' : 'pip'}\0${normalizePrefix(ix.value)}`;
    const g: Group = byUrl.get(key) ?? {
      url: withoutCredentials(ix.value),
      line: ix.line,
      keys: [],
      count: 0,
      ...(ix.uvUnsafe !== undefined ? { uvUnsafe: ix.uvUnsafe } : {}),
    };
    if (!g.keys.includes(ix.key)) g.keys.push(ix.key);
    g.count++;
    byUrl.set(key, g);
  }
  return [...byUrl.values()].map(({ url, uvUnsafe, ...g }) =>
    pyFileFinding(
      'CPP012',
      s.file,
      g.line,
      uvUnsafe === undefined && s.tool === 'pipenv'
        ? `${s.file}:${g.line}: ${g.keys.join(', ')} adds ${url} beside the Pipfile's first source under install_search_all_sources, so pipenv has pip search every source for every package and install the highest version of each name from whichever has it; a name registered on the public index can take over (dependency confusion). Drop install_search_all_sources and give each private package its source (index = "…"), or serve everything through one index.`
        : uvUnsafe === undefined
          ? `${s.file}:${g.line}: ${g.keys.join(', ')} adds ${url} beside pip's main index; pip installs the highest version of each name from whichever index has it, so a name registered on the public index can take over (dependency confusion) in every pip install this file runs. Serve everything through one index (an index URL only).`
          : `${s.file}:${g.line}: ${g.keys.join(', ')} adds ${url} beside uv's default index under index-strategy ${uvUnsafe}, which asks every index for every name; a name registered on the public index can take over (dependency confusion). Drop the unsafe index-strategy (uv's default first-index takes each name from the first index that has it), or serve everything through one index.`,
      {
        url,
        host: hostOf(url),
        settings: g.keys.join(' '),
        count: g.count,
        ...(uvUnsafe ? { strategy: uvUnsafe } : {}),
      },
    ),
  );
}

/** The URL shown: scheme, host and path, without the user information or query that may hold a token. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return hostOf(url);
  }
}
