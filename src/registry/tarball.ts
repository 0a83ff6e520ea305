import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { ReadEntry } from 'tar';
import type { SriAlgorithm } from '../verify/npm/sri.js';
import { npmInstallScripts } from './packument.js';

export interface TarballBounds {
  /** Compressed bytes downloaded. */
  readonly maxBytes: number;
  /** Sum of entry sizes after decompression. */
  readonly maxUnpackedBytes: number;
  readonly maxEntries: number;
  readonly maxManifestBytes: number;
}

export const DEFAULT_TARBALL_BOUNDS: TarballBounds = {
  maxBytes: 256 * 1024 * 1024,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxEntries: 100_000,
  maxManifestBytes: 1024 * 1024,
};

/** What the tarball says about itself. The package.json is parsed, never executed. */
export interface TarballFacts {
  /** `<algorithm>-<base64>` over every downloaded byte (undefined if the download stopped at a bound). */
  readonly integrity?: string;
  readonly bytes: number;
  readonly entries: number;
  readonly manifest?: { readonly name?: unknown; readonly version?: unknown };
  /** `preinstall`/`install`/`postinstall` scripts present; `binding.gyp` implies `node-gyp rebuild`. */
  readonly installScripts: readonly string[];
  /** Bounds hit, escaping paths, unreadable archive or manifest. Any problem means "not fully inspected". */
  readonly problems: readonly string[];
}

/**
 * The file of the installed package an entry becomes, as pacote extracts it (lib/fetcher.js `[_tarxOptions]`:
 * node-tar with `strip: 1`, links filtered out, `File`, `OldFile` and `ContiguousFile` written as files). node-tar's
 * Unpack `[CHECKPATH]` drops the first `/`-separated part as written, without normalising it, strips a leading root
 * and writes to `path.resolve(cwd, rest)`; a path with a `..` part is not written. So `./package.json`,
 * `package/./package.json` and `package//package.json` are the package's package.json as much as
 * `package/package.json` is, and the last one written is the one installed. Undefined: not written as a file.
 */
function extractedAs(entry: ReadEntry): string | undefined {
  if (!/File$/.test(entry.type)) return undefined;
  const rest = entry.path.split('/').slice(1);
  if (rest.includes('..')) return undefined;
  const file = posix.normalize(`/${rest.join('/')}`).slice(1);
  return file === '' ? undefined : file;
}

/**
 * Hash the tarball while streaming it through tar's parser (gzip detected by tar, decompression ratio bounded),
 * reading only `<top>/package.json` and whether `<top>/binding.gyp` exists. Hostile input: every count and size is
 * bounded, and a bound hit is a problem, not a silent pass.
 */
export async function inspectTarball(
  body: Readable,
  algorithm: SriAlgorithm,
  bounds: TarballBounds,
): Promise<TarballFacts> {
  const hash = createHash(algorithm);
  const problems = new Set<string>();
  let bytes = 0;
  let entries = 0;
  let unpacked = 0;
  let manifestText: string | undefined;
  let manifestCount = 0;
  let bindingGyp = false;
  // Reading goes on past an entry npm skips (one escaping the folder, an invalid header), as node-tar's extraction
  // does: a later entry may still become the installed package.json. A bound or a broken archive ends it.
  let parsing = true;
  const stop = (problem: string) => {
    problems.add(problem);
    parsing = false;
  };

  // tar is loaded only when a tarball is read (--verify-tarballs), not by every registry check.
  const { Parser } = await import('tar');
  const parser = new Parser({
    strict: false,
    maxDecompressionRatio: 200,
    onwarn: (code: string) => {
      if (code === 'TAR_ABORT' || code === 'TAR_BAD_ARCHIVE') stop(`the archive is malformed (${code})`);
      else if (code === 'TAR_ENTRY_INVALID') problems.add(`the archive is malformed (${code})`);
    },
    onReadEntry: (entry: ReadEntry) => {
      entries++;
      unpacked += entry.size;
      if (entries > bounds.maxEntries) stop(`more than ${bounds.maxEntries} entries`);
      if (unpacked > bounds.maxUnpackedBytes) stop(`more than ${bounds.maxUnpackedBytes} bytes unpacked`);
      const parts = entry.path.split('/').filter((p) => p !== '' && p !== '.');
      if (entry.path.startsWith('/') || /^[a-zA-Z]:/.test(entry.path) || parts.includes('..'))
        problems.add(`entry ${JSON.stringify(entry.path.slice(0, 200))} escapes the package folder`);
      const at = extractedAs(entry);
      if (at === 'binding.gyp') bindingGyp = true;
      if (at === 'package.json') {
        manifestCount++;
        if (entry.size > bounds.maxManifestBytes) {
          problems.add(`package.json is larger than ${bounds.maxManifestBytes} bytes`);
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => (manifestText = Buffer.concat(chunks).toString('utf8')));
        return;
      }
      entry.resume();
    },
  });
  parser.on('error', (err: Error) => stop(`the archive could not be read (${err.message.slice(0, 200)})`));

  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > bounds.maxBytes) {
      body.destroy();
      problems.add(`the tarball is larger than ${bounds.maxBytes} bytes`);
      return { bytes, entries, installScripts: [], problems: [...problems] };
    }
    hash.update(chunk);
    if (parsing) parser.write(chunk);
  }
  const integrity = `${algorithm}-${hash.digest('base64')}`;
  if (parsing)
    await new Promise<void>((resolve) => {
      parser
        .once('end', resolve)
        .once('close', resolve)
        .once('error', () => resolve());
      parser.end();
    });

  let manifest: TarballFacts['manifest'];
  const installScripts: string[] = [];
  if (manifestCount > 1)
    problems.add('more than one entry of the archive extracts to its package.json (npm installs the last one)');
  if (manifestText === undefined) {
    if (parsing) problems.add('the archive has no package.json at its top level');
  } else {
    try {
      // npm reads it with json-parse-even-better-errors, which drops a leading byte order mark (`stripBOM`).
      const parsed = JSON.parse(manifestText.replace(/^\uFEFF/, '')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      const m = parsed as Record<string, unknown>;
      manifest = { name: m.name, version: m.version };
      installScripts.push(...npmInstallScripts(m.scripts));
      // npm runs `node-gyp rebuild` for a binding.gyp unless install/preinstall is set (or gypfile: false).
      if (
        bindingGyp &&
        m.gypfile !== false &&
        !installScripts.includes('install') &&
        !installScripts.includes('preinstall')
      )
        installScripts.push('binding.gyp');
    } catch {
      problems.add('package.json is not valid JSON');
    }
  }
  return { integrity, bytes, entries, ...(manifest ? { manifest } : {}), installScripts, problems: [...problems] };
}
