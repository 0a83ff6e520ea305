import type { FromSchema } from 'json-schema-to-ts';
import type { REGISTRY_SCHEMA } from './schema.js';

/**
 * A trusted-registry document and a bare OSV record as the schema accepts them, computed from REGISTRY_SCHEMA
 * (type-only). A schema change changes these types, so the loader follows it instead of a hand-kept twin.
 */
export type RegistryDocument = FromSchema<typeof REGISTRY_SCHEMA>;

/** An OSV record (https://ossf.github.io/osv-schema/) narrowed to the fields the schema checks; others pass through. */
export type OsvRecord = FromSchema<(typeof REGISTRY_SCHEMA)['$defs']['osvRecord']>;
