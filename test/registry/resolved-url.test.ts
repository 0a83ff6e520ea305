import { describe, expect, it } from 'vitest';
import { npmFetchUrl, sameUrl, toReplaceRegistryHost } from '../../src/registry/resolved-url.js';

/** arborist reify.js #registryResolved, case by case (npm 11's replace-registry-host). */
const NPMJS = 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz';
const CASES: {
  name: string;
  resolved: string;
  registry: string;
  replace: string | undefined;
  want: string | undefined;
}[] = [
  {
    name: 'default: registry.npmjs.org moves to the configured registry, path prefix put in front',
    resolved: NPMJS,
    registry: 'https://corp.example/artifactory/api/npm/npm-remote/',
    replace: undefined,
    want: 'https://corp.example/artifactory/api/npm/npm-remote/left-pad/-/left-pad-1.3.0.tgz',
  },
  {
    name: 'default: the prefix is not doubled',
    resolved: 'https://registry.npmjs.org/api/npm/left-pad/-/left-pad-1.3.0.tgz',
    registry: 'http://127.0.0.1:4873/api/npm/',
    replace: 'npmjs',
    want: 'http://127.0.0.1:4873/api/npm/left-pad/-/left-pad-1.3.0.tgz',
  },
  {
    name: 'default: registry.yarnpkg.com is fetched as written',
    resolved: 'https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz',
    registry: 'https://corp.example/npm/',
    replace: undefined,
    want: 'https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz',
  },
  { name: 'never', resolved: NPMJS, registry: 'https://corp.example/npm/', replace: 'never', want: NPMJS },
  {
    name: 'always: any host',
    resolved: 'https://old.example/left-pad/-/left-pad-1.3.0.tgz',
    registry: 'https://corp.example/npm/',
    replace: 'always',
    want: 'https://corp.example/npm/left-pad/-/left-pad-1.3.0.tgz',
  },
  {
    name: 'a URL with a path: its prefix is swapped for the registry path',
    resolved: 'https://old.example/repository/npm-old/left-pad/-/left-pad-1.3.0.tgz',
    registry: 'https://corp.example/npm/',
    replace: 'https://old.example/repository/npm-old/',
    want: 'https://corp.example/npm/left-pad/-/left-pad-1.3.0.tgz',
  },
  {
    name: 'a URL with a path the resolved URL is not under: as written',
    resolved: 'https://old.example/other/left-pad/-/left-pad-1.3.0.tgz',
    registry: 'https://corp.example/npm/',
    replace: 'https://old.example/repository/npm-old/',
    want: 'https://old.example/other/left-pad/-/left-pad-1.3.0.tgz',
  },
  {
    name: 'not a URL',
    resolved: 'left-pad-1.3.0.tgz',
    registry: 'https://corp.example/',
    replace: undefined,
    want: undefined,
  },
];

describe('npmFetchUrl: the URL npm fetches for a lockfile resolved', () => {
  it.each(CASES)('$name', ({ resolved, registry, replace, want }) => {
    expect(npmFetchUrl(resolved, registry, toReplaceRegistryHost(replace))).toBe(want);
  });
});

describe('sameUrl', () => {
  it.each([
    { a: 'https://r.example/@s/a/-/a-1.tgz', b: 'https://r.example/@s%2fa/-/a-1.tgz', want: true },
    { a: 'https://r.example:443/a/-/a-1.tgz', b: 'https://r.example/a/-/a-1.tgz', want: true },
    { a: 'http://r.example/a/-/a-1.tgz', b: 'https://r.example/a/-/a-1.tgz', want: false },
    { a: 'https://r.example/a/-/a-1.tgz', b: 'https://r.example/a/-/a-2.tgz', want: false },
    { a: 'not a url', b: 'not a url', want: false },
  ])('$a vs $b → $want', ({ a, b, want }) => {
    expect(sameUrl(a, b)).toBe(want);
  });
});
