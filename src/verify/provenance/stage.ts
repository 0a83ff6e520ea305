import path from 'node:path';
import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import type { Finding } from '../../core/finding.js';
import type { ModelProvenance, ModelRecord, VerificationRecord } from '../../core/records.js';
import type { Stage, StageInput, StageOutput } from '../../core/stage.js';
import { Hasher } from '../../hash/hasher.js';
import { policyDir } from '../stage/setup.js';
import { loadTrustedRoot } from '../trust/root.js';
import { matchSubject, verifyAttestation, type TrustCheck } from './attestation.js';
import { attestationFilesFor, readAttestations, type BundleText } from './files.js';
import {
  compileProvenanceRequirements,
  judgeProvenance,
  missingProvenance,
  registryCommitFor,
  sha,
  type CompiledProvenanceRequirement,
} from './judge.js';

interface Work {
  readonly model: ModelRecord;
  readonly file: DiscoveredFile | undefined;
  readonly attestations: readonly DiscoveredFile[];
  readonly reqs: readonly CompiledProvenanceRequirement[];
  readonly expected: ReturnType<typeof registryCommitFor>;
}

interface Out {
  readonly findings: Finding[];
  readonly models: ModelRecord[];
  readonly verifications: VerificationRecord[];
}

/**
 * Model provenance: for each model file with an attestation next to it, or one the policy (`models.requireProvenance`)
 * or its registry entry (`sourceCommit`) requires provenance for, verify the attestation, find the file among its
 * subjects by the digest the models stage recorded, and judge builder, repository and commit. Verified provenance
 * is added to the model record. Runs after the models stage, whose records it reads.
 */
export const provenanceStage: Stage = {
  name: 'provenance',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    const reqs = compileProvenanceRequirements(ctx.policy.models.requireProvenance ?? []);
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    const work: Work[] = input.models
      .map((model) => ({
        model,
        file: byPath.get(model.path),
        attestations: attestationFilesFor(model.path, byPath),
        reqs: reqs.filter((r) => r.matches(model.path)),
        expected: registryCommitFor(ctx.registry, model),
      }))
      .filter((w) => w.attestations.length > 0 || w.reqs.length > 0 || w.expected !== undefined);
    if (work.length === 0) return {};
    const out: Out = { findings: [], models: [], verifications: [] };
    const sig = ctx.policy.signatures;
    const check: TrustCheck = {
      trust: await loadTrustedRoot(
        sig.trustedRoot !== undefined ? path.resolve(policyDir(ctx), sig.trustedRoot) : undefined,
      ),
      tlogThreshold: sig.tlogThreshold,
      timestampThreshold: sig.timestampThreshold,
    };
    let hasher: Hasher | undefined;
    const sha512Of = async (f: DiscoveredFile): Promise<string | undefined> => {
      // Only when a subject carries sha512 alone (npm provenance): through the hasher and its digest cache.
      hasher ??= await Hasher.create({ cacheDir: ctx.options.cacheDir, workers: 1 });
      const res = await hasher.hash({ abs: f.abs, identity: f, algorithms: ['sha512'] });
      return res.ok ? res.digests.sha512 : undefined;
    };
    try {
      for (const w of work) await checkModel(w, check, sha512Of, out);
    } finally {
      await hasher?.close();
    }
    return out;
  },
};

type Failure = { readonly rule: 'CPM021' | 'CPM025'; readonly at: BundleText; readonly reason: string };

async function checkModel(
  w: Work,
  check: TrustCheck,
  sha512Of: (f: DiscoveredFile) => Promise<string | undefined>,
  out: Out,
): Promise<void> {
  const { model } = w;
  const key = `file:${model.path}`;
  if (w.attestations.length === 0) {
    out.findings.push(missingProvenance(model, w.reqs, w.expected));
    out.verifications.push({ key, status: 'failed', detail: 'required provenance missing' });
    return;
  }
  // An LFS pointer stands for the object it names: the attestation is about that content.
  const digests: Record<string, string> = model.lfs ? { sha256: model.lfs.oid } : { ...model.digests };
  const failures: Failure[] = [];
  let found: ModelProvenance | undefined;
  for (const file of w.attestations) {
    const read = await readAttestations(file);
    if (!read.ok) {
      failures.push({ rule: 'CPM025', at: { file: file.path, text: '' }, reason: `${file.path} ${read.reason}` });
      continue;
    }
    for (const at of read.bundles) {
      const v = verifyAttestation(at.text, check);
      if (!v.ok) {
        failures.push({ rule: 'CPM025', at, reason: v.reason });
        continue;
      }
      let m = matchSubject(v.statement, digests);
      if (m.kind === 'need' && m.algorithms.includes('sha512') && w.file && !model.lfs) {
        const d = await sha512Of(w.file);
        if (d !== undefined) digests['sha512'] = d;
        m = matchSubject(v.statement, digests);
      }
      if (m.kind === 'need') {
        failures.push({
          rule: 'CPM025',
          at,
          reason: `its subjects carry ${m.algorithms.join(', ') || 'no supported digest'}, which the file's digests (${Object.keys(digests).join(', ') || 'none: not hashed'}) cannot be compared with`,
        });
        continue;
      }
      if (m.kind === 'mismatch') {
        failures.push({
          rule: 'CPM021',
          at,
          reason: `its subject is ${m.algorithm}:${m.expected.join(', ')}, the file is ${m.algorithm}:${m.actual}`,
        });
        continue;
      }
      found ??= {
        repository: v.repository,
        commit: v.commit,
        ...(v.ref ? { ref: v.ref } : {}),
        builder: v.builder,
        predicateType: v.statement.predicateType,
        attestation: at.file,
      };
    }
  }
  if (!found) {
    for (const f of failures) out.findings.push(failureFinding(model, f));
    const unverifiable = failures.every((f) => f.rule === 'CPM025');
    out.verifications.push({
      key,
      status: unverifiable ? 'unverifiable' : 'failed',
      detail: `provenance: ${failures[0]?.reason ?? 'none'}`,
    });
    return;
  }
  const problems = judgeProvenance(model, found, w.reqs, w.expected);
  out.findings.push(...problems);
  if (problems.length > 0) {
    out.verifications.push({ key, status: 'failed', detail: `provenance rejected: ${problems[0]!.ruleId}` });
    return;
  }
  out.models.push({ ...model, provenance: found });
  out.verifications.push({
    key,
    status: 'verified',
    detail: `provenance: ${found.repository}@${found.commit} built by ${found.builder}`,
  });
}

function failureFinding(model: ModelRecord, f: Failure): Finding {
  const where = `${f.at.file}${f.at.line !== undefined ? ` line ${f.at.line}` : ''}`;
  const message =
    f.rule === 'CPM021'
      ? `The provenance attestation ${where} verifies but is not about ${model.path}: ${f.reason}. The file changed after the attested build; restore the attested file or rebuild and attest it.`
      : `The provenance attestation ${where} for ${model.path} could not be verified: ${f.reason}. Download it again from the build (gh attestation download) or rebuild and attest the model; do not trust it until it verifies.`;
  return {
    ruleId: f.rule,
    message,
    location: { path: f.at.file, ...(f.at.line !== undefined ? { line: f.at.line } : {}) },
    artifact: { kind: 'model', path: model.path, ...sha(model) },
    evidence: { reason: f.reason, attestation: f.at.file },
  };
}
