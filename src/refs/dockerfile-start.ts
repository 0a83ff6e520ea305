import { execFormWords, tokens, type Token } from './shell-words.js';

/**
 * A Dockerfile's container start (never run or built), as the image it builds records it (`docker inspect` Config):
 * what servers.ts reads a model server from, and script-arguments.ts the command line of a script the image runs.
 */

/** A Dockerfile stage's container start, as the image it builds records it (`docker inspect` Config). */
interface StageStart {
  /** The image the stage is built FROM when it is not an earlier stage: its ENTRYPOINT is the image's own. */
  readonly image: string | undefined;
  readonly imageAt: number;
  /** ENTRYPOINT of the stage or a stage it is built from; undefined leaves the base image's. `shell` for shell form. */
  readonly entrypoint: readonly Token[] | 'shell' | undefined;
  readonly cmd: readonly Token[] | 'shell' | undefined;
  /** The CMD comes from the image the stage is built from, and an ENTRYPOINT of this stage resets it. */
  readonly cmdInherited: boolean;
  readonly env: ReadonlyMap<string, Token>;
}

/**
 * The container start of a Dockerfile's last stage (never run or built), as the image records it: see
 * `readDockerfileServers`. Undefined: no stage.
 */
export function dockerfileStart(text: string): StageStart | undefined {
  // Continued lines joined with blanks of the same length, so every offset stays the file's.
  const joined = text.replace(/\\(\r?\n)/g, (_m, nl: string) => ' '.repeat(1 + nl.length));
  const stages = new Map<string, StageStart>();
  let stage: StageStart | undefined;
  let name: string | undefined;
  let offset = 0;
  for (const line of joined.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const instruction = m[1]!.toUpperCase();
    const rest = m[2]!;
    const restAt = at + line.indexOf(rest, m[1]!.length);
    if (instruction === 'FROM') {
      if (stage && name !== undefined) stages.set(name, stage);
      const words = tokens(rest, restAt).filter((t) => !t.text.startsWith('--'));
      const base = words[0];
      name = words[1]?.text.toLowerCase() === 'as' ? words[2]?.text.toLowerCase() : undefined;
      const parent = base ? stages.get(base.text.toLowerCase()) : undefined;
      stage = parent
        ? { ...parent, cmdInherited: true }
        : {
            image: base?.text,
            imageAt: base?.at ?? restAt,
            entrypoint: undefined,
            cmd: undefined,
            cmdInherited: true,
            env: new Map(),
          };
    } else if (!stage) continue;
    else if (instruction === 'ENTRYPOINT')
      stage = { ...stage, entrypoint: execForm(rest, restAt), ...(stage.cmdInherited ? { cmd: undefined } : {}) };
    else if (instruction === 'CMD') stage = { ...stage, cmd: execForm(rest, restAt), cmdInherited: false };
    else if (instruction === 'ENV') stage = { ...stage, env: new Map([...stage.env, ...envOf(rest, restAt)]) };
  }
  return stage;
}

/**
 * An exec form's words (a JSON array of strings, which is all Docker accepts as one: anything else is the shell
 * form). The exec form expands no variable (no shell runs it).
 */
function execForm(rest: string, at: number): Token[] | 'shell' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return 'shell';
  }
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) return 'shell';
  return execFormWords(rest, at).map((t) => ({ ...t, expands: false }));
}

/** ENV's variables: `K=V …`, or the old form `K V` (the rest of the line its value). */
function envOf(rest: string, at: number): Map<string, Token> {
  const words = tokens(rest, at);
  const out = new Map<string, Token>();
  if (words.length > 0 && !words[0]!.text.includes('=')) {
    const value = rest.slice(words[0]!.text.length).trim();
    out.set(words[0]!.text, {
      text: value,
      at: at + rest.indexOf(value, words[0]!.text.length),
      expands: value.includes('$'),
    });
    return out;
  }
  for (const w of words) {
    const eq = w.text.indexOf('=');
    if (eq <= 0) continue;
    const raw = w.text.slice(eq + 1);
    const value = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
    out.set(w.text.slice(0, eq), { ...w, text: value, at: w.at + eq + 1 + (value === raw ? 0 : 1) });
  }
  return out;
}
