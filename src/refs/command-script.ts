import { findShellReferences } from './shell-commands.js';
import { lineIndex, lineStarts } from './text.js';
import type { FileReferences } from './types.js';

/**
 * The command lines a program's source runs (python-commands.ts, javascript-commands.ts), gathered into one script
 * the shell finder (shell-commands.ts) reads, each character with the file offset it came from, and the finder's
 * references placed back in the file. Never run.
 */

/** A piece of a command: its text, and where in the file its first character stands (`exact`: each after it too). */
export interface Piece {
  readonly text: string;
  readonly from: number;
  readonly exact: boolean;
}

/** The most commands read in one file (each one line of the script the shell finder reads). */
const MAX_COMMANDS = 1000;
/** The most characters of all the commands together (the script, and a number per character of it). */
const MAX_SCRIPT = 1024 * 1024;
/** The most characters of one command (a command line a person writes is far shorter). */
const MAX_COMMAND = 4096;
/** The word a value the file does not decide stands as (a repo id may hold it; no repository does). */
const RUN_TIME = 'chainproof-run-time-value-';

/** Characters a shell word may hold unquoted. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

export class CommandScript {
  text = '';
  readonly origin: number[] = [];
  commands = 0;
  private runTime = 0;

  /** Whether the script is full: a command met now is not read, and counted. */
  get full(): boolean {
    return this.commands >= MAX_COMMANDS || this.text.length >= MAX_SCRIPT;
  }

  /**
   * Adds one command line; false when it is longer than any a person writes (it is not read at all, never half of
   * it, and counted). A new line in a command line the shell runs is a new command: kept, as the shell reads it.
   */
  add(line: readonly Piece[]): boolean {
    if (line.reduce((n, p) => n + p.text.length, 0) > MAX_COMMAND) return false;
    for (const p of line)
      for (let i = 0; i < p.text.length; i++) {
        this.text += p.text[i];
        this.origin.push(p.exact ? p.from + i : p.from);
      }
    this.text += '\n';
    this.origin.push(line[line.length - 1]?.from ?? 0);
    this.commands++;
    return true;
  }

  /** A word no repository holds, for a value the file does not decide (placed at `from`). */
  unknown(from: number): Piece {
    return { text: `${RUN_TIME}${this.runTime++}`, from, exact: false };
  }

  /**
   * A program and its arguments, one word each (`word` gives each item's pieces, placed at `at`), quoted for the
   * shell where a word must be; `open`: more arguments the run time gives follow.
   */
  words<T>(items: readonly T[], word: (item: T) => Piece[], at: (item: T) => number, open: boolean): Piece[] {
    const out: Piece[] = [];
    for (const item of items) {
      if (out.length > 0) out.push({ text: ' ', from: at(item), exact: false });
      const pieces = word(item);
      const text = pieces.map((p) => p.text).join('');
      if (PLAIN_WORD.test(text)) out.push(...pieces);
      else out.push({ text: `'${text.replaceAll("'", `'\\''`)}'`, from: at(item), exact: false });
    }
    const last = items[items.length - 1];
    if (open) {
      const more = this.unknown(last === undefined ? 0 : at(last));
      out.push({ ...more, text: ` ${more.text}` });
    }
    return out;
  }

  /**
   * The shell finder's references in the script, placed in the file `text`: a download of a value the file does not
   * decide is a run-time note; a revision it does not decide is some revision chosen at run time.
   */
  references(path: string, text: string, existsLocally: (p: string) => boolean): FileReferences {
    const out: FileReferences = { references: [], dynamic: [] };
    if (this.commands === 0) return out;
    const found = findShellReferences(path, this.text, existsLocally);
    const place = this.placer(text);
    for (const shown of found.references) {
      const where = place(shown.line, shown.column);
      if ((shown.repoId ?? shown.url ?? '').includes(RUN_TIME)) {
        out.dynamic.push({ path, ...where, via: shown.via, runsRemoteCode: shown.runsRemoteCode });
        continue;
      }
      // Arguments the run time adds (`cmd.append(…)`, `*rest`) stand as one word, which a CLI may take for a file
      // name: the file is the run time's, and so may be a revision among them when none is shown.
      const { file, ...r } = shown;
      const added = file?.includes(RUN_TIME) === true;
      const kept = file !== undefined && !added ? { ...r, file } : r;
      if (r.revision?.includes(RUN_TIME) || (added && r.revision === undefined)) {
        const { revision: _chosen, ...rest } = kept;
        out.references.push({ ...rest, ...where, revisionKind: 'ref', inline: 'shell' });
      } else out.references.push({ ...kept, ...where, inline: 'shell' });
    }
    for (const d of found.dynamic) out.dynamic.push({ ...d, ...place(d.line, d.column) });
    return out;
  }

  /** References found in the script (script-arguments.ts reads its command lines too), placed in the file `text`. */
  placed(found: FileReferences, text: string): FileReferences {
    const place = this.placer(text);
    return {
      references: found.references.map((r) => ({ ...r, ...place(r.line, r.column) })),
      dynamic: found.dynamic.map((d) => ({ ...d, ...place(d.line, d.column) })),
    };
  }

  /** The place in the file `text` of a line and column of the script: where that character came from. */
  private placer(text: string): (line: number, column: number) => { line: number; column: number } {
    const at = lineIndex(text);
    const scriptLines = lineStarts(this.text);
    return (line, column) =>
      at(this.origin[Math.min((scriptLines[line - 1] ?? 0) + column - 1, this.origin.length - 1)] ?? 0);
  }

  /** Whether a word of the script holds a value the file does not decide: the run time's. */
  static isRunTime(word: string): boolean {
    return word.includes(RUN_TIME);
  }
}
