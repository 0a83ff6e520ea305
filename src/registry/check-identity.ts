import { packageFinding, spec, where } from './findings.js';
import type { Packument, VersionMeta } from './packument.js';
import type { CheckState } from './state.js';

/**
 * The registry's document for `name@version` must say it is that package: its `name`, and the version document's
 * own `name` and `version`. pacote takes the version document as it comes (lib/registry.js `manifest`: its `_id`,
 * and so the message npm's signature check verifies, is built from the name and version inside it), so a registry
 * or mirror that answers one package's URL with another package's document — a substitution, or a mix-up a cache
 * made — would pass npm with that other package's signature. Reported once per package (CPD159).
 */
export function checkDocumentIdentity(state: CheckState, packument: Packument, meta: VersionMeta): void {
  const { pkg, registry } = state;
  const named =
    packument.name !== '' && packument.name !== pkg.name
      ? packument.name
      : meta.says?.name !== undefined && meta.says.name !== pkg.name
        ? meta.says.name
        : undefined;
  const versioned =
    meta.says?.version !== undefined && bare(meta.says.version) !== bare(pkg.version) ? meta.says.version : undefined;
  if (named === undefined && versioned === undefined) return;
  const says = `${named ?? pkg.name}@${versioned ?? pkg.version}`;
  state.findings.push(
    packageFinding(
      pkg,
      'CPD159',
      `${registry} answers ${spec(pkg)} (${where(pkg)}) with the document of ${says}. A registry or mirror substituted another package (or its cache mixed them up): do not install it; check which registry served it and regenerate the entry from the origin registry.`,
      { expected: spec(pkg), actual: says, registry },
    ),
  );
}

/** npm cleans a leading `v` or `=` off versions (semver `clean`); the rest must match exactly. */
function bare(v: string): string {
  return v.trim().replace(/^[=v]+/, '');
}
