import { homedir } from 'node:os';
import path from 'node:path';

/**
 * chainproof's cache folder when none is given: `$CHAINPROOF_CACHE_DIR`, else `~/.cache/chainproof`, where `~` is
 * the HOME of the environment given, as os.homedir (libuv `uv_os_homedir`) reads it from the process's own: a
 * non-empty `$HOME`, else the user's passwd entry. The Action is run with its runner's environment: with the
 * process's HOME instead, an in-process run with another HOME wrote into the developer's own cache.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const home = env['HOME'] || homedir();
  return path.resolve(env['CHAINPROOF_CACHE_DIR'] ?? path.join(home, '.cache', 'chainproof'));
}
