import { keyLine, readIndexConfig } from './pyproject-indexes.js';
import { isTable, parseToml } from './toml.js';
import { hostOf } from './checks/indexes.js';

/** An index, find-links location or TLS exemption a configuration file in the repository sets, at its line. */
export interface ConfigSetting {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** What one configuration file tells pip, uv, Poetry or PDM about where to download from. */
export interface IndexSettings {
  readonly file: string;
  readonly tool: string;
  /** index-url, extra-index-url, find-links, and declared sources / `[[index]]` tables (key `index`). */
  readonly indexes: readonly ConfigSetting[];
  /** Hosts whose TLS certificate is not checked (pip `trusted-host`, uv `allow-insecure-host`, PDM `verify_ssl`). */
  readonly insecureHosts: readonly ConfigSetting[];
}

const PIP_INDEX_KEYS = new Set(['index-url', 'extra-index-url', 'find-links']);

/**
 * pip.conf / pip.ini as pip's `Configuration` reads it (`configparser.RawConfigParser`): `[section]` headers,
 * `key = value` or `key: value`, `#` / `;` comment lines, indented continuation lines that extend the value; keys
 * with `_` mean the same as with `-`. Values of the list options are whitespace-separated. pip reads the file when
 * `PIP_CONFIG_FILE` names it or a build copies it to a configuration path (`/etc/pip.conf`, a virtualenv's).
 */
export function pipConfSettings(file: string, text: string): IndexSettings {
  const indexes: ConfigSetting[] = [];
  const insecureHosts: ConfigSetting[] = [];
  let current: { key: string; line: number } | undefined;
  const add = (key: string, value: string, line: number) => {
    for (const v of value.split(/\s+/).filter((x) => x !== '')) {
      if (PIP_INDEX_KEYS.has(key)) indexes.push({ key, value: v, line });
      else if (key === 'trusted-host') insecureHosts.push({ key, value: v.toLowerCase(), line });
    }
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*([#;]|$)/.test(raw)) return;
    if (/^\s/.test(raw) && current) return add(current.key, raw.trim(), line);
    if (/^\[.*\]\s*$/.test(raw)) return void (current = undefined);
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!m) return void (current = undefined);
    current = { key: m[1]!.trim().toLowerCase().replace(/_/g, '-'), line };
    add(current.key, m[2]!, line);
  });
  return { file, tool: 'pip', indexes, insecureHosts };
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
  const lineText = kind === 'uv.toml' ? text.replace(/^(\s*)\[\[\s*index\s*\]\]/gm, '$1[[tool.uv.index]]') : text;
  const uv = kind === 'uv.toml' ? doc : isTable(doc.tool) && isTable(doc.tool.uv) ? doc.tool.uv : {};
  const declared = readIndexConfig(asPyproject, lineText).indexes.filter((d) => d.url !== '');
  const indexes: ConfigSetting[] = declared.map((d) => ({
    key: `${d.tool} index ${d.name}`,
    value: d.url,
    line: d.line,
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
