import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import type { Finding, Level, ResolvedFinding } from '../../src/core/finding.js';
import { compareFindings, fingerprintOf } from '../../src/core/fingerprint.js';
import type { DependencyGraph, ModelRecord, PackageNode, VerificationRecord } from '../../src/core/records.js';
import type { ScanResult } from '../../src/core/result.js';
import type { SkippedFile } from '../../src/core/files.js';
import type { Notification } from '../../src/core/stage.js';
import { corpusPath } from '../helpers/corpus.js';

/** A resolved finding as the pipeline makes it: level decided, fingerprint from content. */
export function finding(f: Finding & { level: Level }): ResolvedFinding {
  return { ...f, fingerprint: fingerprintOf(f) };
}

export function pkg(p: Partial<PackageNode> & { name: string; version: string }): PackageNode {
  return {
    lockfile: 'package-lock.json',
    line: 1,
    dev: false,
    optional: false,
    peer: false,
    workspace: '',
    path: ['root', p.name],
    source: 'registry',
    key: `node_modules/${p.name}`,
    ...p,
  };
}

export interface ResultParts {
  findings?: ResolvedFinding[];
  models?: ModelRecord[];
  graphs?: DependencyGraph[];
  verifications?: VerificationRecord[];
  skipped?: SkippedFile[];
  notifications?: Notification[];
  complete?: boolean;
  shard?: { index: number; count: number };
}

/** A ScanResult built by hand, with the summary computed the way the pipeline does. */
export function makeResult(parts: ResultParts = {}): ScanResult {
  const findings = [...(parts.findings ?? [])].sort(compareFindings);
  const byLevel: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) byLevel[f.level]++;
  const verifications = parts.verifications ?? [];
  const graphs = parts.graphs ?? [];
  const models = parts.models ?? [];
  return {
    findings,
    suppressed: [],
    files: [],
    skipped: parts.skipped ?? [],
    graphs,
    models,
    verifications,
    notifications: parts.notifications ?? [],
    summary: {
      files: 10,
      lockfiles: graphs.length,
      packages: graphs.reduce((n, g) => n + g.packages.length, 0),
      models: models.length,
      verified: verifications.filter((v) => v.status === 'verified').length,
      failed: verifications.filter((v) => v.status === 'failed').length,
      unverifiable: verifications.filter((v) => v.status === 'unverifiable').length,
      byLevel,
      suppressed: 0,
    },
    policySource: 'embedded default',
    registryFiles: [],
    ...(parts.shard ? { shard: parts.shard } : {}),
    complete: parts.complete ?? true,
  };
}

/** A small, varied result: lockfile, model and scanner findings, verifications of every status. */
export function sampleResult(): ScanResult {
  return makeResult({
    findings: [
      finding({
        ruleId: 'CPD002',
        level: 'error',
        message: 'lodash@4.17.20 has no integrity in package-lock.json; run npm install to record it.',
        location: { path: 'package-lock.json', line: 12 },
        artifact: { kind: 'package', ecosystem: 'npm', name: 'lodash', version: '4.17.20' },
      }),
      finding({
        ruleId: 'CPD002',
        level: 'error',
        message: 'ms@2.1.3 has no integrity.',
        location: { path: 'package-lock.json', line: 40 },
        artifact: { kind: 'package', ecosystem: 'npm', name: 'ms', version: '2.1.3' },
      }),
      finding({
        ruleId: 'CPI001',
        level: 'error',
        message: 'models/evil.pkl imports os.system | runs code on load',
        location: { path: 'models/evil.pkl', member: 'data.pkl' },
        artifact: { kind: 'model', path: 'models/evil.pkl', sha256: 'a'.repeat(64) },
        evidence: { global: 'os.system' },
      }),
      finding({
        ruleId: 'CPM001',
        level: 'warning',
        message: 'models/b,c:d.safetensors is not in the trusted registry',
        location: { path: 'models/b,c:d.safetensors' },
      }),
      finding({
        ruleId: 'CPX001',
        level: 'note',
        message: 'weights/100%\nnew.bin could not be parsed',
        location: { path: 'weights/100%\nnew.bin', line: 3, column: 5 },
      }),
    ],
    models: [
      { path: 'models/evil.pkl', format: 'pickle', size: 120, digests: { sha256: 'a'.repeat(64) } },
      {
        path: 'models/b,c:d.safetensors',
        format: 'safetensors',
        size: 4096,
        digests: { sha256: 'b'.repeat(64), sha512: 'c'.repeat(128) },
        registryEntry: 'demo@main',
      },
    ],
    graphs: [
      {
        lockfile: 'package-lock.json',
        kind: 'npm',
        formatVersion: '3',
        importers: {},
        packages: [
          pkg({
            name: 'lodash',
            version: '4.17.20',
            line: 12,
            resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz',
          }),
          pkg({
            name: 'ms',
            version: '2.1.3',
            line: 40,
            integrity:
              'sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==',
            dev: true,
          }),
          pkg({
            name: '@scope/tool',
            version: '1.0.0-beta.1',
            line: 60,
            integrity: 'sha1-MEbD3QTr86vtjkDGsPhTrOVHkFM= sha512-bogus',
            resolved: 'https://user:secret-token@npm.example.com/@scope/tool/-/tool-1.0.0-beta.1.tgz?auth=abc',
          }),
        ],
      },
    ],
    verifications: [
      { key: 'pkg:npm/lodash@4.17.20', status: 'unverifiable', detail: 'registry unreachable' },
      { key: 'pkg:npm/ms@2.1.3', status: 'verified' },
      { key: 'file:models/evil.pkl', status: 'failed', detail: 'digest mismatch' },
    ],
    skipped: [{ path: 'link-out', reason: 'symlink-outside-root', detail: '-> /etc/passwd' }],
    notifications: [{ level: 'warning', message: 'link-out not scanned', path: 'link-out' }],
  });
}

/**
 * The SARIF 2.1.0 schema from ../shared/corpora/sarif, compiled for the draft it declares (2020-12). The published file
 * nests `region`'s `anyOf` (startLine | charOffset | byteOffset, SARIF §3.30.2) inside `properties`, which no
 * meta-schema accepts; it is moved up to `region`, where the spec puts the constraint.
 * Compiled once per test worker (about 1 s of CPU each time; five files validate SARIF, e2e twice).
 */
export function sarifValidator(): ValidateFunction {
  compiledSarif ??= compileSarifSchema();
  return compiledSarif;
}
let compiledSarif: ValidateFunction | undefined;

function compileSarifSchema(): ValidateFunction {
  const schema = JSON.parse(readFileSync(corpusPath('sarif/sarif-schema-2.1.0.json'), 'utf8'));
  expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  const region = schema.definitions.region;
  if (Array.isArray(region.properties.anyOf)) {
    region.anyOf = region.properties.anyOf;
    delete region.properties.anyOf;
  }
  const ajv = new Ajv2020.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}
