import type { Finding } from '../../core/finding.js';
import { pushAll } from '../../core/push-all.js';
import { redactUrls } from '../../deps/checks/finding.js';
import type { InstallFileChange } from './install-files.js';
import { cutComment } from '../../core/linear-text.js';

/**
 * CPU029: a workflow that now installs dependencies without holding the package manager to the lockfile. `npm ci`
 * installs exactly the lockfile and fails when package.json disagrees; `npm install` re-resolves and rewrites it
 * (arborist `buildIdealTree`). The same for `pnpm install --no-frozen-lockfile` (pnpm freezes by default in CI),
 * `yarn install --no-immutable` / `--no-frozen-lockfile` (yarn 1: without `--frozen-lockfile`), `bun install`
 * without `--frozen-lockfile` (bun does not freeze by default), `uv sync` without `--locked` / `--frozen`, and
 * `pip install` of names rather than a requirements file or hash-pinned set, in workflows and Dockerfiles alike. The
 * install commands each revision runs are compared as text (comments dropped); one finding per workflow with both
 * sides.
 */
const PIP = /\b(pip3?|-m\s+pip|uv\s+pip)\s+install\b/;
/**
 * An install command that does not keep to the lockfile: `re` matches, and when `then` is given one of its flags
 * follows `re`'s first match (`re` then `.*flag`, without an expression that ran to the end of the line from every
 * occurrence of `re`), unless `unless` matches.
 */
interface UnlockedRule {
  readonly re: RegExp;
  readonly then?: readonly string[];
  readonly unless?: RegExp;
}
const UNLOCKED: readonly UnlockedRule[] = [
  // A global tool install (`npm i -g x`) does not read the project's lockfile at all.
  { re: /\bnpm\s+(install|i|isntall|add|update|up)\b/, unless: /\s(-g|--global|--package-lock-only)\b/ },
  // nopt (pnpm's parse-cli-args) reads a boolean flag's `=false` or following `false` as off.
  {
    re: /\bpnpm\s+(install|i)\b/,
    then: ['--no-frozen-lockfile', '--frozen-lockfile=false', '--frozen-lockfile false'],
  },
  { re: /\byarn\b/, then: ['--no-immutable', '--no-frozen-lockfile'] },
  { re: /\bbun\s+(install|i)\b/, unless: /--frozen-lockfile/ },
  { re: /\buv\s+sync\b/, unless: /--(locked|frozen)\b/ },
  // pip resolves whatever it is named afresh unless it installs a requirements file or pins with hashes; upgrading
  // pip's own tooling reads no project file at all.
  {
    re: PIP,
    unless:
      /\s(-r|--requirement|-c|--constraint)[\s=]|--require-hashes|--upgrade\s+(pip|setuptools|wheel)(\s|$)|-U\s+(pip|setuptools|wheel)(\s|$)/,
  },
];
/** `yarn` or `yarn install` run as a command: it ends the line, takes a flag, or another command follows. */
const YARN_INSTALL = /\byarn(\s+install)?(?=\s+-|\s*$|\s*(&&|\|\||;))/;
/**
 * yarn 1 freezes only when asked (cli/commands/install.js: `--frozen-lockfile` throws `frozenLockfileError` where the
 * lockfile does not satisfy package.json; without it, `yarn install` resolves the missing patterns and rewrites the
 * lockfile). yarn 2+ freezes on CI by default (`enableImmutableInstalls`), so a bare `yarn install` is unlocked only
 * where the project's lockfile is yarn 1's and no `.yarnrc` adds the flag to every install (rc.js `getRcArgs`).
 */
const YARN_CLASSIC_UNLOCKED: UnlockedRule = { re: YARN_INSTALL, unless: /--frozen-lockfile|--immutable\b/ };
/**
 * A rebuild runs the install scripts of every installed package (npm's and pnpm's `rebuild` / `rb`: arborist
 * `rebuild` → `#build` runs preinstall, install and postinstall unless `ignoreScripts`; yarn 2+'s `rebuild`).
 */
const REBUILD = /\b((npm|pnpm)\s+(rebuild|rb)|yarn\s+rebuild)\b/;
const INSTALL = new RegExp(
  String.raw`\b(npm\s+(ci|install|i|isntall|add|update|up)|pnpm\s+(install|i)|${YARN_INSTALL.source}|bun\s+(install|i)|uv\s+sync|(pip3?|-m\s+pip|uv\s+pip)\s+install)\b|${REBUILD.source}`,
);

/** A command line of a workflow or Dockerfile, comments cut, with the line it starts at. */
export interface CommandLine {
  readonly text: string;
  readonly line: number;
}

/**
 * The command lines of a workflow or Dockerfile: lines a trailing `\` continues are one, as the shell (and BuildKit's
 * `RUN`: parser `trimContinuationCharacter`) reads them, so `npm ci \` then `--ignore-scripts` is one install that
 * holds scripts back, and `npm config set \` then `registry …` one setting. Each physical line's comment is cut first.
 */
export function commandLines(text: string): CommandLine[] {
  const lines = text.split('\n');
  const out: CommandLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    const parts = [cutComment(lines[i]!).trim()];
    while (parts.at(-1)!.endsWith('\\') && i + 1 < lines.length) {
      parts.push(parts.pop()!.slice(0, -1), cutComment(lines[++i]!).trim());
    }
    out.push({ text: parts.join(' '), line: start + 1 });
  }
  return out;
}

/**
 * Install commands of a workflow, whitespace normalised, with their line: each command of a command line the shell
 * runs on its own (`&&`, `||`, `;`), so `pip config set … && pip install x` changed only in its first command adds no
 * install.
 */
function installs(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (text === undefined) return out;
  for (const { text: line, line: at } of commandLines(text)) {
    if (!INSTALL.test(line)) continue;
    const body = line
      .replace(/^(-\s*)?(run:\s*[|>]?-?\s*|RUN\s+)?/, '')
      .replace(/\s+/g, ' ')
      .trim();
    for (const part of body.split(SHELL_LIST)) {
      const cmd = part.trim();
      if (INSTALL.test(cmd) && !out.has(cmd)) out.set(cmd, at);
    }
  }
  return out;
}

/**
 * The shell's list operators between commands (POSIX sh 2.9.3): `&&`, `||`, `;`. Quotes are not read: one inside a
 * quoted argument of an install line is rare, and splitting there still leaves the install command whole before it.
 */
const SHELL_LIST = /\s*(?:&&|\|\||;)\s*/;

/** `yarnClassic`: the project installs with yarn 1 and nothing freezes its installs but the command's own flag. */
export function unlocked(cmd: string, yarnClassic = false): boolean {
  return (yarnClassic ? [...UNLOCKED, YARN_CLASSIC_UNLOCKED] : UNLOCKED).some((u) => {
    const m = u.re.exec(cmd);
    if (!m) return false;
    // A command line has no line break (white space is normalised), so `.*` reached its end.
    const end = m.index + m[0].length;
    if (u.then && !u.then.some((flag) => cmd.includes(flag, end))) return false;
    return !(u.unless?.test(cmd) ?? false);
  });
}

/** Workflows and Dockerfiles: both run install commands on every build. */
export const isBuildScript = (p: string) =>
  p.startsWith('.github/workflows/') || /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$|\.[Dd]ockerfile$/.test(p);

export function workflowInstallFindings(changes: readonly InstallFileChange[], yarnClassic: boolean): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (!isBuildScript(c.path) || c.unread !== undefined || c.head === undefined) continue;
    const before = [...installs(c.base).keys()];
    const at = installs(c.head);
    const after = [...at.keys()];
    const had = new Set(before);
    const added = after.filter((cmd) => !had.has(cmd));
    const lineOf = (cmd: string) => at.get(cmd) ?? 1;
    const was = before.length > 0 ? before.join('; ') : '(no install)';
    pushAll(out, sourceFlags(c, added, before, lineOf));
    pushAll(out, scriptsLetRun(c, added, before, lineOf));
    const fresh = [...new Set(added.filter((cmd) => unlocked(cmd, yarnClassic)))];
    if (fresh.length === 0) continue;
    const line = lineOf(fresh[0]!);
    out.push({
      ruleId: 'CPU029',
      message: `${c.path} now installs without holding to the lockfile: ${fresh.join('; ')} (the base ran: ${was}). That install resolves versions afresh on CI, so what runs is not what the lockfile and this review saw. Use npm ci, pnpm/yarn install with a frozen lockfile, bun install --frozen-lockfile, uv sync --locked or pip install -r with --require-hashes.`,
      location: { path: c.path, line },
      artifact: { kind: 'file', path: c.path },
      evidence: { before: was, after: after.join('; '), commands: fresh.join('\n') },
    });
  }
  return out;
}

/**
 * Flags of an install command that choose where packages come from, drop TLS checks for a host, or run every install
 * script the project's allowlist holds back (npm's `--dangerously-allow-all-scripts`, which arborist rebuild lets past
 * `allowScripts`; pnpm's `--dangerously-allow-all-builds`), unless given `=false`.
 */
const SOURCE_FLAG = /(?:^|\s)(--index-url|--extra-index-url|-i|--find-links|-f|--registry)[=\s]+(\S+)/g;
const TRUST_FLAG = /(?:^|\s)(--trusted-host|--allow-insecure-host|--strict-ssl[=\s]+false)(?:[=\s]+(\S+))?/g;
const SCRIPTS_FLAG = /(?:^|\s)(--dangerously-allow-all-(?:scripts|builds)(?:=(?!false(?:\s|$))\S+)?)(?=\s|$)/g;

/**
 * CPU025 / CPU026 for install commands the change adds to a workflow or Dockerfile: the same settings a pip.conf or
 * .npmrc holds (`pip install --extra-index-url`, `npm ci --registry`, `--trusted-host`) given on the command line,
 * which the package manager obeys over its files. A flag the base already passed is not new.
 */
function sourceFlags(
  c: InstallFileChange,
  added: readonly string[],
  before: readonly string[],
  lineOf: (cmd: string) => number,
): Finding[] {
  const flags = (cmds: readonly string[], re: RegExp) =>
    cmds.flatMap((cmd) => [...cmd.matchAll(re)].map((m) => ({ cmd, flag: m[0].trim() })));
  const out: Finding[] = [];
  for (const [rule, re, what] of [
    ['CPU025', SOURCE_FLAG, 'pointed at another registry or index'],
    ['CPU026', TRUST_FLAG, 'with TLS checks off for a host'],
    ['CPU026', SCRIPTS_FLAG, 'that runs the install scripts the project holds back'],
  ] as const) {
    const had = new Set(flags(before, re).map((f) => f.flag));
    const fresh = flags(added, re).filter((f) => !had.has(f.flag));
    if (fresh.length === 0) continue;
    const shown = [...new Set(fresh.map((f) => redactUrls(f.flag).slice(0, 200)))];
    out.push({
      ruleId: rule,
      message: `${c.path} now runs an install ${what}: ${shown.join('; ')}. The package manager obeys the command line over its configuration files on every build. Land it in a pull request of its own and approve it by hand.`,
      location: { path: c.path, line: lineOf(fresh[0]!.cmd) },
      artifact: { kind: 'file', path: c.path },
      evidence: { flags: shown.join('\n'), commands: [...new Set(fresh.map((f) => redactUrls(f.cmd)))].join('\n') },
    });
  }
  return out;
}

/**
 * The JavaScript package manager an install command runs, and whether it holds install scripts back: npm's, pnpm's,
 * yarn 1's and bun's `--ignore-scripts` (a boolean flag; nopt reads `--ignore-scripts false` and `=false` as off), yarn
 * 2+'s `--mode=skip-build`.
 */
const SCRIPT_TOOL = /\b(npm|pnpm|yarn|bun)\b/;
const HOLDS_SCRIPTS = /\s(--ignore-scripts(?![=\s]+false(?:\s|$))|--mode[=\s]+skip-build)(?=[\s=]|$)/;

/**
 * CPU026 for install commands the change adds to a workflow or Dockerfile that run install scripts where the base's
 * install of that package manager held them back: `npm ci --ignore-scripts` → `npm ci` runs every dependency's
 * preinstall / install / postinstall on the build machine, with its secrets (arborist rebuild skips them only under
 * `ignoreScripts`). The environment and `.npmrc` forms of the same setting are checked where those are read.
 */
function scriptsLetRun(
  c: InstallFileChange,
  added: readonly string[],
  before: readonly string[],
  lineOf: (cmd: string) => number,
): Finding[] {
  const held = new Set(
    before
      .flatMap(runners)
      .filter((cmd) => HOLDS_SCRIPTS.test(cmd))
      .map((cmd) => SCRIPT_TOOL.exec(cmd)?.[1]),
  );
  const fresh = added.filter((cmd) =>
    runners(cmd).some((run) => {
      const tool = SCRIPT_TOOL.exec(run)?.[1];
      return tool !== undefined && held.has(tool) && !HOLDS_SCRIPTS.test(run);
    }),
  );
  if (fresh.length === 0) return [];
  const shown = [...new Set(fresh.map((cmd) => redactUrls(cmd).slice(0, 200)))];
  const was = before.filter((cmd) => HOLDS_SCRIPTS.test(cmd)).map((cmd) => redactUrls(cmd).slice(0, 200));
  return [
    {
      ruleId: 'CPU026',
      message: `${c.path} now runs install scripts the base held back: ${shown.join('; ')} (the base ran: ${was.join('; ')}). Every dependency's preinstall, install and postinstall now runs on the build machine, with its secrets. Keep the flag, or land the change in a pull request of its own and approve it by hand.`,
      location: { path: c.path, line: lineOf(fresh[0]!) },
      artifact: { kind: 'file', path: c.path },
      evidence: { before: was.join('\n'), commands: shown.join('\n') },
    },
  ];
}

/**
 * The shell commands of a line that install or rebuild every package, each judged alone: `npm ci --ignore-scripts &&
 * npm rebuild` holds the scripts back in its first command and runs them all in its second. A rebuild that names
 * its packages (`npm rebuild esbuild`) runs only theirs, by a choice the change states.
 */
function runners(line: string): string[] {
  return line.split(/\s*(?:&&|\|\||;|\|)\s*/).filter((cmd) => {
    const rebuild = REBUILD.exec(cmd);
    if (rebuild === null) return INSTALL.test(cmd);
    return cmd
      .slice(rebuild.index + rebuild[0].length)
      .split(/\s+/)
      .every((word) => word === '' || word.startsWith('-'));
  });
}
