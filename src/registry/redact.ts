import { redactPathTokens, redactUserinfo } from '../core/redact-userinfo.js';
/**
 * Tokens from `.npmrc` must never reach output, logs or error text. Every string that leaves this module passes
 * through `redact`: known secrets (and their base64 forms) are masked, and so is any URL user-info or path token
 * (`redactPathTokens`).
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
    let out = redactPathTokens(redactUserinfo(text, { emptyToo: true, lastAt: true }));
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }
}
