import { InputError } from '../../core/errors.js';
import { JsonTooDeepError, parseShallowJson } from '../../core/json-depth.js';

/** An in-toto statement (v0.1 or v1), narrowed to what chainproof reads. */
export interface Statement {
  readonly type: string;
  readonly predicateType: string;
  readonly subjects: readonly { readonly name: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicate: unknown;
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = new Set(['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1']);
const MAX_SUBJECTS = 100_000;

/** An in-toto statement that cannot be read; verification reports it as a finding. */
export class StatementError extends InputError {
  /** The payload nests deeper than any real statement (a crash attempt). */
  readonly tooDeep: boolean;
  constructor(message: string, opts: { tooDeep?: boolean; cause?: unknown } = {}) {
    super('INPUT_STATEMENT_INVALID', message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'StatementError';
    this.tooDeep = opts.tooDeep ?? false;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse a DSSE payload as an in-toto statement; signed but still attacker-chosen, so checked field by field. */
export function parseStatement(payloadType: string, payload: Buffer): Statement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE)
    throw new StatementError(`payload type is ${payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  let json: unknown;
  try {
    json = parseShallowJson(payload.toString('utf8'));
  } catch (err) {
    if (err instanceof JsonTooDeepError) throw new StatementError(`in-toto payload: ${err.message}`, { tooDeep: true });
    throw new StatementError(`in-toto payload is not JSON: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new StatementError('in-toto payload is not an object');
  const type = json['_type'];
  if (typeof type !== 'string' || !STATEMENT_TYPES.has(type))
    throw new StatementError(`unknown statement _type ${JSON.stringify(type)}`);
  const predicateType = json['predicateType'];
  if (typeof predicateType !== 'string') throw new StatementError('statement has no predicateType');
  const subject = json['subject'];
  if (!Array.isArray(subject) || subject.length === 0) throw new StatementError('statement has no subject');
  if (subject.length > MAX_SUBJECTS) throw new StatementError(`statement has more than ${MAX_SUBJECTS} subjects`);
  const subjects = subject.map((s: unknown, i) => {
    if (!isObject(s) || !isObject(s['digest'])) throw new StatementError(`subject[${i}] has no digest`);
    const digest: Record<string, string> = {};
    for (const [alg, hex] of Object.entries(s['digest'])) {
      if (typeof hex !== 'string') throw new StatementError(`subject[${i}].digest.${alg} is not a string`);
      digest[alg] = hex.toLowerCase();
    }
    return { name: typeof s['name'] === 'string' ? s['name'] : '', digest };
  });
  return { type, predicateType, subjects, predicate: json['predicate'] };
}

/**
 * The subject digests chainproof compares with an artifact: the SHA-2 family Sigstore's verifiers compute (sigstore-go
 * verify/signature.go `algStringToHashFunc`); any other name (`sha1`, `gitCommit`) is not compared, as there.
 */
export const SUBJECT_ALGORITHMS = ['sha256', 'sha384', 'sha512'] as const;
export type SubjectAlgorithm = (typeof SUBJECT_ALGORITHMS)[number];

/** An artifact's digests by algorithm, lowercase hex; an algorithm not computed is absent. */
export type ArtifactDigests = Readonly<Partial<Record<string, string>>>;

export type SubjectComparison =
  /** A subject whose every SHA-2 digest equals the artifact's; `algorithm` is the strongest of them. */
  | { readonly kind: 'match'; readonly algorithm: SubjectAlgorithm }
  /**
   * Digests to compute before a verdict: no subject carries one of those given, or (`agreed`) a subject agrees with
   * every one given and carries others besides.
   */
  | { readonly kind: 'need'; readonly algorithms: SubjectAlgorithm[]; readonly agreed: boolean }
  /** A subject agrees with the artifact under one algorithm and names another file under another. */
  | {
      readonly kind: 'conflict';
      readonly name: string;
      readonly agrees: SubjectAlgorithm;
      readonly differs: SubjectAlgorithm;
      readonly claimed: string;
      readonly actual: string;
    }
  /** No subject carries the artifact's digest under any algorithm compared. */
  | {
      readonly kind: 'mismatch';
      readonly algorithm: SubjectAlgorithm;
      readonly expected: string[];
      readonly actual: string;
    };

/**
 * Does a subject name the artifact? Only when every SHA-2 digest it carries equals the artifact's, and one at least.
 * The verifiers each compare one algorithm and differ in which: cosign verify-blob-attestation and `gh attestation
 * verify` hash the blob with SHA-256 (sigstore-go `verifyEnvelopeWithArtifactDigest`), sigstore-python compares
 * SHA-256 only (`Statement._matches_digest`), model_signing its SHA-256 root digest, sigstore-go given the bytes the
 * strongest each subject carries (`getHashFunctions`: SHA-512 first). A subject whose SHA-256 names one file and its
 * SHA-512 another passes one of them and fails the others, so a digest present and wrong never passes here.
 */
export function compareSubjects(statement: Statement, digests: ArtifactDigests): SubjectComparison {
  const given = (a: SubjectAlgorithm) => digests[a]?.toLowerCase();
  let conflict: SubjectComparison | undefined;
  const unchecked = new Set<SubjectAlgorithm>();
  for (const s of statement.subjects) {
    const carried = SUBJECT_ALGORITHMS.filter((a) => s.digest[a] !== undefined);
    const compared = carried.filter((a) => given(a) !== undefined);
    const agrees = compared.filter((a) => s.digest[a] === given(a));
    if (agrees.length === 0) continue;
    const differs = compared.find((a) => s.digest[a] !== given(a));
    if (differs !== undefined) {
      conflict ??= {
        kind: 'conflict',
        name: s.name,
        agrees: agrees[agrees.length - 1]!,
        differs,
        claimed: s.digest[differs]!,
        actual: given(differs)!,
      };
      continue;
    }
    if (compared.length === carried.length) return { kind: 'match', algorithm: agrees[agrees.length - 1]! };
    for (const a of carried) if (given(a) === undefined) unchecked.add(a);
  }
  if (unchecked.size > 0) return { kind: 'need', algorithms: [...unchecked], agreed: true };
  if (conflict) return conflict;
  const offered = SUBJECT_ALGORITHMS.filter((a) => statement.subjects.some((s) => s.digest[a] !== undefined));
  const usable = offered.filter((a) => given(a) !== undefined);
  if (usable.length === 0) return { kind: 'need', algorithms: offered, agreed: false };
  const a = usable[0]!;
  return {
    kind: 'mismatch',
    algorithm: a,
    expected: statement.subjects.flatMap((s) => (s.digest[a] !== undefined ? [s.digest[a]] : [])).slice(0, 5),
    actual: given(a)!,
  };
}

/** A conflicting subject, said for a finding: which digest agrees, which names another file. */
export function describeConflict(c: Extract<SubjectComparison, { kind: 'conflict' }>): string {
  const name = c.name === '' ? 'a subject' : `subject ${JSON.stringify(c.name.slice(0, 200))}`;
  return `${name} carries the artifact's ${c.agrees} but ${c.differs}:${c.claimed.slice(0, 128)}, and the artifact's ${c.differs} is ${c.actual}: its digests name different files, which verifiers comparing only one of them would judge differently`;
}
