import type { Finding } from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import type { PackageCheck } from './check-package.js';
import { verifyPypiAttestation } from './attestation.js';
import type { AttestationProblem } from './attestation.js';
import { pyFinding } from './finding.js';
import type { IndexFile } from './index-files.js';
import { claimMatches, describeIdentity, describePublisher, identityRecords, publisherAllowed } from './publisher.js';

const MAX_BUNDLES = 8;
const MAX_ATTESTATIONS = 8;

const RULE: Record<AttestationProblem, string> = {
  malformed: 'CPP060',
  signature: 'CPP060',
  'subject-name': 'CPP061',
  'subject-digest': 'CPP062',
};

/**
 * Why a package's files must carry verified attestations, if they must: the policy requires provenance for it, or
 * its pylock.toml entry records the Trusted Publishers that attested them (PEP 751 `attestation-identities`, which
 * installers SHOULD verify; pip's `pylock.py` lists the field as not supported and installs without it, so the
 * check is chainproof's).
 */
export function provenanceWanted(pkg: PackageNode, check: PackageCheck): string | undefined {
  if (check.required !== undefined) return 'the policy requires provenance';
  const named = pkg.attestationIdentities ?? [];
  if (named.length === 0) return undefined;
  return `the lockfile records ${named.length === 1 ? 'the identity' : 'identities'} that attested it (${identities(pkg)})`;
}

function identities(pkg: PackageNode): string {
  const named = pkg.attestationIdentities ?? [];
  return `${named.slice(0, 3).map(describeIdentity).join(', ')}${named.length > 3 ? ', …' : ''}`;
}

/**
 * The PEP 740 attestations of each locked file, from the Integrity API: every attestation must verify for that
 * file, the publisher PyPI claims must be the one the certificate proves, (when the policy requires provenance)
 * the publisher must be allowed, and (when the lockfile records attestation identities) it must be one of those.
 * A file that must be attested (`provenanceWanted`) with no verified attestation is CPP065.
 */
export async function verifyProvenance(
  pkg: PackageNode,
  files: readonly IndexFile[],
  check: PackageCheck,
): Promise<{
  findings: Finding[];
  summary: string;
  unfetched: string[];
  unattested: string[];
  unanswered: string | undefined;
}> {
  const findings: Finding[] = [];
  // Files the index says are attested (a PEP 740 provenance URL) whose attestations it did not serve.
  const unfetched: string[] = [];
  // Files whose attestations were expected (listed, or wanted) but the Integrity API did not answer for (5xx, a
  // timeout, its breaker open), and the first reason: whether they are attested is unknown.
  const unansweredFiles: string[] = [];
  let unanswered: string | undefined;
  const publishers = new Set<string>();
  const wanted = provenanceWanted(pkg, check);
  const recorded = pkg.attestationIdentities ?? [];
  // Files with at least one verified attestation from an allowed publisher, and files with a failing one (reported).
  const attested = new Set<string>();
  const failing = new Set<string>();
  for (const file of files) {
    const sha256 = file.hashes.sha256;
    // The index says the file has no provenance (PEP 740 `provenance: null`), or there is no digest to bind to.
    if (file.provenance === null || sha256 === undefined) continue;
    const listed = typeof file.provenance === 'string' ? file.provenance : undefined;
    const res = await check.client.provenance(pkg.name, file.version || pkg.version, file.filename, listed);
    if (res.kind === 'error' && (listed !== undefined || wanted !== undefined)) {
      // An outage is not "no attestation" (CPP065) nor "the index does not serve them" (CPP092): unverifiable, under
      // the one per-index cause of an index that did not answer.
      unansweredFiles.push(file.filename);
      unanswered ??= res.reason;
      continue;
    }
    if (res.kind !== 'ok') {
      if (listed !== undefined) unfetched.push(file.filename);
      continue;
    }
    const bundles =
      isRecord(res.json) && Array.isArray(res.json.attestation_bundles)
        ? (res.json.attestation_bundles as unknown[])
        : [];
    const attestationsOf = (b: unknown): unknown[] =>
      isRecord(b) && Array.isArray(b.attestations) ? (b.attestations as unknown[]) : [];
    // A release file carries one attestation per kind its publisher made (publish, SLSA): more than the bound is not
    // PyPI's answer. Verifying only the first ones would pass over the rest unseen, so none is taken (as npm's list).
    if (bundles.length > MAX_BUNDLES || bundles.some((b) => attestationsOf(b).length > MAX_ATTESTATIONS)) {
      failing.add(file.filename);
      findings.push(
        pyFinding(
          'CPP060',
          pkg,
          `has more attestations for ${file.filename} than chainproof checks (${bundles.length} bundle(s); at most ${MAX_BUNDLES} of ${MAX_ATTESTATIONS} attestations each are read): none was taken`,
          'Do not install the file until explained; report it to the index.',
          { filename: file.filename, problem: 'too-many' },
        ),
      );
      continue;
    }
    for (const b of bundles) {
      for (const att of attestationsOf(b)) {
        const v = verifyPypiAttestation(att, { filename: file.filename, sha256 }, check.verifier);
        if (!v.ok) {
          failing.add(file.filename);
          findings.push(
            pyFinding(
              RULE[v.problem],
              pkg,
              `has an attestation for ${file.filename} that fails: ${v.reason.slice(0, 300)}`,
              'Do not install the file until explained; report it to the index.',
              { filename: file.filename, problem: v.problem },
            ),
          );
          continue;
        }
        const who = describePublisher(v.publisher);
        if (isRecord(b) && !claimMatches(b.publisher, v.publisher)) {
          failing.add(file.filename);
          findings.push(
            pyFinding(
              'CPP063',
              pkg,
              `has an attestation for ${file.filename} signed by ${who}, but the index claims another publisher`,
              'Trust only the certificate identity; report it to the index.',
              { filename: file.filename, publisher: who },
            ),
          );
          continue;
        }
        if (check.required !== undefined && !publisherAllowed(v.publisher, check.required)) {
          failing.add(file.filename);
          findings.push(
            pyFinding(
              'CPP064',
              pkg,
              `was published by ${who}, which the policy does not allow`,
              'If the publisher is legitimate add it to dependencies.python.requireProvenance; otherwise treat it as a takeover.',
              { filename: file.filename, publisher: who },
            ),
          );
          continue;
        }
        // PEP 751: the lock recorded who attested the files when it was written; another publisher now is the
        // project's pipeline moved or taken over (a fork's workflow, a stolen account's new Trusted Publisher).
        if (recorded.length > 0 && !recorded.some((id) => identityRecords(id, v.publisher))) {
          failing.add(file.filename);
          findings.push(
            pyFinding(
              'CPP064',
              pkg,
              `has an attestation for ${file.filename} by ${who}, which is not the Trusted Publisher the lockfile records (attestation-identities: ${identities(pkg)})`,
              'Confirm the change of publisher with the project before installing; re-lock only once it is explained.',
              { filename: file.filename, publisher: who, recorded: identities(pkg) },
            ),
          );
          continue;
        }
        publishers.add(who);
        attested.add(file.filename);
      }
    }
  }
  // Provenance is a property of each file the installer may pick, not of the release: a wheel uploaded beside the
  // attested ones (a stolen token adding a platform wheel to a published release) installs on the platforms that
  // pick it, and an attested sibling says nothing of it.
  // A file whose attestations the index did not serve is its own cause (CPP092, `unfetched`), and one without a
  // sha256 has nothing an attestation could bind to.
  const unattested = files.filter(
    (f) =>
      f.hashes.sha256 !== undefined &&
      !attested.has(f.filename) &&
      !failing.has(f.filename) &&
      !unfetched.includes(f.filename) &&
      !unansweredFiles.includes(f.filename),
  );
  if (wanted !== undefined && publishers.size > 0 && unattested.length > 0) {
    const names = unattested.map((f) => f.filename);
    findings.push(
      pyFinding(
        'CPP065',
        pkg,
        `has no verified PEP 740 attestation for ${names.slice(0, 2).join(', ')}${names.length > 2 ? ', …' : ''} although ${wanted} (its other files are attested by ${[...publishers].sort().join(', ')})`,
        'Do not install the unattested file until the project explains it; pin files published with the Trusted Publisher.',
        { files: names.slice(0, 10).join(' ') },
      ),
    );
  }
  if (wanted !== undefined && publishers.size === 0 && findings.length === 0 && unanswered === undefined) {
    findings.push(
      pyFinding(
        'CPP065',
        pkg,
        `has no verified PEP 740 attestation although ${wanted}`,
        check.required !== undefined
          ? 'Pin a release published with a Trusted Publisher, or relax dependencies.python.requireProvenance.'
          : 'The files the lock was written for were attested and these are not: confirm the release with the project before installing.',
      ),
    );
  }
  return {
    findings,
    unfetched,
    summary:
      publishers.size > 0
        ? `hashes match the index; attested by ${[...publishers].sort().join(', ')}`
        : 'hashes match the index',
    unattested: unattested.map((f) => f.filename),
    unanswered,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
