import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { readHead } from '../../models/read-small.js';
import { SigstoreResults } from '../check/sigstore.js';
import { MAX_BUNDLE_BYTES, tryParseBundle, type BundleParseError, type ParsedBundle } from './parse.js';

/**
 * The bundle files of one scan, shared by the stages that read them: a model's `<file>.sigstore.json` is its
 * signature to the signatures stage and its build provenance to the provenance stage. Each file is read (through the
 * scan's I/O edge, which refuses a file swapped since the walk) and parsed once, and each Sigstore verification, the
 * expensive part (certificate path, SCTs, log proofs), runs once over that one parse.
 */
export class ScanBundles {
  private readonly bytes = new Map<string, Promise<Buffer>>();
  private readonly parsed = new Map<string, Promise<ParsedBundle | BundleParseError>>();
  readonly results = new SigstoreResults();

  constructor(private readonly readFile: (file: DiscoveredFile) => Promise<Buffer>) {}

  /** The file's bytes; callers check its size against MAX_BUNDLE_BYTES first. Rejects when it cannot be read. */
  read(file: DiscoveredFile): Promise<Buffer> {
    let r = this.bytes.get(file.path);
    if (!r) this.bytes.set(file.path, (r = this.readFile(file)));
    return r;
  }

  /** The file parsed as one Sigstore or cosign bundle, or why it is not one. */
  parse(file: DiscoveredFile): Promise<ParsedBundle | BundleParseError> {
    let p = this.parsed.get(file.path);
    if (!p) this.parsed.set(file.path, (p = this.read(file).then(tryParseBundle)));
    return p;
  }
}

const perScan = new WeakMap<ScanContext, ScanBundles>();

/** The scan's bundles: one store per scan context, made on first use and dropped with the context. */
export function scanBundles(ctx: ScanContext): ScanBundles {
  let b = perScan.get(ctx);
  if (!b) perScan.set(ctx, (b = new ScanBundles((f) => readHead(ctx.files, f, MAX_BUNDLE_BYTES))));
  return b;
}
