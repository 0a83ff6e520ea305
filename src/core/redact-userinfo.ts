import { isAsciiLetter as isLetter, isAsciiWordChar, isSchemeChar } from './ascii.js';

/**
 * `scheme://user:secret@host` → `scheme://***@host`, for every URL in `text`: exactly what
 * `text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')` gives, without a regular expression. That
 * expression has no literal to anchor on before the `://`, so V8 tries it at every character; a 300k-finding scan
 * redacted each finding's message and evidence three times (fingerprint, JSON, SARIF) and spent about a second of
 * its ten in it (issue 18). Here each `://` is found by string search and only its neighbours are looked at. The
 * test holds the two equal on generated text (test/deps/redact-userinfo.test.ts). With `emptyToo`, an empty userinfo
 * (`scheme://@host`) is replaced too: `[^/\s@]*@`, the registry redactor's expression (src/registry/redact.ts).
 * With `lastAt`, the mask runs on to the authority's last `@` (lastAtOfAuthority): what every output uses.
 */
export function redactUserinfo(text: string, { emptyToo = false, lastAt = false } = {}): string {
  let at = text.indexOf('://');
  if (at === -1) return text;
  let out = '';
  let copied = 0;
  while (at !== -1) {
    const userinfo = at + 3;
    let end = userinfo;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (c === SLASH || c === AT || isRegExpSpace(c)) break;
      end++;
    }
    if ((emptyToo || end > userinfo) && text.charCodeAt(end) === AT && schemeEndsAt(text, at)) {
      if (lastAt) end = lastAtOfAuthority(text, end);
      out += `${text.slice(copied, userinfo)}***@`;
      copied = end + 1;
      at = text.indexOf('://', copied);
    } else {
      at = text.indexOf('://', at + 1);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const SLASH = 0x2f;
const AT = 0x40;
const QUESTION = 0x3f;
const HASH = 0x23;

/**
 * The last `@` of the authority that holds the `@` at `firstAt`: a password may hold `@` itself
 * (`https://user:p@ss@host/`), and the host is what follows the last one, as pip's `split_auth_from_netloc`
 * (`netloc.rpartition("@")`) and the WHATWG URL parser npm uses (authority state: an earlier `@` joins the user
 * info) both read it. Stopping at the first `@` showed the rest of the password.
 */
function lastAtOfAuthority(text: string, firstAt: number): number {
  let last = firstAt;
  for (let p = firstAt + 1; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === SLASH || c === QUESTION || c === HASH || isRegExpSpace(c)) break;
    if (c === AT) last = p;
  }
  return last;
}

/**
 * Whether `\b[a-z][a-z0-9+.-]*` (case-insensitive) can match ending right before `text[at]`: the run of scheme
 * characters before it holds a letter at a word boundary (the run's first character after a non-word character or
 * the start, or a letter after one of `+ . -` inside the run).
 */
function schemeEndsAt(text: string, at: number): boolean {
  for (let p = at - 1; p >= 0; p--) {
    const c = text.charCodeAt(p);
    if (!isSchemeChar(c)) return false;
    if (isLetter(c) && (p === 0 || !isAsciiWordChar(text.charCodeAt(p - 1)))) return true;
  }
  return false;
}

/** `\s` in a JavaScript regular expression: WhiteSpace and LineTerminator (ECMA-262 CharacterClassEscape). */
export function isRegExpSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Lockfile URLs can embed credentials (`https://user:token@host/…`, `?token=…`); a finding must never carry them.
 */
export function redactUrls(text: string): string {
  // Each deferred finding redacts its text every time it is read (fingerprint, then every report): user info by
  // string search, query parameters only when there is a query separator (a registry URL has neither).
  const out = redactPathTokens(redactUserinfo(text, { lastAt: true }));
  return out.includes('?') || out.includes('&') ? redactSecretParameters(out) : out;
}

/**
 * Hosts whose private URLs carry the token as a path segment, not as user info, with that segment's place: Gemfury
 * (`https://npm-proxy.fury.io/<token>/<account>/`, `https://pypi.fury.io/<token>/<account>/`: the URLs its
 * documentation gives for npm, pip and every other client), Cloudsmith (`https://dl.cloudsmith.io/<token>/<org>/…`;
 * `public` and `basic` are its unauthenticated and Basic-auth forms, no secret) and anaconda.org
 * (`https://conda.anaconda.org/t/<token>/<channel>`, `https://pypi.anaconda.org/t/<token>/…`). Such a URL lands in
 * a lockfile's `resolved`, an `.npmrc` registry or `//host/path/:` key, a pip option; every report quotes them.
 * The host is read after a `//` (a URL's authority, user info allowed; an `.npmrc` key), any case. A public account
 * name in the same place (`https://npm.fury.io/<account>/`) is masked too: a name lost, never a secret shown.
 */
const PATH_TOKEN =
  /(\/\/(?:[^/?#\s@]*@)?(?:[^/?#\s@]*\.fury\.io\/|dl\.cloudsmith\.io\/(?!(?:public|basic)(?:[/?#\s]|$))|(?:[^/?#\s@]*\.)?anaconda\.org\/t\/))([^/?#\s"'<>`]+)/gi;

/** Each path-segment token of PATH_TOKEN's hosts replaced by `***`. */
export function redactPathTokens(text: string): string {
  // One literal test first: nearly every string the reports hold (paths, names, messages) has no `//`.
  return text.includes('//') ? text.replace(PATH_TOKEN, '$1***') : text;
}

/**
 * Names of query parameters whose values are secrets, any case. `credential`: a presigned URL's key (S3 and GCS V4
 * signing, `X-Amz-Credential=AKIA…/date/region/s3/aws4_request`, `X-Goog-Credential=<service account>/…`) names the
 * access key the signature was made with; masking the signature alone printed it.
 */
const SECRET_NAMES = ['token', 'auth', 'key', 'secret', 'password', 'sig', 'credential'];

/** Whether a query parameter's name names a secret (SECRET_NAMES, any case): its value is masked in every report. */
export function isSecretParameterName(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_NAMES.some((n) => lower.includes(n));
}
const isValueStop = (c: number) => c === 0x26 || c === 0x23 || isRegExpSpace(c); // & # \s
const isParameterStop = (c: number) => c === 0x3d || isValueStop(c); // = & # \s

/**
 * `text.replace(/([?&][^=&#\s]*(?:token|auth|…)[^=&#\s]*=)[^&#\s]+/gi, '$1***')` in one pass: that expression
 * tried every `?` in a run of them against every secret name (cubic: a 5 KB hostile URL took seconds). A name that
 * fails at one `?` or `&` fails at every later one before the same stop, so the search goes on from that stop.
 */
function redactSecretParameters(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '?' && c !== '&') {
      i++;
      continue;
    }
    let stop = i + 1;
    while (stop < text.length && !isParameterStop(text.charCodeAt(stop))) stop++;
    if (text[stop] !== '=' || !isSecretParameterName(text.slice(i + 1, stop))) {
      // A `&` at the stop may open the next parameter; anything else cannot.
      i = text[stop] === '&' ? stop : stop + 1;
      continue;
    }
    let end = stop + 1;
    while (end < text.length && !isValueStop(text.charCodeAt(end))) end++;
    if (end === stop + 1) {
      i = end;
      continue;
    }
    out += `${text.slice(copied, stop + 1)}***`;
    copied = end;
    i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
