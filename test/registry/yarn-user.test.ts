import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { homeYarnrcPath, loadYarnUserConfig, readYarnUserConfig } from '../../src/registry/yarn-user.js';
import { tempDir } from './scan.js';

describe('readYarnUserConfig: the YARN_* environment over ~/.yarnrc.yml (Configuration.find, getEnvironmentSettings)', () => {
  const cases = [
    {
      name: 'YARN_NPM_REGISTRY_SERVER',
      env: { YARN_NPM_REGISTRY_SERVER: 'https://env.example/npm' },
      home: undefined,
      want: { value: 'https://env.example/npm/', source: 'environment' },
    },
    {
      name: 'any case of the variable name',
      env: { yarn_npm_registry_server: 'https://env.example/' },
      home: undefined,
      want: { value: 'https://env.example/', source: 'environment' },
    },
    {
      name: 'no underscores is another setting (camelcase of "npmregistryserver")',
      env: { YARN_NPMREGISTRYSERVER: 'https://env.example/' },
      home: undefined,
      want: undefined,
    },
    {
      name: 'the environment wins over the home file',
      env: { YARN_NPM_REGISTRY_SERVER: 'https://env.example/' },
      home: 'npmRegistryServer: https://home.example/\n',
      want: { value: 'https://env.example/', source: 'environment' },
    },
    {
      name: 'the home file, ${VAR} expanded, credentials in the URL dropped',
      env: { HOST: 'home.example' },
      home: 'npmRegistryServer: "https://u:p@${HOST}/r"\n',
      want: { value: 'https://home.example/r/', source: 'home' },
    },
    {
      name: 'an empty variable sets nothing',
      env: { YARN_NPM_REGISTRY_SERVER: '' },
      home: 'npmRegistryServer: https://home.example/\n',
      want: { value: 'https://home.example/', source: 'home' },
    },
  ];
  it.each(cases)('$name', ({ env, home, want }) => {
    expect(readYarnUserConfig(env, home).registry).toEqual(want);
  });

  it('credentials: top level from env or home, scopes and npmRegistries from home; YARN_NPM_SCOPES ignored', () => {
    const home = [
      'npmAuthIdent: "me:pw"',
      'npmScopes:',
      '  "@corp":',
      '    npmRegistryServer: https://corp.example/',
      '    npmAuthToken: "${CORP_TOKEN}"',
      'npmRegistries:',
      '  "//other.example/":',
      '    npmAuthToken: t-other',
      '',
    ].join('\n');
    const c = readYarnUserConfig({ YARN_NPM_AUTH_TOKEN: 't-env', CORP_TOKEN: 't-corp', YARN_NPM_SCOPES: 'corp' }, home);
    expect(c.token).toEqual({ value: 't-env', source: 'environment' });
    expect(c.ident).toEqual({ value: 'me:pw', source: 'home' });
    expect(c.scopes).toEqual({ '@corp': { registry: 'https://corp.example/', auth: { token: 't-corp' } } });
    expect(c.registries).toEqual({ '//other.example/': { token: 't-other' } });
  });

  it.each([
    { name: 'not YAML', home: 'npmRegistryServer: [\n', problem: /^not valid YAML/ },
    { name: 'not a mapping', home: '- a\n- b\n', problem: /not a mapping/ },
  ])('a home file yarn would refuse ($name) is a problem, and sets nothing', ({ home, problem }) => {
    const c = readYarnUserConfig({}, home);
    expect(c.problem).toMatch(problem);
    expect(c.registry).toBeUndefined();
  });
});

describe('the user’s TLS settings for yarn: httpsCaFilePath (ABSOLUTE_PATH) and enableStrictSsl', () => {
  const cases = [
    {
      name: 'home, relative to the home folder',
      env: { HOME: '/h' },
      home: 'httpsCaFilePath: certs/ca.pem\n',
      ca: '/h/certs/ca.pem',
    },
    { name: 'yarn 2–3 caFilePath', env: { HOME: '/h' }, home: 'caFilePath: /etc/ca.pem\n', ca: '/etc/ca.pem' },
    { name: 'env, absolute', env: { YARN_HTTPS_CA_FILE_PATH: '/etc/corp.pem' }, home: undefined, ca: '/etc/corp.pem' },
    {
      name: 'env, relative: the tree’s, ignored',
      env: { YARN_HTTPS_CA_FILE_PATH: 'ca.pem' },
      home: undefined,
      ca: undefined,
    },
  ];
  it.each(cases)('$name → $ca', ({ env, home, ca }) => {
    expect(readYarnUserConfig(env, home).caFile).toBe(ca);
  });

  it.each([
    { env: { YARN_ENABLE_STRICT_SSL: 'false' }, home: undefined, want: false },
    { env: { YARN_ENABLE_STRICT_SSL: '1' }, home: 'enableStrictSsl: false\n', want: true },
    { env: {}, home: 'enableStrictSsl: "0"\n', want: false },
    { env: {}, home: 'enableStrictSsl: maybe\n', want: undefined },
  ])('enableStrictSsl $env $home → $want', ({ env, home, want }) => {
    expect(readYarnUserConfig(env, home).strictSsl).toBe(want);
  });
});

describe('the home file: $HOME (os.homedir) and YARN_RC_FILENAME (getRcFilename)', () => {
  it.each([
    { env: {}, want: undefined },
    { env: { HOME: '/h' }, want: '/h/.yarnrc.yml' },
    { env: { HOME: '/h', yarn_rc_filename: '.yarnrc.ci.yml' }, want: '/h/.yarnrc.ci.yml' },
  ])('$env → $want', ({ env, want }) => {
    expect(homeYarnrcPath(env)).toBe(want);
  });

  it('a HOME inside the scan root is the tree, not the user: its .yarnrc.yml is not trusted', async () => {
    const root = tempDir();
    const home = path.join(root, 'home');
    mkdirSync(home);
    writeFileSync(path.join(home, '.yarnrc.yml'), 'npmRegistryServer: https://tree.example/\nnpmAuthToken: x\n');
    expect(await loadYarnUserConfig(root, { HOME: home })).toMatchObject({ scopes: {}, registries: {} });
    expect((await loadYarnUserConfig(root, { HOME: home })).registry).toBeUndefined();
    const outside = tempDir();
    expect((await loadYarnUserConfig(outside, { HOME: home })).registry?.value).toBe('https://tree.example/');
  });

  it('a home .yarnrc.yml that is not a regular file is a problem, never read', async () => {
    const home = tempDir();
    mkdirSync(path.join(home, '.yarnrc.yml'));
    const c = await loadYarnUserConfig(tempDir(), { HOME: home });
    expect(c.problem).toMatch(/could not be opened/);
    expect(c.problem).not.toContain(home);
  });
});
