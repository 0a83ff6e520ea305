import type { ScanResult } from '../core/result.js';

/**
 * The JSON report, shape version 1 (documented in README "JSON output"). Additive changes keep the version;
 * anything else bumps it. Absolute paths never appear.
 */
export const JSON_REPORT_VERSION = 1;

export function toJson(result: ScanResult, toolVersion: string): unknown {
  return {
    schemaVersion: JSON_REPORT_VERSION,
    tool: { name: 'chainproof', version: toolVersion },
    complete: result.complete,
    policy: result.policySource,
    trustedRegistry: result.registryFiles,
    ...(result.shard ? { shard: result.shard } : {}),
    summary: result.summary,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      message: f.message,
      location: f.location,
      ...(f.artifact ? { artifact: f.artifact } : {}),
      ...(f.evidence ? { evidence: f.evidence } : {}),
      ...(f.related ? { related: f.related } : {}),
      fingerprint: f.fingerprint,
    })),
    suppressed: result.suppressed.map((f) => ({ ruleId: f.ruleId, location: f.location, fingerprint: f.fingerprint })),
    models: result.models,
    references: result.references ?? [],
    lockfiles: result.graphs.map((g) => ({
      path: g.lockfile,
      kind: g.kind,
      formatVersion: g.formatVersion,
      packages: g.packages.length,
    })),
    verifications: result.verifications,
    notScanned: result.skipped,
    notifications: result.notifications,
  };
}
