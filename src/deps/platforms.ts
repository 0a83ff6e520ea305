import type { DependencyGraph, PackageNode } from '../core/records.js';

/** The platform fields npm and pnpm copy from a package's manifest into its lockfile entry (arborist `pkgMetaKeys`). */
const PLATFORM_FIELDS = ['os', 'cpu', 'libc'] as const;

/** Values of one platform field kept for messages (real packages list one or two). */
const MAX_PLATFORM_VALUES = 8;

/**
 * The platforms a lockfile entry restricts its package to, as npm-install-checks `checkPlatform` (and pnpm's copy of
 * it) reads them: `os: darwin; cpu: x64, arm64`. Each field is a list (a string, a list of one) whose `!`-prefixed
 * values exclude a platform; an empty list or `["any"]` allows every one (`checkList`). Undefined when nothing
 * restricts it. Bounded: a hostile entry may list thousands of values.
 */
export function platformsOf(
  entry: Record<string, unknown>,
  fields: readonly (typeof PLATFORM_FIELDS)[number][] = PLATFORM_FIELDS,
): string | undefined {
  const parts: string[] = [];
  for (const field of fields) {
    const raw = entry[field];
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v) => typeof v === 'string') : [];
    if (list.length === 0 || (list.length === 1 && list[0] === 'any')) continue;
    const shown = list.slice(0, MAX_PLATFORM_VALUES).join(', ');
    parts.push(`${field}: ${shown}${list.length > MAX_PLATFORM_VALUES ? ', …' : ''}`);
  }
  return parts.length === 0 ? undefined : parts.join('; ').slice(0, 200);
}

/**
 * Where a platform-restricted package's install scripts run, for the install-script findings (CPD012, CPD136), or
 * undefined when the package manager installs it whatever the platform. Each skips an optional package whose
 * platforms do not match the machine, with what only it brings in: npm (build-ideal-tree `#checkEngineAndPlatform`
 * marks it inert, comparing with npm's `os` / `cpu` / `libc` settings when set), pnpm (`packageIsInstallable`, with
 * `supportedArchitectures`), yarn 2+ (a package with `conditions` reached through optional dependencies alone is a
 * conditional locator, `Project.resolveEverything`, with `supportedArchitectures`). A required one npm refuses
 * (EBADPLATFORM, unless `--force`); pnpm installs it with a warning (`packageIsInstallable` returns null) and yarn
 * as any other package, so their scripts run everywhere. The scripts still run on every machine of those platforms
 * that installs the project (a developer's, when CI runs on another), so the findings stay and say where. bun skips
 * an off-platform package whether optional or not.
 */
export function platformNote(node: PackageNode, kind: DependencyGraph['kind']): string | undefined {
  if (node.platforms === undefined) return node.installedWith === undefined ? undefined : gatedNote(node, kind);
  // npm decides optional from the edges, not from the entry's flags (calcDepFlags): with npm 11.19 a darwin-only
  // entry marked `optional: true` that package.json requires failed `npm ci` on Linux, so both cases are named.
  if (kind === 'npm')
    return `npm installs it only where the platform matches ${node.platforms} (its lockfile entry, or npm's os / cpu / libc settings when set): elsewhere it skips the package when optional dependencies alone bring it in and refuses the install otherwise (EBADPLATFORM), so the scripts run on those machines alone: a developer's, when CI runs on another platform`;
  // bun skips a disabled package, optional or not, and says nothing (lockfile.zig `isResolvedDependencyDisabled`:
  // `meta.isDisabled()` against the target, `--os` / `--cpu` when given).
  if (kind === 'bun')
    return `bun installs it only where the platform matches ${node.platforms} (its bun.lock entry, or bun install's --os / --cpu when given) and skips it on any other platform, required or optional, so the scripts run on those machines alone: a developer's, when CI runs on another platform`;
  const pm = kind === 'pnpm' ? 'pnpm' : kind === 'yarn-berry' ? 'yarn' : undefined;
  if (pm === undefined || !node.optional) return undefined;
  return `${pm} installs this optional package only where the platform matches ${node.platforms} (its lockfile entry, or supportedArchitectures when set) and skips it on any other platform, so the scripts run on those machines alone: a developer's, when CI runs on another platform`;
}

/**
 * A package with no platform of its own that only a platform-restricted package brings in (deps/platform-gates.ts:
 * an optional one for npm and pnpm, any for bun): skipped with it, so its scripts run where that package installs alone.
 */
function gatedNote(node: PackageNode, kind: DependencyGraph['kind']): string {
  const how =
    kind === 'npm'
      ? 'npm skips that package elsewhere with what only it brings in (arborist optionalSet)'
      : kind === 'bun'
        ? 'bun skips that package elsewhere, and never installs what only it brings in'
        : 'pnpm skips that package elsewhere with what only it brings in (an optional package under a skipped one)';
  const what = kind === 'bun' ? 'a package' : 'an optional package';
  return `it is installed only with ${node.installedWith ?? ''}, ${what} installed only where its platform matches; ${how}, so the scripts run on those machines alone: a developer's, when CI runs on another platform`;
}
