import { posix } from 'node:path';
import { normalizeName, parseRequirement, pinnedVersion } from './pep508.js';
import { logicalLines, tokens } from './requirements-lines.js';
import type {
  PyDistribution,
  PyIndexOption,
  PyPackage,
  PyProblem,
  PySource,
  PythonLock,
  PyTrustedHost,
} from './types.js';

/** Reads an included file by repo-relative path; undefined when it is not a readable file inside the scan root. */
export type IncludeLoader = (path: string) => Promise<string | undefined>;

/** Bounds on `-r` / `-c` chains: pip has none, a hostile repository must not get an unbounded walk. */
export const MAX_INCLUDE_DEPTH = 16;
export const MAX_INCLUDED_FILES = 64;

// Options that take a value, by every spelling pip's `req_file` option parser accepts.
const VALUE_OPTIONS: Record<string, string> = {
  '-r': 'requirement',
  '--requirement': 'requirement',
  '-c': 'constraint',
  '--constraint': 'constraint',
  '-e': 'editable',
  '--editable': 'editable',
  '-i': 'index-url',
  '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links',
  '--find-links': 'find-links',
  '--trusted-host': 'trusted-host',
  '--only-binary': 'ignored',
  '--no-binary': 'ignored',
  '--use-feature': 'ignored',
  '--config-settings': 'ignored',
  '--global-option': 'ignored',
};
const FLAG_OPTIONS = new Set(['--no-index', '--require-hashes', '--pre', '--prefer-binary']);

interface ParseState {
  readonly root: string;
  readonly load: IncludeLoader;
  readonly packages: PyPackage[];
  readonly indexes: PyIndexOption[];
  readonly trustedHosts: PyTrustedHost[];
  readonly problems: PyProblem[];
  readonly visited: Set<string>;
  requireHashes: boolean;
}

/**
 * A requirements file with every `-r` / `-c` include, as pip's `req_file.parse_requirements` reads it: includes are
 * relative to the including file, constraints only limit versions. Includes are followed only to files inside the
 * scan root the loader can read, within depth and count bounds, and a cycle is a problem, not a loop.
 */
export async function parseRequirementsFile(file: string, text: string, load: IncludeLoader): Promise<PythonLock> {
  const state: ParseState = {
    root: file,
    load,
    packages: [],
    indexes: [],
    trustedHosts: [],
    problems: [],
    visited: new Set([file]),
    requireHashes: false,
  };
  // A constraints file scanned on its own still only narrows versions (pip `-c`): it installs nothing.
  const isConstraints = /^constraints([-_.].*)?\.txt$/i.test(posix.basename(file));
  await parseInto(state, file, text, isConstraints, [file]);
  return {
    file,
    kind: 'requirements',
    formatVersion: '',
    packages: state.packages,
    projects: [],
    indexes: state.indexes,
    ...(state.trustedHosts.length > 0 ? { trustedHosts: state.trustedHosts } : {}),
    requireHashes: state.requireHashes,
    problems: state.problems,
  };
}

async function parseInto(
  state: ParseState,
  file: string,
  text: string,
  constraint: boolean,
  chain: readonly string[],
): Promise<void> {
  for (const { line, text: logical } of logicalLines(text)) {
    const words = tokens(logical);
    const first = words[0] ?? '';
    if (first.startsWith('-')) {
      const { option, value } = splitOption(words);
      if (option === undefined) {
        state.problems.push({ file, line, kind: 'syntax', message: `unknown pip option ${first.slice(0, 60)}` });
        continue;
      }
      switch (option) {
        case 'requirement':
        case 'constraint':
          await include(state, file, line, value, option === 'constraint' || constraint, chain);
          break;
        case 'editable':
          addRequirement(state, file, line, value, [], constraint, true);
          break;
        case 'index-url':
        case 'extra-index-url':
        case 'find-links':
          state.indexes.push({ kind: option, url: value, file, line });
          break;
        case 'trusted-host':
          // pip's `--trusted-host host[:port]`: that host is reached without checking its TLS certificate.
          if (value !== '') state.trustedHosts.push({ host: value.toLowerCase(), file, line });
          break;
        case 'no-index':
          state.indexes.push({ kind: 'no-index', url: '', file, line });
          break;
        case 'require-hashes':
          state.requireHashes = true;
          break;
        default:
          break;
      }
      continue;
    }
    // pip's break_args_options: the requirement is everything before the first `-`-prefixed token.
    const cut = words.findIndex((w) => w.startsWith('-'));
    const req = (cut < 0 ? words : words.slice(0, cut)).join(' ');
    const hashes = (cut < 0 ? [] : words.slice(cut))
      .flatMap((w, i, all) => (w === '--hash' ? [all[i + 1] ?? ''] : w.startsWith('--hash=') ? [w.slice(7)] : []))
      .filter((h) => h !== '');
    addRequirement(state, file, line, req, hashes, constraint, false);
  }
}

function splitOption(words: readonly string[]): { option: string | undefined; value: string } {
  const first = words[0]!;
  const eq = first.indexOf('=');
  const flag = eq > 0 ? first.slice(0, eq) : first;
  if (FLAG_OPTIONS.has(flag)) return { option: flag.slice(2), value: '' };
  const known = VALUE_OPTIONS[flag];
  if (known !== undefined) return { option: known, value: eq > 0 ? first.slice(eq + 1) : (words[1] ?? '') };
  // Short options glued to their value: `-rbase.txt`, `-e.`
  const short = VALUE_OPTIONS[first.slice(0, 2)];
  if (short !== undefined && !first.startsWith('--')) return { option: short, value: first.slice(2) };
  return { option: undefined, value: '' };
}

async function include(
  state: ParseState,
  file: string,
  line: number,
  target: string,
  constraint: boolean,
  chain: readonly string[],
): Promise<void> {
  const problem = (message: string) => state.problems.push({ file, line, kind: 'include', message });
  if (target === '') return void problem('an include option without a file name');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target))
    return void problem(`the include ${target} is a URL and was not fetched`);
  const dir = posix.dirname(file);
  const path = posix.normalize(target.startsWith('/') ? target : posix.join(dir === '.' ? '' : dir, target));
  if (target.startsWith('/') || path === '..' || path.startsWith('../')) {
    return void problem(`the include ${target} points outside the scan root and was not read`);
  }
  if (chain.includes(path))
    return void problem(`the include ${target} forms a cycle (${[...chain, path].join(' → ')})`);
  if (chain.length > MAX_INCLUDE_DEPTH) return void problem(`includes nest deeper than ${MAX_INCLUDE_DEPTH}`);
  if (!state.visited.has(path) && state.visited.size >= MAX_INCLUDED_FILES) {
    return void problem(`more than ${MAX_INCLUDED_FILES} included files; ${target} was not read`);
  }
  // A diamond (two files including one) is read once: its packages would otherwise be counted twice.
  if (state.visited.has(path)) return;
  state.visited.add(path);
  const text = await state.load(path);
  if (text === undefined) return void problem(`the included file ${target} (${path}) was not found in the scan root`);
  await parseInto(state, path, text, constraint, [...chain, path]);
}

function addRequirement(
  state: ParseState,
  file: string,
  line: number,
  text: string,
  hashList: readonly string[],
  constraint: boolean,
  editable: boolean,
): void {
  const common = {
    file,
    line,
    distributions: toDistributions([...hashList, ...urlFragmentHashes(text)]),
    dev: false,
    optional: false,
    ...(constraint ? { constraint: true } : {}),
    ...(editable ? { editable: true } : {}),
  };
  const req = parseRequirement(text);
  if (req && !looksLikeLocation(text)) {
    const source: PySource = req.url !== undefined ? urlSource(req.url) : 'index';
    state.packages.push({
      name: normalizeName(req.name),
      displayName: req.name,
      version: req.url === undefined ? pinnedVersion(req.specifier) : '',
      specifier: req.specifier,
      source,
      ...(req.url !== undefined ? { url: req.url } : {}),
      ...(req.markers !== undefined ? { markers: req.markers } : {}),
      ...common,
    });
    return;
  }
  // A bare URL or path (pip's install_req_from_line / _from_editable): the name is the `#egg=` fragment, if any.
  const [location, markers] = splitUrlMarkers(text);
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(location)?.[1];
  const wheel = /\/([A-Za-z0-9._]+)-([^-/]+)-[^/]*\.whl$/.exec(location.replace(/[#?].*$/, ''));
  const display = egg ?? wheel?.[1] ?? location;
  if (location === '') {
    state.problems.push({ file, line, kind: 'syntax', message: `not a requirement: ${text.slice(0, 80)}` });
    return;
  }
  state.packages.push({
    name: normalizeName(display),
    displayName: display,
    version: wheel?.[2] ?? '',
    specifier: '',
    source: urlSource(location),
    url: location,
    ...(markers !== undefined ? { markers } : {}),
    ...common,
  });
}

function looksLikeLocation(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) || /^(\.|\/|~)/.test(text);
}

function splitUrlMarkers(text: string): [string, string | undefined] {
  const m = /\s;\s*/.exec(text);
  return m ? [text.slice(0, m.index).trim(), text.slice(m.index + m[0].length).trim()] : [text.trim(), undefined];
}

/** `git+https://…`, `hg+…`, `svn+…`, `bzr+…` are VCS (pip's `vcs` schemes); `file:` and paths are local. */
export function urlSource(url: string): PySource {
  if (/^(git|hg|svn|bzr)\+/i.test(url) || /^git:\/\//i.test(url)) return 'vcs';
  if (/^file:/i.test(url) || /^(\.|\/|~)/.test(url)) return 'path';
  return 'url';
}

/**
 * A direct URL's `#sha256=…` fragment pins the file as a `--hash` does: pip's `InstallRequirement.hashes` adds the
 * user-supplied link's hash (`Link.hash`, fragment `[#&](sha1|sha224|sha384|sha256|sha512|md5)=…`) to the allowed
 * hashes, hash-checking mode included.
 */
function urlFragmentHashes(text: string): string[] {
  const hash = text.indexOf('#');
  if (hash < 0 || !/^[^\s;]*:\/\//.test(text.replace(/^[^@]*@\s*/, ''))) return [];
  const m = /[#&](sha1|sha224|sha384|sha256|sha512|md5)=([0-9a-f]+)/i.exec(text.slice(hash));
  return m ? [`${m[1]}:${m[2]}`] : [];
}

/** Each `--hash` may belong to any file of the release (pip accepts a download matching any of them). */
function toDistributions(hashList: readonly string[]): PyDistribution[] {
  const out: PyDistribution[] = [];
  for (const h of hashList) {
    const colon = h.indexOf(':');
    if (colon > 0) out.push({ hashes: { [h.slice(0, colon).toLowerCase()]: h.slice(colon + 1).toLowerCase() } });
  }
  return out;
}
