import { posix } from 'node:path';
import { valid as validVersion } from '@renovatebot/pep440';
import { normalizeName, parseRequirement, pinnedVersion } from './pep508.js';
import { breakArgsOptions, logicalLines, shlexSplit } from './requirements-lines.js';
import { parseOptions } from './requirements-options.js';
import type { ReqOption, ReqOptionKind } from './requirements-options.js';
import { choosingVariables } from './env-vars.js';
import { excludedOnEveryPython } from './markers.js';
import { PYTHON_MINORS } from './checks/wheel-python.js';
import type {
  PyDistribution,
  PyEnvChoice,
  PyFormatControl,
  PyIndexOption,
  PyLineAt,
  PyPackage,
  PyProblem,
  PySource,
  PythonLock,
  PyTrustedHost,
} from './types.js';
import { cutTailAny } from '../../../core/linear-text.js';

/** Reads an included file by repo-relative path; undefined when it is not a readable file inside the scan root. */
export interface IncludeLoader {
  (path: string): Promise<string | undefined>;
  /**
   * The repo-relative path of the file the operating system opens for `joined` (a path relative to the scan root
   * with a `..` after a folder name), undefined when there is none inside the root. The OS walks up from where that
   * folder really is: through a symlinked folder, `sub/../c.txt` is another file than `c.txt`.
   */
  readonly resolve?: (joined: string) => Promise<string | undefined>;
}

/**
 * How a requirements file is read: as constraints when an install names it by `-c` (pip's `nested_constraint`); as
 * the input of a compile when only `uv pip compile` / `pip-compile` read it.
 */
export interface RequirementsReading {
  readonly constraints?: boolean;
  readonly compileInput?: boolean;
  /**
   * The `--no-binary` / `--only-binary` of the install command that names the file (`pip install --no-binary :all: -r
   * r.txt`): pip's optparse sets the finder's `format_control` from the command line before any file is read, and
   * the file's lines then change it (req_file.get_line_parser takes it as their default).
   */
  readonly formatControl?: PyFormatControl;
}

/** Bounds on `-r` / `-c` chains: pip has none, a hostile repository must not get an unbounded walk. */
export const MAX_INCLUDE_DEPTH = 16;
export const MAX_INCLUDED_FILES = 64;

interface ParseState {
  readonly root: string;
  readonly load: IncludeLoader;
  readonly packages: PyPackage[];
  readonly indexes: PyIndexOption[];
  readonly trustedHosts: PyTrustedHost[];
  readonly problems: PyProblem[];
  readonly visited: Set<string>;
  readonly envChoices: PyEnvChoice[];
  readonly noBinary: Map<string, PyLineAt>;
  readonly onlyBinary: Map<string, PyLineAt>;
  requireHashes: boolean;
}

/**
 * A requirements file with every `-r` / `-c` include, as pip's `req_file.parse_requirements` reads it: includes are
 * relative to the including file, constraints only limit versions. Includes are followed only to files inside the
 * scan root the loader can read, within depth and count bounds, and a cycle is a problem, not a loop.
 */
export async function parseRequirementsFile(
  file: string,
  text: string,
  load: IncludeLoader,
  how: RequirementsReading = {},
): Promise<PythonLock> {
  const state: ParseState = {
    root: file,
    load,
    packages: [],
    indexes: [],
    trustedHosts: [],
    problems: [],
    visited: new Set([file]),
    requireHashes: false,
    envChoices: [],
    noBinary: new Map(how.formatControl?.noBinary),
    onlyBinary: new Map(how.formatControl?.onlyBinary),
  };
  // A constraints file scanned on its own still only narrows versions (pip `-c`): it installs nothing.
  const isConstraints = how.constraints === true || /^constraints([-_.].*)?\.txt$/i.test(posix.basename(file));
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
    ...(state.envChoices.length > 0 ? { envChoices: state.envChoices } : {}),
    ...(state.noBinary.size + state.onlyBinary.size > 0
      ? { formatControl: { noBinary: state.noBinary, onlyBinary: state.onlyBinary } }
      : {}),
    ...(how.compileInput !== undefined ? { compileInput: how.compileInput } : {}),
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
    // pip's `expand_env_variables`: a `${NAME}` is the install environment's. Outside a URL's credentials (and the
    // path of a URL whose host is written out) it chooses what the line means: CPP079 says so, and what pip would
    // make of the unexpanded text (a refused requirement, a missing include) is no second finding.
    const chosen = choosingVariables(logical);
    if (chosen.length === 0) {
      await parseLine(state, file, line, logical, constraint, chain, false);
      continue;
    }
    const before = state.problems.length;
    const what = await parseLine(state, file, line, logical, constraint, chain, true);
    const kept = state.problems.slice(before).filter((p) => p.file !== file || p.line !== line);
    state.problems.splice(before, Infinity, ...kept);
    state.envChoices.push({ file, line, names: chosen, what: logical.startsWith('${') ? 'line' : what });
  }
}

/** One logical line, as pip's `handle_line` reads it; says what kind of line it was. */
async function parseLine(
  state: ParseState,
  file: string,
  line: number,
  logical: string,
  constraint: boolean,
  chain: readonly string[],
  fromEnv: boolean,
): Promise<PyEnvChoice['what']> {
  // pip's `get_line_parser`: the requirement part as written, the options part through shlex and optparse.
  const { args, options: optionText } = breakArgsOptions(logical);
  const words = shlexSplit(optionText);
  const parsed = words === undefined ? { error: `could not split options: ${optionText}` } : parseOptions(words);
  if ('error' in parsed) {
    state.problems.push({ file, line, kind: 'syntax', message: `pip option error: ${parsed.error.slice(0, 120)}` });
  }
  const options = 'error' in parsed ? [] : parsed.options;
  applyFormatControl(state, file, line, options);
  const valuesOf = (kind: ReqOptionKind) => options.filter((o) => o.kind === kind).map((o) => o.value);
  // `ParsedLine`: a line with a requirement (or, failing that, `-e`) is a requirement line; on it only `--hash`
  // (and build settings) apply, every other option is ignored.
  const requirement = args !== '' ? args : valuesOf('editable')[0];
  if (requirement !== undefined) {
    const env = fromEnv && choosingVariables(requirement).length > 0;
    addRequirement(state, file, line, requirement, args !== '' ? valuesOf('hash') : [], constraint, args === '', env);
    return 'requirement';
  }
  // `_parse_and_recurse`: a line naming `-r` (else `-c`) is replaced by the first file it names, read as requirements
  // for `-r` and as constraints for `-c` whatever the including file is (`nested_constraint`): a `-r` in a
  // constraints file names packages pip installs.
  const [included] = valuesOf('requirement');
  const [constraintFile] = valuesOf('constraint');
  if (included !== undefined || constraintFile !== undefined) {
    const target = included ?? constraintFile!;
    // A file the environment names is not one the repository holds: not read (CPP079 reports it).
    if (!fromEnv || choosingVariables(target).length === 0) {
      await include(state, file, line, target, included === undefined, chain);
    }
    return 'include';
  }
  applyOptionLine(state, file, line, options);
  const index = (o: ReqOption) => o.kind === 'index-url' || o.kind === 'extra-index-url' || o.kind === 'find-links';
  // The variable of `--index-url https://pypi.org/simple --trusted-host ${HOST}` chooses an option, not an index.
  return options.some((o) => index(o) && choosingVariables(o.value).length > 0) ? 'index' : 'option';
}

/**
 * pip's `handle_option_line`: every option of the line applies — `--index-url` (its last value, replacing the index
 * URLs before it), each `--extra-index-url`, the first `--find-links`, each `--trusted-host`, `--no-index`,
 * `--require-hashes`. A `--hash` on a line without a requirement is ignored (pip warns).
 */
function applyOptionLine(state: ParseState, file: string, line: number, options: readonly ReqOption[]): void {
  const index = options.filter((o) => o.kind === 'index-url').at(-1);
  const findLinks = options.find((o) => o.kind === 'find-links');
  // `index_urls = [opts.index_url]`: an --index-url replaces every index URL before it, earlier lines' and included
  // files' extra indexes too (checked with pip 23.0.1: an --extra-index-url above a later -i is never asked).
  if (index !== undefined && index.value !== '') {
    const kept = state.indexes.filter((o) => o.kind !== 'index-url' && o.kind !== 'extra-index-url');
    state.indexes.splice(0, state.indexes.length, ...kept);
  }
  for (const o of options) {
    switch (o.kind) {
      case 'index-url':
      case 'find-links':
      case 'extra-index-url':
        if (o.value !== '' && (o.kind === 'extra-index-url' || o === index || o === findLinks)) {
          const env = choosingVariables(o.value).length > 0;
          state.indexes.push({ kind: o.kind, url: o.value, file, line, ...(env ? { fromEnvironment: true } : {}) });
        }
        break;
      case 'trusted-host':
        // pip's `--trusted-host host[:port]`: that host is reached without checking its TLS certificate.
        if (o.value !== '') state.trustedHosts.push({ host: o.value.toLowerCase(), file, line });
        break;
      case 'no-index':
        state.indexes.push({ kind: 'no-index', url: '', file, line });
        break;
      case 'require-hashes':
        state.requireHashes = true;
        break;
      // Handled before this line was known to be an option line, or without effect on where packages come from.
      case 'requirement':
      case 'constraint':
      case 'editable':
      case 'hash':
      case 'no-binary':
      case 'only-binary':
      case 'ignored':
        break;
    }
  }
}

/**
 * `--no-binary` / `--only-binary` on any line, a requirement line too: pip's line parser hands optparse the finder's
 * own `format_control` as the default (`get_line_parser`), so the options' callbacks change it for the whole install
 * whatever kind of line holds them (checked with pip 23.0.1: `demo==1.0 --no-binary demo` builds the sdist).
 */
function applyFormatControl(state: ParseState, file: string, line: number, options: readonly ReqOption[]): void {
  for (const o of options) {
    if (o.kind === 'no-binary' || o.kind === 'only-binary')
      applyFormatOption(o.kind, o.value, { file, line }, state.noBinary, state.onlyBinary);
  }
}

/**
 * One `--no-binary` / `--only-binary` value, as the option's callback takes it (cmdoptions `_handle_no_binary` /
 * `_handle_only_binary`).
 */
export function applyFormatOption(
  kind: 'no-binary' | 'only-binary',
  value: string,
  at: PyLineAt,
  noBinary: Map<string, PyLineAt>,
  onlyBinary: Map<string, PyLineAt>,
): void {
  if (kind === 'no-binary') mutualExcludes(value, at, noBinary, onlyBinary);
  else mutualExcludes(value, at, onlyBinary, noBinary);
}

/**
 * pip's `FormatControl.handle_mutual_excludes`: `:all:` empties both sets and stands alone in `target` (names after
 * it count only when a `:none:` follows), `:none:` empties `target`, a name moves from `other` to `target`.
 */
export function mutualExcludes(
  value: string,
  at: PyLineAt,
  target: Map<string, PyLineAt>,
  other: Map<string, PyLineAt>,
): void {
  // pip loops over every `:all:`; only the last one decides, so that is the one looked for (a hostile line of
  // `:all:,:none:,…` is read once, not once per `:all:`).
  const all = value.split(',');
  const last = all.lastIndexOf(':all:');
  const names = all.slice(last + 1);
  if (last >= 0) {
    other.clear();
    target.clear();
    target.set(':all:', at);
    if (!names.includes(':none:')) return;
  }
  for (const name of names) {
    if (name === ':none:') {
      target.clear();
      continue;
    }
    other.delete(normalizeName(name));
    target.set(normalizeName(name), at);
  }
}

async function include(
  state: ParseState,
  file: string,
  line: number,
  target: string,
  constraint: boolean,
  chain: readonly string[],
): Promise<void> {
  const problem = (message: string, cycle?: true) =>
    state.problems.push({ file, line, kind: 'include', message, ...(cycle ? { cycle } : {}) });
  if (target === '') return void problem('an include option without a file name');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target))
    return void problem(`the include ${target} is a URL and was not fetched`);
  const dir = posix.dirname(file);
  // pip's `os.path.join(os.path.dirname(filename), req_path)`, opened as it stands: not normalised first.
  const joined = target.startsWith('/') || dir === '.' ? target : `${dir}/${target}`;
  let path = posix.normalize(joined);
  if (target.startsWith('/') || path === '..' || path.startsWith('../')) {
    return void problem(`the include ${target} points outside the scan root and was not read`);
  }
  // Without a file system to ask (a loader with no `resolve`), the lexical path is the best there is.
  if (state.load.resolve !== undefined && climbsOutOfFolder(joined)) {
    const opened = await state.load.resolve(joined);
    if (opened === undefined) return void problem(`the include ${target} (${joined}) was not found in the scan root`);
    path = opened;
  }
  // pip's `RequirementsFileParser._parse_and_recurse` (24.1 on) refuses an include already on the chain of files
  // being read ("recursively references itself"; before, it recursed until RecursionError): nothing installs.
  if (chain.includes(path))
    return void problem(`the include ${target} forms a cycle (${[...chain, path].join(' → ')})`, true);
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

/** A `..` after a folder name (`sub/../c.txt`): only the file system says where it leads, if `sub` is a symlink. */
function climbsOutOfFolder(joined: string): boolean {
  let named = false;
  for (const part of joined.split('/')) {
    if (part === '..' && named) return true;
    if (part !== '..' && part !== '.' && part !== '') named = true;
  }
  return false;
}

function addRequirement(
  state: ParseState,
  file: string,
  line: number,
  text: string,
  hashList: readonly string[],
  constraint: boolean,
  editable: boolean,
  fromEnv: boolean,
): void {
  const read = readRequirement(file, line, text, { hashList, constraint, editable, fromEnv });
  if (read === undefined) return;
  if ('source' in read) state.packages.push(read);
  else state.problems.push(read);
}

/** How one requirement is given: its `--hash` values; whether it is a constraint, an editable, chosen by a variable. */
export interface RequirementContext {
  readonly hashList?: readonly string[];
  readonly constraint?: boolean;
  readonly editable?: boolean;
  readonly fromEnv?: boolean;
}

/**
 * One requirement as pip's `install_req_from_line` (or `install_req_from_editable`) reads it, from a requirements
 * file line or a command-line argument alike: the package it asks for, the problem that makes pip refuse it, or
 * undefined when no supported Python installs it (its markers exclude them all).
 */
export function readRequirement(
  file: string,
  line: number,
  text: string,
  how: RequirementContext,
): PyPackage | PyProblem | undefined {
  const { hashList = [], constraint = false, editable = false, fromEnv = false } = how;
  const common = {
    file,
    line,
    distributions: toDistributions(hashList),
    dev: false,
    optional: false,
    ...(constraint ? { constraint: true } : {}),
    ...(editable ? { editable: true } : {}),
    ...(fromEnv ? { fromEnvironment: true as const } : {}),
  };
  const location = pipLocation(text, editable);
  const req = location === undefined ? parseRequirement(text) : undefined;
  if (location === undefined && req === undefined) {
    // Neither a location nor PEP 508: `_parse_req_string` raises InvalidRequirement and pip refuses the whole file.
    return { file, line, kind: 'syntax', message: `invalid requirement: ${text.slice(0, 80)}` };
  }
  const bad = req && req.url === undefined && !fromEnv ? nonPep440Clause(req.specifier) : undefined;
  if (bad !== undefined) {
    return {
      file,
      line,
      kind: 'syntax',
      message: `invalid requirement: ${text.slice(0, 80)} (${bad.slice(0, 40)} is no PEP 440 version clause: pip ≥ 24.1 refuses the file, an older pip finds no such release)`,
    };
  }
  // A line no supported Python installs (`futures==3.4; python_version < "3"`) is not pip's input there. An editable
  // has no markers (pip's `parse_req_from_editable`): its `;` is part of the location. A line with `--hash` stays:
  // pip's `RequirementCommand.get_requirements` turns hash-checking mode on before markers are evaluated.
  // A bare URL or path is split once: its location (`written`, read below) and its markers.
  const [written, markers] = req ? [text, req.markers] : splitMarkers(text);
  if (!editable && hashList.length === 0 && markers !== undefined && excludedOnEveryPython(markers, PYTHON_MINORS[0]!))
    return undefined;
  if (req) {
    const source: PySource = req.url !== undefined ? urlSource(req.url) : 'index';
    return {
      name: normalizeName(req.name),
      displayName: req.name,
      version: req.url === undefined && !fromEnv ? pinnedVersion(req.specifier) : '',
      specifier: req.specifier,
      source,
      ...(req.url !== undefined ? { url: req.url } : {}),
      ...(req.markers !== undefined ? { markers: req.markers } : {}),
      ...withLinkHash(common, req.url),
    };
  }
  // A bare URL or path (pip's install_req_from_line / _from_editable): the name is the `#egg=` fragment, if any.
  // pip's `_strip_extras`: a path's trailing `[extras]` are not part of it.
  const where = location === 'path' ? withoutExtras(written) : written;
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(where)?.[1];
  // pip's `Wheel` file-name pattern: a wheel, remote or local, is `name==version`.
  const wheel = /(?:^|\/)([^\s/-]+)-([^\s/-]+)-[^/]*\.whl$/.exec(cutTailAny(where, '#?'));
  const display = egg ?? wheel?.[1] ?? where;
  if (where === '') return { file, line, kind: 'syntax', message: `not a requirement: ${text.slice(0, 80)}` };
  return {
    name: normalizeName(display),
    displayName: display,
    version: wheel?.[2] ?? '',
    specifier: '',
    source: urlSource(where),
    url: where,
    ...(markers !== undefined ? { markers } : {}),
    ...withLinkHash(common, where),
  };
}

/**
 * The first clause of a specifier that packaging's `Specifier` refuses (packaging ≥ 22, vendored since pip 24.1, has
 * no `LegacySpecifier`): a version PEP 440 cannot parse after any operator but `===` (arbitrary equality), with `.*`
 * only after `==` / `!=`. `==2.0--extra-index-url=https://…` (a backslash continuation gluing an option onto a
 * version) is no pin of release `2.0--extra…`: pip refuses it.
 */
function nonPep440Clause(specifier: string): string | undefined {
  for (const clause of specifier.split(',')) {
    const m = /^(~=|===|==|!=|<=|>=|<|>)(.*)$/.exec(clause);
    if (!m || m[1] === '===') continue;
    const version = (m[1] === '==' || m[1] === '!=') && m[2]!.endsWith('.*') ? m[2]!.slice(0, -2) : m[2]!;
    if (validVersion(version) === null) return clause;
  }
  return undefined;
}

/** pip's `ARCHIVE_EXTENSIONS` (utils/filetypes.py), `.tar` joined to the extension before it as its `splitext` does. */
export const ARCHIVE = /\.(zip|whl|tar\.bz2|tbz|tar\.gz|tgz|tar|tar\.xz|txz|tlz|tar\.lz|tar\.lzma)$/i;

/**
 * Whether pip reads the line as a location rather than a PEP 508 requirement, and which kind: `'url'` for a URL
 * (any `scheme:`), `'path'` for a file or folder. pip's `parse_req_from_line` takes a line that is no URL as a path
 * when `_get_url_from_path` says so: it `_looks_like_path` (a `/` or `\\`, or a leading `.`) and names a folder — a
 * valid requirement never does, so a line that is no requirement and looks like a path is that folder or refused —
 * or it is an archive by name (`is_archive_file`: `evil-1.0.tar.gz`, `wheels/x.whl`), unless an `@` follows a part
 * that does not look like a path (`name @ https://…/x.tar.gz`). An editable is a path or a URL, never an index
 * name (`parse_editable`: an existing folder, `file:`, or a VCS URL; anything else is refused). `~` stays a path.
 */
function pipLocation(text: string, editable: boolean): 'url' | 'path' | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return 'url';
  if (editable || text.startsWith('~')) return 'path';
  const [name] = splitMarkers(text);
  const looksLikePath = (s: string) => /[/\\]/.test(s) || s.startsWith('.');
  if (looksLikePath(name) && parseRequirement(text) === undefined) return 'path';
  const at = name.indexOf('@');
  if (ARCHIVE.test(withoutExtras(name)) && (at < 0 || looksLikePath(name.slice(0, at)))) return 'path';
  return undefined;
}

/**
 * pip's `parse_req_from_line` marker split: at the first `"; "` of a URL, at the first `;` of anything else.
 */
function splitMarkers(text: string): [string, string | undefined] {
  const sep = /^[a-z][a-z0-9+.-]*:/i.test(text) ? '; ' : ';';
  const at = text.indexOf(sep);
  if (at < 0) return [text.trim(), undefined];
  const markers = text.slice(at + sep.length).trim();
  return [text.slice(0, at).trim(), markers === '' ? undefined : markers];
}

/** `git+https://…`, `hg+…`, `svn+…`, `bzr+…` are VCS (pip's `vcs` schemes); `file:` and anything without a scheme is local. */
export function urlSource(url: string): PySource {
  if (/^(git|hg|svn|bzr)\+/i.test(url) || /^git:\/\//i.test(url)) return 'vcs';
  if (/^file:/i.test(url) || !/^[a-z][a-z0-9+.-]*:/i.test(url)) return 'path';
  return 'url';
}

/**
 * A direct URL's hash (`#sha256=…`) pins the file as a `--hash` does: pip's `InstallRequirement.hashes` adds the
 * user-supplied link's `Link.hash` to the allowed hashes, hash-checking mode included. pip ≥ 23.1 takes it from
 * `LinkHash.find_hash_url_fragment`: the first `[#&](sha512|sha384|sha256|sha224|sha1|md5)=([^&]*)` anywhere in the
 * URL (its query too), names matched as written (`#SHA256=` is no hash); an empty value (`#md5=&sha256=…`) is no hash
 * at all (`if link and link.hash`), whatever follows it (checked with pip 24.2: HashMissing).
 */
const LINK_HASH = /[#&](sha512|sha384|sha256|sha224|sha1|md5)=([^&]*)/;

function withLinkHash<C extends { readonly distributions: PyDistribution[] }>(common: C, url: string | undefined): C {
  // Only a URL is a link whose text pip searches; a path becomes a `file:` URL with its `#` quoted.
  const m = url !== undefined && /^[^\s;]*:\/\//.test(url) ? LINK_HASH.exec(url) : null;
  if (!m || m[2] === '') return common;
  const fromLink = toDistributions([`${m[1]}:${m[2]}`]).map((d) => ({ ...d, fromUrl: true as const }));
  return { ...common, distributions: [...common.distributions, ...fromLink] };
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

/**
 * `s.replace(/\[[^\]]+\]$/, '')`: a trailing `[extras]` cut off (pip's `_strip_extras`), from the first `[` after the
 * last `]` but the final one — by hand, as the expression tried every `[` of a hostile run of them.
 */
export function withoutExtras(s: string): string {
  if (!s.endsWith(']')) return s;
  const open = s.indexOf('[', s.lastIndexOf(']', s.length - 2) + 1);
  return open >= 0 && open < s.length - 2 ? s.slice(0, open) : s;
}
