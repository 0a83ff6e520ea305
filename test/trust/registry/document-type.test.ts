import { describe, expect, it } from 'vitest';
import type { RegistryDocument } from '../../../src/trust/registry/document-type.js';
import { parseRegistryText } from '../../../src/trust/registry/load.js';

/** Every optional key made required, all the way down: a literal of this type must set every schema property. */
type Full<T> = T extends readonly (infer U)[]
  ? Full<U>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]-?: Full<T[K]> }
    : T;

/*
 * A registry document setting every property REGISTRY_SCHEMA declares (OSV records pass extra fields through, so
 * their index signatures are dropped above). Adding a schema property breaks this literal until it is set here; the
 * test then fails until the loader carries it into the TrustedRegistry or NOT_CARRIED says why not.
 */
const FULL: Full<RegistryDocument> = {
  $schema: './schema.json',
  version: 1,
  models: [
    {
      name: 'org/model',
      revision: 'v1',
      source: 'https://huggingface.co/org/model',
      license: 'apache-2.0',
      signer: 'ci',
      sourceCommit: 'a'.repeat(40),
      sourceRepository: 'https://github.com/org/model',
      description: 'd',
      files: [{ path: 'models/m.safetensors', size: 1, sha256: 'b'.repeat(64), sha512: 'c'.repeat(128) }],
    },
  ],
  revoked: [{ name: 'org/old', revision: 'v0', sha256: 'd'.repeat(64), reason: 'leaked', date: '2026-01-01' }],
  packages: [{ name: 'left-pad', version: '1.3.0', integrity: 'sha512-AAAA' }],
  malicious: [
    {
      schema_version: '1.6.0',
      id: 'MAL-1',
      modified: 'm',
      published: 'p',
      withdrawn: 'w',
      aliases: [],
      summary: 's',
      details: 'd',
      affected: [
        {
          package: { ecosystem: 'npm', name: 'evil', purl: 'pkg:npm/evil' },
          // One event per object at run time (maxProperties 1); the type only checks every name is known.
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1.0.0', last_affected: '1', limit: '2' }] }],
          versions: ['0.1.0'],
        },
      ],
    },
  ],
};

/** Document fields the loader reads but does not keep, and why; everything else must reach the TrustedRegistry. */
const NOT_CARRIED = new Map([
  ['$schema', 'for editors'],
  ['version', 'checked by the schema'],
  ['models.0.description', 'for people reading the file'],
  ['revoked.0.revision', 'revocation is by digest'],
  ['revoked.0.date', 'for people reading the file'],
  ['malicious', 'OSV records become MaliciousPackage entries (osv.ts, osv-pypi.ts; tested there)'],
]);

function keyPaths(doc: unknown, at: string[] = []): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => keyPaths(v, [...at, String(i)]));
  if (doc === null || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([k, v]) => [[...at, k].join('.'), ...keyPaths(v, [...at, k])]);
}

describe('the registry document type follows the schema', () => {
  it('every property a document can set reaches the TrustedRegistry', () => {
    const reg = parseRegistryText(JSON.stringify({ ...FULL, malicious: [] }), 'trusted-registry/full.json');
    const inRegistry = new Set(keyPaths(reg));
    const dropped = keyPaths(FULL).filter(
      (p) => !inRegistry.has(p) && ![...NOT_CARRIED.keys()].some((n) => p === n || p.startsWith(`${n}.`)),
    );
    expect(dropped).toEqual([]);
  });
});
