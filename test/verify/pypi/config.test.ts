import { describe, expect, it } from 'vitest';
import { apiBase, netrcEntry, pipConfIndex, resolvePypiIndex } from '../../../src/registry/pypi/config.js';

describe('PyPI index configuration', () => {
  it.each([
    { name: 'default', env: {}, conf: undefined, want: 'https://pypi.org/simple/' },
    {
      name: 'PIP_INDEX_URL',
      env: { PIP_INDEX_URL: 'https://mirror.example/simple' },
      conf: undefined,
      want: 'https://mirror.example/simple/',
    },
    {
      name: 'UV_INDEX_URL wins over PIP_INDEX_URL',
      env: { UV_INDEX_URL: 'https://uv.example/simple/', PIP_INDEX_URL: 'https://pip.example/simple/' },
      conf: undefined,
      want: 'https://uv.example/simple/',
    },
    {
      name: 'pip.conf [global]',
      env: {},
      conf: '[global]\nindex-url = https://conf.example/simple\n',
      want: 'https://conf.example/simple/',
    },
    {
      name: 'pip.conf other section ignored',
      env: {},
      conf: '[freeze]\nindex-url = https://x.example/\n',
      want: 'https://pypi.org/simple/',
    },
  ])('$name', ({ env, conf, want }) => {
    expect(resolvePypiIndex(env, conf, undefined).indexUrl).toBe(want);
  });

  it('credentials in the URL move to a header; the URL keeps none', () => {
    const c = resolvePypiIndex({ PIP_INDEX_URL: 'https://user:t0ken@private.example/simple/' }, undefined, undefined);
    expect(c.indexUrl).toBe('https://private.example/simple/');
    expect(c.authorization).toBe(`Basic ${Buffer.from('user:t0ken').toString('base64')}`);
  });

  it('netrc supplies credentials for the index host (machine, then default)', () => {
    const netrc = 'machine private.example login bot password s3cret\ndefault login anon password x\n';
    expect(netrcEntry(netrc, 'private.example')).toEqual({ login: 'bot', password: 's3cret' });
    expect(netrcEntry(netrc, 'other.example')).toEqual({ login: 'anon', password: 'x' });
    const c = resolvePypiIndex({ PIP_INDEX_URL: 'https://private.example/simple/' }, undefined, netrc);
    expect(c.authorization).toBe(`Basic ${Buffer.from('bot:s3cret').toString('base64')}`);
  });

  it('pipConfIndex reads index_url spelled with an underscore and apiBase strips /simple/', () => {
    expect(pipConfIndex('[install]\nindex_url: https://a.example/simple\n')).toBe('https://a.example/simple');
    expect(apiBase('https://pypi.org/simple/')).toBe('https://pypi.org/');
  });
});
