import path from 'node:path';
import type { DiscoveredFile } from '../core/files.js';
import { loadFinder, loadQuickFinder, type Language } from './languages.js';
import { mayNameModelBytes } from './prefilter.js';
import { runFinder, runQuickFinder, screenText, type Finder, type QuickFinder, type Searched } from './search.js';
import { isTestData, languageOf } from './sources.js';

/** What searching one file's bytes gave: `searchText`'s outcome, or a config in a test folder (counted, not read). */
export type FileOutcome = Searched | { readonly kind: 'test-data' };

/**
 * One source file's search from its bytes: the refs stage's work per file, the same in the scan's thread and in the
 * refs worker (worker.ts). Each language's finders load with the first file that needs them.
 */
export class SourceSearcher {
  private readonly finders = new Map<Language, Promise<Finder>>();
  private readonly quickFinders = new Map<Language, Promise<QuickFinder | undefined>>();

  /**
   * `prefiltered`: the bytes have passed the byte pre-filter already (the walk kept them). The bytes are decoded
   * before the first await, so a caller may reuse their buffer once the returned promise is made.
   */
  search(
    path: string,
    bytes: Buffer,
    prefiltered: boolean,
    existsLocally: (p: string) => boolean,
  ): FileOutcome | Promise<FileOutcome> {
    const language = languageOf(path);
    if (!language || (!prefiltered && !mayNameModelBytes(language, bytes))) return { kind: 'none' };
    if (language === 'config' && isTestData(path)) return { kind: 'test-data' };
    return this.searchText(language, path, bytes.toString('utf8'), existsLocally);
  }

  private async searchText(
    language: Language,
    path: string,
    text: string,
    existsLocally: (p: string) => boolean,
  ): Promise<FileOutcome> {
    const screened = screenText(path, text);
    if (screened) return screened;
    const quick = await cached(this.quickFinders, language, loadQuickFinder);
    return (
      (quick && runQuickFinder(quick, path, text, existsLocally)) ??
      runFinder(await cached(this.finders, language, loadFinder), path, text, existsLocally)
    );
  }
}

function cached<T>(map: Map<Language, Promise<T>>, language: Language, load: (l: Language) => Promise<T>): Promise<T> {
  let got = map.get(language);
  if (!got) map.set(language, (got = load(language)));
  return got;
}

/**
 * Every file's path and the folders above it, for `existsLocally` (transformers' from_pretrained prefers a local
 * folder of the same name): the paths sorted once (a native sort) and searched by halves. A set of every folder
 * took a loop over every file and its folders, which V8 compiled on a second thread at more CPU than the loop itself.
 */
export class LocalPaths {
  private readonly sorted: readonly string[];

  constructor(paths: readonly string[]) {
    this.sorted = [...paths].sort();
  }

  static of(files: readonly DiscoveredFile[]): LocalPaths {
    return new LocalPaths(files.map((f) => f.path));
  }

  /** `existsLocally` for the finders: a path as code writes it (`./models/x`, `models//x`), normalised. */
  readonly exists = (p: string): boolean => this.has(path.posix.normalize(p.replace(/^\.\//, '')));

  /** A file at `p`, or a folder that holds one (`p/…`; `p-x` and `p.x` sort between the two). */
  has(p: string): boolean {
    const at = this.lowerBound(p);
    if (this.sorted[at] === p) return true;
    return this.sorted[this.lowerBound(`${p}/`)]?.startsWith(`${p}/`) ?? false;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
