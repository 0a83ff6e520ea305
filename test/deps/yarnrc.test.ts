import { describe, expect, it } from 'vitest';
import { expandYarnEnv, parseYarnrc, YarnrcError } from '../../src/deps/yarnrc.js';

describe('parseYarnrc', () => {
  it('reads registries, scopes, CAs, strict SSL and the http whitelist with their lines, never a token', () => {
    const text = [
      'nodeLinker: node-modules', // 1
      'npmRegistryServer: "https://user:s3cret@npm.corp.example/repo"', // 2
      'npmAuthToken: npm_TOPLEVELsecret', // 3
      'npmScopes:', // 4
      '  acme:', // 5
      '    npmRegistryServer: https://npm.pkg.github.com', // 6
      '    npmAuthToken: ${GH_TOKEN}', // 7
      'httpsCaFilePath: ./certs/ca.pem', // 8
      'caFilePath: /etc/old-ca.pem', // 9
      'networkSettings:', // 10
      '  "*.corp.example":', // 11
      '    httpsCaFilePath: ./corp-ca.pem', // 12
      'enableStrictSsl: false', // 13
      'unsafeHttpWhitelist:', // 14
      '  - localhost', // 15
      '  - "*.insecure.example"', // 16
      'enableScripts: false', // 17
    ].join('\n');
    const c = parseYarnrc(text, { GH_TOKEN: 'ghp_ENVsecret' });
    expect(c.enableScripts).toBe(false);
    expect(c.enableScriptsLine).toBe(17);
    expect(c.settings.map((s) => `${s.kind} ${s.key}=${s.value}:${s.line}${s.scope ? ` ${s.scope}` : ''}`)).toEqual([
      'registry npmRegistryServer=https://npm.corp.example/repo:2',
      'registry npmScopes.acme.npmRegistryServer=https://npm.pkg.github.com/:6 @acme',
      'certificate httpsCaFilePath=./certs/ca.pem:8',
      'certificate caFilePath=/etc/old-ca.pem:9',
      'certificate networkSettings.*.corp.example.httpsCaFilePath=./corp-ca.pem:12',
      'certificate enableStrictSsl=false:13',
      'plain-http unsafeHttpWhitelist=*.insecure.example:16',
    ]);
    const out = JSON.stringify(c);
    for (const secret of ['s3cret', 'npm_TOPLEVELsecret', 'ghp_ENVsecret', 'GH_TOKEN'])
      expect(out).not.toContain(secret);
  });

  it.each([
    { name: 'false', text: 'enableScripts: false', want: false },
    { name: 'quoted "false"', text: 'enableScripts: "false"', want: false },
    { name: '0', text: 'enableScripts: 0', want: false },
    { name: 'true', text: 'enableScripts: true', want: true },
    { name: 'from the environment', text: 'enableScripts: ${SCRIPTS}', env: { SCRIPTS: 'false' }, want: false },
    { name: 'env default', text: 'enableScripts: ${UNSET:-false}', want: false },
    { name: 'env unknown', text: 'enableScripts: ${UNSET}', want: undefined },
    { name: 'not a boolean (yarn aborts)', text: 'enableScripts: nope', want: undefined },
    { name: 'the last duplicate wins', text: 'enableScripts: false\nenableScripts: true', want: true },
    { name: 'unset', text: 'nodeLinker: pnp', want: undefined },
    { name: 'empty file', text: '', want: undefined },
    { name: 'comments only', text: '# nothing\n', want: undefined },
  ])('enableScripts: $name → $want', ({ text, env, want }) => {
    expect(parseYarnrc(text, env ?? {}).enableScripts).toBe(want);
  });

  it.each([
    { name: 'broken YAML', text: 'nodeLinker: pnp\nenableScripts: false\n  oops: true\n', line: 2 },
    { name: 'a list at the top', text: '- enableScripts\n', line: 1 },
  ])('$name → YarnrcError', ({ text, line }) => {
    let err: unknown;
    try {
      parseYarnrc(text, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(YarnrcError);
    if (line !== undefined) expect((err as YarnrcError).line).toBe(line);
  });

  it('aliases resolve as js-yaml reads them, without expanding a billion laughs', () => {
    expect(parseYarnrc(`${laughs()}off: &off "false"\nenableScripts: *off\n`, {}).enableScripts).toBe(false);
  });

  it('a comma-separated whitelist string, loopback skipped', () => {
    const c = parseYarnrc('unsafeHttpWhitelist: "localhost,127.0.0.1,mirror.example"\n', {});
    expect(c.settings).toEqual([
      { kind: 'plain-http', key: 'unsafeHttpWhitelist', value: 'mirror.example', line: 1, slot: 'unsafeHttpWhitelist' },
    ]);
  });

  it.each([
    { input: '${A}', want: '1' },
    { input: '${B:-x}', want: 'x' },
    { input: '${E:-x}', want: 'x' },
    { input: '${E-x}', want: '' },
    { input: '${B-x}', want: 'x' },
    { input: '${B}', want: '${B}' },
  ])('expandYarnEnv $input → $want', ({ input, want }) => {
    expect(expandYarnEnv(input, { A: '1', E: '' })).toBe(want);
  });
});

/** Nested aliases that would expand to 10^9 nodes. */
function laughs(): string {
  const out = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    out.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${out.join('\n')}\n`;
}
