import type { FromSchema } from 'json-schema-to-ts';
import type { POLICY_SCHEMA } from './schema.js';

/**
 * A policy document as the schema accepts it, computed from POLICY_SCHEMA (type-only: nothing is bundled). Adding or
 * changing a schema property changes this type, so the converter (to-policy.ts) and the type test follow it.
 */
export type PolicyDocument = FromSchema<typeof POLICY_SCHEMA>;
