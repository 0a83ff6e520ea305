/**
 * `encodeURIComponent` that never throws. It throws URIError on a surrogate without its pair, and names from the
 * scanned tree carry them: JSON and TOML allow `"\ud800"` in a package-lock.json key or a file name, so one such
 * package name stopped the registry stage (exit 4, "URI malformed") and the CycloneDX, SARIF and review writers.
 * The unpaired surrogate is encoded as U+FFFD, as `Buffer.from(s, 'utf8')` writes it.
 */
export function encodeUriComponent(s: string): string {
  return encodeURIComponent(s.replace(LONE_SURROGATE, '\uFFFD'));
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
