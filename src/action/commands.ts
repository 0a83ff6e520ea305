import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { escapeControlButNewlines } from '../core/escape-text.js';

/**
 * GitHub workflow commands (`::name key=value::message`) and file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY),
 * written the way `@actions/core` writes them. Everything scanned (file names, messages) goes through the escapes,
 * so a hostile file name cannot end a command early or start a new one.
 */

/**
 * Message data as `@actions/core` `escapeData` encodes it: `%`, CR and LF percent-encoded (a raw newline would start
 * a new log line and command). Other control characters (ANSI escapes, bidi overrides) are shown as `\xNN` first.
 */
export function escapeData(s: string): string {
  return escapeControlButNewlines(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally encode `:` (ends the properties) and `,` (separates them). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type Properties = Readonly<Record<string, string | number | undefined>>;

export function workflowCommand(name: string, props: Properties, message: string): string {
  const entries = Object.entries(props).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  const p = entries.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly endLine?: number;
  readonly col?: number;
  readonly title?: string;
}

export function annotationCommand(a: Annotation): string {
  return workflowCommand(
    a.level,
    { title: a.title, file: a.file, line: a.line, endLine: a.endLine, col: a.col },
    a.message,
  );
}

/**
 * `name<<DELIM\nvalue\nDELIM\n`: the multi-line form GitHub documents for GITHUB_OUTPUT and GITHUB_ENV. The
 * delimiter is random and checked against the value, so a value can never close it and inject another output.
 */
export function fileCommandEntry(name: string, value: string, delimiter = `ghadelimiter_${randomUUID()}`): string {
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`output ${name}: value contains the delimiter; refusing to write it`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Append outputs to the GITHUB_OUTPUT file. */
export async function writeOutputs(file: string, outputs: Readonly<Record<string, string>>): Promise<void> {
  const text = Object.entries(outputs)
    .map(([k, v]) => fileCommandEntry(k, v))
    .join('');
  await appendFile(file, text, 'utf8');
}

/**
 * Set the step's outputs, or say plainly that they cannot be: without GITHUB_OUTPUT (a runner too old for file
 * commands, a wrapper that drops the variable) a workflow reading `gate-passed` or `errors` gets '' with no word why.
 * Scan and review mode both set their outputs through here; review mode wrote none and said nothing.
 */
export async function setStepOutputs(
  file: string | undefined,
  outputs: Readonly<Record<string, string>>,
  write: (text: string) => void,
): Promise<void> {
  if (file) await writeOutputs(file, outputs);
  else write(workflowCommand('warning', {}, 'GITHUB_OUTPUT is not set: step outputs are not available') + '\n');
}

/**
 * Lines of scanned text printed to the log go between `::stop-commands::TOKEN` and `::TOKEN::`, so a line that
 * happens to start with `::` (a file named `::error::x`) is shown, not obeyed.
 */
export function withoutCommands(text: string, token = randomUUID().replace(/-/g, '')): string {
  return `::stop-commands::${token}\n${text}${text.endsWith('\n') ? '' : '\n'}::${token}::\n`;
}
