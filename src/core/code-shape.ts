/**
 * Text in a model's metadata that reads as code: what kind, or undefined. The formats that carry free-text metadata
 * never run it (safetensors `metadata()` returns strings); the shapes here are the ones with no reason to be in a
 * weights file — aimed at a tool that evals or renders metadata. Kept narrow: real metadata (kohya `ss_*` training
 * fields, `modelspec.*`, licenses, descriptions) names datasets, tags and paths, never these calls. Prose puts a
 * space before a parenthesis ("eval (every 500 steps)", "compile (fp16)"): spaced, a call counts only on a string.
 */
const SHAPES: readonly { readonly kind: string; readonly shows: (text: string) => boolean }[] = [
  {
    kind: 'Python',
    // An `import` statement starts a line or follows `;`: the space before it stays on its line, as a `\s*` that
    // crossed newlines would rescan a run of blank lines from each of its line starts (quadratic in the run). It
    // imports one of these modules alone, first in a list (`import os, json`), or names what to take from it.
    shows: matches(
      /\b__import__\s*\(|\b(?:exec|eval|compile)(?:\(\s*["'a-z_]|\s+\(\s*["'])|\bos\s*\.\s*(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?)\s*\(|\bsubprocess\s*\.\s*[A-Za-z_]+\s*\(|\b(?:pickle|marshal|dill|cloudpickle)\s*\.\s*loads?\s*\(|(?:^|;)[^\S\n\r\u2028\u2029]*(?:import|from)\s+(?:os|sys|subprocess|socket|base64|pty|shutil|ctypes|urllib|requests)(?:\.\w+)*(?:\s*(?:;|$)|[^\S\n\r]*,[^\S\n\r]*\w|\s+import\b)/m,
    ),
  },
  { kind: 'shell', shows: (text) => SHELL_COMMANDS.test(text) || pipesDownloadToShell(text) },
  { kind: 'HTML script', shows: matches(/<script\b|\bjavascript:/i) },
];

export function codeShapeOf(text: string): string | undefined {
  return SHAPES.find((s) => s.shows(text))?.kind;
}

function matches(pattern: RegExp): (text: string) => boolean {
  return (text) => pattern.test(text);
}

/** Commands no metadata has a reason to hold (`curl … | sh` is `pipesDownloadToShell`). */
const SHELL_COMMANDS =
  /\brm\s+-(?:rf|fr|r)\s|\bchmod\s+(?:\+x|[0-7]?77[0-7])\s|\/bin\/(?:ba)?sh\s+-c\b|\bnc\s+(?:-\w+\s+)*-e\s/;

const COMMAND_END = /[\n|;]/g;
const DOWNLOADER = /\b(?:curl|wget)\b/;
const SHELL_AFTER_PIPE = /\s*(?:ba|z|da)?sh\b/y;

/**
 * `curl …| sh` or `wget …| bash` in one command: a downloader word, then no newline, `|` or `;` up to a pipe into a
 * shell. Read one command at a time, from its pipe back, so each character is looked at once: the regex form
 * `\b(?:curl|wget)\b[^\n|;]*\|` scanned to the end of the line from every `curl` on it (quadratic in the line).
 */
function pipesDownloadToShell(text: string): boolean {
  let start = 0;
  COMMAND_END.lastIndex = 0;
  for (let end = COMMAND_END.exec(text); end !== null; end = COMMAND_END.exec(text)) {
    if (end[0] === '|' && pipesToShell(text, end.index) && DOWNLOADER.test(text.slice(start, end.index))) return true;
    start = end.index + 1;
  }
  return false;
}

/** Whether the `|` at `at` feeds a shell (`| sh`, `|bash`, `| zsh`, `| dash`). */
function pipesToShell(text: string, at: number): boolean {
  SHELL_AFTER_PIPE.lastIndex = at + 1;
  return SHELL_AFTER_PIPE.test(text);
}

/** `where (kind: "text…")` when `text` reads as code (`codeShapeOf`): one entry of a CPI133 message. */
export function codeNote(where: string, text: string): string | undefined {
  const shape = codeShapeOf(text);
  return shape === undefined ? undefined : `${where} (${shape}: ${JSON.stringify(text.slice(0, 80))})`;
}
