import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { parsePlainArgs } from '../../src/cli/fast-args.js';
import { scanCommand, scanFast } from '../../src/cli/commands/scan.js';
import { SCAN_OPTIONS } from '../../src/cli/commands/scan-options.js';

/** What yargs hands the scan handler for `scan …args`: only the declared names (yargs adds aliases, camelCase, $0, _). */
async function viaYargs(args: readonly string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  await yargs(['scan', ...args])
    .command({ ...scanCommand, handler: (a) => void (seen = a as unknown as Record<string, unknown>) })
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  const names = ['dir', ...Object.keys(SCAN_OPTIONS)];
  return Object.fromEntries(names.filter((n) => n in seen).map((n) => [n, seen[n]]));
}

describe('plain scan invocations parse without yargs exactly as yargs parses them', () => {
  it.each([
    { name: 'no arguments', args: [] },
    { name: 'a directory', args: ['some/dir'] },
    { name: 'directory then options', args: ['.', '--offline', '--quiet', '--no-cache'] },
    { name: 'options then directory', args: ['--offline', 'repo'] },
    { name: 'formats paired with outputs', args: ['.', '-f', 'sarif', '-o', 'out.sarif', '-f', 'text'] },
    { name: 'output to stdout', args: ['.', '-f', 'json', '--output=-'] },
    { name: 'long forms with =', args: ['.', '--format=sarif', '--fail-on=warning', '--concurrency=3'] },
    { name: 'number option', args: ['.', '-j', '7'] },
    { name: 'number option, not a number', args: ['.', '-j', 'abc'] },
    { name: 'every negation', args: ['.', '--no-cache', '--no-refs', '--no-progress', '--no-color'] },
    { name: 'colour forced', args: ['.', '--color'] },
    { name: 'strings', args: ['x', '-p', 'p.yml', '--shard', '2/4', '--category', 'c', '--baseline', 'b.sarif'] },
    { name: 'arrays', args: ['x', '-r', 'a.yml', '-r', 'b.yml', '--include', '**/*.pt', '--exclude', 'vendor/**'] },
    { name: 'positional after an array option ends it', args: ['--include', 'a', '--offline', 'dir'] },
    { name: 'the rest', args: ['.', '--npm-registry', 'http://127.0.0.1:1/', '--verify-tarballs', '--cache-dir', 'c'] },
    { name: 'verbose', args: ['.', '--verbose', '--fail-on', 'none'] },
  ])('$name', async ({ args }) => {
    const fast = parsePlainArgs(args, scanFast);
    expect(fast).toBeDefined();
    expect(fast).toEqual(await viaYargs(args));
  });
});

describe('anything else is left to yargs (help, errors, its own readings)', () => {
  it.each([
    { name: 'help', args: ['--help'] },
    { name: 'short help', args: ['-h'] },
    { name: 'unknown option', args: ['--nope'] },
    { name: 'camelCase spelling', args: ['--failOn', 'none'] },
    { name: 'value outside choices', args: ['--fail-on', 'fatal'] },
    { name: 'two directories', args: ['a', 'b'] },
    { name: 'greedy array eats the directory', args: ['-f', 'sarif', 'dir'] },
    { name: 'boolean takes a following false', args: ['--offline', 'false'] },
    { name: 'boolean with a value', args: ['--offline=false'] },
    { name: 'repeated single option', args: ['-j', '2', '-j', '3'] },
    { name: 'option and its negation', args: ['--cache', '--no-cache'] },
    { name: 'grouped short options', args: ['-qj', '4'] },
    { name: 'inline short value', args: ['-j4'] },
    { name: 'negative number', args: ['-j', '-1'] },
    { name: 'a dash after a short option', args: ['-f', 'json', '-o', '-'] },
    { name: 'missing value', args: ['--policy'] },
    { name: 'empty value', args: ['--policy='] },
    { name: 'option terminator', args: ['--', 'dir'] },
  ])('$name', ({ args }) => {
    expect(parsePlainArgs(args, scanFast)).toBeUndefined();
  });
});
