import { homedir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/app/cache-dir.js';

describe('the default cache folder comes from the environment given (cache-dir.ts)', () => {
  it('HOME of that environment, not of the process (the Action is run with its runner environment)', () => {
    expect(defaultCacheDir({ HOME: '/runner/home' })).toBe(path.resolve('/runner/home/.cache/chainproof'));
  });

  it('$CHAINPROOF_CACHE_DIR over HOME', () => {
    expect(defaultCacheDir({ HOME: '/runner/home', CHAINPROOF_CACHE_DIR: '/c' })).toBe(path.resolve('/c'));
  });

  // libuv uv_os_homedir: an empty HOME is no HOME, and the user's passwd entry answers.
  it.each([{ env: {} }, { env: { HOME: '' } }])('no HOME in $env: os.homedir()', ({ env }) => {
    expect(defaultCacheDir(env)).toBe(path.join(homedir(), '.cache', 'chainproof'));
  });
});
