import path from 'node:path';
import type { TrustRoot } from '../../core/trust-material.js';
import { caProblem } from '../sigstore/certificates.js';
import { loadTrustedRoot, TrustRootError } from '../sigstore/root.js';
import { isInlinePem, publicKeyProblem, readSignerPem } from '../sigstore/signers.js';
import type { SourceDocument } from './document.js';
import { isPlainObject } from './merge.js';
import type { PolicyProblem, ProblemCode } from './problems.js';

/** What the files a policy names hold, read once here and handed on: nothing re-reads them at scan time. */
export interface PolicyFiles {
  /** The parsed `signatures.trustedRoot`; undefined when the policy names none. */
  readonly trustRoot: TrustRoot | undefined;
  /** PEM text of each key or CA signer, by signer name. */
  readonly pem: ReadonlyMap<string, string>;
}

/**
 * Resolve the files a policy names (trustedRoot, signer keys, CA certificates) against the policy file's folder,
 * read each once (bounded) and check it is what it claims, so a typo is a load error instead of a signature that
 * "fails" at scan time. Mutates `merged` in place: relative paths become absolute. Inline PEM text is kept as is.
 */
export async function resolvePolicyFiles(
  merged: Record<string, unknown>,
  file: SourceDocument,
  policyDir: string,
): Promise<{ problems: PolicyProblem[]; files: PolicyFiles }> {
  const out: PolicyProblem[] = [];
  const pem = new Map<string, string>();
  let trustRoot: TrustRoot | undefined;
  // Paths in messages are shown as written; they resolve against the policy file's folder.
  const add = (code: ProblemCode, p: (string | number)[], message: string) =>
    out.push({ code, path: p, message, ...file.locate(p) });
  const sig = merged['signatures'];
  if (!isPlainObject(sig)) return { problems: out, files: { trustRoot, pem } };

  if (typeof sig['trustedRoot'] === 'string') {
    const where = ['signatures', 'trustedRoot'];
    const abs = path.resolve(policyDir, sig['trustedRoot']);
    try {
      trustRoot = await loadTrustedRoot(abs, sig['trustedRoot']);
      sig['trustedRoot'] = abs;
    } catch (err) {
      if (!(err instanceof TrustRootError)) throw err;
      if (err.kind === 'unreadable') add('missing-file', where, `expected a trusted_root.json file: ${err.reason}`);
      else add('bad-value', where, `expected a Sigstore trusted_root.json: ${err.reason}`);
    }
  }

  const signers = isPlainObject(sig['signers']) ? sig['signers'] : {};
  for (const [name, spec] of Object.entries(signers)) {
    if (!isPlainObject(spec)) continue;
    const field = spec['kind'] === 'key' ? 'key' : spec['kind'] === 'certificate' ? 'ca' : undefined;
    const value = field !== undefined ? spec[field] : undefined;
    if (field === undefined || typeof value !== 'string') continue;
    const where = ['signatures', 'signers', name, field];
    const read = await readSignerPem(value, policyDir);
    if (!read.ok) {
      add('missing-file', where, `expected PEM text or a path to a PEM file: ${read.error}`);
      continue;
    }
    const problem = field === 'key' ? publicKeyProblem(read.text) : caProblem(read.text);
    if (problem !== undefined) {
      add(field === 'key' ? 'bad-key' : 'bad-certificate', where, problem);
      continue;
    }
    pem.set(name, read.text);
    if (!isInlinePem(value)) spec[field] = path.resolve(policyDir, value);
  }
  return { problems: out, files: { trustRoot, pem } };
}
