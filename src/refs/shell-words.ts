import { looksLikeRepoId, revisionKind } from './ids.js';
import type { FileReferences } from './types.js';

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
  /** The hub switches the command runs with (shell-commands.ts `hubSwitches`: `USE_HF`, `…_USE_MODELSCOPE`). */
  readonly hubEnv?: ReadonlyMap<string, string>;
}

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

/** Words split on blanks, quotes removed (single quotes expand nothing). */
export function tokens(args: string, offset: number): Token[] {
  const out: Token[] = [];
  for (const m of args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const text = m[1] ?? m[2] ?? m[3]!;
    out.push({ text, at: offset + m.index, expands: m[2] === undefined && text.includes('$') });
  }
  return out;
}

/**
 * The words after offset `at` to the end of the command's shell segment; an exec-form array's brackets, quotes and
 * commas (`CMD ["tune", "download", "org/x"]`) are not part of them.
 */
export function segmentWords(command: string, at: number): Token[] {
  return tokens(command.slice(at).split(/[;&|`\n]/)[0]!, at)
    .map((t) => {
      const lead = /^[["',]+/.exec(t.text)?.[0].length ?? 0;
      return { ...t, text: t.text.slice(lead).replace(/["',\]]+$/, ''), at: t.at + lead };
    })
    .filter((t) => t.text !== '');
}

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
  },
): void {
  if (repo.expands) {
    out.dynamic.push({
      ...place,
      runsRemoteCode: more.runsRemoteCode,
      ...(repo.variable !== undefined ? { nameFrom: repo.variable } : {}),
    });
    return;
  }
  if (!looksLikeRepoId(repo.text, existsLocally)) return;
  const revision = rev?.expands ? undefined : rev?.text;
  out.references.push({
    ...place,
    hub: more.hub ?? 'huggingface',
    repoId: repo.text,
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
