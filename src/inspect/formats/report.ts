import type { FileOpener, FileSource } from '../../core/file-source.js';
import type { DiscoveredFile } from '../../core/files.js';
import type { Evidence, Finding, Level } from '../../core/finding.js';
import type { AnalysisReport } from '../analyser.js';
import { createFileOpener } from '../../io/file-source.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveAsync, FileWindow, FormatError, WINDOW } from './source.js';
import { registerMemberFormat, type Sniffed, type SourcePlace } from '../content/member-formats.js';

/** Collects one file's findings; every finding carries the file as its artifact. */
export class Findings {
  readonly list: Finding[] = [];
  /** Set when part of the file was not read (a limit, an unreadable member): status becomes `partial`. */
  incomplete = false;

  /** `within`: the archive member the parsed bytes are (member-formats.ts); every finding's member is under it. */
  constructor(
    readonly path: string,
    readonly format: string,
    readonly within?: string,
  ) {}

  /**
   * `level` overrides the rule's default where this occurrence is worse than the rule's usual case; `line` is where
   * a text file (a config) says it.
   */
  add(ruleId: string, message: string, evidence: Evidence = {}, inner?: string, level?: Level, line?: number): void {
    const member =
      this.within === undefined || inner === undefined ? (this.within ?? inner) : `${this.within}!${inner}`;
    this.list.push({
      ruleId,
      ...(level !== undefined ? { level } : {}),
      message: `${this.path}${member !== undefined ? ` (${member})` : ''}${line !== undefined ? `:${line}` : ''}: ${message}`,
      location: {
        path: this.path,
        ...(line !== undefined ? { line } : {}),
        ...(member !== undefined ? { member } : {}),
      },
      artifact: { kind: 'model', path: this.path, format: this.format },
      evidence,
    });
  }

  /** A parse error or a limit hit: always a finding, the file not known to be safe. */
  addError(err: FormatError, what: string, member?: string): void {
    if (err.kind === 'limit') {
      this.add(
        'CPI051',
        `${what} ${err.message} (at byte ${err.offset}); the rest was not checked. Do not load it until you know why.`,
        { offset: err.offset, error: err.message },
        member,
      );
    } else {
      this.add(
        'CPI050',
        `${what} could not be parsed: ${err.message} (at byte ${err.offset}); the rest was not checked and the file is not known to be safe. Re-export it from a trusted source.`,
        { offset: err.offset, error: err.message },
        member,
      );
    }
  }
}

/**
 * One finding per kind of problem where a single cause breaks many entries at once (a file cut short leaves every
 * later tensor past its end): the first entry is named, the rest counted (`moreTensors`). The loaders refuse the
 * file at the first such entry, so one finding says all there is to say.
 */
export class FirstOfEach {
  private readonly first = new Map<string, { message: string; evidence: Evidence; more: number }>();

  /** `entries`: what the problems are counted in (GGUF metadata keys break as tensors do: at the first). */
  constructor(
    private readonly ruleId: string,
    private readonly entries: 'tensors' | 'keys' = 'tensors',
  ) {}

  /** `message` without its final full stop. */
  note(kind: string, message: string, evidence: Evidence): void {
    const seen = this.first.get(kind);
    if (seen) seen.more++;
    else this.first.set(kind, { message, evidence, more: 0 });
  }

  report(out: Findings): void {
    for (const { message, evidence, more } of this.first.values()) {
      if (more === 0) out.add(this.ruleId, `${message}.`, evidence);
      else
        out.add(this.ruleId, `${message}; ${more} more ${this.entries} have the same problem.`, {
          ...evidence,
          [this.entries === 'keys' ? 'moreKeys' : 'moreTensors']: more,
        });
    }
  }
}

/**
 * Run a parser over a file opened through the scan's opener (so `result.io` counts the open and every byte), its
 * reads loaded asynchronously in bounded windows.
 */
export async function analyseWith(
  file: DiscoveredFile,
  what: string,
  steps: (src: RandomAccess, out: Findings) => ParseSteps<void>,
  // Tests call analysers with a bare context: they then read through an opener of their own.
  files: FileOpener = createFileOpener(),
): Promise<AnalysisReport> {
  const source = await files.open(file.abs, file.path, file);
  try {
    return await analyseSource(source, new Findings(file.path, file.format), what, steps);
  } finally {
    await source.close();
  }
}

/**
 * Drive a parser over an opened source. A FormatError thrown by the parser is a finding and status `failed`;
 * anything else is a bug and propagates (the inspect stage reports it as CPX003).
 */
export async function analyseSource(
  source: FileSource,
  out: Findings,
  what: string,
  steps: (src: RandomAccess, out: Findings) => ParseSteps<void>,
  windowSize = WINDOW,
): Promise<AnalysisReport> {
  const win = new FileWindow(source, windowSize);
  try {
    await driveAsync(steps(win, out), win);
  } catch (err) {
    return failed(err, out, what);
  }
  return done(out);
}

/** The pure core of `analyseWith`, used by tests over in-memory bytes. */
export function runParser(
  src: RandomAccess,
  out: Findings,
  what: string,
  parse: (src: RandomAccess, out: Findings) => void,
): AnalysisReport {
  try {
    parse(src, out);
  } catch (err) {
    return failed(err, out, what);
  }
  return done(out);
}

function failed(err: unknown, out: Findings, what: string): AnalysisReport {
  if (!(err instanceof FormatError)) throw err;
  out.addError(err, what);
  return { status: 'failed', findings: out.list };
}

function done(out: Findings): AnalysisReport {
  return { status: out.incomplete ? 'partial' : 'ok', findings: out.list };
}

/**
 * A format whose reader judges a member of an archive as it judges the file (content/member-formats.ts): the bytes in
 * memory with `parse`, and, given `steps`, a member too large to hold by ranges, read forward. `is` tells the
 * format's bytes (the head, the member's size and name) as discovery tells a file's.
 */
export function registerReadMember(f: {
  readonly format: string;
  readonly named: RegExp;
  readonly is: (head: Buffer, name: string, sniffed: Sniffed) => boolean;
  /** The file as messages name it: "the GGUF file". */
  readonly what: string;
  readonly parse: (src: RandomAccess, out: Findings) => void;
  readonly steps?: (src: RandomAccess, out: Findings) => ParseSteps<void>;
}): void {
  const { steps } = f;
  registerMemberFormat({
    format: f.format,
    claimsName: (name) => f.named.test(name),
    judge(data, name, where, sniffed) {
      if (!f.is(data, name, sniffed)) return undefined;
      const out = new Findings(where.path, f.format, where.member);
      runParser(bufferSource(data), out, f.what, f.parse);
      return { findings: out.list, decompressed: 0, readsAllOfIt: true };
    },
    ...(steps && {
      async judgeSource(src: FileSource, head: Buffer, name: string, where: SourcePlace, sniffed: Sniffed) {
        if (!f.is(head, name, sniffed)) return undefined;
        const report = await analyseSource(src, new Findings(where.path, f.format, where.member), f.what, steps);
        return { findings: report.findings, decompressed: 0, readsAllOfIt: true };
      },
    }),
  });
}
