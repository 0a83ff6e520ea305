import path from 'node:path';
import { parseNpmRegistry } from '../cli/npm-registry-option.js';
import { UsageError } from '../core/errors.js';
import type { Level } from '../core/finding.js';
import { parseShardSpec } from '../core/shard.js';
import { FORMATS, type Format } from '../report/formats.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** One report the Action writes: its format and the workspace-relative file. */
export interface ReportTarget {
  readonly format: Format;
  readonly file: string;
}

/** Every input of action.yml, parsed and checked. This file is the only reader of `INPUT_*`. */
export interface ActionInputs {
  readonly path: string;
  readonly policy: string | undefined;
  readonly registry: readonly string[];
  readonly npmRegistry: string | undefined;
  readonly reports: readonly ReportTarget[];
  readonly sarifFile: string;
  readonly failOn: Level | 'none';
  readonly offline: boolean;
  readonly verifyTarballs: boolean;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly cacheDirectory: string | undefined;
  readonly baseline: string | undefined;
  readonly category: string | undefined;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly jobSummary: boolean;
  readonly annotations: boolean;
  readonly maxAnnotations: number;
  /** Review mode: the base git revision (a pull request's base SHA); the head is the checked-out tree. */
  readonly reviewBase: string | undefined;
  /** Review mode: `--gate patch|minor|any`. */
  readonly gate: 'patch' | 'minor' | 'any' | undefined;
}

/** Where each format goes unless `formats` names a file (`json=out/report.json`). */
const DEFAULT_FILES: Readonly<Record<Exclude<Format, 'sarif'>, string>> = {
  json: 'chainproof.json',
  cyclonedx: 'chainproof.cdx.json',
  markdown: 'chainproof.md',
  text: 'chainproof.txt',
};

/**
 * The environment variable the runner sets for an input: `INPUT_` + the id with spaces as `_`, upper-cased;
 * hyphens stay (`fail-on` → `INPUT_FAIL-ON`).
 */
export function inputVariable(id: string): string {
  return `INPUT_${id.replace(/ /g, '_').toUpperCase()}`;
}

/** An input's value, trimmed; '' when unset. */
export function getInput(env: Env, id: string): string {
  return (env[inputVariable(id)] ?? '').trim();
}

/**
 * An input that holds one value (a path, a URL, a name): '' when unset. A line break inside it is a workflow's YAML
 * mistake (a `|` block, a pasted list), never a value: a category would reach code scanning with the newline in it,
 * a file name would be created with one.
 */
export function getSingleInput(env: Env, id: string): string {
  const raw = getInput(env, id);
  if (/[\r\n]/.test(raw)) throw new UsageError(`input ${id} must be one line, got ${JSON.stringify(raw)}`);
  return raw;
}

/** YAML 1.2 core-schema booleans, as `@actions/core` `getBooleanInput` accepts them. */
export function getBooleanInput(env: Env, id: string, fallback: boolean): boolean {
  const raw = getInput(env, id);
  if (raw === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new UsageError(`input ${id} must be true or false, got "${raw}"`);
}

/**
 * An input that names one of a fixed set of words (`fail-on`, `gate`), lower-cased: the code-scanning UI capitalises
 * levels (`Error`, `Warning`) and workflows copy them so, and `fail-on: ERROR` was a
 * configuration error (exit 2) where `offline: TRUE` was accepted.
 */
export function getChoiceInput(env: Env, id: string): string {
  return getInput(env, id).toLowerCase();
}

/**
 * A list input: one item per line or comma-separated; blanks dropped. A comma inside `{…}` or `[…]` belongs to a
 * glob (picomatch's brace alternation `models/*.{pt,bin}`, a class `[,;]`), not to the list: split there, `include`
 * became `models/*.{pt` and `bin}`, which match nothing, and the scan checked no file and passed.
 */
export function getListInput(env: Env, id: string): string[] {
  return splitList(getInput(env, id))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Split at line breaks, and at commas outside braces and brackets. A line whose `{` or `[` is never closed holds no
 * glob group, so its commas all split.
 */
export function splitList(raw: string): string[] {
  return raw.split(/\r?\n|\r/).flatMap(splitLine);
}

function splitLine(line: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\')
      i++; // picomatch's escape: `\,` and `\{` are literal
    else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      items.push(line.slice(start, i));
      start = i + 1;
    }
  }
  if (depth > 0) return line.split(',');
  items.push(line.slice(start));
  return items;
}

export function readInputs(env: Env): ActionInputs {
  const failOn = getChoiceInput(env, 'fail-on') || 'error';
  if (!['error', 'warning', 'note', 'none'].includes(failOn)) {
    throw new UsageError(`input fail-on must be one of error, warning, note, none; got "${failOn}"`);
  }
  const sarifFile = getSingleInput(env, 'sarif-file') || 'chainproof.sarif';
  const reviewBase = getSingleInput(env, 'review-base') || undefined;
  const gate = parseGate(getChoiceInput(env, 'gate'));
  // Without review-base the Action scans, and a scan has no gate: the step would pass and `gate-passed` stay empty.
  if (gate !== undefined && reviewBase === undefined)
    throw new UsageError('input gate needs review-base (the base revision whose change the gate judges)');
  const reports = parseFormats(getListInput(env, 'formats'), sarifFile);
  // A review is a change, not a tree: it has no BOM. The Action wrote the review's text to chainproof.cdx.json and
  // set no cyclonedx-file; `chainproof review -f cyclonedx` refuses it (REVIEW_FORMATS, src/cli/commands/review.ts).
  if (reviewBase !== undefined && reports.some((t) => t.format === 'cyclonedx'))
    throw new UsageError('input formats: review mode (review-base) writes json, markdown or text, not cyclonedx');
  const maxRaw = getInput(env, 'max-annotations') || '50';
  const maxAnnotations = Number(maxRaw);
  if (!/^\d+$/.test(maxRaw) || !Number.isSafeInteger(maxAnnotations)) {
    throw new UsageError(`input max-annotations must be a whole number, got "${maxRaw}"`);
  }
  return {
    path: getSingleInput(env, 'path') || '.',
    policy: getSingleInput(env, 'policy') || undefined,
    registry: getListInput(env, 'registry'),
    npmRegistry: parseNpmRegistry(getSingleInput(env, 'npm-registry') || undefined, 'input npm-registry'),
    reports,
    sarifFile,
    failOn: failOn as Level | 'none',
    offline: getBooleanInput(env, 'offline', false),
    verifyTarballs: getBooleanInput(env, 'verify-tarballs', false),
    shard: parseShardSpec(getInput(env, 'shard'), 'input shard', true),
    cacheDirectory: getSingleInput(env, 'cache-directory') || undefined,
    baseline: getSingleInput(env, 'baseline') || undefined,
    category: getSingleInput(env, 'category') || undefined,
    include: getListInput(env, 'include'),
    exclude: getListInput(env, 'exclude'),
    jobSummary: getBooleanInput(env, 'job-summary', true),
    annotations: getBooleanInput(env, 'annotations', true),
    maxAnnotations,
    reviewBase,
    gate,
  };
}

function parseGate(raw: string): ActionInputs['gate'] {
  if (raw === '') return undefined;
  if (raw === 'patch' || raw === 'minor' || raw === 'any') return raw;
  throw new UsageError(`input gate must be patch, minor or any; got "${raw}"`);
}

/** `sarif, json=out/r.json` → targets; SARIF is always written (to `sarif-file`), so code scanning can upload it. */
export function parseFormats(items: readonly string[], sarifFile: string): ReportTarget[] {
  const targets: ReportTarget[] = [{ format: 'sarif', file: sarifFile }];
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq >= 0 ? item.slice(0, eq) : item).trim().toLowerCase();
    const file = eq >= 0 ? item.slice(eq + 1).trim() : undefined;
    if (!(FORMATS as readonly string[]).includes(name)) {
      throw new UsageError(`input formats: unknown format "${name}"; expected one of ${FORMATS.join(', ')}`);
    }
    const format = name as Format;
    if (format === 'sarif') {
      if (file !== undefined && file !== sarifFile)
        throw new UsageError('input formats: give the SARIF path with the sarif-file input');
      continue;
    }
    if (file === '') throw new UsageError(`input formats: "${item}" names no file`);
    if (targets.some((t) => t.format === format)) throw new UsageError(`input formats: ${format} is given twice`);
    const target = { format, file: file ?? DEFAULT_FILES[format] };
    // Two reports to one file: the last written replaces the other (JSON over the SARIF code scanning uploads).
    const clash = targets.find((t) => sameFile(t.file, target.file));
    if (clash !== undefined) {
      const where = clash.format === 'sarif' ? 'the sarif-file input' : `the ${clash.format} report`;
      throw new UsageError(`input formats: ${format} would be written to ${target.file}, the file of ${where}`);
    }
    targets.push(target);
  }
  return targets;
}

/** Both name one file of the workspace (`out/a.json`, `./out//a.json`). */
function sameFile(a: string, b: string): boolean {
  return path.normalize(a) === path.normalize(b);
}

export function parseShardInput(raw: string): { index: number; count: number } | undefined {
  return parseShardSpec(raw, 'input shard', true);
}
