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

/** Does any subject carry `hex` under `algorithm`? */
export function subjectMatches(statement: Statement, algorithm: string, hex: string): boolean {
  return statement.subjects.some((s) => s.digest[algorithm] === hex.toLowerCase());
}
