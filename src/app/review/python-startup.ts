import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../../core/finding.js';
import { hashWorkingFiles, type BlobCache, type TreeEntry } from './git.js';
import type { Snapshot } from './snapshot.js';

/** The modules site.py imports at every start when they are on sys.path (`execsitecustomize`, `execusercustomize`). */
const CUSTOMIZE: ReadonlySet<string> = new Set(['sitecustomize.py', 'usercustomize.py']);
/** A path configuration file is a few lines; a larger `.pth` is a PyTorch checkpoint (the same extension). */
const MAX_STARTUP_BYTES = 64 * 1024;

const nameOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

function isStartupFile(p: string): boolean {
  const parts = p.split('/');
  if (parts.includes('node_modules') || parts.includes('.git')) return false;
  const name = nameOf(p);
  return name.toLowerCase().endsWith('.pth') || CUSTOMIZE.has(name);
}

/**
 * The lines of a path configuration file that site.py runs: `addpackage` skips a line starting with `#` and a blank
 * line, and `exec`s one that starts with `import ` or `import\t` (as it is, before any stripping: an indented
 * `import` is read as a folder name). Every other line is a folder added to sys.path. Read as utf-8-sig, as
 * Python 3.13's `addpackage` does first. Undefined for bytes that are no text (a NUL, invalid UTF-8): a checkpoint.
 */
export function executedLines(bytes: Buffer): { line: number; text: string }[] | undefined {
  if (bytes.includes(0)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
  // Python's text files split on \n, \r\n and a lone \r (universal newlines).
  return text
    .split(/\r\n|\r|\n/)
    .map((t, i) => ({ line: i + 1, text: t }))
    .filter((l) => l.text.startsWith('import ') || l.text.startsWith('import\t'));
}

/**
 * CPU027 for Python: code the interpreter itself runs at start-up, added or changed by the change. A `.pth` line
 * starting with `import` runs in every `python` process once the file lies in a site-packages folder (a wheel or
 * `data_files` entry that ships it, a committed environment): no install script, no import by the project — the
 * start-up hook of several malicious PyPI releases. An error when the change adds such a line (a `.pth` whose
 * executed lines stay as they were is not reported). A `sitecustomize.py` / `usercustomize.py` runs at every start when
 * its folder is on sys.path (PYTHONPATH, an editable install of the project): a warning to read it.
 */
export async function pythonStartupFindings(
  dir: string,
  base: Snapshot,
  head: Snapshot | undefined,
  headPaths: readonly string[],
): Promise<Finding[]> {
  const candidates = headPaths.filter(isStartupFile);
  if (candidates.length === 0) return [];
  const workOids = head ? undefined : await regularFileOids(dir, candidates);
  const out: Finding[] = [];
  for (const p of candidates.sort()) {
    const before = base.entries.get(p);
    const after = head ? head.entries.get(p)?.oid : workOids!.get(p);
    if (after === undefined || after === before?.oid) continue;
    if (CUSTOMIZE.has(nameOf(p))) {
      out.push(customizeFinding(p, before === undefined));
      continue;
    }
    const now = await headBytes(dir, head, p);
    const added = now && executedLines(now);
    if (!added || added.length === 0) continue;
    const was = before ? await blobBytes(base.blobs, before) : undefined;
    const old = new Set((was && executedLines(was))?.map((l) => l.text));
    const fresh = added.filter((l) => !old.has(l.text));
    if (fresh.length === 0) continue;
    out.push(pthFinding(p, fresh));
  }
  return out;
}

function pthFinding(p: string, lines: readonly { line: number; text: string }[]): Finding {
  const first = lines[0]!;
  const shown = first.text.length > 120 ? `${first.text.slice(0, 120)}…` : first.text;
  return {
    ruleId: 'CPU027',
    message: `${p}:${first.line} is a Python path configuration line that starts with \`import\` (${JSON.stringify(shown)}${lines.length > 1 ? ` and ${lines.length - 1} more` : ''}): site.py executes it at the start of every Python process once the file lies in a site-packages folder (a wheel or data_files entry that ships it, a virtual environment), with no install script and no import by the project. Read it before merging; a project rarely needs one.`,
    location: { path: p, line: first.line },
    artifact: { kind: 'file', path: p },
    evidence: { runBy: 'site.py addpackage', lines: lines.length, first: shown },
  };
}

function customizeFinding(p: string, isNew: boolean): Finding {
  return {
    ruleId: 'CPU027',
    message: `${p} ${isNew ? 'is new' : 'changed'}: site.py imports ${nameOf(p).slice(0, -3)} at the start of every Python process when its folder is on sys.path (PYTHONPATH, an editable install of the project), the test and build runs in CI included. Read it before merging.`,
    location: { path: p, line: 1 },
    artifact: { kind: 'file', path: p },
    level: 'warning',
    evidence: { runBy: 'site.py execsitecustomize' },
  };
}

async function blobBytes(blobs: BlobCache, entry: TreeEntry): Promise<Buffer | undefined> {
  const [sized] = await blobs.sized([entry]);
  if (sized === undefined || !(sized.size <= MAX_STARTUP_BYTES)) return undefined;
  return (await blobs.read([sized], MAX_STARTUP_BYTES)).get(entry.oid);
}

async function headBytes(dir: string, head: Snapshot | undefined, p: string): Promise<Buffer | undefined> {
  if (head) {
    const entry = head.entries.get(p);
    return entry ? blobBytes(head.blobs, entry) : undefined;
  }
  const abs = path.join(dir, ...p.split('/'));
  const st = await lstat(abs).catch(() => undefined);
  return st?.isFile() && st.size <= MAX_STARTUP_BYTES ? readFile(abs) : undefined;
}

/** The working-tree files' object ids (regular files only: a symlink is never followed). */
async function regularFileOids(dir: string, paths: readonly string[]): Promise<Map<string, string>> {
  const files: string[] = [];
  for (const p of paths)
    if ((await lstat(path.join(dir, ...p.split('/'))).catch(() => undefined))?.isFile()) files.push(p);
  return files.length > 0 ? hashWorkingFiles(dir, files) : new Map();
}
