import { describe, expect, it } from 'vitest';
import {
  apiBase,
  netrcEntry,
  pipConfIndex,
  readNetrc,
  readPipConfigs,
  resolvePypiIndex,
} from '../../../src/registry/pypi/config.js';

describe('PyPI index configuration', () => {
  it.each([
    { name: 'default', env: {}, conf: [], want: 'https://pypi.org/simple/' },
    {
      name: 'PIP_INDEX_URL',
      env: { PIP_INDEX_URL: 'https://mirror.example/simple' },
      conf: [],
      want: 'https://mirror.example/simple/',
    },
    {
      name: 'UV_INDEX_URL wins over PIP_INDEX_URL',
      env: { UV_INDEX_URL: 'https://uv.example/simple/', PIP_INDEX_URL: 'https://pip.example/simple/' },
      conf: [],
      want: 'https://uv.example/simple/',
    },
    {
      name: 'pip.conf [global]',
      env: {},
      conf: ['[global]\nindex-url = https://conf.example/simple\n'],
      want: 'https://conf.example/simple/',
    },
    {
      name: 'pip.conf other section ignored',
      env: {},
      conf: ['[freeze]\nindex-url = https://x.example/\n'],
      want: 'https://pypi.org/simple/',
    },
  ])('$name', ({ env, conf, want }) => {
    expect(resolvePypiIndex(env, conf, undefined).indexUrl).toBe(want);
  });

  it('credentials in the URL move to a header; the URL keeps none', () => {
    const c = resolvePypiIndex({ PIP_INDEX_URL: 'https://user:t0ken@private.example/simple/' }, [], undefined);
    expect(c.indexUrl).toBe('https://private.example/simple/');
    expect(c.authorization).toBe(`Basic ${Buffer.from('user:t0ken').toString('base64')}`);
  });

  it('netrc supplies credentials for the index host (machine, then default)', () => {
    const netrc = 'machine private.example login bot password s3cret\ndefault login anon password x\n';
    expect(netrcEntry(netrc, 'private.example')).toEqual({ login: 'bot', password: 's3cret' });
    expect(netrcEntry(netrc, 'other.example')).toEqual({ login: 'anon', password: 'x' });
    const c = resolvePypiIndex({ PIP_INDEX_URL: 'https://private.example/simple/' }, [], netrc);
    expect(c.authorization).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
  });

  it('pipConfIndex reads index_url spelled with an underscore and apiBase strips /simple/', () => {
    expect(pipConfIndex(['[install]\nindex_url: https://a.example/simple\n'])).toBe('https://a.example/simple');
    expect(apiBase('https://pypi.org/simple/')).toBe('https://pypi.org/');
  });
});

describe("pip's configuration files (configuration.py, ConfigOptionParser)", () => {
  it.each([
    {
      name: '[install] over [global] in one file, whichever comes first',
      files: ['[global]\nindex-url = https://g.example/simple\n[install]\nindex-url = https://i.example/simple\n'],
      want: 'https://i.example/simple',
    },
    {
      name: '[install] of a lower file over [global] of a higher one',
      files: ['[install]\nindex-url = https://i.example/simple\n', '[global]\nindex-url = https://g.example/simple\n'],
      want: 'https://i.example/simple',
    },
    {
      name: 'the higher file of two [global]s',
      files: ['[global]\nindex-url = https://low.example/\n', '[global]\nindex-url = https://high.example/\n'],
      want: 'https://high.example/',
    },
    {
      name: 'section names are case-sensitive',
      files: ['[Global]\nindex-url = https://x.example/\n'],
      want: undefined,
    },
  ])('$name', ({ files, want }) => {
    expect(pipConfIndex(files)).toBe(want);
  });

  const fs = (files: Record<string, string>) => (file: string) => Promise.resolve(files[file]);
  it.each([
    {
      name: "the user's ~/.pip/pip.conf under ~/.config/pip/pip.conf",
      env: { HOME: '/h' },
      want: ['legacy', 'new'],
    },
    { name: '$XDG_CONFIG_HOME/pip/pip.conf', env: { HOME: '/h', XDG_CONFIG_HOME: '/x' }, want: ['legacy', 'xdg'] },
    {
      name: 'PIP_CONFIG_FILE that exists replaces them',
      env: { HOME: '/h', PIP_CONFIG_FILE: '/ci.conf' },
      want: ['ci'],
    },
    {
      name: 'PIP_CONFIG_FILE that is missing does not',
      env: { HOME: '/h', PIP_CONFIG_FILE: '/none' },
      want: ['legacy', 'new'],
    },
    {
      name: 'PIP_CONFIG_FILE=/dev/null turns them all off',
      env: { HOME: '/h', PIP_CONFIG_FILE: '/dev/null' },
      want: [],
    },
  ])('$name', async ({ env, want }) => {
    const files = {
      '/h/.pip/pip.conf': 'legacy',
      '/h/.config/pip/pip.conf': 'new',
      '/x/pip/pip.conf': 'xdg',
      '/ci.conf': 'ci',
    };
    expect(await readPipConfigs(env, fs(files))).toEqual(want);
  });

  it('netrc: the file NETRC names, else ~/.netrc, else ~/_netrc (requests get_netrc_auth)', async () => {
    const files = { '/h/.netrc': 'dot', '/h/_netrc': 'underscore', '/n': 'named' };
    expect(await readNetrc({ HOME: '/h', NETRC: '/n' }, fs(files))).toBe('named');
    expect(await readNetrc({ HOME: '/h' }, fs(files))).toBe('dot');
    expect(await readNetrc({ HOME: '/h' }, fs({ '/h/_netrc': 'underscore' }))).toBe('underscore');
  });
});
