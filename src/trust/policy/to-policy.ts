import type { Policy, PythonDependencyPolicy, RuleSetting, SignerSpec, Suppression } from '../../core/policy.js';

/* The document has passed schema and semantic validation before it gets here, so the casts describe checked data. */
type Doc = Record<string, unknown>;

const rec = (v: unknown): Doc => (v ?? {}) as Doc;
const strings = (v: unknown): string[] => [...((v ?? []) as string[])];

/** Turn a validated, merged policy document into the frozen in-memory Policy. */
export function toPolicy(doc: Doc, source: string, suppressionLine: (index: number) => number | undefined): Policy {
  const deps = rec(doc['dependencies']);
  const sources = rec(deps['sources']);
  const models = rec(doc['models']);
  const sig = rec(doc['signatures']);
  const registry = sig['registry'] as { required: boolean; signers: string[] } | undefined;
  const policy: Policy = {
    source,
    dependencies: {
      allowedRegistries: strings(deps['allowedRegistries']).map(withTrailingSlash),
      privateScopes: strings(deps['privateScopes']),
      allowInstallScripts: strings(deps['allowInstallScripts']),
      sources: {
        git: sources['git'] as RuleSetting,
        tarball: sources['tarball'] as RuleSetting,
        file: sources['file'] as RuleSetting,
      },
      requireProvenance: ((deps['requireProvenance'] ?? []) as Doc[]).map((r) => ({
        packages: strings(r['packages']),
        identities: ((r['identities'] ?? []) as Doc[]).map((i) => ({ ...(i as Record<string, string>) })),
      })),
      verifySignatures: deps['verifySignatures'] as boolean,
      failClosed: deps['failClosed'] as boolean,
      ...(deps['python'] !== undefined ? { python: deps['python'] as PythonDependencyPolicy } : {}),
      trustedMirrors: strings(deps['trustedMirrors']).map(withTrailingSlash),
    },
    models: {
      allowedFormats: strings(models['allowedFormats']),
      forbiddenFormats: strings(models['forbiddenFormats']),
      unknownModel: models['unknownModel'] as RuleSetting,
      allowedGlobals: strings(models['allowedGlobals']),
      ...(models['requirePinnedRevision'] === true ? { requirePinnedRevision: true } : {}),
      ...(models['requireProvenance'] !== undefined
        ? {
            requireProvenance: (models['requireProvenance'] as Doc[]).map((r) => ({
              paths: strings(r['paths']),
              builders: strings(r['builders']),
              ...(typeof r['sourceRepository'] === 'string' ? { sourceRepository: r['sourceRepository'] } : {}),
            })),
          }
        : {}),
    },
    signatures: {
      ...(typeof sig['trustedRoot'] === 'string' ? { trustedRoot: sig['trustedRoot'] } : {}),
      tlogThreshold: sig['tlogThreshold'] as number,
      timestampThreshold: sig['timestampThreshold'] as number,
      signers: { ...(rec(sig['signers']) as Record<string, SignerSpec>) },
      require: ((sig['require'] ?? []) as Doc[]).map((r) => ({
        paths: strings(r['paths']),
        signers: strings(r['signers']),
        ...(r['ignore'] !== undefined ? { ignore: strings(r['ignore']) } : {}),
      })),
      ...(registry ? { registry: { required: registry.required, signers: [...registry.signers] } } : {}),
    },
    rules: { ...(rec(doc['rules']) as Record<string, RuleSetting>) },
    suppressions: ((doc['suppressions'] ?? []) as Doc[]).map((s, i): Suppression => {
      const line = suppressionLine(i);
      return {
        rule: s['rule'] as string,
        ...(typeof s['path'] === 'string' ? { path: s['path'] } : {}),
        ...(typeof s['package'] === 'string' ? { package: s['package'] } : {}),
        reason: s['reason'] as string,
        expires: s['expires'] as string,
        ...(line !== undefined ? { line } : {}),
      };
    }),
  };
  return deepFreeze(policy);
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
