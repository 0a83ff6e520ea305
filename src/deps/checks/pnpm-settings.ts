import { createHash } from 'node:crypto';
import type { Finding } from '../../core/finding.js';
import type { DependencyGraph } from '../../core/records.js';
import type { ParsedLockfile, PnpmSettingMismatch } from '../types.js';
import { redactUrls } from './finding.js';
import type { PatchUse } from './patch-scripts.js';

/**
 * The hash pnpm computes for a patch file (`calcPatchHashes`), read as UTF-8 with CRLF turned into LF
 * (`readNormalizedFile`): pnpm 10 writes `createHexHashFromFile` (sha256, hex); pnpm 7–9 `createBase32HashFromFile`
 * (md5, RFC 4648 base32 without padding, lower case; pnpm 7 did not normalise line ends). Undefined for a
 * recorded hash of neither shape, which is not judged.
 */
export function pnpmPatchHashMatches(recorded: string, text: string): boolean | undefined {
  const normal = text.split('\r\n').join('\n');
  if (/^[0-9a-f]{64}$/.test(recorded)) return createHash('sha256').update(normal).digest('hex') === recorded;
  if (/^[a-z2-7]{26}$/.test(recorded))
    return [normal, text].some((t) => base32(createHash('md5').update(t).digest()) === recorded);
  return undefined;
}

/** RFC 4648 base32, lower case, no padding. */
function base32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/**
 * Patch files whose content no longer hashes to what the lockfile records. pnpm compares the `{ hash, path }` it
 * computes from the configured patch files with the lockfile's `patchedDependencies` (`getOutdatedLockfileSetting`,
 * ramda `equals`), so an edited patch is an outdated lockfile like a changed override.
 */
export function patchHashMismatches(
  uses: readonly PatchUse[],
  texts: ReadonlyMap<string, string>,
): PnpmSettingMismatch[] {
  const stale = uses.filter((u) => {
    const text = texts.get(u.path);
    return u.hash !== undefined && text !== undefined && pnpmPatchHashMatches(u.hash, text) === false;
  });
  const first = stale[0];
  if (first === undefined) return [];
  return [
    {
      field: 'patchedDependencies',
      line: first.line,
      detail: stale
        .map((u) => `${u.target}: ${u.path} no longer hashes to the recorded ${u.hash?.slice(0, 64) ?? ''}`)
        .join('; '),
    },
  ];
}

/**
 * CPD026: a pnpm lockfile resolved with other overrides, patches or package extensions than the configuration has
 * now (parsers/pnpm-settings.ts). One cause — the lockfile is stale against its settings — so one finding per
 * lockfile naming every field. pnpm's frozen install refuses it (ERR_PNPM_LOCKFILE_CONFIG_MISMATCH); a plain
 * install re-resolves, so the packages checked here are not what installs. Matching edits to both sides are no
 * mismatch: the lockfile then shows the forced versions and the other rules judge them.
 */
export function checkPnpmSettings(
  graph: DependencyGraph,
  parsed: ParsedLockfile,
  staleHashes: readonly PnpmSettingMismatch[] = [],
): Finding[] {
  const list = [...(parsed.pnpmSettingMismatches ?? []), ...staleHashes];
  const first = list[0];
  if (first === undefined) return [];
  const fields = list.map((m) => m.field).join(', ');
  return [
    {
      ruleId: 'CPD026',
      message: redactUrls(
        `${graph.lockfile} was resolved with other ${fields} than the package.json / pnpm-workspace.yaml configure now (${list.map((m) => `${m.field}: ${m.detail.slice(0, 300)}`).join('; ')}). \`pnpm install --frozen-lockfile\` stops with ERR_PNPM_LOCKFILE_CONFIG_MISMATCH, and a plain \`pnpm install\` re-resolves every dependency, so the packages this lockfile pins (and that were checked) are not what installs. Run \`pnpm install\`, review the lockfile diff and commit it with the configuration change.`,
      ),
      location: { path: graph.lockfile, line: first.line },
      artifact: { kind: 'file', path: graph.lockfile },
      evidence: {
        fields,
        detail: redactUrls(
          list
            .map((m) => `${m.field}: ${m.detail}`)
            .join('; ')
            .slice(0, 1000),
        ),
      },
      ...(list.length > 1 ? { related: list.slice(1).map((m) => ({ path: graph.lockfile, line: m.line })) } : {}),
    },
  ];
}
