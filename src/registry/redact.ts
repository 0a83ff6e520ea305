/**
 * Tokens from `.npmrc` must never reach output, logs or error text. Every string that leaves this module passes
 * through `redact`: known secrets (and their base64 forms) are masked, and so is any URL user-info.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (s.length < 4) continue; // too short to mask without mangling ordinary text; never a real token
      all.add(s);
      all.add(Buffer.from(s, 'utf8').toString('base64'));
      all.add(encodeURIComponent(s));
    }
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = hideUserinfo(text);
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}

const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
const isSchemeChar = (c: string) => /[a-z0-9+.-]/i.test(c);

/**
 * `text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@')` by hand, from each `://`: the expression tried
 * every letter of a long run of scheme characters and scanned the rest from each (quadratic in a hostile URL).
 */
export function hideUserinfo(text: string): string {
  let out = '';
  let copied = 0;
  for (let q = text.indexOf('://'); q >= 0; q = text.indexOf('://', q + 1)) {
    // A scheme: from a letter at a word boundary, through scheme characters, to `://`; not inside the last match.
    let p = q;
    while (p > copied && isSchemeChar(text[p - 1]!)) p--;
    while (p < q && !(/[a-z]/i.test(text[p]!) && !isWord(text[p - 1]))) p++;
    if (p === q) continue;
    let end = q + 3;
    while (end < text.length && !/[\s/@]/.test(text[end]!)) end++;
    if (text[end] !== '@') continue;
    out += `${text.slice(copied, q + 3)}***@`;
    copied = end + 1;
    q = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
