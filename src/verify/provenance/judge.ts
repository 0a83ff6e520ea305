import type { Finding } from '../../core/finding.js';
import type { ModelProvenanceRequirement } from '../../core/policy.js';
import type { ModelProvenance, ModelRecord } from '../../core/records.js';
import type { TrustedRegistry } from '../../core/trusted-registry.js';
import { matchesAnchored } from '../npm/identity.js';
import { requirementPathMatcher } from '../stage/setup.js';
import { isBuildProvenance } from './kind.js';
import { sameRepository } from './source.js';

export interface CompiledProvenanceRequirement {
  readonly index: number;
  readonly requirement: ModelProvenanceRequirement;
  readonly matches: (repoPath: string) => boolean;
}

export function compileProvenanceRequirements(
  reqs: readonly ModelProvenanceRequirement[],
): CompiledProvenanceRequirement[] {
  return reqs.map((requirement, index) => ({ index, requirement, matches: requirementPathMatcher(requirement.paths) }));
}

/** The commit the trusted registry records for the entry a model matched (`name@revision`), if any. */
export function registryCommitFor(
  registry: TrustedRegistry,
  model: ModelRecord,
):
  | {
      readonly commit: string;
      readonly repository?: string;
      readonly entry: string;
      readonly file: string;
      readonly line?: number;
    }
  | undefined {
  if (model.registryEntry === undefined) return undefined;
  const a = registry.models.find((m) => `${m.name}@${m.revision}` === model.registryEntry && m.sourceCommit);
  if (!a?.sourceCommit) return undefined;
  return {
    commit: a.sourceCommit,
    ...(a.sourceRepository !== undefined ? { repository: a.sourceRepository } : {}),
    entry: model.registryEntry,
    file: a.file,
    ...(a.line ? { line: a.line } : {}),
  };
}

/**
 * Judge verified provenance against what the policy and registry expect: every covering requirement's builders
 * (anchored, any may match) and source repository, and the registry's commit. One finding per broken expectation.
 */
export function judgeProvenance(
  model: ModelRecord,
  p: ModelProvenance,
  reqs: readonly CompiledProvenanceRequirement[],
  expected: ReturnType<typeof registryCommitFor>,
): Finding[] {
  const out: Finding[] = [];
  const base = {
    location: { path: model.path },
    artifact: { kind: 'model' as const, path: model.path, ...sha(model) },
  };
  const ev = { attestation: p.attestation, builder: p.builder, repository: p.repository, commit: p.commit };
  // `gh attestation verify` enforces "Predicate type must match: https://slsa.dev/provenance/v1" unless told another
  // --predicate-type: an allowed workflow's attestation of another kind (`actions/attest` with an SBOM or a scan
  // result as its predicate) says the workflow vouched for the file, not that it built it from the commit it names.
  // It is shown where nothing requires provenance; it never meets a requirement. SLSA provenance of any version counts.
  if ((reqs.length > 0 || expected) && !isBuildProvenance(p.predicateType)) {
    const why = requiredBy(reqs, expected);
    return [
      {
        ...base,
        ruleId: 'CPM020',
        message: `${model.path} must carry build provenance (${why}), but its attestation ${p.attestation} is a ${p.predicateType} statement, not SLSA build provenance: it says ${p.builder} vouched for the file, not that it built it from ${p.repository}@${p.commit}. Attest the model with actions/attest-build-provenance in the build that produces it.`,
        evidence: { ...ev, requiredBy: why, predicateType: p.predicateType },
      },
    ];
  }
  for (const r of reqs) {
    const { builders, sourceRepository } = r.requirement;
    if (builders.length > 0 && !builders.some((b) => matchesAnchored(b, p.builder)))
      out.push({
        ...base,
        ruleId: 'CPM022',
        message: `${model.path} was built by ${p.builder} (${p.attestation}), which models.requireProvenance[${r.index}] does not allow (${builders.join(', ')}). Use the model built by an allowed workflow, or add this builder to the policy if it is legitimate.`,
        evidence: { ...ev, requirement: r.index, expectedBuilder: builders.join(', ') },
      });
    if (sourceRepository !== undefined && !sameRepository(sourceRepository, p.repository))
      out.push({
        ...base,
        ruleId: 'CPM023',
        message: `${model.path} was built from ${p.repository}@${p.commit} (${p.attestation}), not from ${sourceRepository} as models.requireProvenance[${r.index}] requires. Use the model built from ${sourceRepository}.`,
        evidence: { ...ev, requirement: r.index, expectedRepository: sourceRepository },
      });
  }
  // A commit is the same object in every fork of the repository, and a fork's workflows build from it with the
  // fork's own variables, secrets and inputs: where the entry names the repository, the attestation must name it.
  if (expected?.repository !== undefined && !sameRepository(expected.repository, p.repository))
    out.push({
      ...base,
      ruleId: 'CPM024',
      message: `${model.path} was built from ${p.repository}@${p.commit} (${p.attestation}), but its trusted-registry entry ${expected.entry} (${expected.file}${expected.line ? `:${expected.line}` : ''}) records commit ${expected.commit} of ${expected.repository}. Use the model built in the recorded repository, or review the change and update sourceRepository.`,
      evidence: {
        ...ev,
        expectedCommit: expected.commit,
        expectedRepository: expected.repository,
        registryEntry: expected.entry,
      },
    });
  else if (expected && expected.commit !== p.commit)
    out.push({
      ...base,
      ruleId: 'CPM024',
      message: `${model.path} was built from commit ${p.commit} of ${p.repository} (${p.attestation}), but its trusted-registry entry ${expected.entry} (${expected.file}${expected.line ? `:${expected.line}` : ''}) records commit ${expected.commit}. Use the model built from the recorded commit, or review the change and update sourceCommit.`,
      evidence: { ...ev, expectedCommit: expected.commit, registryEntry: expected.entry },
    });
  return out;
}

/**
 * The provenance a model takes from its verified attestations: the first one the policy and registry accept, else the
 * first one with its problems. `gh attestation verify` passes when any attestation meets the policy ("The following
 * N attestations matched the policy criteria"), so one workflow's attestation of the same weights (a training run next
 * to the release build) does not hide the allowed builder's.
 */
export function chooseProvenance(
  model: ModelRecord,
  matched: readonly ModelProvenance[],
  reqs: readonly CompiledProvenanceRequirement[],
  expected: ReturnType<typeof registryCommitFor>,
): { readonly provenance: ModelProvenance; readonly problems: Finding[] } {
  let first: { provenance: ModelProvenance; problems: Finding[] } | undefined;
  for (const provenance of matched) {
    const problems = judgeProvenance(model, provenance, reqs, expected);
    if (problems.length === 0) return { provenance, problems };
    first ??= { provenance, problems };
  }
  if (!first) throw new Error('chooseProvenance needs at least one attestation');
  return first;
}

/** No attestation for a model the policy or the registry requires one for. */
export function missingProvenance(
  model: ModelRecord,
  reqs: readonly CompiledProvenanceRequirement[],
  expected: ReturnType<typeof registryCommitFor>,
  /** Why statements next to it that look like provenance are not (signed with a key), each naming its file. */
  passedOver: readonly string[] = [],
): Finding {
  const why = requiredBy(reqs, expected);
  const seen = passedOver.length > 0 ? `; ${passedOver.slice(0, 3).join('; ')}` : '';
  return {
    ruleId: 'CPM020',
    message: `${model.path} must carry build provenance (${why}) but no provenance attestation about its content was found (${model.path}.sigstore.json, .sigstore, .intoto.jsonl, or an attestations/ folder)${seen}. Attest it in the build that produces it (actions/attest-build-provenance) and commit the bundle next to it.`,
    location: { path: model.path },
    artifact: { kind: 'model', path: model.path, ...sha(model) },
    evidence: { requiredBy: why },
  };
}

/** What requires a model's provenance, for messages: the policy's requirements and the registry entry. */
function requiredBy(
  reqs: readonly CompiledProvenanceRequirement[],
  expected: ReturnType<typeof registryCommitFor>,
): string {
  return [
    ...reqs.map((r) => `models.requireProvenance[${r.index}]`),
    ...(expected ? [`registry entry ${expected.entry} (sourceCommit ${expected.commit})`] : []),
  ].join(', ');
}

/** A model record's content sha256 (an LFS pointer stands for the object it names). */
export function sha(model: ModelRecord): { sha256?: string } {
  const s = model.lfs?.oid ?? model.digests['sha256'];
  return s !== undefined ? { sha256: s } : {};
}
