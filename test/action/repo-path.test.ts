import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rootInRepo } from '../../src/action/repo-path.js';
import { corpusPath } from '../helpers/corpus.js';
import { parseAnnotations, runActionInProcess } from './run-dist.js';

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('rootInRepo', () => {
  it('reads a leading `..` as a path segment, not as two characters', () => {
    expect(rootInRepo('/ws', '/ws/..models').prefix).toBe('..models');
    expect(rootInRepo('/ws', '/ws/..models').repoPath?.('a.pkl')).toBe('..models/a.pkl');
    expect(rootInRepo('/ws', '/ws').prefix).toBe('');
    expect(rootInRepo('/ws', '/ws').repoPath?.('a.pkl')).toBe('a.pkl');
    expect(rootInRepo('/ws', '/ws/app').repoPath?.('.')).toBe('app');
    expect(rootInRepo('/ws', '/elsewhere')).toMatchObject({ prefix: '', repoPath: undefined });
    expect(rootInRepo('/ws/sub', '/ws')).toMatchObject({ prefix: '', repoPath: undefined });
  });
});

describe('the Action scanning a folder whose name starts with two dots', () => {
  it('annotates the file and writes SARIF paths from the repository top', async () => {
    // `path: ..models` was taken for a folder outside the workspace: annotations named no file, and the SARIF said
    // `evil.pkl` for `..models/evil.pkl`, so code scanning could place neither.
    const ws = mkdtempSync(path.join(tmpdir(), 'chainproof-ws-'));
    made.push(ws);
    mkdirSync(path.join(ws, '..models'));
    writeFileSync(
      path.join(ws, '..models', 'evil.pkl'),
      readFileSync(corpusPath('pickles/picklescan-data/malicious1_v4.pkl')),
    );
    const r = await runActionInProcess(ws, { path: '..models', offline: 'true', 'fail-on': 'none' });
    expect(r.code, r.stdout).toBe(0);
    const files = parseAnnotations(r.stdout)
      .filter((a) => a.props['title'] !== 'chainproof')
      .map((a) => a.props['file']);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f).toBe('..models/evil.pkl');
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file']!, 'utf8')) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const uris = sarif.runs[0]!.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris.length).toBeGreaterThan(0);
    for (const u of uris) expect(u).toBe('..models/evil.pkl');
  }, 300_000);
});

describe('the Action given a path outside the workspace', () => {
  // `path: ../..` (or a link in the repository to `/`) scanned the runner's home: findings at paths code scanning
  // cannot place, annotations on no file. actions/checkout refuses its own `path` outside the workspace.
  // The workspace is `<outer>/repo`, next to `<outer>/elsewhere`: without the check each case scans a small folder.
  const cases: { name: string; path: (outer: string) => string; link?: boolean }[] = [
    { name: 'a `..` path', path: () => '..' },
    { name: 'an absolute path', path: (outer) => path.join(outer, 'elsewhere') },
    { name: 'a link in the repository that leads out', path: () => 'vendor', link: true },
  ];
  for (const c of cases) {
    it(`${c.name} is one clear error, exit 2, and nothing scanned`, async () => {
      const outer = mkdtempSync(path.join(tmpdir(), 'chainproof-outer-'));
      made.push(outer);
      const ws = path.join(outer, 'repo');
      mkdirSync(ws);
      mkdirSync(path.join(outer, 'elsewhere'));
      if (c.link === true) symlinkSync(path.join(outer, 'elsewhere'), path.join(ws, 'vendor'));
      const r = await runActionInProcess(ws, { path: c.path(outer), offline: 'true' });
      expect(r.code, r.stdout).toBe(2);
      expect(r.stdout).toMatch(/::error title=chainproof::chainproof: error: input path: .* is outside the workspace/);
      expect(existsSync(path.join(ws, 'chainproof.sarif'))).toBe(false);
    });
  }

  it('a link that stays inside the workspace is scanned', async () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'chainproof-ws-'));
    made.push(ws);
    mkdirSync(path.join(ws, 'models'));
    symlinkSync('models', path.join(ws, 'current'));
    const r = await runActionInProcess(ws, { path: 'current', offline: 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(existsSync(path.join(ws, 'chainproof.sarif'))).toBe(true);
  });
});
