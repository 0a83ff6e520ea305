import { createRequire } from 'node:module';

/**
 * Trust material shipped inside `@sigstore/tuf` (its TUF seed): the Sigstore public-good `trusted_root.json` and
 * npm's registry keys. Usable with no network; read once and frozen. Parsed defensively: it is package data.
 */
const require = createRequire(import.meta.url);

type Seeds = Record<string, { targets?: Record<string, string> }>;

let cache: Record<string, string> | undefined;

function seedTargets(): Record<string, string> {
  if (cache) return cache;
  const seeds = require('@sigstore/tuf/seeds.json') as Seeds;
  const repo = seeds['https://tuf-repo-cdn.sigstore.dev'];
  if (!repo?.targets) throw new Error('@sigstore/tuf seeds.json has no targets for the public-good TUF repository');
  cache = Object.freeze({ ...repo.targets });
  return cache;
}

function seedJson(target: string): unknown {
  const b64 = seedTargets()[target];
  if (b64 === undefined) throw new Error(`@sigstore/tuf seeds.json lacks target ${target}`);
  return Object.freeze(JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as unknown);
}

/** The Sigstore public-good trusted root (JSON as in `trusted_root.json`). */
export function embeddedPublicGoodTrustedRoot(): unknown {
  return seedJson('trusted_root.json');
}

/**
 * A TUF target by its name (`registry.npmjs.org/keys.json`: npm's registry signing keys, `{ keys: [{ keyId, keyUsage,
 * publicKey: { rawBytes, keyDetails, validFor } }] }`), or undefined when the seed has none of that name. The seed
 * names a target as its path URL-encoded (`registry.npmjs.org%2Fkeys.json`), as tuf-js stores them.
 */
export function embeddedTufTarget(target: string): unknown {
  const name = encodeURIComponent(target);
  return Object.hasOwn(seedTargets(), name) ? seedJson(name) : undefined;
}
