import type { ModelReference } from '../core/records.js';
import { interpolate } from './compose-env.js';
import { revisionKind } from './ids.js';
import { ShellScope, type Segment, type Word } from './shell-scope.js';
import type { Token, Variables, Where } from './shell-words.js';
import type { FileReferences } from './types.js';

/**
 * `git clone` of a hub repository, and the `git checkout` that pins it after: a clone is the repository's default
 * branch (or `--branch`'s, `--revision`'s) until a checkout in its folder moves it — `git clone URL dir && cd dir &&
 * git checkout <sha>`, `git -C dir checkout <sha>`, `git reset --hard <sha>`, `git fetch origin <sha> && git checkout
 * FETCH_HEAD` — which is the revision whose files the build then uses. Commands are read in the order the shell runs
 * them, with the folder each runs in (`cd`, a Dockerfile's WORKDIR; unknown after a `cd` the file does not decide).
 */
export class GitClones {
  /** The folder each clone went to → the index of its reference in `out.references`. */
  private readonly clones = new Map<string, number>();
  /** The commit `git fetch <remote> <sha>` fetched in a folder, for a checkout of FETCH_HEAD. */
  private readonly fetched = new Map<string, string>();

  constructor(
    private readonly path: string,
    private readonly out: FileReferences,
  ) {}

  /**
   * Read a command line's simple commands in order from folder `dir`; gives the folder after them (undefined when
   * unknown).
   */
  walk(segments: readonly Segment[], dir: string | undefined, vars: Variables, where: Where): string | undefined {
    for (const s of segments) {
      const words = commandWords(s.words).map((w) => token(w, vars));
      const head = words[0]?.text;
      if (head === 'cd' || head === 'pushd') dir = ShellScope.cd(dir, words[1]);
      else if (head === 'popd') dir = undefined;
      else if (head === 'git') this.git(words.slice(1), dir, where);
    }
    return dir;
  }

  private git(args: Token[], dir: string | undefined, where: Where): void {
    // git's own options before the command: `-C <path>` runs it in that folder (relative to where git runs).
    let i = 0;
    for (; i < args.length && args[i]!.text.startsWith('-'); i++) {
      const o = args[i]!.text;
      if (o === '-C') dir = ShellScope.cd(dir, args[++i]);
      else if (o === '-c') i++;
    }
    const command = args[i]?.text;
    const rest = args.slice(i + 1);
    if (command === 'clone') this.clone(rest, dir, where);
    else if (command === 'checkout' || command === 'switch') this.moved(dir, checkoutTarget(command, rest));
    else if (command === 'reset' && rest.some((t) => t.text === '--hard' || t.text === '--keep'))
      this.moved(
        dir,
        rest.find((t) => !t.text.startsWith('-')),
      );
    else if (command === 'fetch') {
      // `git fetch [options] <remote> <sha>`: FETCH_HEAD is that commit.
      const positional = rest.filter(
        (t, k) => !t.text.startsWith('-') && !FETCH_VALUE_OPTIONS.has(rest[k - 1]?.text ?? ''),
      );
      const sha = positional[1];
      if (dir !== undefined && sha !== undefined && !sha.expands && positional.length === 2)
        this.fetched.set(dir, sha.text);
    }
  }

  /** `git clone [options] <url> [<dir>]` (git's builtin/clone.c): the hub repository, into `<dir>` or its name. */
  private clone(args: Token[], dir: string | undefined, where: Where): void {
    let branch: Token | undefined;
    let revision: Token | undefined;
    const positional: Token[] = [];
    for (let k = 0; k < args.length; k++) {
      const t = args[k]!;
      if (t.text === '--branch' || t.text === '-b') branch = args[++k];
      else if (t.text.startsWith('--branch=')) branch = { ...t, text: t.text.slice('--branch='.length) };
      // git 2.49: `--revision=<rev>` clones that revision (a commit or any ref), detached.
      else if (t.text === '--revision') revision = args[++k];
      else if (t.text.startsWith('--revision=')) revision = { ...t, text: t.text.slice('--revision='.length) };
      else if (CLONE_VALUE_OPTIONS.has(t.text)) k++;
      else if (!t.text.startsWith('-')) positional.push(t);
    }
    const url = positional[0];
    const repo = url && !url.expands ? hubCloneRepo(url.text) : undefined;
    if (!url || repo === undefined) return;
    const rev = revision ?? branch;
    const reference: ModelReference = {
      path: this.path,
      ...where(url.at),
      via: 'git clone',
      hub: 'huggingface',
      repoId: repo,
      url: url.text,
      ...(rev !== undefined && !rev.expands ? { revision: rev.text } : {}),
      // git clone --branch takes a branch or a tag, never a commit; --revision any of them.
      revisionKind: rev === undefined ? 'none' : rev.expands ? 'ref' : revision ? revisionKind(rev.text) : 'ref',
      runsRemoteCode: false,
    };
    this.out.references.push(reference);
    const into = positional[1] ?? { text: repo.slice(repo.lastIndexOf('/') + 1), at: url.at, expands: false };
    const folder = ShellScope.cd(dir, into);
    if (folder !== undefined) this.clones.set(folder, this.out.references.length - 1);
  }

  /** The clone in folder `dir` (if one) now has `rev` checked out. */
  private moved(dir: string | undefined, rev: Token | undefined): void {
    const index = dir === undefined ? undefined : this.clones.get(dir);
    if (index === undefined || rev === undefined) return;
    const text = rev.text === 'FETCH_HEAD' ? this.fetched.get(dir!) : rev.expands ? undefined : rev.text;
    const { revision: _, ...before } = this.out.references[index]!;
    // A revision the file does not decide (`git checkout "$REV"`) is some revision chosen at run time.
    this.out.references[index] =
      text === undefined
        ? { ...before, revisionKind: 'ref' }
        : { ...before, revision: text, revisionKind: revisionKind(text) };
  }
}

/**
 * The revision `git checkout` or `git switch` moves the work tree to: `checkout [-q|-f|--detach] <rev>`, `checkout -b
 * <new> <start>`, `switch --detach <rev>`, `switch -c <new> <start>`; none for a checkout of paths (`-- <paths>`, or
 * more than one word) or a switch to a branch by name alone.
 */
function checkoutTarget(command: string, args: readonly Token[]): Token | undefined {
  if (args.some((t) => t.text === '--')) return undefined;
  const positional: Token[] = [];
  let creates = false;
  let detach = false;
  for (let k = 0; k < args.length; k++) {
    const t = args[k]!.text;
    if (['-b', '-B', '-c', '-C', '--orphan'].includes(t)) {
      creates = true;
      k++;
    } else if (t === '--detach' || t === '-d') detach = true;
    else if (!t.startsWith('-')) positional.push(args[k]!);
  }
  if (positional.length !== 1) return undefined;
  if (command === 'switch' && !creates && !detach) return undefined;
  return positional[0];
}

/**
 * The hub model repository a clone URL names: `https://huggingface.co/<org>/<name>` (or hf.co, `.git`), its SSH forms
 * `git@hf.co:<org>/<name>` and `ssh://git@hf.co/<org>/<name>`, or a legacy model without an org. Datasets and Spaces
 * (`datasets/`, `spaces/`) are not models.
 */
export function hubCloneRepo(url: string): string | undefined {
  const m =
    /^(?:https?:\/\/(?:www\.)?|ssh:\/\/git@|git@)(?:huggingface\.co|hf\.co)[/:]([\w.-]+(?:\/[\w.-]+?)?)(?:\.git)?\/?$/.exec(
      url,
    );
  if (!m) return undefined;
  const repo = m[1]!;
  if (!repo.includes('/')) return NOT_REPOSITORIES.has(repo) ? undefined : repo;
  return /^(datasets|spaces)\//.test(repo) ? undefined : repo;
}

/** Site paths of huggingface.co that are not a legacy model's name. */
const NOT_REPOSITORIES = new Set(['datasets', 'spaces', 'models', 'docs', 'api', 'blog', 'learn', 'organizations']);

/** git clone's options that take the next word (builtin/clone.c). */
const CLONE_VALUE_OPTIONS = new Set([
  '--depth',
  '--filter',
  '-c',
  '--config',
  '-o',
  '--origin',
  '-u',
  '--upload-pack',
  '--template',
  '--reference',
  '--reference-if-able',
  '--separate-git-dir',
  '-j',
  '--jobs',
  '--shallow-since',
  '--shallow-exclude',
  '--server-option',
  '--bundle-uri',
]);

/** git fetch's options that take the next word. */
const FETCH_VALUE_OPTIONS = new Set([
  '--depth',
  '--deepen',
  '--shallow-since',
  '--shallow-exclude',
  '-j',
  '--jobs',
  '--filter',
  '-o',
  '--server-option',
  '--upload-pack',
  '--refmap',
]);

/**
 * A simple command's words from its command's name on: past a Dockerfile's `RUN`, a YAML key or list dash a workflow
 * step's `run:` stands after, variables set for the command alone (`GIT_LFS_SKIP_SMUDGE=1 git clone …`), and the
 * commands that run the rest as a command (`sudo`, `env`, `nohup`, `time`, `exec`, `command`).
 */
export function commandWords(words: readonly Word[]): readonly Word[] {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!.raw;
    // Reserved words a command follows (`do git clone …`, `if git clone …; then`, `! cd x`), as bash's grammar puts
    // a command after them.
    if (
      /^(?:RUN|ONBUILD|-|[\w-]+:|nohup|time|exec|command|builtin|do|then|else|elif|if|while|until|!|\{)$/.test(w) ||
      /^[A-Za-z_]\w*=/.test(w)
    )
      i++;
    else if (w === 'sudo' || w === 'env') {
      i++;
      // Their own options (`sudo -u user`, `env -i`): an option's value is skipped only where it takes one.
      while (words[i]?.raw.startsWith('-')) i += /^-[ugCDhpRrT]$/.test(words[i]!.raw) ? 2 : 1;
    } else break;
  }
  return words.slice(i);
}

/** A word as a line reader's token, its variables read with what the file set (`ShellScope`). */
export function token(w: Word, vars: Variables): Token {
  const expands = w.raw.includes('$') && !/^'[^']*'$/.test(w.raw);
  return expands ? interpolate({ text: w.text, at: w.at, expands }, vars) : { text: w.text, at: w.at, expands };
}
