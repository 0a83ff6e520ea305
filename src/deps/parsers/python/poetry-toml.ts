import type { DeclaredIndex } from './pyproject-indexes.js';
import { isTable, parseToml } from './toml.js';
import type { PyTrustedHost } from './types.js';

/**
 * The sources a project's poetry.toml exempts from TLS checks: `[certificates.<source>] cert = false`. Poetry merges
 * the project's poetry.toml over the user's configuration (`Factory.create_poetry`: `TOMLFile(… / "poetry.toml")`,
 * `config.merge`), and `get_cert_config` turns `false` into `verify=False` for that source's requests. The host is
 * the `[[tool.poetry.source]]` of that name (Poetry matches names without case); an unknown name is said by itself.
 * Only this table is read: `[http-basic]` credentials are never looked at, let alone printed. Throws PyLockError for
 * TOML that does not parse.
 */
export function poetryTomlTlsOff(file: string, text: string, indexes: readonly DeclaredIndex[]): PyTrustedHost[] {
  const doc = parseToml(file, text);
  if (!isTable(doc.certificates)) return [];
  const out: PyTrustedHost[] = [];
  const lines = text.split(/\r?\n/);
  for (const [name, table] of Object.entries(doc.certificates)) {
    if (!isTable(table) || !(table.cert === false || table.cert === 'false')) continue;
    const index = indexes.find((i) => i.tool === 'poetry' && i.name.toLowerCase() === name.toLowerCase());
    out.push({ host: hostOf(index?.url) ?? name.toLowerCase(), file, line: lineOf(lines, name) });
  }
  return out;
}

function hostOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** The `cert` line under `[certificates.<name>]`, else the header, else a dotted `certificates.<name>.cert`; 1 if none. */
function lineOf(lines: readonly string[], name: string): number {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const header = new RegExp(`^\\s*\\[\\s*certificates\\s*\\.\\s*["']?${esc}["']?\\s*\\]`, 'i');
  const h = lines.findIndex((l) => header.test(l));
  if (h >= 0) {
    for (let i = h + 1; i < lines.length && !/^\s*\[/.test(lines[i]!); i++)
      if (/^\s*cert\s*=/.test(lines[i]!)) return i + 1;
    return h + 1;
  }
  const dotted = lines.findIndex((l) =>
    new RegExp(`certificates\\s*\\.\\s*["']?${esc}["']?\\s*\\.\\s*cert\\s*=`, 'i').test(l),
  );
  return dotted >= 0 ? dotted + 1 : 1;
}
