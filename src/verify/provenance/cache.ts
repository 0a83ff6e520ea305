import type { DiscoveredFile } from '../../core/files.js';
import { verifyAttestation, type AttestationResult, type TrustCheck } from './attestation.js';
import { readAttestations, type BundleText, type ReadAttestations } from './files.js';

/**
 * Each attestation file is read once and each bundle verified once per scan, however many models an attestations
 * folder covers: verification is the expensive part (certificate path, SCTs, log proofs).
 */
export class AttestationCache {
  private readonly reads = new Map<string, Promise<ReadAttestations>>();
  private readonly verdicts = new Map<string, AttestationResult>();

  constructor(private readonly check: TrustCheck) {}

  read(file: DiscoveredFile): Promise<ReadAttestations> {
    let r = this.reads.get(file.path);
    if (!r) {
      r = readAttestations(file);
      this.reads.set(file.path, r);
    }
    return r;
  }

  verify(at: BundleText): AttestationResult {
    const key = `${at.file}:${at.line ?? 0}`;
    let v = this.verdicts.get(key);
    if (!v) {
      v = verifyAttestation(at.text, this.check);
      this.verdicts.set(key, v);
    }
    return v;
  }
}
