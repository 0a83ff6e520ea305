import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import type { Finding } from '../../src/core/finding.js';
import { committedCredentials } from '../../src/deps/checks/npmrc.js';
import { yarnrcCredentials } from '../../src/deps/checks/yarnrc.js';
import { parseBunfig } from '../../src/deps/bunfig.js';
import { parseNpmrc } from '../../src/deps/npmrc.js';
import { parseYarnrc } from '../../src/deps/yarnrc.js';
import { redactStrings } from '../../src/report/redact.js';

/**
 * The file's CPD168, or none: at `want.line`, naming `want.keys`, and no secret in what reports print of it (the
 * parsed config too, `shown`).
 */
function expectCredentials(
  found: Finding | undefined,
  want: { line: number; keys: string } | undefined,
  shown: unknown,
  secret: RegExp,
): void {
  if (want === undefined) {
    expect(found).toBeUndefined();
    return;
  }
  expect(found?.ruleId).toBe('CPD168');
  expect(found!.location.line).toBe(want.line);
  expect(found!.evidence?.['keys']).toBe(want.keys);
  expect(JSON.stringify(redactStrings([found!.message, found!.evidence, shown]))).not.toMatch(secret);
}

/**
 * CPD168: npm reads `_authToken`, `_auth` and `_password` from the project's `.npmrc` as from any other
 * (@npmcli/config); a value written there, not `${VAR}` npm expands, is a secret in the repository. A registry URL
 * with a password, or a Gemfury/Cloudsmith token in its path, is one too. One finding per file, keys and lines only.
 */
describe('credentials written into a repository .npmrc (CPD168)', () => {
  it.each([
    {
      name: 'a literal token for a registry',
      text: '//registry.npmjs.org/:_authToken=npm_MadeUpToken000111\n',
      env: {},
      want: { line: 1, keys: '//registry.npmjs.org/:_authToken' },
    },
    {
      name: 'legacy top-level _auth and a registry with a password, one finding',
      text: 'registry=https://ci:MadeUpPass9@registry.npmjs.org/\n_auth=bWFkZTp1cA==\n',
      env: {},
      want: { line: 1, keys: 'registry, _auth' },
    },
    {
      name: 'a Gemfury scope registry with its token in the path',
      text: '@acme:registry=https://npm-proxy.fury.io/MadeUpFury7/acme/\n',
      env: {},
      want: { line: 1, keys: '@acme:registry' },
    },
    {
      name: 'a variable set in the environment is no committed secret',
      text: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n',
      env: { NPM_TOKEN: 'npm_FromTheEnvironment1' },
      want: undefined,
    },
    {
      name: 'an unset variable neither',
      text: '//npm.pkg.github.com/:_authToken=${GH_TOKEN}\n_auth=${NPM_AUTH?}\n',
      env: {},
      want: undefined,
    },
    {
      name: 'a user name, an email and always-auth are no secrets; a public Gemfury registry has no token',
      text: '//registry.npmjs.org/:username=ci\nemail=ci@example.com\nalways-auth=true\n@acme:registry=https://npm.fury.io/acme/\n',
      env: {},
      want: undefined,
    },
  ])('$name', ({ text, env, want }) => {
    const found = committedCredentials({ path: '.npmrc', text, config: parseNpmrc(text, env) });
    expectCredentials(found, want, undefined, /MadeUp|bWFkZTp1cA/);
  });
});

/** yarn 2+ (plugin-npm `getAuthConfiguration`): `npmAuthToken`/`npmAuthIdent` at the top, per scope, per registry. */
describe('credentials written into a repository .yarnrc.yml (CPD168)', () => {
  it.each([
    {
      name: 'a top-level token, a scope ident and a registry entry token: one finding, every key and line',
      text:
        'npmAuthToken: npm_MadeUpYarn1\n' +
        'npmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.example"\n    npmAuthIdent: "ci:MadeUpPass2"\n' +
        'npmRegistries:\n  "//npm.corp.example":\n    npmAuthToken: MadeUpYarn3\n',
      want: {
        line: 1,
        keys: 'npmAuthToken, npmScopes.acme.npmAuthIdent, npmRegistries["//npm.corp.example"].npmAuthToken',
      },
    },
    {
      name: 'a registry server URL with a password',
      text: 'npmRegistryServer: "https://ci:MadeUpPass4@registry.yarnpkg.com"\n',
      want: { line: 1, keys: 'npmRegistryServer' },
    },
    {
      name: 'tokens from variables are none',
      text: 'npmAuthToken: "${NPM_TOKEN}"\nnpmScopes:\n  acme:\n    npmAuthIdent: "${ACME_IDENT:-}"\n',
      want: undefined,
    },
  ])('$name', ({ text, want }) => {
    const config = parseYarnrc(text, {});
    expectCredentials(yarnrcCredentials('.yarnrc.yml', config), want, config, /MadeUp/);
  });
});

/** bun (bunfig.zig `Parser.parseRegistry`): `token`/`password` of `[install.registry]` and `[install.scopes]`, `$NAME` expanded. */
describe('credentials written into a repository bunfig.toml (CPD168)', () => {
  it.each([
    {
      name: 'a table token, an inline scope password and a URL with a password: one finding, every key and line',
      text:
        '[install.registry]\nurl = "https://registry.npmjs.org/"\ntoken = "MadeUpBun1"\n\n' +
        '[install.scopes]\nacme = { url = "https://npm.acme.example/", username = "ci", password = "MadeUpBun2" }\n' +
        'corp = "https://ci:MadeUpBun3@npm.corp.example/"\n',
      want: {
        line: 3,
        keys: 'install.registry.token, install.scopes.acme.password, install.scopes.corp',
      },
    },
    {
      name: 'values from the environment are none',
      text: '[install.scopes]\nacme = { url = "https://npm.acme.example/", token = "$ACME_TOKEN" }\n',
      want: undefined,
    },
  ])('$name', ({ text, want }) => {
    const { config, keys, credentials } = parseBunfig('bunfig.toml', text);
    const found = committedCredentials({ path: 'bunfig.toml', text, config, keys, credentials: credentials ?? [] });
    expectCredentials(found, want, config, /MadeUp/);
  });
});

describe('CPD168 needs no lockfile', () => {
  it('a library that commits no lockfile: its .npmrc and a nested .yarnrc.yml are each one CPD168, nothing printed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cred-nolock-'));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, '.npmrc'), '//registry.npmjs.org/:_authToken=npm_MadeUpNoLock1\n');
    await writeFile(path.join(dir, 'sub', '.yarnrc.yml'), 'npmAuthToken: MadeUpNoLock2\n');
    await writeFile(path.join(dir, 'package.json'), '{"name":"lib","version":"1.0.0"}\n');
    const r = await runMain(['scan', dir, '--offline', '--quiet', '--no-progress', '-f', 'json', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const findings = (JSON.parse(r.stdout) as { findings: { ruleId: string; location: { path: string } }[] }).findings;
    expect(findings.filter((f) => f.ruleId === 'CPD168').map((f) => f.location.path)).toEqual([
      '.npmrc',
      'sub/.yarnrc.yml',
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/MadeUp/);
  });
});

/**
 * A token in a URL's query is as much a secret as one in its user info: every report masks it
 * (core/redact-userinfo.ts), and npm fetches the URL query and all (pacote RemoteFetcher), so the lockfile's link
 * works for anyone who reads it. CPD163 for a lockfile, CPD168 for an .npmrc registry.
 */
describe('credentials in a URL query', () => {
  const lock = (resolved: Record<string, string>) =>
    JSON.stringify({
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': {
          name: 'app',
          version: '1.0.0',
          dependencies: Object.fromEntries(Object.keys(resolved).map((n) => [n, '^1.0.0'])),
        },
        ...Object.fromEntries(
          Object.entries(resolved).map(([n, url]) => [
            `node_modules/${n}`,
            { version: '1.0.0', resolved: url, integrity: `sha512-${Buffer.alloc(64, n).toString('base64')}` },
          ]),
        ),
      },
    });

  it('a lockfile whose resolved URLs carry ?token=, access_token or a presigned credential is one CPD163', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-query-token-'));
    await writeFile(
      path.join(dir, 'package-lock.json'),
      lock({
        a: 'https://npm.corp.example/a/-/a-1.0.0.tgz?token=MadeUpQuery1',
        b: 'https://gitlab.corp.example/api/v4/projects/7/packages/npm/b/-/b-1.0.0.tgz?private_token=MadeUpQuery2',
        c: 'https://bucket.s3.amazonaws.com/c-1.0.0.tgz?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAMADEUP3%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=MadeUpQuery4',
        d: 'https://registry.npmjs.org/d/-/d-1.0.0.tgz?cache=1',
        e: 'https://npm.corp.example/e/-/e-1.0.0.tgz?token=',
      }),
    );
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '-f', 'json', '--fail-on', 'none']);
    const hits = (JSON.parse(r.stdout) as { findings: Finding[] }).findings.filter((f) => f.ruleId === 'CPD163');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.evidence).toMatchObject({ count: 3, packages: 'a@1.0.0, b@1.0.0, c@1.0.0' });
    expect(r.stdout + r.stderr).not.toMatch(/MadeUp/);
  });

  it('an .npmrc registry with a token in its query is one CPD168; a plain query is none', () => {
    const text =
      'registry=https://npm.corp.example/?access_token=MadeUpQuery5\n@acme:registry=https://npm.acme.example/?v=2\n';
    const found = committedCredentials({ path: '.npmrc', text, config: parseNpmrc(text, {}) });
    expectCredentials(found, { line: 1, keys: 'registry' }, undefined, /MadeUp/);
  });

  it('a bunfig.toml registry or scope URL with a token in its query is CPD168, as one with a password is', () => {
    const text =
      '[install]\nregistry = "https://npm.corp.example/?token=MadeUpQuery6"\n\n' +
      '[install.scopes]\nacme = { url = "https://npm.acme.example/?private_token=MadeUpQuery7" }\n' +
      'plain = "https://npm.plain.example/?v=2"\n';
    const { config, keys, credentials } = parseBunfig('bunfig.toml', text);
    const found = committedCredentials({ path: 'bunfig.toml', text, config, keys, credentials: credentials ?? [] });
    expectCredentials(found, { line: 2, keys: 'install.registry, install.scopes.acme' }, config, /MadeUp/);
  });

  it('a .yarnrc.yml npmRegistryServer with a token in its query is CPD168, at the top level and per scope', () => {
    const text =
      'npmRegistryServer: "https://npm.corp.example/?access_token=MadeUpQuery8"\n' +
      'npmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.example/?token=MadeUpQuery9"\n' +
      '  plain:\n    npmRegistryServer: "https://npm.plain.example/?token=${PLAIN_TOKEN}"\n';
    const config = parseYarnrc(text, {});
    expectCredentials(
      yarnrcCredentials('.yarnrc.yml', config),
      { line: 1, keys: 'npmRegistryServer, npmScopes.acme.npmRegistryServer' },
      config,
      /MadeUp/,
    );
  });
});
