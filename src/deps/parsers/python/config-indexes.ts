import { keyLine, readIndexConfig } from './pyproject-indexes.js';
import type { IndexConfig } from './pyproject-indexes.js';
import { isTable, parseToml } from './toml.js';
import { pythonTruth } from './python-truth.js';
import { hostOf } from './checks/indexes.js';
import { hasLineTerminator, isLineTerminator } from '../../../core/linear-text.js';

/** An index, find-links location or TLS exemption a configuration file in the repository sets, at its line. */
export interface ConfigSetting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
  /**
   * pip's extra index: pip asks it beside the main index for every name and installs the best version either has
   * (CPP012). uv's extra indexes are not marked: its default `first-index` takes a name from the first that has it.
   */
  readonly pipExtra?: true;
  /**
   * A uv extra index (`--extra-index-url`, `--index`, `UV_EXTRA_INDEX_URL`, `UV_INDEX`) used under an unsafe
   * `index-strategy` (this value: `unsafe-first-match` / `unsafe-best-match`), which searches every index for every
   * name as pip does (CPP012).
   */
  readonly uvUnsafe?: string;
}

/** What one configuration file tells pip, uv, Poetry or PDM about where to download from. */
export interface IndexSettings {
  readonly file: string;
  readonly tool: string;
  /** index-url, extra-index-url, find-links, and declared sources / `[[index]]` tables (key `index`). */
  readonly indexes: readonly ConfigSetting[];
  /** Hosts whose TLS certificate is not checked (pip `trusted-host`, uv `allow-insecure-host`, PDM `verify_ssl`). */
  readonly insecureHosts: readonly ConfigSetting[];
  /** Lines that set an index password or token variable to a written value (`UV_INDEX_CORP_PASSWORD=…`). */
  readonly credentialLines?: readonly number[];
}

/** pip's index options by their configuration names; `pypi-url` is cmdoptions' alias of `index-url`. */
export const PIP_INDEX_KEYS: ReadonlySet<string> = new Set(['index-url', 'pypi-url', 'extra-index-url', 'find-links']);

/** uv's index strategies that ask every index for every name (uv-configuration `IndexStrategy`). */
export const UNSAFE_STRATEGY = /^unsafe-(?:first|best)-match$/;

/**
 * pip.conf / pip.ini as pip's `Configuration` reads it (`configparser.RawConfigParser`): `[section]` headers,
 * `key = value` or `key: value`, `#` / `;` comment lines, indented continuation lines that extend the value; keys
 * with `_` mean the same as with `-`. Values of the list options are whitespace-separated. pip reads the file when
 * `PIP_CONFIG_FILE` names it or a build copies it to a configuration path (`/etc/pip.conf`, a virtualenv's).
 */
export function pipConfSettings(file: string, text: string): IndexSettings {
  const indexes: ConfigSetting[] = [];
  const insecureHosts: ConfigSetting[] = [];
  let key: string | undefined;
  const add = (value: string, line: number) => {
    for (const v of value.split(/\s+/).filter((x) => x !== '')) {
      if (PIP_INDEX_KEYS.has(key!))
        indexes.push({ key: key!, value: v, line, ...(key === 'extra-index-url' ? { pipExtra: true as const } : {}) });
      else if (key === 'trusted-host') insecureHosts.push({ key, value: v.toLowerCase(), line });
    }
  };
  for (const l of pipConfLines(text)) {
    if (l.kind === 'setting') {
      key = pipConfigName(l.name);
      add(l.value, l.line);
    } else if (l.kind === 'continuation') add(l.value, l.line);
  }
  return { file, tool: 'pip', indexes, insecureHosts };
}

/**
 * pip's name for a setting of a pip.conf or a `PIP_` variable: configuration.py `_normalize_name` reads `_` as `-`
 * and drops a leading `--` (`--index_url = …` counts).
 */
export function pipConfigName(name: string): string {
  return name.replace(/_/g, '-').replace(/^--/, '');
}

/** A line of a pip.conf that means something to RawConfigParser (pipConfLines). */
export type PipConfLine =
  | { readonly kind: 'section'; readonly name: string; readonly line: number }
  /** `name = value` / `name: value`, the name trimmed and lower-cased (not yet read as pip reads it). */
  | { readonly kind: 'setting'; readonly name: string; readonly value: string; readonly line: number }
  /** An indented line right after a setting (or its continuation): more of its value, trimmed. */
  | { readonly kind: 'continuation'; readonly value: string; readonly line: number }
  /** Neither a section nor a setting: RawConfigParser refuses the file. */
  | { readonly kind: 'invalid'; readonly line: number };

/**
 * The lines of a pip.conf / pip.ini as RawConfigParser reads them (configparser `_read`): blank lines and `#` / `;`
 * comment lines skipped, an indented line after a setting continuing its value, `[section]` headers, `key = value`
 * or `key: value`. The one reader of the scan's index settings and the review's CPU025 / CPU026.
 */
export function* pipConfLines(text: string): Generator<PipConfLine> {
  let inSetting = false;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = i + 1;
    if (/^\s*([#;]|$)/.test(raw)) continue;
    if (inSetting && /^\s/.test(raw)) {
      yield { kind: 'continuation', value: raw.trim(), line };
      continue;
    }
    const header = /^\[(.+)\]$/.exec(raw.trim());
    const kv = header ? undefined : keyValue(raw);
    const name = kv?.key.trim().toLowerCase() ?? '';
    inSetting = name !== '';
    if (header) yield { kind: 'section', name: header[1]!, line };
    else if (inSetting) yield { kind: 'setting', name, value: kv!.value, line };
    else yield { kind: 'invalid', line };
  }
}

/**
 * uv.toml (uv's settings at the top level; uv finds it in the project folder and its parents, and it wins over
 * pyproject.toml) and pyproject.toml (`[tool.uv]`, Poetry `[[tool.poetry.source]]`, PDM `[[tool.pdm.source]]`):
 * `index-url`, `extra-index-url`, `find-links`, `[[index]]`, and `allow-insecure-host`.
 */
export function tomlIndexSettings(file: string, text: string, kind: 'uv.toml' | 'pyproject'): IndexSettings {
  const doc = parseToml(file, text);
  // readIndexConfig reads `[tool.uv]`; uv.toml holds the same keys at the top (`[[index]]` for `[[tool.uv.index]]`).
  const asPyproject = kind === 'uv.toml' ? { tool: { uv: doc } } : doc;
  const lineText = kind === 'uv.toml' ? asToolIndex(text) : text;
  const uv = kind === 'uv.toml' ? doc : isTable(doc.tool) && isTable(doc.tool.uv) ? doc.tool.uv : {};
  const config = readIndexConfig(asPyproject, lineText);
  const declared = config.indexes.filter((d) => d.url !== '');
  // Under an unsafe `[tool.uv] index-strategy` a uv index neither explicit nor the default one is asked for every
  // name beside PyPI. A pyproject.toml beside its uv.lock is judged there (CPP075), so only a lone one is read here.
  const strategy = config.uvStrategy?.value;
  const unsafe =
    kind === 'pyproject' && strategy !== undefined && UNSAFE_STRATEGY.test(strategy) ? strategy : undefined;
  const indexes: ConfigSetting[] = declared.map((d) => ({
    key: `${d.tool} index ${d.name}`,
    value: d.url,
    line: d.line,
    ...(unsafe !== undefined && d.tool === 'uv' && d.priority === 'primary' ? { uvUnsafe: unsafe } : {}),
  }));
  const list = (v: unknown) =>
    (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter((x) => typeof x === 'string');
  for (const url of list(uv['find-links']))
    indexes.push({ key: 'find-links', value: url, line: keyLine(text, 'find-links') });
  const insecureHosts = list(uv['allow-insecure-host']).map((h: string) => ({
    key: 'allow-insecure-host',
    value: h.toLowerCase(),
    line: keyLine(text, 'allow-insecure-host'),
  }));
  // PDM hands a source with `verify_ssl = false` to its client unverified, as pipenv does: `get_trusted_hosts` (the
  // `trusted_hosts` of `BaseEnvironment._build_session`) and `PDMPyPIClient._transport_for` (`verify=False`).
  for (const d of declared.filter((x) => x.verifySsl === false)) {
    insecureHosts.push({ key: `pdm source ${d.name} verify_ssl = false`, value: hostOf(d.url), line: d.line });
  }
  return { file, tool: kind === 'uv.toml' ? 'uv' : 'the installer', indexes, insecureHosts };
}

/**
 * A Pipfile no Pipfile.lock sits beside: `pipenv install` resolves it against its `[[source]]` indexes. pipenv's
 * `prepare_pip_source_args` hands pip the first source as `-i` and the others as `--extra-index-url` (and a source
 * with a false `verify_ssl` as `--trusted-host`); a package is resolved from the first source, or the one its
 * `index` names, unless `[pipenv] install_search_all_sources` asks every source for every name as pip does (CPP012).
 * Throws on a Pipfile that is not TOML (pipenv refuses it).
 */
export function pipfileIndexSettings(file: string, text: string): IndexSettings {
  const doc = parseToml(file, text);
  const sources = (Array.isArray(doc.source) ? doc.source : []).filter(isTable);
  const settings = isTable(doc.pipenv) ? doc.pipenv : {};
  const searchAll = pythonTruth(settings.install_search_all_sources);
  const lines = sourceUrlLines(text);
  const indexes: ConfigSetting[] = [];
  const insecureHosts: ConfigSetting[] = [];
  sources.forEach((source, i) => {
    if (typeof source.url !== 'string' || source.url === '') return;
    const line = lines[i] ?? 1;
    const name = typeof source.name === 'string' ? source.name : String(i + 1);
    indexes.push({
      key: `pipenv source ${name}`,
      value: source.url,
      line,
      ...(i > 0 && searchAll ? { pipExtra: true as const } : {}),
    });
    const host = hostOf(source.url);
    if ('verify_ssl' in source && !pythonTruth(source.verify_ssl) && host !== undefined) {
      insecureHosts.push({ key: `pipenv source ${name} verify_ssl = false`, value: host, line });
    }
  });
  return { file, tool: 'pipenv', indexes, insecureHosts };
}

/** The line of each `[[source]]` table's `url` key, in order (its header's line when it has none). */
function sourceUrlLines(text: string): number[] {
  const out: number[] = [];
  let inSource = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inSource = /^\[\[\s*source\s*\]\]/.test(line);
      if (inSource) out.push(i + 1);
    } else if (inSource && /^url\s*=/.test(line)) out[out.length - 1] = i + 1;
  });
  return out;
}

/**
 * The uv settings of a pyproject.toml once the uv.toml beside it is read: uv takes its settings from uv.toml and
 * ignores `[tool.uv]` of the pyproject.toml in the same folder (uv-settings `FilesystemOptions::find`: "Found both a
 * `uv.toml` file and a `[tool.uv]` section … will be ignored in favor of the `uv.toml` file"), so uv.toml's
 * `index-strategy` — or, unset there, the default `first-index` — is the one `uv lock` resolves with. Its `[[index]]`
 * tables join the pyproject's (which name the indexes `[tool.uv.sources]` pins refer to); the pins stay the
 * pyproject's, as `sources` is project metadata uv.toml cannot hold. Throws on a uv.toml that is not TOML.
 */
export function withUvToml(config: IndexConfig, file: string, text: string): IndexConfig {
  const fromToml = readIndexConfig({ tool: { uv: parseToml(file, text) } }, asToolIndex(text));
  const strategy = fromToml.uvStrategy;
  const { uvStrategy: _ignored, ...rest } = config;
  return {
    ...rest,
    indexes: [...fromToml.indexes.map((i) => ({ ...i, file })), ...config.indexes],
    ...(strategy !== undefined ? { uvStrategy: { ...strategy, file } } : {}),
  };
}

/**
 * `/^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw)` as a key (untrimmed: its caller trims it) and a value: the text before the
 * first `=` or `:` (at least one character), and what follows it past white space, which must hold no line
 * terminator. By hand: the lazy key and the white space beside it could split a run of tabs every way (cubic).
 */
export function keyValue(raw: string): { key: string; value: string } | undefined {
  const at = raw.search(/[=:]/);
  if (at < 1) return undefined;
  const value = raw.slice(at + 1).replace(/^\s+/, '');
  if (hasLineTerminator(value)) return undefined;
  return { key: raw.slice(0, at), value };
}

/**
 * `text.replace(/^(\s*)\[\[\s*index\s*\]\]/gm, '$1[[tool.uv.index]]')`: uv.toml's `[[index]]` written as pyproject's
 * table. From each `[[` by hand (the expression tried every line start of a run of blank lines against it).
 */
const INDEX_TABLE = /\[\[\s*index\s*\]\]/y;

export function asToolIndex(text: string): string {
  const isLineStart = (i: number) => i === 0 || isLineTerminator(text.charCodeAt(i - 1));
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('[['); at >= 0; at = text.indexOf('[[', at + 1)) {
    let before = at;
    while (before > 0 && !isLineStart(before) && /\s/.test(text[before - 1]!)) before--;
    if (!isLineStart(before)) continue;
    INDEX_TABLE.lastIndex = at;
    const m = INDEX_TABLE.exec(text);
    if (!m) continue;
    out += `${text.slice(copied, at)}[[tool.uv.index]]`;
    copied = at + m[0].length;
    at = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
