import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ChainproofError } from '../../../src/core/errors.js';
import type { Policy, SignerSpec } from '../../../src/core/policy.js';
import type { PolicyDocument } from '../../../src/trust/policy/document-type.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { toPolicy } from '../../../src/trust/policy/to-policy.js';
import { toPolicyDocument } from '../../../src/trust/policy/validate-schema.js';

/** Every optional key made required, all the way down: a literal of this type must set every schema property. */
type Full<T> = T extends readonly (infer U)[] ? Full<U>[] : T extends object ? { [K in keyof T]-?: Full<T[K]> } : T;

/*
 * A document that sets every property the schema declares. PolicyDocument is computed from POLICY_SCHEMA, so adding
 * a schema property makes this literal fail to compile until the property is set here; the runtime test below then
 * fails until toPolicy carries it into Policy.
 */
const FULL: Full<PolicyDocument> = {
  $schema: '../policies/policy.schema.json',
  version: 1,
  dependencies: {
    allowedRegistries: ['https://npm.acme.example'],
    privateScopes: ['@acme'],
    allowInstallScripts: ['esbuild'],
    sources: { git: 'error', tarball: 'note', file: 'off' },
    requireProvenance: [
      { packages: ['@acme/*'], identities: [{ issuer: 'i', sourceRepository: 'r', workflow: 'w', subject: 's' }] },
    ],
    verifySignatures: false,
    failClosed: true,
    python: {
      requireHashes: true,
      indexes: ['https://pypi.acme.example/simple'],
      requireProvenance: [
        { packages: ['acme-*'], publishers: [{ kind: 'GitHub', repository: 'acme/x', workflow: 'r.yml', email: 'e' }] },
      ],
    },
    trustedMirrors: ['https://mirror.acme.example'],
  },
  models: {
    allowedFormats: ['safetensors'],
    forbiddenFormats: ['pickle'],
    unknownModel: 'error',
    requirePinnedRevision: true,
    allowedGlobals: ['collections.OrderedDict'],
    requireProvenance: [{ paths: ['models/**'], builders: ['b'], sourceRepository: 'https://github.com/acme/m' }],
  },
  signatures: {
    trustedRoot: '/abs/trusted_root.json',
    tlogThreshold: 2,
    timestampThreshold: 0,
    signers: {
      ci: {
        kind: 'sigstore',
        issuer: 'https://token.actions.githubusercontent.com',
        subject: 's',
        subjectPattern: 'p',
      },
      team: { kind: 'key', key: '/abs/team.pub' },
      corp: { kind: 'certificate', ca: '/abs/ca.pem', subject: 'CN=corp' },
    },
    require: [{ paths: ['models/**'], signers: ['ci'], ignore: ['README.md'] }],
    registry: { required: true, signers: ['team'] },
  },
  rules: { CPD001: 'off' },
  suppressions: [{ rule: 'CPD001', path: 'a', package: 'b', ecosystem: 'pypi', reason: 'r', expires: '2099-01-01' }],
};

/** Paths of every key `doc` sets (object keys; array items by index; map entries by name). */
function keyPaths(doc: unknown, at: string[] = []): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => keyPaths(v, [...at, String(i)]));
  if (doc === null || typeof doc !== 'object') return [];
  return Object.entries(doc).flatMap(([k, v]) => [[...at, k].join('.'), ...keyPaths(v, [...at, k])]);
}

describe('the Policy type follows the schema', () => {
  it('every property a document can set reaches the Policy', () => {
    const policy = toPolicy(toPolicyDocument(FULL, 'FULL'), 'full.yml', () => 7);
    const inPolicy = new Set(keyPaths(policy));
    const dropped = keyPaths(FULL).filter((p) => p !== '$schema' && p !== 'version' && !inPolicy.has(p));
    expect(dropped).toEqual([]);
  });

  it('types: the document signers are the core SignerSpec, and sections keep their keys', () => {
    type DocSigner = NonNullable<NonNullable<PolicyDocument['signatures']>['signers']>[string];
    expectTypeOf<DocSigner['kind']>().toEqualTypeOf<SignerSpec['kind']>();
    expectTypeOf<keyof Policy['dependencies']>().toEqualTypeOf<keyof NonNullable<PolicyDocument['dependencies']>>();
    expectTypeOf<keyof Policy['models']>().toEqualTypeOf<keyof NonNullable<PolicyDocument['models']>>();
    expectTypeOf<keyof Policy['signatures']>().toEqualTypeOf<keyof NonNullable<PolicyDocument['signatures']>>();
    expectTypeOf<Exclude<keyof Policy, 'source'>>().toEqualTypeOf<
      Exclude<keyof PolicyDocument, '$schema' | 'version'>
    >();
  });

  it('an empty document converts to the embedded default', () => {
    expect(toPolicy({ version: 1 }, DEFAULT_POLICY.source, () => undefined)).toEqual(DEFAULT_POLICY);
  });

  it('python provenance without publishers means any publisher (an empty list, never undefined)', () => {
    const policy = toPolicy(
      { version: 1, dependencies: { python: { requireProvenance: [{ packages: ['x'] }] } } },
      'p.yml',
      () => undefined,
    );
    expect(policy.dependencies.python?.requireProvenance?.[0]?.publishers).toEqual([]);
  });

  it.each([
    { name: 'no version', doc: {} },
    { name: 'unknown key', doc: { version: 1, extra: true } },
    { name: 'wrong type', doc: { version: 1, dependencies: { failClosed: 'yes' } } },
  ])('a document the loader did not validate is a bug, not a policy: $name', ({ doc }) => {
    expect(() => toPolicyDocument(doc, 'merged')).toThrow(
      expect.objectContaining({ code: 'INTERNAL_BUG' }) as ChainproofError,
    );
  });
});
