// Third-party inputs (real lockfiles, model files) are not in fixtures/: they are read in place from
// ../shared/corpora beside the checkout (or CHAINPROOF_CORPORA), as the tests do (test/helpers/corpus.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CORPORA_ROOT = process.env['CHAINPROOF_CORPORA'] ?? path.resolve(REPO, '..', 'shared', 'corpora');

/** Absolute path of a corpora file; exits with what is missing and where it should be. */
export function corpusPath(...parts) {
  const p = path.join(CORPORA_ROOT, ...parts);
  if (!existsSync(p)) {
    console.error(`bench input missing: ${p} (put ../shared/corpora beside the checkout or set CHAINPROOF_CORPORA)`);
    process.exit(2);
  }
  return p;
}
