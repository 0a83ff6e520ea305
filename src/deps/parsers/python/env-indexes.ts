import type { ConfigSetting, IndexSettings } from './config-indexes.js';

/**
 * Files that set environment variables for the installs they run: Dockerfiles / Containerfiles (`ENV`, `ARG`),
 * GitHub workflows (`env:` maps) and shell scripts (`export X=…`, `X=… pip install`).
 */
export function isInstallEnvFile(path: string): boolean {
  return (
    /(^|\/)(Dockerfile|Containerfile)(\.[\w-]+)?$|(^|\/)[\w.-]+\.(Dockerfile|Containerfile)$/.test(path) ||
    /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path) ||
    /\.(sh|bash)$/.test(path)
  );
}

/**
 * The environment variables pip and uv read for where to download from (pip's `ConfigOptionParser` maps
 * `PIP_<OPTION>` onto each option; uv's `EnvVars`), and what each sets. Lists are whitespace-separated for pip
 * and for uv's index variables; `UV_INDEX` entries may be `name=url`.
 */
const VARS: Record<string, { key: string; tool: string; insecure?: true }> = {
  PIP_INDEX_URL: { key: 'index-url', tool: 'pip' },
  PIP_EXTRA_INDEX_URL: { key: 'extra-index-url', tool: 'pip' },
  PIP_FIND_LINKS: { key: 'find-links', tool: 'pip' },
  PIP_TRUSTED_HOST: { key: 'trusted-host', tool: 'pip', insecure: true },
  UV_INDEX_URL: { key: 'index-url', tool: 'uv' },
  UV_DEFAULT_INDEX: { key: 'default-index', tool: 'uv' },
  UV_EXTRA_INDEX_URL: { key: 'extra-index-url', tool: 'uv' },
  UV_INDEX: { key: 'index', tool: 'uv' },
  UV_FIND_LINKS: { key: 'find-links', tool: 'uv' },
  UV_INSECURE_HOST: { key: 'allow-insecure-host', tool: 'uv', insecure: true },
};
const NAMES = Object.keys(VARS).join('|');
/** `ENV X=v` / `ARG X=v` / `export X=v` / `X=v cmd` / `X: v` (YAML), and Dockerfile's old `ENV X v`. */
const ASSIGN = new RegExp(
  `(?:^|[\\s;&|(])(?:export\\s+)?(${NAMES})\\s*(?:=|:\\s)\\s*("[^"]*"|'[^']*'|[^\\s;&|#]*)`,
  'g',
);
const OLD_ENV = new RegExp(`^\\s*ENV\\s+(${NAMES})\\s+(\\S.*)$`);

/**
 * The index settings a Dockerfile, workflow or script gives pip / uv through their environment variables, each at
 * its line; undefined when it sets none. A value that is itself a variable (`${{ secrets.X }}`, `$X`) says nothing
 * here and is skipped, as is one that is not a URL (the checks read http(s) values only).
 */
export function envIndexSettings(file: string, text: string): IndexSettings | undefined {
  const indexes: ConfigSetting[] = [];
  const insecureHosts: ConfigSetting[] = [];
  const tools = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw) || !/(PIP|UV)_/.test(raw)) return;
    const hits: [string, string][] = [];
    const old = OLD_ENV.exec(raw);
    if (old && !/^\S*=/.test(old[2]!)) hits.push([old[1]!, old[2]!]);
    else for (const m of raw.matchAll(ASSIGN)) hits.push([m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2')]);
    for (const [name, value] of hits) {
      const v = VARS[name]!;
      tools.add(v.tool);
      for (const item of value.split(/[\s,]+/).filter((x) => x !== '')) {
        const url = v.key === 'index' ? item.replace(/^[\w.-]+=(?=[a-z][a-z0-9+.-]*:)/i, '') : item;
        const setting = { key: `${name} (${v.key})`, value: v.insecure ? url.toLowerCase() : url, line: i + 1 };
        (v.insecure ? insecureHosts : indexes).push(setting);
      }
    }
  });
  if (indexes.length === 0 && insecureHosts.length === 0) return undefined;
  return { file, tool: [...tools].sort().join(' and '), indexes, insecureHosts };
}
