import type { ErrorObject, ValidateFunction } from 'ajv';
import { ChainproofError } from '../../core/errors.js';
import { configAjv, validatorFor } from '../config/ajv.js';
import type { PolicyDocument } from './document-type.js';
import type { SourceDocument } from './document.js';
import type { PolicyProblem } from './problems.js';
import { POLICY_SCHEMA } from './schema.js';
import { suggestion } from './suggest.js';

type SchemaNode = Record<string, unknown>;

function validator(): ValidateFunction<PolicyDocument> {
  return validatorFor<PolicyDocument>(POLICY_SCHEMA);
}

/**
 * The typed view of a document that has already passed validation (the default merged with a checked file). ajv's
 * type guard narrows it, so the converter reads typed fields and nothing is cast; failing here is a loader bug.
 */
export function toPolicyDocument(value: unknown, what: string): PolicyDocument {
  const validate = validator();
  if (validate(value)) return value;
  throw new ChainproofError(
    'INTERNAL_BUG',
    `${what} does not match the policy schema: ${configAjv().errorsText(validate.errors)}`,
  );
}

/** Check a parsed policy document against the schema; every error becomes a located problem. */
export function validateSchema(doc: SourceDocument): PolicyProblem[] {
  const validate = validator();
  if (validate(doc.value)) return [];
  const seen = new Set<string>();
  const out: PolicyProblem[] = [];
  const errors = validate.errors ?? [];
  // "not a URL" adds nothing when the same value already failed a more specific pattern.
  const specific = new Set(errors.filter((e) => e.keyword !== 'format').map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword === 'format' && specific.has(e.instancePath)) continue;
    const p = toProblem(e, doc);
    if (!p) continue;
    const key = `${p.path.join('\u0000')}\u0001${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

function toProblem(e: ErrorObject, doc: SourceDocument): PolicyProblem | undefined {
  const base = pointerToPath(e.instancePath, doc.value);
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const at = (
    code: PolicyProblem['code'],
    path: readonly (string | number)[],
    message: string,
    locate: { path?: readonly (string | number)[]; key?: boolean } = {},
  ): PolicyProblem => ({ code, path, message, ...doc.locate(locate.path ?? path, { key: locate.key ?? false }) });

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((parent['properties'] as SchemaNode | undefined) ?? {});
      if (parent['patternProperties'] !== undefined && allowed.length === 0) {
        return at('unknown-key', [...base, key], 'expected a rule ID such as CPD001 (see `chainproof rules`)', {
          key: true,
        });
      }
      const hint = suggestion(key, allowed);
      return at('unknown-key', [...base, key], `unknown key${hint} (allowed: ${allowed.join(', ')})`, {
        key: true,
      });
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      return at('missing-key', [...base, missing], 'required key is missing', { path: base });
    }
    case 'type':
      return at('wrong-type', base, `expected ${withArticle(String(params['type']))}, got ${describe(e.data)}`);
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggestion(e.data, allowed) : '';
      return at('bad-value', base, `expected one of ${allowed.join(', ')}, got ${describe(e.data)}${hint}`);
    }
    case 'const':
      return at('bad-value', base, `expected ${JSON.stringify(params['allowedValue'])}, got ${describe(e.data)}`);
    case 'pattern': {
      const custom = parent['patternErrorMessage'];
      const expected = typeof custom === 'string' ? custom : `expected text matching /${String(params['pattern'])}/`;
      if (e.propertyName !== undefined) {
        return at('bad-value', [...base, e.propertyName], `${expected}, got ${describe(e.propertyName)}`, {
          key: true,
        });
      }
      return at('bad-value', base, `${expected}, got ${describe(e.data)}`);
    }
    case 'format':
      return at(
        'bad-value',
        base,
        `expected a valid ${params['format'] === 'uri' ? 'URL' : String(params['format'])}, got ${describe(e.data)}`,
      );
    case 'minLength':
      return at('bad-value', base, 'expected a non-empty string');
    case 'minItems':
      return at('bad-value', base, `expected at least ${Number(params['limit'])} item(s)`);
    case 'minProperties': {
      const names = Object.keys((parent['properties'] as SchemaNode | undefined) ?? {});
      return at('bad-value', base, `expected at least one of: ${names.join(', ')}`);
    }
    case 'minimum':
    case 'maximum':
      return at(
        'bad-value',
        base,
        `expected a number ${String(params['comparison'])} ${Number(params['limit'])}, got ${describe(e.data)}`,
      );
    case 'uniqueItems':
      return at('bad-value', [...base, Number(params['i'])], `duplicate of item ${Number(params['j'])}`);
    case 'discriminator': {
      const kinds = ['sigstore', 'key', 'certificate'];
      const tag = params['tagValue'];
      const hint = typeof tag === 'string' ? suggestion(tag, kinds) : '';
      return at('bad-value', [...base, 'kind'], `expected one of ${kinds.join(', ')}, got ${describe(tag)}${hint}`);
    }
    case 'propertyNames':
    case 'oneOf':
    case 'if':
      // The nested error that caused these is reported on its own.
      return undefined;
    default:
      return at('bad-value', base, e.message ?? 'invalid value');
  }
}

/** JSON pointer to path segments, with array indexes as numbers (checked against the data itself). */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i] as unknown;
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function withArticle(type: string): string {
  const names: Record<string, string> = {
    object: 'a mapping (key: value)',
    array: 'a list',
    string: 'a string',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    null: 'nothing',
  };
  return type
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}
