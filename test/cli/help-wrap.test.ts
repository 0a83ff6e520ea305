import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { POLICY_FILE_CANDIDATES } from '../../src/trust/policy/find.js';
import { runCli } from '../helpers/cli.js';

/** Whitespace-separated words of the help text, with every wrapped line joined back to the one before it. */
function words(help: string): Set<string> {
  return new Set(help.split(/\s+/).filter(Boolean));
}

// The built CLI bundles cliui's word-wrapping entry (scripts/bundle-cli.mjs): its ESM entry cut words at the column.
describe('top-level --help wraps at word boundaries', () => {
  const help = runCli(['--help']);

  it('exits 0', () => {
    expect(help.code).toBe(0);
  });

  it.each(COMMANDS.map((c) => [c.command, c.describe] as const))(
    '%s: every word of its description is whole',
    (_, text) => {
      const seen = words(help.stdout);
      const broken = text.split(/\s+/).filter((w) => !seen.has(w));
      expect(broken).toEqual([]);
    },
  );

  it('the exit-code epilog keeps its words whole', () => {
    expect(words(help.stdout).has('failure,')).toBe(true);
  });
});

describe('scan --help says where scan looks for a policy', () => {
  it('names every file findPolicyFile tries, in its order', () => {
    const help = runCli(['scan', '--help']);
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' ');
    const at = POLICY_FILE_CANDIDATES.map((name) => text.indexOf(name));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
