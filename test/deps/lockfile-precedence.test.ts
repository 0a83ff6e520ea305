import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

// A clean v3 lockfile and one with a CPD002 (missing integrity) at line 21, both hand-made cases.
const CLEAN = { copy: 'cases/in-sync.v3/package-lock.json' };
const BAD = { copy: 'cases/missing-integrity.v3/package-lock.json' };

// A clean bun.lock (the sha512 of a hand-made value) and the header of Bun's binary lockfile, which is not read.
const BUN_TEXT = `{
  "lockfileVersion": 1,
  "workspaces": { "": { "name": "app", "dependencies": { "left-pad": "^1.3.0" } } },
  "packages": {
    "left-pad": ["left-pad@1.3.0", "", {}, "sha512-${createHash('sha512').update('left-pad').digest('base64')}"],
  },
}
`;
const BUN_BINARY = '#!/usr/bin/env bun\nbun-lockfile-format-v0\n';

interface Case {
  name: string;
  files: Record<string, string | { copy: string }>;
  /** `ruleId@path:line`, sorted. */
  want: string[];
  /** Paths of the notes saying a lockfile is not read. */
  notRead: string[];
}

/**
 * npm reads npm-shrinkwrap.json and ignores package-lock.json beside it (arborist Shrinkwrap.load); Bun reads bun.lock
 * and ignores bun.lockb beside it (Lockfile.loadFromDir).
 */
const cases: Case[] = [
  {
    name: 'shrinkwrap beside package-lock: npm ignores the package-lock, so its findings are not npm’s',
    files: { 'npm-shrinkwrap.json': CLEAN, 'package-lock.json': BAD },
    want: [],
    notRead: ['package-lock.json'],
  },
  {
    name: 'a tampered shrinkwrap is still judged when a clean package-lock sits beside it',
    files: { 'npm-shrinkwrap.json': BAD, 'package-lock.json': CLEAN },
    want: ['CPD002@npm-shrinkwrap.json:21'],
    notRead: ['package-lock.json'],
  },
  {
    name: 'a corrupt shrinkwrap still hides the package-lock (npm does not fall back)',
    files: { 'npm-shrinkwrap.json': '{"lockfileVersion": 3,', 'package-lock.json': BAD },
    want: ['CPD001@npm-shrinkwrap.json:1'],
    notRead: ['package-lock.json'],
  },
  {
    name: 'an empty shrinkwrap is as none to npm (`sw || lock`): the package-lock is read',
    files: { 'npm-shrinkwrap.json': '', 'package-lock.json': BAD },
    want: ['CPD002@package-lock.json:21'],
    notRead: [],
  },
  {
    name: 'a shrinkwrap in another folder changes nothing here',
    files: { 'package-lock.json': BAD, 'sub/npm-shrinkwrap.json': CLEAN },
    want: ['CPD002@package-lock.json:21'],
    notRead: [],
  },
  {
    name: 'bun.lock beside bun.lockb: Bun reads the text lockfile, never the binary one',
    files: { 'bun.lock': BUN_TEXT, 'bun.lockb': BUN_BINARY },
    want: [],
    notRead: ['bun.lockb'],
  },
  {
    name: 'an empty bun.lock still hides bun.lockb (Bun opens bun.lock and fails on it, no fallback)',
    files: { 'bun.lock': '', 'bun.lockb': BUN_BINARY },
    want: ['CPD001@bun.lock:1'],
    notRead: ['bun.lockb'],
  },
  {
    name: 'bun.lockb alone is read by Bun, and is reported unread here',
    files: { 'bun.lockb': BUN_BINARY, 'sub/bun.lock': BUN_TEXT },
    want: ['CPD001@bun.lockb:1'],
    notRead: [],
  },
];

describe('lockfile precedence: only the lockfile the package manager reads is judged', () => {
  it.each(cases)('$name', async ({ files, want, notRead }) => {
    const result = await scanDeps(await repoWith(files));
    const got = result.findings
      .map((f) => `${f.ruleId}@${f.location.path}${f.location.line !== undefined ? `:${f.location.line}` : ''}`)
      .sort();
    expect(got).toEqual(want);
    expect(
      result.notifications
        .filter((n) => n.level === 'note' && / not scanned: (?:npm|Bun) reads /.test(n.message))
        .map((n) => n.path),
    ).toEqual(notRead);
  });
});
