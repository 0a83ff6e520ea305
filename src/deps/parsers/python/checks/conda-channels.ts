import { isScalar, isSeq } from 'yaml';
import type { Finding } from '../../../../core/finding.js';
import type { EnvironmentYaml } from '../conda-environments.js';
import { isAllowedIndex } from './context.js';
import type { PythonCheckPolicy } from './context.js';
import { pyFileFinding } from './finding.js';
import { hostOf, indexCredentialsFinding } from './indexes.js';
import { isPlainHttp } from './plain-http.js';

/**
 * Anaconda's own hosts: a channel given by name (`conda-forge`, `pytorch`, `defaults`) is one of them (conda's
 * `channel_alias` https://conda.anaconda.org, `default_channels` on repo.anaconda.com), so one written as their URL
 * is the same place.
 */
const ANACONDA_HOSTS = new Set(['conda.anaconda.org', 'repo.anaconda.com', 'anaconda.org', 'repo.continuum.io']);

/**
 * An anaconda.org-style token in a channel's path (`/t/<token>`, then `/` or the end: conda common/url.py
 * `_ANACONDA_TOKEN_RE` needs nothing after it). Wider than conda's `[a-zA-Z0-9-]*`, so nothing token-like is shown.
 */
const ANACONDA_TOKEN = /\/t\/[^/?#]+(?=[/?#]|$)/;
/**
 * Where conda takes channel credentials from instead: `conda token set` / `anaconda login` store a token per
 * channel, and .condarc `channels` / `custom_channels` expand `${VAR}` from the environment (conda's config reader).
 */
const CONDA_CREDENTIALS =
  "keep them on the runner: `conda token set` or `anaconda login`, or a `${VAR}` in the runner's .condarc channels";
/** User info in a URL (`https://TOKEN@host/…`, `user:password@`): requests sends either as Basic credentials. */
const USER_INFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/**
 * What the `channels:` of a conda environment file let in: conda searches them in order for every conda package of
 * the environment (strict channel priority takes each name from the first channel that has it), so a channel on a
 * host the policy does not allow serves the environment's numpy and python as much as its own packages: CPP070, one
 * per host, at its first line; over plain http CPP013. A token in the channel's path (`/t/<token>/`, conda
 * common/url.py `split_anaconda_token`) or user info is a committed credential (CPP093). Named channels are
 * Anaconda's; a file that does not parse gives none (its `pip:` list reports that).
 */
export function condaChannelFindings(
  path: string,
  environment: EnvironmentYaml | undefined,
  policy: PythonCheckPolicy,
): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const secrets: number[] = [];
  for (const { line, url: written, pkg } of channelUrls(environment)) {
    if (ANACONDA_TOKEN.test(written) || USER_INFO.test(written)) secrets.push(line);
    // Shown without its path token (user info is redacted with every finding's URLs).
    const url = written.replace(ANACONDA_TOKEN, '/t/***');
    const host = hostOf(url);
    if (isPlainHttp(url)) {
      out.push(
        pyFileFinding(
          'CPP013',
          path,
          line,
          `${path}:${line}: conda channel ${url} uses plain http; anything on the network path can replace the packages conda installs from it. Use https.`,
          { url, channel: url },
        ),
      );
    }
    if (ANACONDA_HOSTS.has(host) || isAllowedIndex(url, policy.allowedIndexes) || seen.has(host)) continue;
    seen.add(host);
    out.push(
      pyFileFinding(
        'CPP070',
        path,
        line,
        pkg === undefined
          ? `${path}:${line}: conda channel ${url} on ${host}, a host the policy does not allow: conda searches its channels in order for every package of this environment, so it may serve any of them, not only its own. Use Anaconda's channels (conda-forge, defaults) or add the channel to dependencies.python.indexes in the policy if it is yours.`
          : `${path}:${line}: ${pkg} is installed from conda channel ${url} on ${host}, a host the policy does not allow (\`channel::name\` takes it from there whatever \`channels:\` says). Install it from Anaconda's channels (conda-forge, defaults) or add the channel to dependencies.python.indexes in the policy if it is yours.`,
        { host, url, channel: url, ...(pkg === undefined ? {} : { package: pkg }) },
      ),
    );
  }
  if (secrets.length > 0) out.push(indexCredentialsFinding(path, secrets, CONDA_CREDENTIALS));
  return out;
}

/**
 * The URL channels of the file, each at its line: the top-level `channels:` list, and the channel a `dependencies:`
 * spec names for itself (conda models/match_spec.py `_parse_spec_str`: `https://host/chan::numpy` splits the channel
 * off at `::`, and `numpy[channel=https://host/chan]` gives it as a key; conda takes that package from there). A
 * name is no URL.
 */
function channelUrls(environment: EnvironmentYaml | undefined): { line: number; url: string; pkg?: string }[] {
  if (environment === undefined) return [];
  const { root, lineCounter } = environment;
  const out: { line: number; url: string; pkg?: string }[] = [];
  const scalars = (key: string) => {
    const list = root.get(key, true);
    return (isSeq(list) ? list.items : []).flatMap((item) =>
      isScalar(item) && typeof item.value === 'string' && item.range
        ? [{ line: lineCounter.linePos(item.range[0]).line, value: item.value.trim() }]
        : [],
    );
  };
  for (const { line, value } of scalars('channels')) if (/^https?:\/\//i.test(value)) out.push({ line, url: value });
  for (const { line, value } of scalars('dependencies')) {
    const named = /^(https?:\/\/.+)::([^:\s]+)/i.exec(value);
    const keyed = /^([^\s[]+).*\[[^\]]*\bchannel\s*=\s*["']?(https?:\/\/[^\s,"'\]]+)/i.exec(value);
    if (named) out.push({ line, url: named[1]!, pkg: named[2]!.split(/[\s=<>!~[]/)[0]! });
    else if (keyed) out.push({ line, url: keyed[2]!, pkg: keyed[1]! });
  }
  return out;
}
