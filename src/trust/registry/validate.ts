import type { ErrorObject } from 'ajv';
import type { OsvRecord, RegistryDocument } from './document-type.js';
import { validatorFor } from '../config/ajv.js';
import type { ProblemCode } from '../config/problems.js';
import { REGISTRY_SCHEMA } from './schema.js';
import type { JsonPath } from './source.js';

/** A schema problem before it is located in the file. */
export interface SchemaProblem {
  readonly code: ProblemCode;
  readonly path: JsonPath;
  readonly message: string;
}

/** A value the schema accepted, typed by what it is; or every problem, with JSON paths. */
export type CheckedRegistryValue =
  | { readonly ok: true; readonly kind: 'document'; readonly doc: RegistryDocument }
  | { readonly ok: true; readonly kind: 'osv'; readonly record: OsvRecord }
  | { readonly ok: false; readonly problems: SchemaProblem[] };

/** Validate a registry document, or a bare OSV record when `kind` says so; ajv's type guard narrows what passes. */
export function checkRegistryValue(value: unknown, kind: 'document' | 'osv'): CheckedRegistryValue {
  if (kind === 'osv') {
    const validate = validatorFor<OsvRecord>(REGISTRY_SCHEMA, '#/$defs/osvRecord');
    return validate(value) ? { ok: true, kind, record: value } : { ok: false, problems: toProblems(validate.errors) };
  }
  const validate = validatorFor<RegistryDocument>(REGISTRY_SCHEMA);
  return validate(value) ? { ok: true, kind, doc: value } : { ok: false, problems: toProblems(validate.errors) };
}

function toProblems(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // `if`/`else` reports the failing keyword itself; the summary "must match else schema" says nothing more.
    if (e.keyword === 'if') continue;
    const p = toProblem(e);
    const key = `${p.path.join('/')}:${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

function toProblem(e: ErrorObject): SchemaProblem {
  const path: (string | number)[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  switch (e.keyword) {
    case 'required':
      return { code: 'missing-key', path: [...path, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties':
      return {
        code: 'unknown-key',
        path: [...path, String(params['additionalProperty'])],
        message: 'is not a known field (check the spelling)',
      };
    case 'const':
      return { code: 'bad-value', path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'enum':
      return {
        code: 'bad-value',
        path,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return {
        code: e.keyword === 'type' ? 'wrong-type' : 'bad-value',
        path,
        message: typeof custom === 'string' ? custom : (e.message ?? 'is invalid'),
      };
  }
}
