import type { Finding } from '../../../../core/finding.js';
import { isUnder, normalizePrefix } from '../../../checks/context.js';
import type { PythonLock } from '../types.js';
import type { PythonCheckPolicy } from './context.js';
import { PYPI_INDEXES, isAllowedIndex } from './context.js';
import { pyFileFinding } from './finding.js';
import { carriesUrlCredentials } from '../../../checks/credentials.js';
import { isDockerfile } from '../../../python-inputs.js';

const WEB_URL = /^https?:\/\//i;
const WEB_OR_GIT_URL = /^(?:git\+)?https?:\/\//i;
/** Where PyPI's simple index links its files (`https://files.pythonhosted.org/packages/…`). */
const PYPI_FILES_HOST = 'files.pythonhosted.org';

/**
 * The scanned tree is untrusted configuration (as a repository `.npmrc` is for npm, CPD134/CPD135): an index it
 * names that the policy does not allow is CPP070, a host it exempts from TLS checks CPP071, and a locked file URL
 * away from its index CPP072. One finding per cause: per file and index host (or file host), with the count.
 */
export function checkIndexTrust(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  return [
    ...untrustedIndexes(lock, policy),
    ...tlsExemptions(lock),
    ...filesOffIndex(lock, policy),
    ...committedIndexCredentials(lock),
  ];
}

/**
 * CPP093: index credentials written into the file: a password in a URL's user info (pip's `MultiDomainBasicAuth`
 * takes `user:password@` from the URL itself) that is not a `${VAR}` pip expands, a bare user on an http(s) URL (a
 * token used as the user name, as GitHub and GitLab take it: `git+https://<token>@github.com/…`; `git@` is no
 * secret), as CPD163 reads lockfile URLs; a path token (Gemfury, Cloudsmith, anaconda.org); or a secret query
 * parameter (`?private_token=`, a presigned `X-Amz-Credential`): pip's SearchScope `get_index_urls_locations` joins
 * the project onto the index URL, query and all, and `LinkCollector` fetches `--find-links` pages as written, so the
 * query reaches the server with every request. Index options, requirement and lockfile URLs alike. One finding per
 * file, its lines, never the values.
 */
function committedIndexCredentials(lock: PythonLock): Finding[] {
  const byFile = new Map<string, Set<number>>();
  const add = (file: string, line: number, url: string | undefined) => {
    if (url === undefined || !WEB_OR_GIT_URL.test(url)) return;
    if (!carriesUrlCredentials(url)) return;
    const lines = byFile.get(file) ?? new Set<number>();
    lines.add(line);
    byFile.set(file, lines);
  };
  for (const opt of lock.indexes) if (opt.kind !== 'no-index') add(opt.file, opt.line, opt.url);
  for (const p of lock.packages) {
    add(p.file, p.line, p.url);
    for (const d of p.distributions) add(p.file, p.line, d.url);
  }
  return [...byFile].map(([file, set]) => indexCredentialsFinding(file, set));
}

/**
 * The one CPP093 of a file whose index URLs at `at` (its lines) carry credentials (carriesUrlCredentials); `advice`
 * for a tool credentialsAdvice cannot tell by the file's name (a conda environment file's channels).
 */
export function indexCredentialsFinding(
  file: string,
  at: Iterable<number>,
  advice: string = credentialsAdvice(file),
): Finding {
  const lines = [...new Set(at)].sort((a, b) => a - b);
  const shown = lines.slice(0, 10).join(', ') + (lines.length > 10 ? ', …' : '');
  return pyFileFinding(
    'CPP093',
    file,
    lines[0],
    `${file} holds index credentials written into it (line${lines.length === 1 ? '' : 's'} ${shown}): anyone who can read the repository can use them. Revoke them and ${advice}.`,
    { count: lines.length, lines: lines.join(' ') },
  );
}

/**
 * Where the tool that reads `file` takes index credentials from instead: pip expands `${VAR}` in a requirements
 * file (req_file `expand_env_variables`) and pipenv in a Pipfile source, PDM in a source URL; pip's configuration
 * files expand nothing; uv reads `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` and never writes them into uv.lock,
 * Poetry `POETRY_HTTP_BASIC_<SOURCE>_USERNAME` / `_PASSWORD` (or `poetry config http-basic.<source>`).
 */
function credentialsAdvice(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1).toLowerCase();
  const uv = 'give them to uv from the runner as UV_INDEX_<NAME>_USERNAME and UV_INDEX_<NAME>_PASSWORD';
  const poetry = 'give them to Poetry from the runner as POETRY_HTTP_BASIC_<SOURCE>_USERNAME and _PASSWORD';
  if (base === 'uv.lock' || base === 'uv.toml') return uv;
  if (base === 'poetry.lock' || base === 'poetry.toml') return poetry;
  if (base === 'pdm.lock' || base === 'pdm.toml')
    return 'write them as variables PDM expands in the source URL (`${INDEX_USER}`, `${INDEX_PASSWORD}`)';
  if (base === 'pipfile' || base === 'pipfile.lock')
    return 'write them as variables pipenv expands in the Pipfile source URL (`${PIP_USER}`, `${PIP_TOKEN}`)';
  if (base === 'pyproject.toml')
    return `${uv} (uv), as POETRY_HTTP_BASIC_<SOURCE>_USERNAME and _PASSWORD (Poetry), or as \`\${VAR}\` in the URL (PDM)`;
  // A Dockerfile's ENV / ARG values stay in the image and its history; a workflow's are in the repository.
  if (isDockerfile(file))
    return 'pass them to the build as a secret (`RUN --mount=type=secret,id=…,env=UV_INDEX_<NAME>_PASSWORD`), never as ENV or ARG, which the image keeps';
  if (/(^|\/)\.github\/workflows\/|(^|\/)\.gitlab-ci\.ya?ml$/.test(file))
    return "take them from the CI's secrets (`${{ secrets.INDEX_TOKEN }}`, a masked CI/CD variable)";
  if (/^pip\.(conf|ini)$/.test(base))
    return "keep them in the runner's environment (PIP_INDEX_URL from a secret), keyring or ~/.netrc: pip expands no variable in its configuration files";
  return "write the user name and password as variables pip expands (`${PIP_USER}`, `${PIP_TOKEN}`), or keep them in the runner's pip configuration";
}

interface Group {
  readonly line: number;
  readonly urls: Set<string>;
  readonly packages: string[];
  /** The packages are known to be those the index serves (none is none, not "every index requirement"). */
  counted?: boolean;
}

function addTo(groups: Map<string, Group>, key: string, line: number, url: string, pkgs?: readonly string[]): void {
  const g = groups.get(key) ?? { line, urls: new Set<string>(), packages: [] };
  g.urls.add(url);
  if (pkgs !== undefined) {
    g.packages.push(...pkgs);
    g.counted = true;
  }
  groups.set(key, g);
}

/**
 * CPP070. requirements files and Pipfile.lock name their indexes as options (pip's `--index-url`,
 * `--extra-index-url`, `--find-links`; pipenv's `_meta.sources`, each passed to pip as one of those); uv.lock,
 * poetry.lock and pylock.toml record the index per package, and uv installs from the URLs it locked.
 */
function untrustedIndexes(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  // `https://pypi.org/simple` is the index `https://pypi.org/simple/`: compare both with a trailing slash.
  const allowed = (url: string) => isAllowedIndex(url, policy.allowedIndexes);
  const groups = new Map<string, Group>();
  // pip's `--no-index` ignores every index URL (only find-links are read: `PackageFinder` gets no index_urls).
  const noIndex = lock.indexes.some((o) => o.kind === 'no-index');
  const fromIndex = lock.packages.filter((p) => p.source === 'index' && p.constraint !== true);
  // pipenv's `batch_install` (unless the Pipfile sets install_search_all_sources) installs a package from the source
  // its lock entry names, else the first: a source serves those packages only.
  const perSource = lock.kind === 'pipenv' && lock.searchAllSources !== true;
  const served = (url: string) =>
    fromIndex.filter((p) => (p.url ?? lock.indexes[0]?.url) === url).map((p) => p.displayName);
  for (const opt of lock.indexes) {
    if (opt.kind === 'no-index' || (noIndex && opt.kind !== 'find-links')) continue;
    // A host an environment variable supplies is CPP079's: it is not this host, nor any the policy could allow.
    if (opt.fromEnvironment === true) continue;
    if (!WEB_URL.test(opt.url) || allowed(opt.url)) continue;
    const key = `${opt.file}\0${hostOf(opt.url)}`;
    addTo(groups, key, opt.line, `--${opt.kind} ${opt.url}`, perSource ? served(opt.url) : undefined);
  }
  if (lock.indexes.length === 0) {
    for (const p of fromIndex) {
      if (p.url === undefined || !WEB_URL.test(p.url) || allowed(p.url)) continue;
      // A poetry.lock package installs from the pyproject.toml source of its name (`poetry-pool.ts`): say where.
      const url = p.indexFrom !== undefined ? `${p.url} (source "${p.indexName ?? ''}" of ${p.indexFrom})` : p.url;
      addTo(groups, `${p.file}\0${hostOf(p.url)}`, p.line, url, [p.displayName]);
    }
  }
  return [...groups.entries()].map(([key, g]) => {
    const file = key.slice(0, key.indexOf('\0'));
    const host = key.slice(key.indexOf('\0') + 1);
    const urls = [...g.urls].sort();
    const count = g.counted === true ? g.packages.length : fromIndex.length;
    return pyFileFinding(
      'CPP070',
      file,
      g.line,
      `${file}:${g.line} installs from ${host} (${urls.slice(0, 3).join(', ')}${urls.length > 3 ? ', …' : ''}), an index the policy does not allow; ${count === 0 && g.counted !== true ? 'every dependency resolved for the requirements of this file' : `${count} package${count === 1 ? '' : 's'}`} may come from it. A file in the repository cannot widen the allowed indexes: add it to dependencies.python.indexes in the policy if it is yours, or remove it and re-lock against PyPI.`,
      {
        host,
        urls: urls.join(' '),
        count,
        ...(g.packages.length > 0 ? { packages: g.packages.slice(0, 50).join(' ') } : {}),
      },
    );
  });
}

/** CPP071: pip's `--trusted-host` (or a Pipfile source with `verify_ssl = false`) turns TLS checks off for a host. */
function tlsExemptions(lock: PythonLock): Finding[] {
  return (lock.trustedHosts ?? []).map((t) =>
    pyFileFinding(
      'CPP071',
      t.file,
      t.line,
      `${t.file}:${t.line} tells the installer not to verify TLS for ${t.host}: anything on the network path can serve the packages it downloads from there. Remove it and use https with a valid certificate (a corporate CA belongs in the runner's pip configuration, not in the repository).`,
      { host: t.host },
    ),
  );
}

/**
 * CPP072: uv installs a registry package from the sdist / wheel URLs in uv.lock (`RegistrySourceDist` /
 * `RegistryBuiltDist` built from the locked `url`), not from what its index lists now; a pylock installer does the
 * same. A file on a host that is not its index's (PyPI: files.pythonhosted.org) was put there by hand. Hosts under
 * one registrable domain (download.pytorch.org → download-r2.pytorch.org) belong together. PDM records no index, but
 * a `static_urls` lock's `files` carry a `url` and PDM downloads those, not what its sources list
 * (`candidates._find_best_match_link`: `links = [Link(f["url"]) for f in files if "url" in f]`, the sources asked only
 * when there are none): each must be on PyPI's file host or an index the policy allows.
 */
function filesOffIndex(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  if (lock.kind !== 'uv' && lock.kind !== 'pylock' && lock.kind !== 'pdm') return [];
  const groups = new Map<string, Group & { readonly index: string }>();
  for (const p of lock.packages) {
    if (p.source !== 'index') continue;
    const indexes =
      lock.kind === 'pdm'
        ? policy.allowedIndexes
        : [p.url !== undefined && WEB_URL.test(p.url) ? p.url : PYPI_INDEXES[0]!];
    const index = indexes[0] ?? PYPI_INDEXES[0]!;
    for (const d of p.distributions) {
      if (d.url === undefined || !WEB_URL.test(d.url) || indexes.some((i) => belongsTo(d.url!, i))) continue;
      const key = `${hostOf(index)}\0${hostOf(d.url)}`;
      const g = groups.get(key) ?? { line: p.line, urls: new Set<string>(), packages: [], index };
      g.urls.add(d.url);
      if (!g.packages.includes(p.displayName)) g.packages.push(p.displayName);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => {
    const host = hostOf([...g.urls][0]!);
    const n = g.packages.length;
    return pyFileFinding(
      'CPP072',
      lock.file,
      g.line,
      `${lock.file}:${g.line} locks ${n} package${n === 1 ? '' : 's'} from ${hostOf(g.index)} whose files are downloaded from ${host} (${g.packages.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''}), a host that is not the index's. The installer fetches exactly these URLs; re-lock so the files come from the index.`,
      {
        index: g.index,
        host,
        count: n,
        packages: g.packages.slice(0, 50).join(' '),
        urls: [...g.urls].sort().slice(0, 10).join(' '),
      },
    );
  });
}

function belongsTo(fileUrl: string, indexUrl: string): boolean {
  const file = hostOf(fileUrl);
  const index = hostOf(indexUrl);
  if (isUnder(normalizePrefix(indexUrl), PYPI_INDEXES)) return file === PYPI_FILES_HOST;
  return file === index || siteOf(file) === siteOf(index);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url.slice(0, 100);
  }
}

/** The registrable part of a host, approximately: the last two labels, three under a short second level (co.uk). */
function siteOf(host: string): string {
  const labels = host.split('.');
  const n = labels.length >= 3 && (labels[labels.length - 2]?.length ?? 0) <= 3 ? 3 : 2;
  return labels.slice(-n).join('.');
}
