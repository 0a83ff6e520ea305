/**
 * Control characters in scanned strings (file names, package names, messages quoting them) are input: written
 * raw they move the cursor, recolour or clear the terminal (ANSI escapes), overwrite a line (CR), start a new log
 * line that GitHub reads as a workflow command (LF), or reorder what is shown (Unicode bidi overrides, the
 * "Trojan Source" trick). Every text output shows them as visible escapes instead.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
// C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without LF and CR, for encoders that handle those themselves (workflow-command data).
const CONTROL_BUT_NEWLINES =
  /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const visible = (c: string): string => {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** Every control character as a visible `\xNN` / `\uNNNN` escape (tab included: output columns are ours). */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, visible);
}

/** As escapeControl, but leaves LF and CR for a caller that encodes them (e.g. as %0A in workflow commands). */
export function escapeControlButNewlines(s: string): string {
  return s.replace(CONTROL_BUT_NEWLINES, visible);
}

/**
 * GitHub's runner reads a log line as a workflow command when it starts with `::` once leading white space is
 * trimmed (`ActionCommand.TryParseV2`: `message.TrimStart()`, so a leading space guards nothing), and as a legacy
 * `##[command]` wherever `##[` appears in it (`ActionCommand.TryParse`: `IndexOf`; `ActionCommandManager` tries it
 * when V2 fails). Text output is logged in CI: such a line shows its first `:` (and the second `#` of each `##[`)
 * as a visible escape, so it reads the same and commands nothing.
 */
export function guardLineStart(s: string): string {
  const line = s.replaceAll('##[', '#\\x23[');
  const lead = line.length - line.trimStart().length;
  return line.startsWith('::', lead) ? `${line.slice(0, lead)}\\x3a${line.slice(lead + 1)}` : line;
}

/** A run of non-space characters longer than this is shown shortened (`elideLongRuns`). */
const MAX_RUN = 240;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}`, 'g');
/** Cut at `i`, moved off the middle of a surrogate pair. */
const at = (s: string, i: number) => (/[\udc00-\udfff]/.test(s[i] ?? '') ? i + 1 : i);

/**
 * A text longer than this once its long runs are shortened keeps its start and end. Spaces end a run: a pickle's
 * GLOBAL module of 1,000 words (pickle.py `load_global` reads it to the line end) put 200 kB in one message. The
 * longest message of the fixture scans is 656 characters.
 */
const MAX_TEXT = 2000;

/**
 * Messages quote scanned strings, and a hostile one may be a megabyte long (a lockfile URL of 100,000 `?`, or of
 * short words): the reader of text, Markdown and SARIF output gets its start and end and how much was left out.
 * JSON keeps it whole.
 */
export function elideLongRuns(s: string): string {
  if (s.length <= MAX_RUN) return s;
  const short = s.replace(LONG_RUN, (run) => elideMiddle(run, 160, 60));
  return short.length <= MAX_TEXT ? short : elideMiddle(short, 1500, 400);
}

/** `s` with its middle left out: `keepHead` characters, a count of those left out, `keepTail` characters. */
function elideMiddle(s: string, keepHead: number, keepTail: number): string {
  const head = at(s, keepHead);
  const tail = at(s, s.length - keepTail);
  return `${s.slice(0, head)}…(${tail - head} characters left out)…${s.slice(tail)}`;
}
