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
}

export interface Token {
  readonly text: string;
  readonly at: number;
  /** Holds a shell expansion (`$VAR`, `${VAR}`, `$(…)`): its value is chosen at run time. */
  readonly expands: boolean;
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
