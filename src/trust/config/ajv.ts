import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

let shared: Ajv | undefined;

/**
 * The one ajv instance for every configuration schema (policy, trusted registry): one set of options, formats and
 * message keywords, each schema compiled once per process. Strict, so a schema typo fails loudly in tests.
 */
export function configAjv(): Ajv {
  if (shared) return shared;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, discriminator: true });
  addFormats(ajv, ['uri', 'date']);
  // Message keywords the schemas carry for people; ajv only has to accept them.
  ajv.addKeyword('patternErrorMessage');
  ajv.addKeyword('x-message');
  shared = ajv;
  return ajv;
}

/**
 * The validator for `schema` (or the definition `ref` inside it, e.g. `#/$defs/osvRecord`, which needs an `$id`),
 * compiled on first use by the shared instance and reused after: ajv caches compiled schemas by object and resolved
 * refs by name. `T` is the type the schema describes, computed from it with FromSchema next to the schema
 * (trust/policy/document-type.ts, trust/registry/document-type.ts); a passing value narrows to it.
 */
export function validatorFor<T = unknown>(schema: AnySchemaObject, ref = ''): ValidateFunction<T> {
  const ajv = configAjv();
  if (ref === '') return ajv.compile<T>(schema);
  const id = schema.$id;
  if (typeof id !== 'string') throw new Error('a schema referenced by a fragment needs an $id');
  if (!ajv.getSchema(id)) ajv.addSchema(schema);
  const fn = ajv.getSchema<T>(`${id}${ref}`);
  if (!fn) throw new Error(`no definition ${ref} in ${id}`);
  return fn;
}
