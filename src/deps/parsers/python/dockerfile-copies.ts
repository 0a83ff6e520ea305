import { posix } from 'node:path';
import picomatch from 'picomatch';
import { isDockerfile } from '../../python-inputs.js';
import type { NamedFileTarget } from './install-requirements.js';
import { copyHeredocFiles, runHeredocFiles, type HeredocFile } from './dockerfile-heredocs.js';
import { runWrites } from './dockerfile-run-writes.js';

/** One `COPY` / `ADD` from the build context, where its files land in the image. */
interface ContextCopy {
  readonly line: number;
  /** The line of the `FROM` that starts its stage (0 before any). */
  readonly stage: number;
  /** The sources as written, relative to the build context (`.` for all of it). */
  readonly sources: readonly string[];
  /** The absolute image path, resolved against the WORKDIR of its line. */
  readonly dest: string;
  /** The destination is a folder: written with a trailing `/`, or given several sources. */
  readonly destIsFolder: boolean;
}

/**
 * A `COPY` / `ADD` whose files the Dockerfile cannot name (`--from` a stage or image, a URL, a variable, a heredoc):
 * what it puts at or under `dest` (anywhere, undefined: a variable chose it) hides every earlier copy there.
 */
interface OpaqueCopy {
  readonly line: number;
  readonly stage: number;
  readonly dest: string | undefined;
  /** Why the file cannot be read, as an unread named file says it. */
  readonly opaque: string;
  /** The files its heredocs write (`COPY <<EOF dest`), each the Dockerfile lines of its body. */
  readonly heredocFiles?: readonly HeredocFile[];
  /** A `RUN` writes it (`RUN cat > r.txt <<EOF && pip install -r r.txt`): there for the rest of its own line too. */
  readonly run?: true;
  /** A `RUN` writes it in a way nothing can follow: said unread even though the build writes it. */
  readonly rewrites?: true;
  /** It puts that one file there, not a folder (a RUN's `cp a.txt /app`, where /app may be the folder it goes in). */
  readonly exact?: true;
  /** It is what the installs of its own line read, and no later one (a heredoc an install reads as its stdin). */
  readonly ownLineOnly?: true;
}

/**
 * Where the file an install command of a Dockerfile names (`pip install -r reqs.txt`, at its line) comes from in the
 * repository, as the build lays the image out: the path is taken from the stage's WORKDIR (`WORKDIR` resolves against
 * the one before it; a stage starts at `/`), and the last `COPY` / `ADD` before the line that puts a file there
 * (`COPY requirements/prod.txt ./reqs.txt`, or a folder that holds it: `COPY deploy/ /srv/`) gives its source. The
 * build context is the Dockerfile's folder or the repository root (`docker build -f deploy/Dockerfile .`): the build
 * does not say which, so every context where `exists` finds the source is one file the install may read (a file
 * beside the Dockerfile does not hide the root's). A glob source (`COPY requirements*.txt ./`) matches as Docker's
 * filepath.Match does. Unread when the newest copy that may put a file there is one the Dockerfile cannot name
 * (`COPY --from`, `ADD <url>`, a `$variable`): an older copy is what Docker overwrote, never a fallback. A COPY of
 * heredocs writes only their files, each read from the Dockerfile (copyHeredocFiles).
 * Undefined when no copy explains the path, or a `$variable` in a WORKDIR hides it.
 */
export function dockerfileCopySource(
  dockerfile: string,
  text: string,
  exists: (repoPath: string) => boolean,
  isFolder: (repoPath: string) => boolean,
  /** The Dockerfile as written (the same lines), where a COPY heredoc's body and terminator are found. */
  raw?: string,
): ((written: string, line: number) => NamedFileTarget | undefined) | undefined {
  if (!isDockerfile(dockerfile)) return undefined;
  const { copies, workdirs, stages, parents } = readCopies(text, raw?.split('\n'));
  const dir = posix.dirname(dockerfile);
  const contexts = dir === '.' ? [''] : [dir, ''];
  const inRepo = (source: string, rest: string): string[] => {
    const found = new Set<string>();
    for (const ctx of contexts) {
      const path = posix.normalize(posix.join(ctx, source, rest));
      if (path.startsWith('../') || path === '..' || path.startsWith('/')) continue;
      if (exists(path)) found.add(path);
    }
    return [...found];
  };
  const folderInRepo = (source: string) =>
    source === '.' ||
    source.endsWith('/') ||
    contexts.some((ctx) => isFolder(posix.normalize(posix.join(ctx, source))));
  return (written, line) => {
    if (/[$`*?[]/.test(written)) return undefined;
    const workdir = workdirAt(workdirs, line);
    if (workdir === undefined && !written.startsWith('/')) return undefined;
    const target = posix.normalize(posix.resolve(workdir ?? '/', written));
    // The last copy before the line in its stage wins: a later COPY overwrites what an earlier one put at the same
    // path, and a stage starts from its base image, not from the files of the stage before it — unless that image is
    // an earlier stage (`FROM base AS final`), whose files it starts with (`stageChain`).
    const chain = stageChain(stages, parents, line);
    for (const copy of [...copies].reverse()) {
      if (copy.line > line || (copy.line === line && !('run' in copy)) || !chain.has(copy.stage)) continue;
      if ('ownLineOnly' in copy && copy.line !== line) continue;
      if ('opaque' in copy) {
        // A file a COPY heredoc writes is its body, there in the Dockerfile; it writes no other file.
        if (copy.heredocFiles !== undefined) {
          const written = copy.heredocFiles.find((f) => f.path === target);
          if (written !== undefined) return { unread: copy.opaque, heredoc: written.body };
          continue;
        }
        if (copy.dest === undefined || (copy.exact === true ? target === copy.dest : isUnder(target, copy.dest)))
          return copy.rewrites === true ? { unread: copy.opaque, rewritten: true } : { unread: copy.opaque };
        continue;
      }
      for (const source of copy.sources) {
        if (/[*?[]/.test(posix.dirname(source))) {
          if (isUnder(target, copy.dest)) return { unread: 'a COPY with a glob in a folder may put it there' };
          continue;
        }
        const found = copySourceOf(copy, source, target, folderInRepo(source), inRepo);
        if (found.length > 0) return { paths: found };
      }
    }
    return undefined;
  };
}

/** The repository files (one a build context) `copy`'s `source` puts at `target`, if it does (Docker's COPY rules). */
function copySourceOf(
  copy: ContextCopy,
  source: string,
  target: string,
  sourceIsFolder: boolean,
  inRepo: (source: string, rest: string) => string[],
): string[] {
  // A folder's contents go into the destination folder (`COPY deploy/ /srv/`: deploy/x is /srv/x).
  if (sourceIsFolder) {
    const prefix = copy.dest === '/' ? '/' : `${copy.dest}/`;
    return target.startsWith(prefix) ? inRepo(source, target.slice(prefix.length)) : [];
  }
  // Docker's filepath.Match on the name: each file it matches lands under its own name in the destination folder.
  if (/[*?[]/.test(source)) {
    if (!copy.destIsFolder) return [];
    const name = posix.basename(target);
    const matches =
      posix.dirname(target) === copy.dest && picomatch.isMatch(name, posix.basename(source), { dot: true });
    return matches ? inRepo(posix.dirname(source), name) : [];
  }
  // A file lands at the destination itself, or under its own name inside a destination folder.
  const landsAt = copy.destIsFolder ? posix.join(copy.dest, posix.basename(source)) : copy.dest;
  return landsAt === target ? inRepo(source, '') : [];
}

/** Whether an image path is `dest` or inside it. */
function isUnder(target: string, dest: string): boolean {
  return target === dest || target.startsWith(dest === '/' ? '/' : `${dest}/`);
}

/** The line of the `FROM` that starts the stage a line is in (0 before any). */
function stageAt(stages: readonly number[], line: number): number {
  let stage = 0;
  for (const start of stages) {
    if (start >= line) break;
    stage = start;
  }
  return stage;
}

/**
 * The stage a line is in and the earlier stages it is built on (`FROM base AS final`: BuildKit's dispatcher starts a
 * stage named by an earlier one's `AS` from that stage's state, its files and WORKDIR): each by its `FROM` line.
 */
function stageChain(stages: readonly number[], parents: ReadonlyMap<number, number>, line: number): Set<number> {
  const chain = new Set<number>();
  for (let s: number | undefined = stageAt(stages, line); s !== undefined; s = parents.get(s)) chain.add(s);
  return chain;
}

/** The WORKDIR in effect at a line: the last one set before it in its stage (undefined: a variable chose it). */
function workdirAt(workdirs: readonly { line: number; dir: string | undefined }[], line: number): string | undefined {
  let dir: string | undefined = '/';
  for (const w of workdirs) {
    if (w.line >= line) break;
    dir = w.dir;
  }
  return dir;
}

/**
 * The context copies and WORKDIRs of a Dockerfile as asInstallCommands gives it (one instruction line per line, its
 * continuations already on it as the builder joins them). A `FROM` starts a stage at `/`, or where an earlier stage
 * it names ended (`parents`: a stage's `FROM` line to its base stage's); each copy keeps the line of its stage's
 * `FROM`, as an install only sees the copies of its own stage and of those it is built on.
 */
function readCopies(
  text: string,
  raw: readonly string[] | undefined,
): {
  copies: (ContextCopy | OpaqueCopy)[];
  workdirs: { line: number; dir: string | undefined }[];
  stages: number[];
  parents: Map<number, number>;
} {
  const copies: (ContextCopy | OpaqueCopy)[] = [];
  const stages: number[] = [];
  const parents = new Map<number, number>();
  // Each stage's `AS` name (BuildKit compares them lowercased) and the WORKDIR it ended with.
  const named = new Map<string, number>();
  const lastWorkdir = new Map<number, string | undefined>();
  let stage = 0;
  const workdirs: { line: number; dir: string | undefined }[] = [];
  let workdir: string | undefined = '/';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(FROM|WORKDIR|COPY|ADD|RUN)\s+(.*)$/i.exec(instruction(lines, i));
    if (!m) continue;
    const [, keyword, rest] = m as unknown as [string, string, string];
    const line = i + 1;
    switch (keyword.toUpperCase()) {
      case 'FROM': {
        const { base, name } = fromOperands(rest);
        const parent = base === undefined ? undefined : named.get(base.toLowerCase());
        workdir = parent === undefined ? '/' : lastWorkdir.get(parent);
        if (parent !== undefined) parents.set(line, parent);
        if (name !== undefined) named.set(name.toLowerCase(), line);
        stage = line;
        stages.push(line);
        workdirs.push({ line, dir: workdir });
        lastWorkdir.set(stage, workdir);
        break;
      }
      case 'WORKDIR': {
        const dir = unquote(rest.trim());
        workdir = workdir === undefined || /[$`]/.test(dir) || dir === '' ? undefined : posix.resolve(workdir, dir);
        workdirs.push({ line, dir: workdir });
        lastWorkdir.set(stage, workdir);
        break;
      }
      case 'RUN': {
        // The files its shell writes from heredocs: what they hold is in the Dockerfile when the write surely ran
        // and nothing after it changed the file; otherwise the RUN hides what was there ("a RUN may change it"),
        // for its own installs too unless they all run before the write (they read the file as it was).
        const heredocs = raw === undefined ? [] : (runHeredocFiles(rest, workdir, raw, i) ?? []);
        for (const f of heredocs) {
          const own = f.own === 'before' ? {} : { run: true as const };
          const { path, body } = f;
          if (f.stdin === true) {
            const heredocFiles = [{ path, body }];
            copies.push({
              line,
              stage,
              dest: path,
              opaque: 'a heredoc is its stdin',
              heredocFiles,
              ownLineOnly: true,
              ...own,
            });
            continue;
          }
          if (f.own !== 'unsure' && f.later === 'body')
            copies.push({ line, stage, dest: path, opaque: 'a RUN writes it', heredocFiles: [{ path, body }], ...own });
          else copies.push({ line, stage, dest: path, opaque: 'a RUN may change it', rewrites: true, ...own });
        }
        // Any other file its commands write or change holds what the build made, not what was copied there.
        for (const w of runWrites(rest, workdir)) {
          if (heredocs.some((f) => f.path === w.path)) continue;
          const own = w.readAfter ? { run: true as const } : {};
          const how =
            w.how === 'changes'
              ? { opaque: 'a RUN changes it', rewrites: true as const }
              : { opaque: 'a RUN writes it' };
          copies.push({ line, stage, dest: w.path, exact: true, ...how, ...own });
        }
        break;
      }
      default: {
        const copy = contextCopy(rest, workdir, line, stage);
        const files =
          copy && 'opaque' in copy && copy.dest !== undefined && raw !== undefined
            ? copyHeredocFiles(rest, copy.dest, raw, i)
            : undefined;
        if (copy) copies.push(files !== undefined ? { ...copy, heredocFiles: files } : copy);
      }
    }
  }
  return { copies, workdirs, stages, parents };
}

/** A `FROM [--platform=…] image [AS name]`'s image and stage name. */
function fromOperands(rest: string): { base?: string; name?: string } {
  const words = rest
    .trim()
    .split(/\s+/)
    .filter((w) => !w.startsWith('--'));
  const as = words.length >= 3 && words[1]!.toLowerCase() === 'as' ? words[2] : undefined;
  return { ...(words[0] !== undefined ? { base: words[0] } : {}), ...(as !== undefined ? { name: as } : {}) };
}

/** Line `i` with the lines continuing it (a trailing `\`), as one instruction. */
function instruction(lines: readonly string[], i: number): string {
  let text = lines[i]!.replace(/\r$/, '');
  // Only a line that starts an instruction is read: one continuing the line before is part of it.
  if (i > 0 && /\\\s*\r?$/.test(lines[i - 1]!)) return '';
  for (let j = i; /\\\s*$/.test(text) && j + 1 < lines.length && j - i < 100; j++) {
    text = `${text.replace(/\\\s*$/, ' ')}${lines[j + 1]!.replace(/\r$/, '')}`;
  }
  return text;
}

/**
 * A `COPY` / `ADD` (shell or JSON form): from the build context, or opaque (`--from`, a URL, a variable, a heredoc);
 * undefined when it has no destination.
 */
function contextCopy(
  rest: string,
  workdir: string | undefined,
  line: number,
  stage: number,
): ContextCopy | OpaqueCopy | undefined {
  // The options (`--chown=…`, `--from=…`) come first, then the shell or the JSON form of the operands.
  const options = /^(?:\s*--\S+)*/.exec(rest)![0];
  const after = rest.slice(options.length);
  const operands = jsonForm(after) ?? after.trim().split(/\s+/).filter(Boolean).map(unquote);
  const heredoc = operands.some((o) => o.startsWith('<<'));
  if (operands.length < 2) return undefined;
  const written = operands.at(-1)!;
  const dest =
    /[$`]/.test(written) || (workdir === undefined && !written.startsWith('/'))
      ? undefined
      : posix.resolve(workdir ?? '/', written);
  const sources = operands.slice(0, -1);
  const opaque = (why: string): OpaqueCopy => ({ line, stage, dest, opaque: why });
  if (/(^|\s)--from(=|\s|$)/.test(options)) return opaque('a COPY --from another stage or image puts it there');
  if (heredoc) return opaque('a COPY heredoc writes it');
  if (sources.some((o) => /^[a-z][a-z0-9+.-]*:\/\//i.test(o))) return opaque('an ADD downloads it from a URL');
  if (dest === undefined || sources.some((o) => /[$`]/.test(o)))
    return opaque('a variable chooses what a COPY puts there');
  return {
    line,
    stage,
    sources,
    dest,
    destIsFolder: written.endsWith('/') || written === '.' || sources.length > 1,
  };
}

/** The JSON form of an instruction's arguments (`COPY ["a b", "/x/"]`), when it is one. */
function jsonForm(rest: string): string[] | undefined {
  if (!rest.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(rest);
    return Array.isArray(parsed) && parsed.every((w) => typeof w === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function unquote(word: string): string {
  return word.replace(/^(["'])(.*)\1$/, '$2');
}

/** Each tree's folders, made when a Dockerfile's copies first ask. */
const folders = new WeakMap<ReadonlySet<string>, Set<string>>();

/** Whether a repository path is a folder of `files` (some file is under it). */
export function folderTest(files: ReadonlySet<string>): (path: string) => boolean {
  return (path) => {
    let known = folders.get(files);
    if (known === undefined) {
      known = new Set();
      for (const f of files)
        for (let d = posix.dirname(f); d !== '.' && !known.has(d); d = posix.dirname(d)) known.add(d);
      folders.set(files, known);
    }
    return path === '' || path === '.' || known.has(path);
  };
}

/** A uv command that reads the project's settings file (uv-project-builds.ts `READS_PROJECT`). */
const UV_PROJECT_COMMAND = /(^|[\s;&|(])uv\s+(?:--?[\w-]+(?:[= ]\S+)?\s+)*(sync|run|add|remove)\b/;

/**
 * The repository folder a Dockerfile's uv project commands find their settings from: the one the pyproject.toml (or
 * uv.toml) at its WORKDIR was copied from, for the first such command (`WORKDIR /app`, `COPY app/ .`, `RUN uv sync`
 * reads app/pyproject.toml). Undefined for any other file, or when no copy says (the Dockerfile's folder, then).
 */
export function dockerfileProjectDir(dockerfile: string, text: string, files: ReadonlySet<string>): string | undefined {
  const source = dockerfileCopySource(dockerfile, text, (p) => files.has(p), folderTest(files));
  if (source === undefined) return undefined;
  const line = text.split('\n').findIndex((l) => UV_PROJECT_COMMAND.test(l)) + 1;
  if (line === 0) return undefined;
  const found = source('uv.toml', line) ?? source('pyproject.toml', line);
  // Found in both contexts, the repository root's (the last) is taken: `docker build -f x/Dockerfile .` is the usual.
  const path = found !== undefined && 'paths' in found ? found.paths.at(-1) : undefined;
  return path === undefined ? undefined : posix.dirname(path);
}
