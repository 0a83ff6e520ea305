import { interpolate, type ShellValue } from './compose-env.js';
import { looksLikeRepoId, looksLikeTypedRepoId, revisionKind } from './ids.js';
import type { FileReferences } from './types.js';
import type { DockerEnvFiles } from './docker-env-file.js';

/** Shell words as the line readers (shell-commands.ts, runtimes.ts) see them. Never run. */

/** A command's offset → its line and column in the file (continued lines counted). */
export type Where = (offset: number) => { line: number; column: number };

/** One shell command (continued lines joined) and where its findings go. */
export interface ShellLine {
  readonly command: string;
  readonly where: Where;
  readonly path: string;
  readonly existsLocally: (p: string) => boolean;
  readonly out: FileReferences;
  /** The hub variables the command runs with (shell-commands.ts `hubSwitches`: `USE_HF`, `…_USE_MODELSCOPE`…). */
  readonly hubEnv?: ReadonlyMap<string, string>;
  /** The variables the file has set for the command (shell-scope.ts), which its words' expansions read. */
  readonly vars?: Variables;
  /** The files the file's `docker run --env-file` options name (docker-env-file.ts), as written. */
  readonly dockerEnvFiles?: DockerEnvFiles;
}

/** Variables a file sets: a Makefile's or a Compose project's (by name), a script's (`ShellValue`). */
export type Variables = ReadonlyMap<string, string | ShellValue>;

export interface Token {
  readonly text: string;
  readonly at: number;
  /** Holds a shell expansion (`$VAR`, `${VAR}`, `$(…)`): its value is chosen at run time. */
  readonly expands: boolean;
  /**
   * The variable the word is read from, where a Compose file's interpolation (compose-env.ts) gave it the value of
   * its `.env` or its default: the run's environment may set another.
   */
  readonly variable?: string;
}

/**
 * Words split on blanks, quotes removed (single quotes expand nothing); an expansion of a variable the file set
 * (`vars`) is read as its value (compose-env.ts `interpolate`).
 */
export function tokens(args: string, offset: number, vars?: Variables): Token[] {
  const out: Token[] = [];
  // A GitHub Actions expression (`${{ env.MODEL }}`) is one word, its blanks and all.
  for (const m of args.matchAll(/"([^"]*)"|'([^']*)'|((?:\$\{\{[^}\n]{0,200}\}\}|\S)+)/g)) {
    const text = m[1] ?? m[2] ?? m[3]!;
    const t = { text, at: offset + m.index, expands: m[2] === undefined && text.includes('$') };
    out.push(t.expands && vars !== undefined ? interpolate(t, vars) : t);
  }
  return out;
}

/**
 * Words of a command's arguments without an exec-form array's brackets, quotes and commas (`CMD ["vllm", "serve",
 * …]`, `["tune", "download", "org/x"]`): each word's place moves past what is stripped before it.
 */
export function execFormWords(args: string, offset: number, vars?: Variables): Token[] {
  const out: Token[] = [];
  for (const t of tokens(args, offset, vars)) {
    const lead = /^[[\s"',]*/.exec(t.text)![0].length;
    let end = t.text.length;
    while (end > lead && /[\s"',\]]/.test(t.text[end - 1]!)) end--;
    if (end > lead) out.push({ ...t, text: t.text.slice(lead, end), at: t.at + lead });
  }
  return out;
}

/** The words after offset `at` to the end of the command's shell segment (`execFormWords`). */
export function segmentWords(command: string, at: number, vars?: Variables): Token[] {
  return execFormWords(command.slice(at).split(/[;&|`\n]/)[0]!, at, vars);
}

/**
 * A command's arguments as argparse and clap read them: an option takes the next word as its value unless it is in
 * `flags` (recorded as '') or is written `--name=value`; an option of `lists` takes every word up to the next option.
 * `values` holds each option's value by name, `positional` the rest.
 */
export function commandArguments(
  args: readonly Token[],
  flags: ReadonlySet<string>,
  lists: ReadonlySet<string> = new Set(),
): { positional: Token[]; values: Map<string, Token> } {
  const positional: Token[] = [];
  const values = new Map<string, Token>();
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (!t.text.startsWith('-') || t.text === '-') {
      positional.push(t);
      continue;
    }
    const eq = t.text.indexOf('=');
    if (eq > 0) values.set(t.text.slice(0, eq), { ...t, text: t.text.slice(eq + 1), at: t.at + eq + 1 });
    else if (flags.has(t.text)) values.set(t.text, { ...t, text: '' });
    else if (lists.has(t.text)) while (args[i + 1] && !args[i + 1]!.text.startsWith('-')) i++;
    else if (args[i + 1] && !args[i + 1]!.text.startsWith('-')) values.set(t.text, args[++i]!);
  }
  return { positional, values };
}

/**
 * ModelScope's hub for a vLLM or LMDeploy server (`via`) whose environment (`env`) turns its switch on
 * (`VLLM_USE_MODELSCOPE`, vllm/envs.py; `LMDEPLOY_USE_MODELSCOPE`, lmdeploy's `get_model`: both `.lower() == 'true'`):
 * `commandDownload`'s `hub`, spread in; nothing for any other.
 */
export function modelScopeHub(via: string, env: (name: string) => string | undefined): { hub?: 'modelscope' } {
  const server = /^(vllm|lmdeploy)\b/.exec(via)?.[1];
  const on = server !== undefined && env(`${server.toUpperCase()}_USE_MODELSCOPE`)?.toLowerCase() === 'true';
  return on ? { hub: 'modelscope' } : {};
}

/** A word that starts with the home or working directory's expansion (`$HOME/models`, `${PWD}/lora`). */
const ABSOLUTE_EXPANSION = /^(?:\$HOME|\$\{HOME\}|\$PWD|\$\{PWD\})(?:\/|$)/;

/**
 * A hub repo a command line downloads (`hf download`, `vllm serve`…) at its `--revision` token: an expanded one
 * (`--revision "$REV"`) is some revision decided at run time, not a pin the file shows. An expanded repo is a run-time
 * choice; a local folder is nothing.
 */
export function commandDownload(
  place: { path: string; line: number; column: number; via: string },
  repo: Token,
  rev: Token | undefined,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  more: {
    runsRemoteCode: boolean;
    file?: string;
    remoteCodeByDefault?: boolean;
    takesNoRevision?: boolean;
    /** ModelScope's hub rather than Hugging Face's. */
    hub?: 'modelscope';
    /**
     * A dataset's or a Space's repo (`--repo-type`), named with the prefix a URL of it has, as calls.ts names a
     * `repo_type=` download: never a local folder (the hub CLI downloads), and a bare canonical name is an id.
     */
    repoType?: 'datasets/' | 'spaces/';
  },
): void {
  // `$HOME/…` or `$PWD/…` is an absolute path once the shell expands it, which no hub id is (huggingface_hub
  // utils/_validators.py `validate_repo_id`; vLLM's get_adapter_absolute_path keeps it as it is): a folder on disk.
  if (repo.expands && ABSOLUTE_EXPANSION.test(repo.text)) return;
  if (repo.expands) {
    out.dynamic.push({
      ...place,
      runsRemoteCode: more.runsRemoteCode,
      ...(repo.variable !== undefined ? { nameFrom: repo.variable } : {}),
    });
    return;
  }
  if (more.repoType !== undefined ? !looksLikeTypedRepoId(repo.text) : !looksLikeRepoId(repo.text, existsLocally))
    return;
  const revision = rev?.expands ? undefined : rev?.text;
  out.references.push({
    ...place,
    hub: more.hub ?? 'huggingface',
    repoId: (more.repoType ?? '') + repo.text,
    ...(revision !== undefined ? { revision } : {}),
    ...(rev?.variable !== undefined && !rev.expands ? { revisionFrom: rev.variable } : {}),
    ...(repo.variable !== undefined ? { nameFrom: repo.variable } : {}),
    revisionKind: rev?.expands ? 'ref' : revisionKind(revision),
    ...(more.file !== undefined ? { file: more.file } : {}),
    runsRemoteCode: more.runsRemoteCode,
    ...(more.runsRemoteCode && more.remoteCodeByDefault ? { remoteCodeByDefault: true as const } : {}),
    ...(more.takesNoRevision ? { takesNoRevision: true as const } : {}),
  });
}
