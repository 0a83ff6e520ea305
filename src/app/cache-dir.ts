import { homedir } from 'node:os';
import path from 'node:path';

/** chainproof's cache folder when none is given: `$CHAINPROOF_CACHE_DIR`, else `~/.cache/chainproof`. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return path.resolve(env['CHAINPROOF_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'chainproof'));
}
