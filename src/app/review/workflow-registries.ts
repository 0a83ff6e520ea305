import type { Finding } from '../../core/finding.js';
import { redactUrls } from '../../deps/checks/finding.js';
import { isAllowed } from '../../deps/npmrc-trust.js';
import { pipConfigName } from '../../deps/parsers/python/config-indexes.js';
import { pipIndexVariable } from '../../deps/parsers/python/env-indexes.js';
import type { InstallFileChange } from './install-files.js';
import { commandLines, isBuildScript } from './workflow-installs.js';

/**
 * Environment variables the package managers read as their registry or index: npm's `npm_config_*` (any case,
 * @npmcli/config `env` source; pnpm reads the same), yarn berry's `YARN_*` settings, bun's, and pip's / uv's
 * `PIP_<OPTION>` / `UV_<SETTING>` (pip's ConfigOptionParser `_get_environ_vars`, uv's `EnvVars`). Any `PIP_`
 * variable is matched here and read as pip reads its name (`pipIndexVariable`: `PIP_PYPI_URL`, `PIP___INDEX_URL`
 * and `PIP_Index_Url` are `PIP_INDEX_URL`; the `PIP_` prefix is case-sensitive, `get_environ_vars`), as the head scan
 * reads it, so one spelling traded for another is no new setting.
 */
const ENV_KEYS =
  /(?:^|[\s"'])((?:npm_config_(?:@[\w.-]+:)?registry)|YARN_NPM_REGISTRY_SERVER|YARN_REGISTRY|BUN_CONFIG_REGISTRY|PIP_[\w-]+|UV_INDEX_URL|UV_EXTRA_INDEX_URL|UV_DEFAULT_INDEX|UV_INDEX|UV_FIND_LINKS)\s*[:=]\s*["']?([^\s"']+)/gi;
/** `actions/setup-node` `with: registry-url:` writes an `.npmrc` with that registry (and `NPM_CONFIG_USERCONFIG`). */
const SETUP_NODE = /^\s*registry-url\s*:\s*["']?([^\s"'#]+)/;
/**
 * `npm config set registry …` (or `npm set`), pnpm's, yarn's (1 and berry), `pip config set global.index-url …` (or
 * any name pip.conf reads as it: `index_url`, `pypi-url`; configuration.py `_normalize_name`).
 */
const CONFIG_SET: readonly RegExp[] = [
  /\b(?:npm|pnpm)\s+(?:config\s+)?set\s+(?:-\S+\s+)*((?:@[\w.-]+:)?registry)[\s=]+["']?([^\s"';&|]+)/g,
  /\byarn\s+config\s+set\s+(?:-\S+\s+)*(npmRegistryServer|registry|npmScopes\.[\w.-]+\.npmRegistryServer)\s+["']?([^\s"';&|]+)/g,
  /\b(?:pip3?|-m\s+pip)\s+config\s+(?:--\S+\s+)*set\s+((?:global|install|user)\.(?:index[-_]url|pypi[-_]url|extra[-_]index[-_]url|find[-_]links))\s+["']?([^\s"';&|]+)/g,
];

/**
 * A `config set` key as the package manager reads it, so one spelling traded for another is no new setting: pip's
 * `section.name` by configuration.py `_normalize_name` (`index_url` is `index-url`), and `pypi-url` as the
 * `--index-url` option it is an alias of (cmdoptions `index_url`, found by `ConfigOptionParser.get_option`).
 */
function configKey(key: string): string {
  const dot = key.indexOf('.');
  if (dot < 0 || !/^(?:global|install|user)\./.test(key)) return key;
  const name = pipConfigName(key.slice(dot + 1));
  return `${key.slice(0, dot)}.${name === 'pypi-url' ? 'index-url' : name}`;
}

/** Every registry setting of a workflow or Dockerfile, `KEY=value`, comments dropped. */
function registrySettings(text: string | undefined): Map<string, { setting: string; value: string; line: number }> {
  const out = new Map<string, { setting: string; value: string; line: number }>();
  if (text === undefined) return out;
  for (const { text: line, line: at } of commandLines(text)) {
    const add = (setting: string, value: string) => {
      const key = `${setting}=${value}`;
      if (!out.has(key)) out.set(key, { setting, value, line: at });
    };
    for (const m of line.matchAll(ENV_KEYS)) {
      const setting = /^pip_/i.test(m[1]!) ? pipIndexVariable(m[1]!) : m[1]!.toUpperCase();
      if (setting !== undefined && setting !== 'PIP_TRUSTED_HOST') add(setting, m[2]!);
    }
    const setup = SETUP_NODE.exec(line);
    if (setup) add('setup-node registry-url', setup[1]!);
    for (const re of CONFIG_SET) for (const m of line.matchAll(re)) add(`config set ${configKey(m[1]!)}`, m[2]!);
  }
  return out;
}

/**
 * CPU025 for a workflow or Dockerfile that now points the package manager at another registry without a flag: a
 * job's `env:` map, `actions/setup-node` `registry-url:`, or `npm config set registry` in a run step. The package
 * manager obeys them on that build as it obeys `--registry` (workflow-installs.ts). A setting the base already made
 * is not new; one naming a registry the policy allows is a warning (the `patch` gate still stops it).
 */
export function workflowRegistryFindings(changes: readonly InstallFileChange[], allowed: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (!isBuildScript(c.path) || c.unread !== undefined || c.head === undefined) continue;
    const before = registrySettings(c.base);
    const fresh = [...registrySettings(c.head)].filter(([k]) => !before.has(k)).map(([, v]) => v);
    if (fresh.length === 0) continue;
    const shown = fresh.map((f) => `${f.setting}: ${redactUrls(f.value).slice(0, 200)}`);
    const vetted = fresh.every((f) => isAllowed(f.value, allowed));
    out.push({
      ruleId: 'CPU025',
      ...(vetted ? { level: 'warning' as const } : {}),
      message: `${c.path} now points the install at another registry or index: ${shown.join('; ')}${vetted ? ' (a registry the policy allows)' : ''}. The package manager obeys it on every build, as it obeys --registry. Land it in a pull request of its own and approve it by hand.`,
      location: { path: c.path, line: fresh[0]!.line },
      artifact: { kind: 'file', path: c.path },
      evidence: { settings: shown.join('\n') },
    });
  }
  return out;
}

/**
 * Environment variables that turn a safeguard of the install off, and the values that do: Node's TLS check (`tls`
 * rejects unauthorised certificates unless NODE_TLS_REJECT_UNAUTHORIZED is `0`), npm's `strict-ssl`,
 * `ignore-scripts` and `package-lock` (@npmcli/config reads `npm_config_*` in any case, `_` as `-`), npm's
 * `dangerously-allow-all-scripts` (arborist rebuild then runs every script `allowScripts` holds back; any value but
 * `false`, as the scan counts it) and pnpm's `dangerously-allow-all-builds` (read from `npm_config_*` and
 * `pnpm_config_*`), berry's `enableStrictSsl`, `enableImmutableInstalls` and `checksumBehavior` (Configuration.ts
 * reads `YARN_<SETTING>`), pip's `trusted-host` (`PIP_<OPTION>`, every spelling pip reads: `pipIndexVariable`), uv's insecure hosts and `--no-verify-hashes`. The
 * same settings in `.npmrc`, `.yarnrc.yml`, pip.conf or uv.toml are install-settings.ts's CPU026.
 */
const FALSE = /^(false|0|no|off)$/i;
const TRUE = /^(true|1|yes|on)$/i;
const UNSAFE: Readonly<Record<string, RegExp>> = {
  NODE_TLS_REJECT_UNAUTHORIZED: /^0$/,
  NPM_CONFIG_STRICT_SSL: FALSE,
  NPM_CONFIG_IGNORE_SCRIPTS: FALSE,
  NPM_CONFIG_PACKAGE_LOCK: FALSE,
  NPM_CONFIG_DANGEROUSLY_ALLOW_ALL_SCRIPTS: /^(?!false$)/i,
  NPM_CONFIG_DANGEROUSLY_ALLOW_ALL_BUILDS: TRUE,
  PNPM_CONFIG_DANGEROUSLY_ALLOW_ALL_BUILDS: TRUE,
  YARN_ENABLE_STRICT_SSL: FALSE,
  YARN_ENABLE_IMMUTABLE_INSTALLS: FALSE,
  YARN_CHECKSUM_BEHAVIOR: /^(ignore|update|reset)$/i,
  PIP_TRUSTED_HOST: /./,
  UV_INSECURE_HOST: /./,
  UV_NO_VERIFY_HASHES: TRUE,
};
/** Each variable of UNSAFE, in any case; npm's and pnpm's with `-` or `_` between the words of the setting. */
const GUARD_ENV = new RegExp(
  `(?:^|[\\s"'])(${Object.keys(UNSAFE)
    .map((k) => {
      if (k.startsWith('PIP_')) return 'PIP_[\\w-]+';
      const prefix = /^P?NPM_CONFIG_/.exec(k)?.[0];
      return prefix === undefined ? k : `${prefix}${k.slice(prefix.length).replace(/_/g, '[_-]')}`;
    })
    .join('|')})\\s*[:=]\\s*["']?([^\\s"']+)`,
  'gi',
);

/** Every safeguard-dropping environment setting of a workflow or Dockerfile, `KEY=value`, comments dropped. */
function droppedGuards(text: string | undefined): Map<string, { setting: string; line: number }> {
  const out = new Map<string, { setting: string; line: number }>();
  if (text === undefined) return out;
  for (const { text: line, line: at } of commandLines(text)) {
    for (const m of line.matchAll(GUARD_ENV)) {
      const key = /^pip_/i.test(m[1]!) ? pipIndexVariable(m[1]!) : m[1]!.toUpperCase().replace(/-/g, '_');
      if (key === undefined) continue;
      const setting = `${key}=${m[2]!}`;
      if (UNSAFE[key]?.test(m[2]!) === true && !out.has(setting)) out.set(setting, { setting, line: at });
    }
  }
  return out;
}

/**
 * CPU026 for a workflow or Dockerfile that now turns a safeguard of the install off through the environment (TLS,
 * the lockfile's checksums, the frozen lockfile, ignore-scripts, the script allowlists). A setting the base already made
 * is not new.
 */
export function workflowGuardFindings(changes: readonly InstallFileChange[]): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (!isBuildScript(c.path) || c.unread !== undefined || c.head === undefined) continue;
    const before = droppedGuards(c.base);
    const fresh = [...droppedGuards(c.head)].filter(([k]) => !before.has(k)).map(([, v]) => v);
    if (fresh.length === 0) continue;
    const shown = fresh.map((f) => redactUrls(f.setting).slice(0, 200));
    out.push({
      ruleId: 'CPU026',
      message: `${c.path} now turns off a safeguard of the install through the environment: ${shown.join('; ')}. The package manager obeys it on every build of this workflow. Land it in a pull request of its own and approve it by hand.`,
      location: { path: c.path, line: fresh[0]!.line },
      artifact: { kind: 'file', path: c.path },
      evidence: { settings: shown.join('\n') },
    });
  }
  return out;
}
