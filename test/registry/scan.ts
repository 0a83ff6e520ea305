import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type ScanOptions } from '../../src/core/context.js';
import type { Policy } from '../../src/core/policy.js';
import type { DependencyGraph, PackageNode } from '../../src/core/records.js';
import type { ScanResult } from '../../src/core/result.js';
import type { Stage } from '../../src/core/stage.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { scanRepository } from '../../src/app/scan.js';
import { parseLockfile } from '../../src/deps/index.js';
import { createRegistryStage } from '../../src/registry/stage.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { afterEach } from 'vitest';
import {
  readFixtureJson,
  registryKeysFromTuf,
  startNpmEndpoints,
  type EndpointsOptions,
  type EndpointsServer,
} from '../helpers/npm-endpoints-server.js';

/**
 * Timeouts short enough that fault tests are quick (the stalling faults delay 3 s or more), long enough that a loaded
 * CI machine answers a healthy loopback request in time (400 ms did not, at load 20); retries stay on so back-off is
 * exercised.
 */
export const TEST_STAGE = createRegistryStage({ timeoutMs: 2_000, retries: 1, minRetryDelayMs: 10 });

export interface ScanSetup {
  readonly root: string;
  readonly graphs: readonly DependencyGraph[];
  readonly registry?: string;
  readonly offline?: boolean;
  readonly verifyTarballs?: boolean;
  readonly cacheDir?: string;
  readonly env?: Record<string, string | undefined>;
  readonly policy?: Partial<Policy['dependencies']> & { trustedRoot?: string };
  /** Another registry stage (e.g. a small budget); default TEST_STAGE. */
  readonly stage?: Stage;
}

export function policyWith(p: ScanSetup['policy'] = {}): Policy {
  const { trustedRoot, ...deps } = p;
  return {
    ...DEFAULT_POLICY,
    dependencies: { ...DEFAULT_POLICY.dependencies, ...deps },
    signatures: { ...DEFAULT_POLICY.signatures, ...(trustedRoot !== undefined ? { trustedRoot } : {}) },
  };
}

export function scanGraphs(setup: ScanSetup): Promise<ScanResult> {
  const graphsStage: Stage = { name: 'graphs', run: () => Promise.resolve({ graphs: setup.graphs }) };
  const options: ScanOptions = {
    offline: setup.offline ?? false,
    concurrency: 8,
    verifyTarballs: setup.verifyTarballs ?? false,
    cacheDir: setup.cacheDir,
    registry: setup.registry,
    shard: undefined,
    // No HOME: the developer's own ~/.npmrc must not leak into tests.
    env: setup.env ?? {},
  };
  return scanRepository({
    root: setup.root,
    policy: policyWith(setup.policy),
    registry: EMPTY_REGISTRY,
    options,
    include: [],
    exclude: ['**'],
    logger: silentLogger,
    stages: [graphsStage, setup.stage ?? TEST_STAGE],
    today: '2026-01-01',
  });
}

export function tempDir(prefix = 'chainproof-registry-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface LockEntry {
  readonly name: string;
  readonly version: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly hasInstallScript?: boolean;
}

/** Write an npm v3 package-lock.json into `root` and parse it with the real lockfile parser (real line numbers). */
export function writeLockfile(root: string, entries: readonly LockEntry[]): DependencyGraph {
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: Object.fromEntries(entries.map((e) => [e.name, e.version])) },
  };
  for (const e of entries)
    packages[`node_modules/${e.name}`] = {
      version: e.version,
      ...(e.resolved !== undefined ? { resolved: e.resolved } : {}),
      ...(e.integrity !== undefined ? { integrity: e.integrity } : {}),
      ...(e.hasInstallScript ? { hasInstallScript: true } : {}),
    };
  const text = `${JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
  writeFileSync(path.join(root, 'package-lock.json'), text);
  return parseLockfile('package-lock.json', text);
}

/** A hand-built node, for graphs that need no lockfile text. */
export function node(name: string, version: string, extra: Partial<PackageNode> = {}): PackageNode {
  return {
    name,
    version,
    lockfile: 'package-lock.json',
    line: 10,
    dev: false,
    optional: false,
    peer: false,
    workspace: '',
    path: ['app', name],
    source: 'registry',
    key: `node_modules/${name}`,
    ...extra,
  };
}

export function graphOf(packages: readonly PackageNode[]): DependencyGraph {
  return { lockfile: 'package-lock.json', kind: 'npm', formatVersion: '3', packages, importers: {} };
}

export function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length;
}

/** npm's registry signing keys (from Sigstore's TUF repository), as the loopback registry publishes them. */
export const NPM_KEYS = registryKeysFromTuf(readFixtureJson('sigstore/public-good/npm-registry-keys.json'));

/** Five real `dist.signatures` (kms-demo, node-fetch, async, @npmcli/arborist, light-cycle) from npm/cli's tests. */
export interface SignedVersion {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly keyid: string;
  readonly sig: string;
}
export const SIGNED_VERSIONS = readFixtureJson('sigstore/npm-registry-signatures.json') as SignedVersion[];

/** Loopback npm endpoint servers for a test file: each one started is closed after its test. */
export function endpointsPerTest(
  defaults: Partial<EndpointsOptions> = {},
): (opts?: Partial<EndpointsOptions>) => Promise<EndpointsServer> {
  let servers: EndpointsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  return async (opts = {}) => {
    const s = await startNpmEndpoints({ ...defaults, ...opts } as EndpointsOptions);
    servers.push(s);
    return s;
  };
}
