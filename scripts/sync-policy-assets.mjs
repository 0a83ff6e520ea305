// Regenerate the shipped copies of the embedded policy assets from the TypeScript sources:
//   policies/policy.schema.json  <- src/trust/policy/schema.ts
//   policies/default.yml         <- src/trust/policy/default-yaml.ts
// Run `npx tsc -p tsconfig.build.json` first; test/trust/policy/assets.test.ts fails when they drift.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { POLICY_SCHEMA } = await import(path.join(repo, 'build/trust/policy/schema.js'));
const { DEFAULT_POLICY_YAML } = await import(path.join(repo, 'build/trust/policy/default-yaml.js'));

const schemaFile = path.join(repo, 'policies/policy.schema.json');
const options = { ...(await prettier.resolveConfig(schemaFile)), filepath: schemaFile };
await writeFile(schemaFile, await prettier.format(JSON.stringify(POLICY_SCHEMA, null, 2), options));
await writeFile(path.join(repo, 'policies/default.yml'), DEFAULT_POLICY_YAML);
console.log('wrote policies/policy.schema.json and policies/default.yml');
