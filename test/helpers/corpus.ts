import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Third-party test data (real lockfiles, model files, malicious pickles, Sigstore bundles) is not committed here:
 * it lives in `../shared/corpora` beside the checkout, on every development machine and in CI. Tests read it in
 * place through this helper, which says exactly what is missing when it is absent.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of the corpora root (`CHAINPROOF_CORPORA` overrides `../shared/corpora`). */
export const CORPORA_ROOT = process.env['CHAINPROOF_CORPORA'] ?? resolve(REPO_ROOT, '..', 'shared', 'corpora');

/** Absolute path of a file or folder in the corpora; throws with the path and what to do when it is missing. */
export function corpusPath(...parts: string[]): string {
  const path = join(CORPORA_ROOT, ...parts);
  if (!existsSync(path)) {
    throw new Error(
      `test corpus file missing: ${path}\n` +
        `Third-party test data lives in ../shared/corpora beside the checkout (or set CHAINPROOF_CORPORA). ` +
        `See ../shared/corpora/README.md.`,
    );
  }
  return path;
}

/** Whether the corpora are present at all (for the few suites that can say so and skip, e.g. a bare-clone demo). */
export function hasCorpora(): boolean {
  return existsSync(CORPORA_ROOT);
}
