import { parse } from 'dotenv';

/**
 * The values of a Compose project's `.env` (the compose file's folder), which Compose interpolates when the shell
 * sets none (compose-env.ts `interpolate`), read as dotenv reads the format Compose's own parser takes. A secret is
 * never taken. Loaded by the refs stage only for a compose file beside a `.env`.
 */
export function dotenvValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(parse(text))) {
    if (isSecret(key, value)) continue;
    out.set(key, value);
  }
  return out;
}

/** A token must never reach a finding: a variable named like a secret, or a value shaped like a token, is left out. */
export const isSecret = (key: string, value: string): boolean => SECRET_NAME.test(key) || TOKEN_VALUE.test(value);

/** Variable names that hold credentials (HF_TOKEN, HUGGING_FACE_HUB_TOKEN, API_KEY, AWS_SECRET_ACCESS_KEY…). */
const SECRET_NAME = /TOKEN|SECRET|PASSW|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH/i;
/** Values shaped like a hub or forge token (`hf_…`, `ghp_…`, `github_pat_…`, `glpat-…`, `sk-…`, `xox…-`). */
const TOKEN_VALUE = /^(?:hf_|api_org_|gh[pousr]_|github_pat_|glpat-|sk-|xox[abpr]-)/;
