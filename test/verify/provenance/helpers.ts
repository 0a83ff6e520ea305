import { readFileSync } from 'node:fs';
import { corpusPath } from '../../helpers/corpus.js';

/** The SLSA provenance bundle out of a real npm attestations response, unchanged. */
export function npmProvenanceBundle(name: string): string {
  const json = JSON.parse(
    readFileSync(corpusPath('sigstore', 'npm-provenance', 'gha', `${name}.tgz.json`), 'utf8'),
  ) as { attestations: { predicateType: string; bundle: unknown }[] };
  const slsa = json.attestations.find((a) => a.predicateType.startsWith('https://slsa.dev/provenance/'));
  if (!slsa) throw new Error(`${name}: no SLSA attestation`);
  return JSON.stringify(slsa.bundle);
}

/** The tarball that response attests. */
export const npmTarball = (name: string): string => corpusPath('sigstore', 'npm-provenance', 'gha', `${name}.tgz`);
