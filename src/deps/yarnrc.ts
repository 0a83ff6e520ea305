import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type YAMLMap } from 'yaml';
import { publicHttpUrl } from '../core/url.js';
import { carriesUrlCredentials } from './checks/credentials.js';
import { parseShallowYaml } from '../core/yaml-depth.js';

/** A `.yarnrc.yml` setting that says where packages come from or how far TLS is trusted. Never a credential. */
export interface YarnrcSetting {
  readonly kind: 'registry' | 'certificate' | 'plain-http' | 'checksum';
  /** The setting's path, e.g. `npmRegistryServer`, `npmScopes.acme.npmRegistryServer`, `unsafeHttpWhitelist`. */
  readonly key: string;
  /**
   * As written (a `${VAR}` stays a name, never its value), without URL credentials: a URL, a file path, a host
   * pattern or `false`. The only form that reaches output.
   */
  readonly value: string;
  /** A registry's URL after yarn's `${VAR}` expansion, without credentials: what the checks compare. */
  readonly target?: string;
  /** Variables the value names that the environment lacks, with no default: yarn decides them where it runs. */
  readonly unresolved?: readonly string[];
  /** 1-based line of the value. */
  readonly line: number;
  /** `@acme` for a scope's registry. */
  readonly scope?: string;
  /** The setting a nearer `.yarnrc.yml` overrides it by: `npmRegistryServer`, `npmScopes.acme`, … */
  readonly slot: string;
}

export interface YarnrcConfig {
  /** `enableScripts`; undefined when unset, not a boolean, or only known from the environment at install time. */
  readonly enableScripts?: boolean;
  readonly enableScriptsLine?: number;
  readonly settings: readonly YarnrcSetting[];
  /**
   * Credentials written into the file rather than taken from `${VAR}`: `npmAuthToken`/`npmAuthIdent` at the top,
   * under `npmScopes` or `npmRegistries`, and a registry URL with a secret in it. Where they are, never their values.
   */
  readonly credentials?: readonly { readonly key: string; readonly line: number }[];
  /** Every slot this file sets, reported or not (an allowed value still hides a farther file's). */
  readonly slots: ReadonlySet<string>;
}

/** `checksumBehavior` values under which yarn installs an archive whose checksum does not match (Cache.ts). */
const SKIPS_CHECKSUMS: ReadonlySet<string> = new Set(['ignore', 'update']);

/** A `.yarnrc.yml` yarn itself would refuse (`Configuration.findRcFiles` throws "Parse error when loading …"). */
export class YarnrcError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'YarnrcError';
  }
}

/**
 * Read the settings of a `.yarnrc.yml` that matter to a supply-chain check, as yarn berry reads them
 * (`Configuration.findRcFiles` → `parseSyml`, i.e. js-yaml with the FAILSAFE schema: every scalar a string; then
 * `parseSingleValue` turns `BOOLEAN` settings into booleans and expands `${VAR}` in strings). Parsed with `yaml`
 * (failsafe too) for the lines. Pure: the environment is passed in. Credentials (`npmAuthToken`, `npmAuthIdent`)
 * are never read into the result: only where one is written out (`credentials`).
 */
export function parseYarnrc(text: string, env: Readonly<Record<string, string | undefined>>): YarnrcConfig {
  const lines = new LineCounter();
  // The tree is walked, never turned into JS, so aliases are not expanded (no "billion laughs"). uniqueKeys off:
  // js-yaml `json: true` lets the last duplicate win, and `lastValue` below does the same.
  const doc = parseShallowYaml(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: false });
  const err = doc.errors[0];
  if (err !== undefined)
    throw new YarnrcError(
      err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
      err.linePos?.[0].line,
    );
  const root = resolved(doc, doc.contents);
  if (root === undefined || (isScalar(root) && (root.value === null || root.value === '')))
    return { settings: [], slots: new Set() };
  if (!isMap(root)) throw new YarnrcError('the top level is not a mapping of settings', lineOf(root, lines));

  const lineAt = (n: Node | undefined): number => (n !== undefined ? (lineOf(n, lines) ?? 1) : 1);
  const settings: YarnrcSetting[] = [];
  const slots = new Set<string>();
  const setting = (node: Node | undefined, slot: string): Node | undefined => {
    if (node !== undefined) slots.add(slot);
    return node;
  };
  const credentials: { key: string; line: number }[] = [];
  // plugin-npm `getAuthConfiguration` reads `npmAuthToken` and `npmAuthIdent` of the registry's entry in
  // `npmRegistries`, of the scope's in `npmScopes`, and of the top level: a literal value there is in the repository.
  const addCredentials = (map: Node | undefined, prefix: string): void => {
    if (!isMap(map)) return;
    for (const key of ['npmAuthToken', 'npmAuthIdent']) {
      const node = lastValue(doc, map, key);
      const raw = stringOf(node);
      if (raw !== undefined && raw !== '' && !raw.includes('${'))
        credentials.push({ key: prefix + key, line: lineAt(node) });
    }
  };
  const addRegistry = (node: Node | undefined, key: string, slot: string, scope?: string): void => {
    const raw = stringOf(node);
    if (raw === undefined || raw === '') return;
    const value = displayUrl(raw);
    const missing: string[] = [];
    const target = displayUrl(expandYarnEnv(raw, env, missing));
    const line = lineAt(node);
    // plugin-npm `npmHttpUtils.get` requests the registry URL with the path appended: a query in it travels with
    // every request, and a `?token=` there is written out as a password in its user info is.
    if (!raw.includes('${') && carriesUrlCredentials(raw)) credentials.push({ key, line });
    settings.push({
      kind: 'registry',
      key,
      value,
      target,
      line,
      slot,
      ...(scope !== undefined ? { scope } : {}),
      ...(missing.length > 0 ? { unresolved: missing } : {}),
    });
  };
  const addCa = (node: Node | undefined, key: string, slot: string): void => {
    const raw = stringOf(node);
    if (raw !== undefined && raw !== '')
      settings.push({ kind: 'certificate', key, value: raw, line: lineAt(node), slot });
  };

  const server = 'npmRegistryServer';
  addRegistry(setting(lastValue(doc, root, server), server), server, server);
  // Maps (`npmScopes`, `networkSettings`) merge across files entry by entry; the nearer file's entry wins whole.
  const scopes = lastValue(doc, root, 'npmScopes');
  if (isMap(scopes))
    for (const { key, value } of pairs(doc, scopes)) {
      // plugin-npm normalises scope keys without the `@`.
      const name = key.replace(/^@/, '');
      const slot = `npmScopes.${name}`;
      setting(value, slot);
      if (isMap(value)) addRegistry(lastValue(doc, value, server), `${slot}.${server}`, slot, `@${name}`);
      addCredentials(value, `${slot}.`);
    }
  addCredentials(root, '');
  const registries = lastValue(doc, root, 'npmRegistries');
  if (isMap(registries))
    for (const { key, value } of pairs(doc, registries)) addCredentials(value, `npmRegistries["${key}"].`);

  // `caFilePath` is yarn 2–3's name for what yarn 4 calls `httpsCaFilePath`.
  for (const key of ['httpsCaFilePath', 'caFilePath']) addCa(setting(lastValue(doc, root, key), key), key, key);
  const network = lastValue(doc, root, 'networkSettings');
  if (isMap(network))
    for (const { key, value } of pairs(doc, network)) {
      const slot = `networkSettings.${key}`;
      setting(value, slot);
      if (isMap(value)) addCa(lastValue(doc, value, 'httpsCaFilePath'), `${slot}.httpsCaFilePath`, slot);
    }
  const strict = setting(lastValue(doc, root, 'enableStrictSsl'), 'enableStrictSsl');
  if (toBoolean(stringOf(strict), env) === false)
    settings.push({
      kind: 'certificate',
      key: 'enableStrictSsl',
      value: 'false',
      line: lineAt(strict),
      slot: 'enableStrictSsl',
    });

  // Cache.fetchPackageFromCache (validateFile): on a mismatch `ignore` installs the archive under the expected
  // checksum and `update` installs it under its own; `throw` (the default, and anything else) refuses. The runner's
  // own YARN_CHECKSUM_BEHAVIOR ranks above every rc file (Configuration.find), so the tree's value is then moot.
  const checksum = setting(lastValue(doc, root, 'checksumBehavior'), 'checksumBehavior');
  const checksumRaw = stringOf(checksum);
  const runnerSets = Object.keys(env).some((k) => k.toLowerCase() === 'yarn_checksum_behavior');
  if (checksumRaw !== undefined && !runnerSets && SKIPS_CHECKSUMS.has(expandYarnEnv(checksumRaw, env)))
    settings.push({
      kind: 'checksum',
      key: 'checksumBehavior',
      value: checksumRaw,
      line: lineAt(checksum),
      slot: 'checksumBehavior',
    });

  const whitelist = setting(lastValue(doc, root, 'unsafeHttpWhitelist'), 'unsafeHttpWhitelist');
  for (const { host, node } of hostsOf(doc, whitelist))
    settings.push({
      kind: 'plain-http',
      key: 'unsafeHttpWhitelist',
      value: host,
      line: lineAt(node),
      slot: 'unsafeHttpWhitelist',
    });

  const scripts = lastValue(doc, root, 'enableScripts');
  const enableScripts = toBoolean(stringOf(scripts), env);
  return {
    ...(enableScripts !== undefined ? { enableScripts, enableScriptsLine: lineAt(scripts) } : {}),
    settings,
    ...(credentials.length > 0 ? { credentials } : {}),
    slots,
  };
}

/**
 * `miscUtils.parseBoolean` after `replaceEnvVariables`: `true`/`1` and `false`/`0`. Anything else makes yarn abort;
 * here it is "unknown", so nothing is assumed switched off.
 */
function toBoolean(raw: string | undefined, env: Readonly<Record<string, string | undefined>>): boolean | undefined {
  if (raw === undefined) return undefined;
  // A value taken from the environment is the install job's, not the scanner's: unknown unless it has a default.
  const v = expandYarnEnv(raw, env);
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return undefined;
}

/**
 * yarn's `replaceEnvVariables`: `${NAME}`, `${NAME:-fallback}` (fallback when unset or empty) and
 * `${NAME-fallback}` (when unset). An unset name without fallback makes yarn fail; it is left as written and
 * added to `missing`.
 */
export function expandYarnEnv(
  value: string,
  env: Readonly<Record<string, string | undefined>>,
  missing?: string[],
): string {
  // `/\$\{(\w+)(:)?-?([^}]+)?\}/g` by hand: the name and the fallback both take word characters, and with no `}`
  // after them the expression tried every split of a long name (quadratic).
  let out = '';
  let copied = 0;
  for (let at = value.indexOf('${'); at >= 0; at = value.indexOf('${', at + 1)) {
    let end = at + 2;
    while (end < value.length && /\w/.test(value[end]!)) end++;
    const close = end > at + 2 ? value.indexOf('}', end) : -1;
    if (close < 0) continue;
    const name = value.slice(at + 2, end);
    const colon = value[end] === ':' && end < close;
    const from =
      end + (colon ? 1 : 0) + (value[end + (colon ? 1 : 0)] === '-' && end + (colon ? 1 : 0) < close ? 1 : 0);
    const fallback = from < close ? value.slice(from, close) : undefined;
    const orig = value.slice(at, close + 1);
    const v = env[name];
    let replacement: string;
    if (v !== undefined && (v !== '' || !colon)) replacement = v;
    else {
      if (fallback === undefined) missing?.push(name);
      replacement = fallback ?? orig;
    }
    out += value.slice(copied, at) + replacement;
    copied = close + 1;
    at = close;
  }
  return copied === 0 ? value : out + value.slice(copied);
}

/** A URL as it may be printed: no user, password, query or fragment. Not a URL: shown only up to its first `@`. */
function displayUrl(raw: string): string {
  const u = publicHttpUrl(raw);
  if (u !== undefined) return u.href;
  return raw.includes('@') ? `${raw.slice(0, raw.indexOf(':') + 1)}…` : raw;
}

/** The hosts of `unsafeHttpWhitelist` (a list, or yarn's comma-separated string); loopback hosts are harmless. */
function hostsOf(doc: Document, node: Node | undefined): { host: string; node: Node }[] {
  const out: { host: string; node: Node }[] = [];
  const add = (s: string, n: Node) => {
    for (const h of s.split(',').map((x) => x.trim()))
      if (h !== '' && !/^(localhost|127(\.\d+){3}|\[?::1\]?)$/i.test(h)) out.push({ host: h, node: n });
  };
  if (isSeq(node)) {
    for (const item of node.items) {
      const n = resolved(doc, item as Node);
      const s = stringOf(n);
      if (s !== undefined && n !== undefined) add(s, n);
    }
  } else if (node !== undefined) {
    const s = stringOf(node);
    if (s !== undefined) add(s, node);
  }
  return out;
}

function pairs(doc: Document, map: YAMLMap): { key: string; value: Node | undefined }[] {
  const out: { key: string; value: Node | undefined }[] = [];
  for (const p of map.items) {
    const key = stringOf(resolved(doc, p.key as Node));
    if (key !== undefined) out.push({ key, value: resolved(doc, p.value as Node | null) });
  }
  return out;
}

function lastValue(doc: Document, map: YAMLMap, key: string): Node | undefined {
  let found: Node | undefined;
  for (const p of pairs(doc, map)) if (p.key === key) found = p.value;
  return found;
}

/** An alias stands for its anchored node, as js-yaml reads it (one step: `yaml` refuses alias cycles). */
function resolved(doc: Document, node: Node | null | undefined): Node | undefined {
  if (node === null || node === undefined) return undefined;
  return isAlias(node) ? (node.resolve(doc) ?? undefined) : node;
}

function stringOf(node: Node | undefined | null): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function lineOf(node: Node, lines: LineCounter): number | undefined {
  const start = node.range?.[0];
  return start !== undefined ? lines.linePos(start).line : undefined;
}
