import type { ReviewResult } from '../app/review/index.js';
import type { Artifact, Evidence, Finding, Level, Location, ResolvedFinding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { redactUrls } from '../core/redact-userinfo.js';

/**
 * ARCHITECTURE.md: credentials never appear in output. The scanned tree is untrusted and its URLs can carry them
 * (`.npmrc` `registry=https://user:pass@host/`, `from_pretrained("https://u:p@huggingface.co/…")`, `?token=…`), and
 * any reader or rule may quote such a URL in a message, evidence or a record. So every reporter's entry point passes
 * what it prints through here first: one choke point rather than one fix per rule.
 *
 * What is masked is redactUrls' (src/deps/checks/finding.ts): the user info of any `scheme://…@` URL
 * (`https://***@host/path`) and the value of a query parameter named like a secret (`token`, `auth`, `key`, `secret`,
 * `password`, `sig`, `credential`: `access_token=***`). The host and path stay, so a finding still says where. An
 * scp-style SSH address (`git@github.com:org/repo`) has no `://` and is left alone: its `git` user is a fixed name,
 * not a secret; `ssh://git@host/…` is masked like any URL user info, as the lockfile checks always have (a user name
 * alone can be a token, e.g. `https://ghp_…@github.com/`, and the two forms cannot be told apart safely).
 *
 * Fingerprints are kept as they were computed: findings without credentials are unchanged, so their identity is.
 */
export function redactResult(result: ScanResult): ScanResult {
  const known = redactedResults.get(result);
  if (known !== undefined) return known;
  const { findings, suppressed, ...rest } = result;
  const out: ScanResult = {
    ...redactStrings(rest),
    findings: redactFindings(findings),
    suppressed: redactFindings(suppressed),
  };
  redactedResults.set(result, out);
  redactedResults.set(out, out);
  return out;
}

/** The review's changes, findings and head scan, redacted as a scan's are. */
export function redactReview(review: ReviewResult): ReviewResult {
  const { findings, scan, ...rest } = review;
  return { ...redactStrings(rest), findings: redactFindings(findings), scan: redactResult(scan) };
}

// Every format of one scan reads the same redacted result: findings are wrapped once, not once per format.
const redactedResults = new WeakMap<ScanResult, ScanResult>();

function redactFindings(findings: readonly ResolvedFinding[]): readonly ResolvedFinding[] {
  return findings.map((f) => (f instanceof RedactedFinding ? f : toRedacted(f)));
}

/**
 * Every string in plain objects and arrays redacted, the same object back when none changed (a graph of 150k
 * packages without credentials is not copied). Class instances other than arrays are left as they are; findings,
 * which may be classes formatting their text when read, go through RedactedFinding instead.
 */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = redactStrings(v);
      if (r !== v) (out ??= value.slice())[i] = r;
    }
    return (out ?? value) as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    const r = redactStrings(v);
    if (r !== v) (out ??= { ...obj })[k] = r;
  }
  return (out ?? value) as T;
}

/**
 * redactUrls, after a test that lets nearly every string through untouched: masked user info and a token in a
 * URL's path need a `//` (`scheme://`, an `.npmrc` `//host/` key), a masked query value a `=`. Reporters read each finding's fields on every use, so this is on a flood's hot path.
 */
function redactText(text: string): string {
  return text.includes('//') || text.includes('=') ? redactUrls(text) : text;
}

/** A location, artifact or evidence: one level of scalars, copied only when a string changes. */
function redactFlat<T extends object>(record: T): T {
  let out: Record<string, unknown> | undefined;
  const values = record as Record<string, unknown>;
  for (const k in values) {
    const v = values[k];
    if (typeof v !== 'string') continue;
    const r = redactText(v);
    if (r !== v) (out ??= { ...values })[k] = r;
  }
  return (out ?? record) as T;
}

/**
 * A finding read through redaction. Lazy: a flood's findings may format their text on each read (DeferredFinding),
 * and a redacted copy of 300k messages held at once is what issue 18 took out of the heap. Reporters read findings
 * field by field (src/core/finding.ts), so getters serve them; `toJSON` gives the plain shape for JSON.stringify.
 */
class RedactedFinding {
  constructor(private readonly f: Finding & Partial<Pick<ResolvedFinding, 'fingerprint'>>) {}

  get ruleId(): string {
    return this.f.ruleId;
  }
  get level(): Level | undefined {
    return this.f.level;
  }
  get fingerprint(): string | undefined {
    return this.f.fingerprint;
  }
  get message(): string {
    return redactText(this.f.message);
  }
  get location(): Location {
    return redactFlat(this.f.location);
  }
  get artifact(): Artifact | undefined {
    const a = this.f.artifact;
    return a && redactFlat(a);
  }
  get evidence(): Evidence | undefined {
    const e = this.f.evidence;
    return e && redactFlat(e);
  }
  get related(): readonly Location[] | undefined {
    return redactStrings(this.f.related);
  }
  get members(): readonly Finding[] | undefined {
    return this.f.members?.map(toRedacted);
  }

  toJSON(): unknown {
    return {
      ruleId: this.ruleId,
      message: this.message,
      location: this.location,
      level: this.level,
      artifact: this.artifact,
      evidence: this.evidence,
      related: this.related,
      fingerprint: this.fingerprint,
    };
  }
}

/**
 * The getters return `undefined` for an absent field where the interface leaves the key out
 * (exactOptionalPropertyTypes): reporters test the value (`f.artifact ? …`) and JSON.stringify drops undefined, so
 * the two read alike.
 */
export function toRedacted<F extends Finding>(f: F): F {
  return new RedactedFinding(f) as unknown as F;
}
