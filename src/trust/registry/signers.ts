import type { NamedSigner, RegistrySigner } from '../../core/trust-material.js';
import type { ModelArtifact, TrustedRegistry } from '../../core/trusted-registry.js';
import type { ConfigProblem } from '../config/problems.js';
import { suggestion } from '../policy/suggest.js';
import { RegistryError } from './error.js';

/**
 * A Sigstore identity as chainproof prints a signer (`describeSigner`): the certificate subject (SAN e-mail or URI)
 * and the OIDC issuer. Both are needed, as model_signing's verifier needs them (`_signing/sign_sigstore.py`
 * `Verifier(identity=…, oidc_issuer=…)`, a sigstore-python `policy.Identity`: SAN and issuer extension, each equal)
 * and `chainproof verify --identity … --issuer …` does: a subject alone could be issued by any provider.
 */
const IDENTITY = /^(\S+) \(issuer (https:\/\/\S+)\)$/;

/** The subject and issuer of an identity written `SUBJECT (issuer URL)`, or undefined. */
export function parseSignerIdentity(text: string): { subject: string; issuer: string } | undefined {
  const m = IDENTITY.exec(text);
  if (!m || !URL.canParse(m[2]!)) return undefined;
  return { subject: m[1]!, issuer: m[2]! };
}

/**
 * What a registry `signer` stands for: the policy signer of that name (names first, as `signatures.require` names
 * them), else the Sigstore identity it writes, matched as a policy signer with that `issuer` and `subject` is (exactly:
 * verify/policy/signers.ts `matchesSigner`). Anything else is a problem, said in words.
 */
export function resolveRegistrySigner(
  value: string,
  policySigners: readonly NamedSigner[],
  policySource: string,
): NamedSigner | { readonly problem: string } {
  const named = policySigners.find((s) => s.name === value);
  if (named) return named;
  const id = parseSignerIdentity(value);
  if (id) return Object.freeze({ name: value, kind: 'sigstore', issuer: id.issuer, subject: id.subject });
  return {
    problem: unknownSigner(
      value,
      policySigners.map((s) => s.name),
      policySource,
    ),
  };
}

/**
 * Why a `signer` value stands for nothing under a policy that defines these signer names, or undefined: what
 * `registry add --signer` checks before it writes the value, as the scan will read it.
 */
export function registrySignerProblem(
  value: string,
  names: readonly string[],
  policySource: string,
): string | undefined {
  return names.includes(value) || parseSignerIdentity(value) ? undefined : unknownSigner(value, names, policySource);
}

function unknownSigner(value: string, names: readonly string[], policySource: string): string {
  const defined = names.length > 0 ? `it defines ${names.join(', ')}` : 'it defines none';
  return `unknown signer ${JSON.stringify(value)}${suggestion(value, names)}: it is not a signer of the policy's signatures.signers (${policySource}: ${defined}), nor a Sigstore identity written SUBJECT (issuer https://…). A key or a CA signer must be defined in the policy and named here`;
}

/**
 * Resolve every model entry's `signer` against the policy's signers. A value that is neither a policy signer nor an
 * identity throws a RegistryError at the field (exit 2): a registry that names a signer nobody can check would
 * otherwise scan as if the entry required nothing.
 */
export function resolveRegistrySigners(
  registry: TrustedRegistry,
  policySigners: readonly NamedSigner[],
  policySource: string,
): RegistrySigner[] {
  checkRegistrySigners(
    registry,
    policySigners.map((s) => s.name),
    policySource,
  );
  const out: RegistrySigner[] = [];
  for (const entry of registry.models) {
    if (entry.signer === undefined) continue;
    const resolved = resolveRegistrySigner(entry.signer, policySigners, policySource);
    if (!('problem' in resolved)) out.push({ entry, signer: resolved });
  }
  return out;
}

/**
 * Throw a RegistryError (the first file's, as loadTrustedRegistry does) when an entry's `signer` is neither one of
 * `names` nor an identity: the scan's check, for `registry check`, which has the policy's names but no key material.
 */
export function checkRegistrySigners(registry: TrustedRegistry, names: readonly string[], policySource: string): void {
  const problems = new Map<string, ConfigProblem[]>();
  // The entries of one file are consecutive and in file order (loadTrustedRegistry): their index in it is counted.
  const indexInFile = new Map<string, number>();
  for (const entry of registry.models) {
    const index = indexInFile.get(entry.file) ?? 0;
    indexInFile.set(entry.file, index + 1);
    if (entry.signer === undefined) continue;
    const problem = registrySignerProblem(entry.signer, names, policySource);
    if (problem === undefined) continue;
    const list = problems.get(entry.file) ?? [];
    list.push(signerProblem(entry, index, problem));
    problems.set(entry.file, list);
  }
  const first = [...problems.keys()].sort()[0];
  if (first !== undefined) throw new RegistryError(first, problems.get(first)!);
}

function signerProblem(entry: ModelArtifact, index: number, message: string): ConfigProblem {
  const at = entry.signerAt ?? { line: entry.line ?? 1, col: 1 };
  return { code: 'unknown-signer', path: ['models', index, 'signer'], line: at.line, col: at.col, message };
}
