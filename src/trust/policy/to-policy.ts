import type { Policy, PythonDependencyPolicy, Suppression } from '../../core/policy.js';
import type { PolicyDocument } from './document-type.js';
import { parsePackagePurl, type Ecosystem } from '../../core/package-key.js';

type PythonDocument = NonNullable<NonNullable<PolicyDocument['dependencies']>['python']>;

/**
 * Turn a validated, merged policy document into the frozen in-memory Policy. Typed from the schema, so every field
 * read here is one the schema declares; a key the document leaves out takes the embedded default's value (a test
 * keeps `toPolicy({ version: 1 })` equal to the default built from DEFAULT_POLICY_YAML).
 */
export function toPolicy(
  doc: PolicyDocument,
  source: string,
  suppressionLine: (index: number) => number | undefined,
): Policy {
  const deps = doc.dependencies ?? {};
  const sources = deps.sources ?? {};
  const models = doc.models ?? {};
  const sig = doc.signatures ?? {};
  const policy: Policy = {
    source,
    dependencies: {
      allowedRegistries: (deps.allowedRegistries ?? DEFAULT_REGISTRIES).map(withTrailingSlash),
      privateScopes: [...(deps.privateScopes ?? [])],
      allowInstallScripts: [...(deps.allowInstallScripts ?? [])],
      sources: { git: sources.git ?? 'warning', tarball: sources.tarball ?? 'warning', file: sources.file ?? 'note' },
      requireProvenance: (deps.requireProvenance ?? []).map((r) => ({
        packages: [...r.packages],
        identities: (r.identities ?? []).map((i) => ({ ...i })),
      })),
      verifySignatures: deps.verifySignatures ?? true,
      failClosed: deps.failClosed ?? false,
      python: toPythonPolicy(deps.python ?? {}),
      trustedMirrors: (deps.trustedMirrors ?? []).map(withTrailingSlash),
    },
    models: {
      allowedFormats: [...(models.allowedFormats ?? [])],
      forbiddenFormats: [...(models.forbiddenFormats ?? [])],
      unknownModel: models.unknownModel ?? 'note',
      allowedGlobals: [...(models.allowedGlobals ?? [])],
      ...(models.requirePinnedRevision === true ? { requirePinnedRevision: true } : {}),
      ...(models.requireProvenance !== undefined
        ? {
            requireProvenance: models.requireProvenance.map((r) => ({
              paths: [...r.paths],
              builders: [...(r.builders ?? [])],
              ...(r.sourceRepository !== undefined ? { sourceRepository: r.sourceRepository } : {}),
            })),
          }
        : {}),
    },
    signatures: {
      ...(sig.trustedRoot !== undefined ? { trustedRoot: sig.trustedRoot } : {}),
      tlogThreshold: sig.tlogThreshold ?? 1,
      timestampThreshold: sig.timestampThreshold ?? 1,
      signers: Object.fromEntries(Object.entries(sig.signers ?? {}).map(([name, spec]) => [name, { ...spec }])),
      require: (sig.require ?? []).map((r) => ({
        paths: [...r.paths],
        signers: [...(r.signers ?? [])],
        ...(r.ignore !== undefined ? { ignore: [...r.ignore] } : {}),
      })),
      ...(sig.registry !== undefined
        ? { registry: { required: sig.registry.required, signers: [...sig.registry.signers] } }
        : {}),
    },
    rules: { ...doc.rules },
    suppressions: (doc.suppressions ?? []).map((s, i): Suppression => {
      const line = suppressionLine(i);
      return {
        rule: s.rule,
        ...(s.path !== undefined ? { path: s.path } : {}),
        ...suppressedPackage(s.package, s.ecosystem),
        reason: s.reason,
        expires: s.expires,
        ...(line !== undefined ? { line } : {}),
      };
    }),
  };
  return deepFreeze(policy);
}

/**
 * A suppression's `package` and `ecosystem`: a purl (validated by validate-semantic.ts, which also refuses an
 * `ecosystem` that disagrees with it) gives both, read back as `name[@version]`.
 */
function suppressedPackage(
  text: string | undefined,
  ecosystem: Ecosystem | undefined,
): { package?: string; ecosystem?: Ecosystem } {
  if (text === undefined) return ecosystem !== undefined ? { ecosystem } : {};
  const purl = text.startsWith('pkg:') ? parsePackagePurl(text) : undefined;
  if (purl === undefined || typeof purl === 'string') return { package: text, ...(ecosystem ? { ecosystem } : {}) };
  return {
    package: purl.version !== undefined ? `${purl.name}@${purl.version}` : purl.name,
    ecosystem: purl.ecosystem,
  };
}

/** The public npm registry and its yarn alias, as DEFAULT_POLICY_YAML lists them. */
const DEFAULT_REGISTRIES = ['https://registry.npmjs.org/', 'https://registry.yarnpkg.com/'];

/** Project-run public Python indexes, as DEFAULT_POLICY_YAML lists them. */
const DEFAULT_PYTHON_INDEXES = ['https://download.pytorch.org/whl/', 'https://pypi.nvidia.com/'];

/** `publishers` left out means any verified attestation, the same as an empty list. */
function toPythonPolicy(python: PythonDocument): PythonDependencyPolicy {
  return {
    ...(python.requireHashes !== undefined ? { requireHashes: python.requireHashes } : {}),
    indexes: (python.indexes ?? DEFAULT_PYTHON_INDEXES).map(withTrailingSlash),
    ...(python.requireProvenance !== undefined
      ? {
          requireProvenance: python.requireProvenance.map((r) => ({
            packages: [...r.packages],
            publishers: (r.publishers ?? []).map((p) => ({ ...p })),
          })),
        }
      : {}),
  };
}

/** Registries are matched as prefixes: without the slash, https://registry.npmjs.org would match …npmjs.org.evil.com. */
function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
