import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { REGISTRY_SCHEMA } from './schema.js';
import type { JsonPath } from './source.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

export interface SchemaProblem {
  readonly path: JsonPath;
  readonly message: string;
}

let compiled: { document: ValidateFunction; osv: ValidateFunction } | undefined;

function validators(): { document: ValidateFunction; osv: ValidateFunction } {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false });
  addFormats(ajv, ['uri', 'date']);
  ajv.addKeyword('x-message');
  ajv.addSchema(REGISTRY_SCHEMA);
  compiled = {
    document: ajv.getSchema(REGISTRY_SCHEMA.$id)!,
    osv: ajv.compile({ $ref: `${REGISTRY_SCHEMA.$id}#/$defs/osvRecord` }),
  };
  return compiled;
}

/** Validate a registry document, or a bare OSV record when `kind` says so. Problems carry JSON paths. */
export function validateRegistryValue(value: unknown, kind: 'document' | 'osv'): SchemaProblem[] {
  const validate = validators()[kind];
  if (validate(value)) return [];
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
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
      return { path: [...path, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties':
      return {
        path: [...path, String(params['additionalProperty'])],
        message: 'is not a known field (check the spelling)',
      };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path, message: typeof custom === 'string' ? custom : (e.message ?? 'is invalid') };
  }
}
