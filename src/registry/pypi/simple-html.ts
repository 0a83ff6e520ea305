import { trimEndRun } from '../../core/linear-text.js';
/**
 * PEP 503 HTML project pages, as pip reads them, turned into the PEP 691 JSON shape the checks read: many mirrors
 * (devpi, Nexus, Artifactory, a plain `python -m http.server` over a folder) serve only HTML.
 *
 * Follows pip's `index/collector.py`: `HTMLLinkParser` keeps the first `<base href>` and the attributes of every
 * `<a>` (character references decoded), and `models/link.py` `Link.from_element` resolves `href` against the base,
 * takes the file name from the URL path (`Link.filename`, percent-decoded), hashes from the fragment
 * (`_hash_url_fragment_re`: `#sha256=<hex>`), `data-yanked` (present = yanked, its value the reason) and PEP 740's
 * `data-provenance`. Attacker-controlled text: one linear pass, anchors capped, no recursion.
 */

/** pip's `Link._SUPPORTED_HASHES`. */
const HASH_NAMES = new Set(['sha512', 'sha384', 'sha256', 'sha224', 'sha1', 'md5']);
const MAX_ANCHORS = 100_000;

/** One `<a>` of the page as a PEP 691 file entry. */
export interface SimpleHtmlFile {
  readonly filename: string;
  readonly url: string;
  readonly hashes: Record<string, string>;
  readonly yanked: boolean | string;
  /** PEP 740 `data-provenance`: the URL, or null when the attribute is absent (the HTML form has no "unknown"). */
  readonly provenance: string | null;
}

/** `{ meta, files }` of a PEP 503 page fetched from `pageUrl`. */
export function parseSimpleHtml(
  html: string,
  pageUrl: string,
): { meta: { 'api-version': string }; files: SimpleHtmlFile[] } {
  const anchors: Record<string, string>[] = [];
  let base: string | undefined;
  for (const tag of startTags(html)) {
    if (tag.name === 'base' && base === undefined && tag.attrs.href !== undefined) base = tag.attrs.href;
    else if (tag.name === 'a' && anchors.length < MAX_ANCHORS) anchors.push(tag.attrs);
  }
  const baseUrl = resolve(base ?? pageUrl, pageUrl) ?? pageUrl;
  const files: SimpleHtmlFile[] = [];
  for (const a of anchors) {
    const href = a.href;
    if (href === undefined) continue;
    const url = resolve(href, baseUrl);
    if (url === undefined) continue;
    const filename = fileNameOf(url);
    if (filename === '') continue;
    const yanked = a['data-yanked'];
    const provenance = a['data-provenance'];
    files.push({
      filename,
      url: url.replace(/#.*$/s, ''),
      hashes: fragmentHashes(url),
      yanked: yanked === undefined ? false : yanked,
      provenance: provenance !== undefined && provenance !== '' ? (resolve(provenance, baseUrl) ?? null) : null,
    });
  }
  return { meta: { 'api-version': '1.0' }, files };
}

/** `Link.filename`: the last path segment, percent-decoded. */
function fileNameOf(url: string): string {
  const path = trimEndRun(new URL(url).pathname, '/');
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function fragmentHashes(url: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const hash = url.indexOf('#');
  if (hash < 0) return hashes;
  for (const part of url.slice(hash + 1).split('&')) {
    const eq = part.indexOf('=');
    const alg = part.slice(0, eq).toLowerCase();
    const hex = part.slice(eq + 1);
    if (eq > 0 && HASH_NAMES.has(alg) && /^[0-9a-f]+$/i.test(hex)) hashes[alg] = hex.toLowerCase();
  }
  return hashes;
}

function resolve(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

interface StartTag {
  readonly name: string;
  readonly attrs: Record<string, string>;
}

/**
 * The start tags of an HTML text, as an HTML tokenizer sees them: comments, `<script>`/`<style>` bodies and end tags
 * are skipped; attribute names are lower-cased, the first of a repeated name wins, values are decoded.
 */
function* startTags(html: string): Generator<StartTag> {
  const tagStart = /<(!--|[a-zA-Z][^\s/>]*)/g;
  let m: RegExpExecArray | null;
  while ((m = tagStart.exec(html)) !== null) {
    if (m[1] === '!--') {
      const end = html.indexOf('-->', tagStart.lastIndex);
      if (end < 0) return;
      tagStart.lastIndex = end + 3;
      continue;
    }
    const name = m[1]!.toLowerCase();
    const { attrs, end } = readAttributes(html, tagStart.lastIndex);
    tagStart.lastIndex = end;
    yield { name, attrs };
    if (name === 'script' || name === 'style') {
      const close = name === 'script' ? /<\/script/gi : /<\/style/gi;
      close.lastIndex = end;
      if (close.exec(html) === null) return;
      tagStart.lastIndex = close.lastIndex;
    }
  }
}

const ATTRIBUTE = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?|\s*\/|\s*>/y;

function readAttributes(html: string, from: number): { attrs: Record<string, string>; end: number } {
  const attrs: Record<string, string> = {};
  ATTRIBUTE.lastIndex = from;
  for (;;) {
    const at = ATTRIBUTE.lastIndex;
    const m = ATTRIBUTE.exec(html);
    if (m === null) return { attrs, end: at >= html.length ? html.length : at + 1 };
    if (m[0].endsWith('>') && m[1] === undefined) return { attrs, end: ATTRIBUTE.lastIndex };
    if (m[1] === undefined) continue;
    const key = m[1].toLowerCase();
    if (!(key in attrs)) attrs[key] = decodeCharRefs(m[2] ?? m[3] ?? m[4] ?? '');
  }
}

const NAMED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The character references a simple page uses (`&amp;` in query strings, `&gt;=` in data-requires-python). */
export function decodeCharRefs(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}
