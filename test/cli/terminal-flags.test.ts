import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { colorWanted, progressWanted } from '../../src/cli/terminal.js';
import { runMain } from '../helpers/cli.js';
import { makeRepo } from '../app/review/repo.js';
import { tempTrees } from '../helpers/temp-tree.js';

describe('colour and the progress line follow the terminal (terminal.ts)', () => {
  it.each([
    { name: 'a terminal', env: {}, tty: true, color: true, progress: true },
    { name: 'a pipe', env: {}, tty: false, color: false, progress: false },
    { name: 'no stream flag at all', env: {}, tty: undefined, color: false, progress: false },
    { name: 'NO_COLOR', env: { NO_COLOR: '1' }, tty: true, color: false, progress: true },
    // supports-color `_supportsColor`: TERM=dumb is level 0; terminfo's dumb has no cursor movement.
    { name: 'TERM=dumb', env: { TERM: 'dumb' }, tty: true, color: false, progress: false },
    { name: 'another TERM', env: { TERM: 'xterm-256color' }, tty: true, color: true, progress: true },
  ])('$name', ({ env, tty, color, progress }) => {
    expect(colorWanted(undefined, env, tty)).toBe(color);
    expect(progressWanted(true, env, tty)).toBe(progress);
  });

  it('--no-progress (or --quiet) wins on any terminal', () => {
    expect(progressWanted(false, {}, true)).toBe(false);
  });

  it('--color and --no-color win over the stream and the environment, as supports-color reads its flags', () => {
    expect(colorWanted(true, { TERM: 'dumb', NO_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted(false, {}, true)).toBe(false);
  });
});

describe('scan and review take the same common flags', () => {
  const FLAGS = ['--no-progress', '--progress', '--quiet', '--no-color', '--color', '--no-cache'];
  const repo = makeRepo({ 'README.md': 'a\n' }, { 'README.md': 'b\n' });
  afterAll(() => repo.cleanup());

  // The same `--no-progress` that scan takes failed review with exit 2 (Unknown argument), and a CI script that hands
  // both commands one set of flags broke.
  it.each(FLAGS)('review accepts %s', async (flag) => {
    const args = ['review', repo.dir, '--base', 'HEAD~1', '--head', 'HEAD', '--offline', '-f', 'json', flag];
    const r = await runMain(args);
    expect(r.stderr).not.toMatch(/Unknown argument/);
    expect(r.code, r.stderr).toBe(0);
  });

  it('scan --color colours the text report even into a pipe; --no-color leaves it plain', async () => {
    const dir = tempTrees('cp-color-')({ 'requirements.txt': 'requests\n' });
    const args = ['scan', dir, '--offline', '--no-cache', '--quiet', '--fail-on', 'none'];
    const forced = await runMain([...args, '--color']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('\u001b[');
    const plain = await runMain([...args, '--no-color']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  // They are global (main.ts registers them on the root parser), so they may stand before the command, with a value:
  // yargs-parser takes the `false` of `--color false` as the flag's, and the command after it is still the one run.
  it('a terminal flag before the command, with or without its value, is read by the command after it', async () => {
    const dir = tempTrees('cp-color-')({ 'requirements.txt': 'requests\n' });
    const args = ['scan', dir, '--offline', '--no-cache', '--quiet', '--fail-on', 'none'];
    const plain = await runMain(['--color', 'false', ...args]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('\u001b[');
    const forced = await runMain(['--color', ...args]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('\u001b[');
  });
});

describe("every command takes scan's --[no-]progress and --[no-]color (terminal-options.ts)", () => {
  const dir = tempTrees('cp-flags-')({
    'shard.sarif': JSON.stringify({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'chainproof', rules: [] } }, results: [] }],
    }),
  });
  // One working invocation of each command: verify, registry add and sarif merge stop at their own usage check, later
  // than the argument parser that refused the flags before.
  const COMMANDS = [
    { name: 'rules', args: ['rules', '--json'], code: 0 },
    { name: 'policy validate', args: ['policy', 'validate', '--root', dir], code: 0 },
    { name: 'policy explain', args: ['policy', 'explain', '--root', dir], code: 0 },
    { name: 'registry check', args: ['registry', 'check', '--root', dir], code: 0 },
    { name: 'registry add', args: ['registry', 'add', '--root', dir], code: 2 },
    { name: 'verify', args: ['verify', path.join(dir, 'none.sigstore.json'), dir], code: 2 },
    { name: 'sarif merge', args: ['sarif', 'merge', path.join(dir, 'shard.sarif')], code: 0 },
  ];
  const FLAGS = ['--no-progress', '--progress', '--no-color', '--color'];
  it.each(COMMANDS.flatMap((c) => FLAGS.map((flag) => ({ ...c, flag }))))(
    '$name $flag',
    async ({ args, flag, code }) => {
      const r = await runMain([...args, flag]);
      expect(r.stderr).not.toMatch(/Unknown argument/);
      expect(r.code, r.stderr).toBe(code);
    },
  );

  it('init takes them too', async () => {
    const r = await runMain(['init', tempTrees('cp-flags-init-')({}), '--no-progress', '--no-color']);
    expect(r.code, r.stderr).toBe(0);
  });
});
