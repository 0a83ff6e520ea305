import { pep440String } from '../../core/package-key.js';
// packaging.utils `canonicalize_name` (PEP 503).
import { normalizeName } from '../../deps/parsers/python/pep508.js';

/**
 * pypi-attestations' `_ultranormalize_dist_filename` (src/pypi_attestations/_impl.py): the one spelling of a wheel or
 * sdist file name that `Attestation.verify` compares, for both the statement's subject and the distribution
 * (`Distribution._validate_name`). The signer ultranormalizes when signing, so a genuine attestation for
 * `numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl` names `…manylinux2014_x86_64.manylinux_2_17_x86_64.whl`
 * (tag sets sorted), and one for a legacy sdist `Foo.Bar-1.0.tar.gz` names `foo_bar-1.0.tar.gz`.
 * Undefined for a name pypi-attestations refuses (ValueError there): not `.whl`, `.tar.gz` or `.zip`, or not
 * parseable by packaging's `parse_wheel_filename` / `parse_sdist_filename`.
 */
export function ultranormalizeDistFilename(dist: string): string | undefined {
  // `.whl` and `.tar.gz` are compared case-sensitively there too (packaging rejects upper-case extensions).
  if (dist.endsWith('.whl')) return wheel(dist);
  if (dist.endsWith('.tar.gz')) return sdist(dist.slice(0, -'.tar.gz'.length), '.tar.gz');
  if (dist.endsWith('.zip')) return sdist(dist.slice(0, -'.zip'.length), '.zip');
  return undefined;
}

/** packaging.utils `parse_wheel_filename`, re-joined as `_ultranormalize_dist_filename` does. */
function wheel(filename: string): string | undefined {
  const stem = filename.slice(0, -'.whl'.length);
  const dashes = stem.split('-').length - 1;
  if (dashes !== 4 && dashes !== 5) return undefined;
  // `filename.split("-", dashes - 2)`: name, version, [build], then the three-part tag string whole.
  const all = stem.split('-');
  const [namePart, versionPart] = all;
  const build = dashes === 5 ? all[2]! : undefined;
  const tagParts = all.slice(-3);
  // PEP 427 escaping as packaging checks it: `re.match(r"^[\w\d._]*$", name, re.UNICODE)` and no `__`.
  if (namePart!.includes('__') || !/^[\p{L}\p{N}_.]*$/u.test(namePart!)) return undefined;
  const version = pep440String(versionPart!);
  if (version === undefined) return undefined;
  let buildTag = '';
  if (build !== undefined) {
    // `_build_tag_regex = (\d+)(.*)`, kept as `(int, str)`: leading zeros of the number go.
    const m = /^([0-9]+)(.*)$/s.exec(build);
    if (!m) return undefined;
    buildTag = `${BigInt(m[1]!).toString()}${m[2]!}`;
  }
  // packaging.tags `parse_tag` builds the cross product of the `.`-separated parts; `Tag` lower-cases each part.
  const [impls, abis, platforms] = tagParts.map((p) => sortedSet(p.toLowerCase().split('.')));
  const name = normalizeName(namePart!).replace(/-/g, '_');
  return `${[name, version, ...(build !== undefined ? [buildTag] : []), impls, abis, platforms].join('-')}.whl`;
}

/** packaging.utils `parse_sdist_filename`: the version follows the last `-`. */
function sdist(stem: string, ext: '.tar.gz' | '.zip'): string | undefined {
  const dash = stem.lastIndexOf('-');
  if (dash < 0) return undefined;
  const version = pep440String(stem.slice(dash + 1));
  if (version === undefined) return undefined;
  return `${normalizeName(stem.slice(0, dash)).replace(/-/g, '_')}-${version}${ext}`;
}

/** `".".join(sorted(set(...)))`: Python sorts strings by code point. */
function sortedSet(parts: readonly string[]): string {
  return [...new Set(parts)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('.');
}
