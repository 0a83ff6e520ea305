import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanOptions } from '../../src/core/context.js';
import { depsStage } from '../../src/deps/stage.js';
import { scanWith } from '../helpers/scan.js';
import { sri, type EndpointsServer } from '../helpers/npm-endpoints-server.js';
import { TEST_STAGE, policyWith, tempDir } from './scan.js';

export const TIME = '2022-01-01T00:00:00Z';
export const PLAIN = {
  name: 'plain-thing',
  versions: [{ version: '3.0.0', integrity: sri('sha512', Buffer.from('p')), time: TIME }],
};
export const SCOPED = {
  name: '@corp/thing',
  versions: [{ version: '1.2.0', integrity: sri('sha512', Buffer.from('c')), time: TIME }],
};
export const SECRET = 'npm_PLANTEDyarnSecret0123456789';

export function berryLock(withScoped: boolean): string {
  return berryLockOf([
    ...(withScoped ? [{ name: '@corp/thing', version: '1.2.0' }] : []),
    { name: 'plain-thing', version: '3.0.0' },
  ]);
}

/** A yarn 4 lockfile (metadata 8) whose root workspace depends on each package at its version. */
export function berryLockOf(packages: readonly { readonly name: string; readonly version: string }[]): string {
  const sorted = [...packages].sort((a, b) => (a.name < b.name ? -1 : 1));
  const key = (name: string) => (name.startsWith('@') ? `"${name}"` : name);
  const deps = sorted.map((p) => `    ${key(p.name)}: "npm:^${p.version}"\n`).join('');
  const entry = (p: { name: string; version: string }) =>
    `"${p.name}@npm:^${p.version}":\n  version: ${p.version}\n  resolution: "${p.name}@npm:${p.version}"\n  checksum: 10c0/${createHash('sha512').update(p.name).digest('hex')}\n  languageName: node\n  linkType: hard\n`;
  return [
    '__metadata:\n  version: 8\n  cacheKey: 10c0\n',
    `"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n${deps}  languageName: unknown\n  linkType: soft\n`,
    ...sorted.map(entry),
  ].join('\n');
}

export interface Project {
  readonly yarnrc?: string;
  readonly scoped?: boolean;
  /** Text of `$HOME/.yarnrc.yml` (a temp HOME outside the scanned tree). */
  readonly home?: string;
  readonly env?: Record<string, string>;
  readonly allowed: readonly { readonly url: string }[];
  readonly cacheDir?: string;
  readonly offline?: boolean;
  /** The scanned folder (default: a new temp folder). */
  readonly root?: string;
  /** yarn.lock text (default: `berryLock(scoped)`). */
  readonly lock?: string;
}

/** A yarn 2+ project on disk (yarn.lock, .yarnrc.yml, a temp HOME) scanned by the deps and registry stages. */
export async function scanProject(p: Project) {
  const root = p.root ?? tempDir('chainproof-berryreg-');
  writeFileSync(path.join(root, 'yarn.lock'), p.lock ?? berryLock(p.scoped === true));
  if (p.yarnrc !== undefined) writeFileSync(path.join(root, '.yarnrc.yml'), p.yarnrc);
  const env: Record<string, string> = { ...p.env };
  if (p.home !== undefined) {
    const home = tempDir('chainproof-berryreg-home-');
    writeFileSync(path.join(home, '.yarnrc.yml'), p.home);
    env.HOME = home;
  }
  const options: Partial<ScanOptions> = { offline: p.offline ?? false, env, cacheDir: p.cacheDir };
  const result = await scanWith(root, [depsStage, TEST_STAGE], {
    policy: policyWith({ verifySignatures: false, allowedRegistries: p.allowed.map((s) => s.url) }),
    options,
  });
  return { result, ids: result.findings.map((f) => f.ruleId).sort() };
}

export const asked = (s: EndpointsServer) => s.requests.map((r) => decodeURIComponent(r.url.split('?')[0]!)).sort();
