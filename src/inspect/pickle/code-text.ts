import { codeShapeOf } from '../../core/code-shape.js';
import type { PickleRun } from './result.js';
import type { ByteSource } from './source.js';

/** Text of code found in a pickle's strings (CPI133): unpickling never runs it. */
export interface CodeText {
  readonly offset: number;
  readonly kind: string;
  readonly snippet: string;
  readonly encoding: 'text' | 'base64';
}

/** Shorter strings are names, keys and tokens: a script worth reporting is longer. */
const MIN_CHARS = 40;
/** The head of a string that is looked at (also a long protocol-0 line's, vm/scalars-text.ts). */
export const WINDOW = 64 * 1024;
/** Characters looked at per pickle: a heuristic, so a string-heavy pickle stops costing past this. */
const BUDGET = 4 * 1024 * 1024;
const BASE64_TEXT = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

/**
 * A str payload the VM is about to read or skip (BINUNICODE, SHORT_BINUNICODE, BINSTRING): looked at without being
 * copied past its head. `utf8`: the payload is a str's UTF-8, else a Python 2 str's bytes.
 */
export function noteCodeBytes(run: PickleRun, src: ByteSource, n: number, at: number, utf8: boolean): void {
  if (n < MIN_CHARS || run.codeText !== undefined || (run.codeTextRead ?? 0) >= BUDGET) return;
  noteCodeText(run, src.peekBytes(Math.min(n, WINDOW)).toString(utf8 ? 'utf8' : 'latin1'), at);
}

/**
 * Python source, a shell command or an HTML script in a string of the pickle, as written or base64 (the
 * "steganographic" payload: a credential harvester's source kept as a dict value). pickle.load never runs a string;
 * code that evals or execs it would. The first one found is reported once per pickle (CPI133, a warning).
 */
export function noteCodeText(run: PickleRun, text: string, at: number): void {
  if (text.length < MIN_CHARS || run.codeText !== undefined) return;
  const spent = run.codeTextRead ?? 0;
  if (spent >= BUDGET) return;
  const head = text.length > WINDOW ? text.slice(0, WINDOW) : text;
  run.codeTextRead = spent + head.length;
  const plain = codeShapeOf(head);
  if (plain !== undefined)
    return void (run.codeText = { offset: at, kind: plain, snippet: head.slice(0, 80), encoding: 'text' });
  if (!BASE64_TEXT.test(head)) return;
  const decoded = Buffer.from(head, 'base64').toString('latin1');
  const shape = codeShapeOf(decoded);
  if (shape !== undefined)
    run.codeText = { offset: at, kind: shape, snippet: decoded.trim().slice(0, 80), encoding: 'base64' };
}
