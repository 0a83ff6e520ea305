import type { DiscoveredFile } from '../../core/files.js';
import type { ScanBundles } from '../bundle/shared.js';
import { verifyAttestation, verifyParsedAttestation, type AttestationResult, type TrustCheck } from './attestation.js';
import { readAttestations, type BundleText, type ReadAttestations } from './files.js';

/**
 * Each attestation file is read once and each bundle verified once per scan, however many models an attestations
 * folder covers: verification is the expensive part (certificate path, SCTs, log proofs). With the scan's bundle
 * store (`shared`), a whole-file bundle the signatures stage also checks (`<model>.sigstore.json`) is read, parsed
 * and verified by Sigstore once for both stages.
 */
export class AttestationCache {
  private readonly reads = new Map<string, Promise<ReadAttestations>>();
  private readonly verdicts = new Map<string, Promise<AttestationResult>>();
  private readonly files = new Map<string, DiscoveredFile>();

  constructor(
    private readonly check: TrustCheck,
    private readonly shared?: ScanBundles,
  ) {}

  read(file: DiscoveredFile): Promise<ReadAttestations> {
    let r = this.reads.get(file.path);
    if (!r) {
      const shared = this.shared;
      r = readAttestations(file, shared && ((f) => shared.read(f)));
      this.reads.set(file.path, r);
      this.files.set(file.path, file);
    }
    return r;
  }

  verify(at: BundleText): Promise<AttestationResult> {
    const key = `${at.file}:${at.line ?? 0}`;
    let v = this.verdicts.get(key);
    if (!v) {
      v = this.verifyOne(at);
      this.verdicts.set(key, v);
    }
    return v;
  }

  private async verifyOne(at: BundleText): Promise<AttestationResult> {
    const file = this.files.get(at.file);
    // A line of a JSON Lines file is no bundle another stage reads: parsed and verified here alone.
    if (!this.shared || !file || at.line !== undefined) return verifyAttestation(at.text, this.check);
    return verifyParsedAttestation(await this.shared.parse(file), at.text, this.check, this.shared.results);
  }
}
