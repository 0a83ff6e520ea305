import { describe, expect, it } from 'vitest';
import type { ResolvedFinding } from '../../../src/core/finding.js';
import type { DependencyGraph } from '../../../src/core/records.js';
import { withoutUnstatedScripts } from '../../../src/app/review/unstated-scripts.js';

/** A base graph of `kind`, only the fields withoutUnstatedScripts reads. */
const graph = (kind: string, packages: { name: string; version: string; hasInstallScript?: boolean }[]) =>
  ({ kind, lockfile: 'bun.lock', formatVersion: '1', packages }) as unknown as DependencyGraph;
const cpd012 = (name: string, version: string) =>
  ({
    ruleId: 'CPD012',
    location: { path: 'bun.lock', line: 12 },
    artifact: { kind: 'package', name, version },
  }) as unknown as ResolvedFinding;

// Bun 1.2 writes no hasInstallScript on registry entries, Bun 1.4.5 does: a relock adds it to unchanged packages.
describe('withoutUnstatedScripts for bun.lock', () => {
  it('drops the CPD012 of a package the base entry did not state, keeps one the base stated', () => {
    const base = [
      graph('bun', [
        { name: 'esbuild', version: '0.28.2' },
        { name: 'sharp', version: '0.34.0', hasInstallScript: true },
      ]),
    ];
    const head = [cpd012('esbuild', '0.28.2'), cpd012('sharp', '0.34.0'), cpd012('esbuild', '0.29.0')];
    const kept = withoutUnstatedScripts(head, base).map((f) =>
      f.artifact?.kind === 'package' ? `${f.artifact.name}@${f.artifact.version}` : '',
    );
    // sharp's is not new either, but the base stated it: the head finding is dropped elsewhere (not introduced).
    expect(kept).toEqual(['sharp@0.34.0', 'esbuild@0.29.0']);
  });
});
