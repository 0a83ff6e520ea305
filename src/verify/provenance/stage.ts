import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import type { ModelProvenance, ModelRecord } from '../../core/records.js';
import type { Stage, StageInput, StageOutput } from '../../core/stage.js';
import { matchSubjectHashing, type DigestsOf, type TrustCheck } from './attestation.js';
import { AttestationCache } from './cache.js';
import { scanBundles } from '../bundle/shared.js';
import { attestationsNextTo, folderCovers, isFolderAttestation } from './files.js';
import { failureFinding, failureRule, folderFailureFinding, type Failure, type Out } from './failures.js';
import {
  chooseProvenance,
  compileProvenanceRequirements,
  missingProvenance,
  registryCommitFor,
  type CompiledProvenanceRequirement,
} from './judge.js';
import { fileKey } from '../../core/package-key.js';
import { describeConflict } from '../bundle/intoto.js';
import { DETACHED_BUNDLE } from './names.js';

interface Work {
  readonly model: ModelRecord;
  readonly file: DiscoveredFile | undefined;
  /** Next to the model: every bundle must be about it. */
  readonly nextTo: readonly DiscoveredFile[];
  /** In an attestations folder above it: bundles about other files are not its concern. */
  readonly folder: readonly DiscoveredFile[];
  readonly reqs: readonly CompiledProvenanceRequirement[];
  readonly expected: ReturnType<typeof registryCommitFor>;
}

/**
 * Model provenance: for each model file with attestations (next to it or in an `attestations/` folder above it), or
 * one the policy (`models.requireProvenance`) or its registry entry (`sourceCommit`) requires provenance for,
 * verify the attestations, find the file among their subjects by the digest the models stage recorded, and judge
 * builder, repository and commit. Verified provenance is added to the model record. Runs after the models stage.
 */
export const provenanceStage: Stage = {
  name: 'provenance',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    const reqs = compileProvenanceRequirements(ctx.policy.models.requireProvenance ?? []);
    const byPath = new Map(input.files.map((f) => [f.path, f]));
    const nextTo = attestationsNextTo(input.files);
    const folder = input.files.filter((f) => isFolderAttestation(f.path));
    const work: Work[] = input.models
      .map((model) => ({
        model,
        file: byPath.get(model.path),
        nextTo: nextTo.get(model.path) ?? [],
        folder: folder.filter((f) => folderCovers(f.path, model.path)),
        reqs: reqs.filter((r) => r.matches(model.path)),
        expected: registryCommitFor(ctx.registry, model),
      }))
      .filter((w) => w.nextTo.length + w.folder.length > 0 || w.reqs.length > 0 || w.expected !== undefined);
    if (work.length === 0) return {};
    const sig = ctx.policy.signatures;
    const check: TrustCheck = {
      // Loaded once with the rest of the trust material (app/trust.ts); no config I/O here.
      trust: ctx.trust.sigstore,
      tlogThreshold: sig.tlogThreshold,
      timestampThreshold: sig.timestampThreshold,
    };
    // The scan's bundle store: a model's `<file>.sigstore.json` is read and verified once for this stage and signatures.
    const cache = new AttestationCache(check, scanBundles(ctx));
    const digestsOf: DigestsOf = async (f, algorithms) => {
      // Only the digests a subject carries beyond the models stage's: through the scan's hasher and its digest cache.
      const res = await ctx.digests.hash({ abs: f.abs, identity: f, algorithms });
      return res.ok ? res.digests : undefined;
    };
    const out: Out = { findings: [], models: [], verifications: [] };
    const folderFailures = new Map<string, Failure>();
    for (const w of work) await checkModel(w, cache, digestsOf, out, folderFailures);
    // A broken bundle in a folder is one cause, whatever number of models the folder covers.
    for (const f of folderFailures.values()) out.findings.push(folderFailureFinding(f));
    return out;
  },
};

async function checkModel(
  w: Work,
  cache: AttestationCache,
  digestsOf: DigestsOf,
  out: Out,
  folderFailures: Map<string, Failure>,
): Promise<void> {
  const { model } = w;
  const key = fileKey(model.path);
  // An LFS pointer stands for the object it names: the attestation is about that content.
  const digests: Record<string, string> = model.lfs ? { sha256: model.lfs.oid } : { ...model.digests };
  const failures: Failure[] = [];
  // Every verified attestation about this content, in file order: the policy is judged over all of them.
  const matched: ModelProvenance[] = [];
  // Statements next to it signed with a key: signatures, not provenance; a requirement's finding names them.
  const keyed: string[] = [];
  const sources = [
    ...w.nextTo.map((file) => ({ file, strict: true })),
    ...w.folder.map((file) => ({ file, strict: false })),
  ];
  for (const { file, strict } of sources) {
    const fail = (f: Failure) => (strict ? failures.push(f) : folderFailures.set(`${f.at.file}:${f.at.line ?? 0}`, f));
    const read = await cache.read(file);
    if (!read.ok) {
      fail({ rule: 'CPM025', at: { file: file.path, text: '' }, reason: `${file.path} ${read.reason}` });
      continue;
    }
    for (const at of read.bundles) {
      const v = await cache.verify(at);
      // A plain signature next to a model is the signatures stage's business, not a failed provenance.
      if (!v.ok && 'notProvenance' in v) {
        if (strict && v.keyed) keyed.push(`${at.file}: ${v.reason}`);
        continue;
      }
      if (!v.ok) {
        fail({
          rule: failureRule(v),
          at,
          reason: v.reason,
        });
        continue;
      }
      const file = model.lfs ? undefined : w.file;
      const m = await matchSubjectHashing(v.statement, digests, file && ((algorithms) => digestsOf(file, algorithms)));
      if (m.kind === 'match') {
        matched.push({
          repository: v.repository,
          commit: v.commit,
          ...(v.ref ? { ref: v.ref } : {}),
          builder: v.builder,
          predicateType: v.statement.predicateType,
          attestation: at.file,
        });
      } else if (strict && m.kind === 'mismatch') {
        fail({
          rule: 'CPM021',
          at,
          reason: `its subject is ${m.algorithm}:${m.expected.join(', ')}, the file is ${m.algorithm}:${m.actual}`,
        });
      } else if (strict && m.kind === 'conflict') {
        fail({ rule: 'CPM021', at, reason: `its ${describeConflict(m)}` });
      } else if (strict) {
        fail({
          rule: 'CPM025',
          at,
          reason: `its subjects carry ${m.kind === 'need' ? m.algorithms.join(', ') || 'no supported digest' : '?'}, which the file's digests (${Object.keys(digests).join(', ') || 'none: not hashed'}) cannot be compared with`,
        });
      }
    }
  }
  if (matched.length === 0) {
    const required = w.reqs.length > 0 || w.expected !== undefined;
    for (const f of failures) out.findings.push(failureFinding(model, f, required));
    if (failures.length > 0) {
      out.verifications.push({ key, status: failureStatus(failures), detail: `provenance: ${failures[0]!.reason}` });
    } else if (w.reqs.length > 0 || w.expected !== undefined) {
      out.findings.push(missingProvenance(model, w.reqs, w.expected, keyed));
      out.verifications.push({ key, status: 'failed', detail: 'required provenance missing' });
    }
    return;
  }
  reportBrokenSignatures(model, failures, w.reqs.length > 0 || w.expected !== undefined, out);
  const { provenance: found, problems } = chooseProvenance(model, matched, w.reqs, w.expected);
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

/**
 * A detached bundle named for the model (`<file>.sigstore.json`, `<file>.sigstore`) is the file's signature to the
 * signatures stage, which leaves the failure of a provenance bundle to this stage (stage/detached.ts `provenanceOwns`)
 * and counts it as the file's failed signature, already reported (stage/enforce.ts). So its failure is reported here
 * as when it is the model's only attestation, even when another one verifies: dropped, a `signatures.require` over
 * the file would pass with no finding although its signature does not verify (cosign verify-blob --bundle refuses
 * it). Failures in other files (`.intoto.jsonl` lines) are no signature: any verified attestation answers for the
 * model, as in `gh attestation verify`.
 */
function reportBrokenSignatures(model: ModelRecord, failures: readonly Failure[], required: boolean, out: Out): void {
  const broken = failures.filter((f) => DETACHED_BUNDLE.test(f.at.file));
  for (const f of broken) out.findings.push(failureFinding(model, f, required));
  if (broken.length > 0)
    out.verifications.push({
      key: fileKey(model.path),
      status: failureStatus(broken),
      detail: `signature ${broken[0]!.at.file}: ${broken[0]!.reason}`,
    });
}

/**
 * Never "verified": a format not verified (CPM026) counts as unverifiable, like a bundle that fails to check; a
 * subject mismatch (CPM021) or a self-contradicting source (CPM027) is a failed check.
 */
function failureStatus(failures: readonly Failure[]): 'unverifiable' | 'failed' {
  return failures.every((f) => f.rule === 'CPM025' || f.rule === 'CPM026') ? 'unverifiable' : 'failed';
}
