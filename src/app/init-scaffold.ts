import { DEFAULT_POLICY } from '../trust/policy/default.js';
import type { RepoSurvey } from './init-survey.js';
import { byCodePoint } from '../core/order.js';

/** Strings go out as JSON strings, which YAML reads as double-quoted scalars: no quoting surprises. */
const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[], indent: string): string =>
  items.length === 0 ? ' []' : '\n' + items.map((i) => `${indent}- ${q(i)}`).join('\n');
const MAX_LISTED = 20;

/** File names and package names end up in comments: a newline in one must not start a line of YAML. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const c = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, '?');

function listed(items: readonly string[]): string[] {
  const shown =
    items.length <= MAX_LISTED
      ? [...items]
      : [...items.slice(0, MAX_LISTED), `… and ${items.length - MAX_LISTED} more`];
  return shown.map(c);
}

/**
 * A starting policy for a repository, from what `surveyRepository` found. Everything it is not sure of is left as a
 * comment for a human to decide: a registry a lockfile names is not trusted just because it is there.
 */
export function scaffoldPolicy(s: RepoSurvey, schemaRef: string): string {
  const defaults = DEFAULT_POLICY.dependencies.allowedRegistries;
  const allowed = [...new Set([...defaults, ...s.npmrcRegistries])];
  const unconfigured = Object.keys(s.resolvedRegistries).filter((r) => !allowed.includes(r));
  const privateScopes = Object.entries(s.npmrcScopes)
    .filter(([, url]) => !defaults.includes(url))
    .map(([scope]) => scope)
    .sort();
  const ownOnly = s.ownScopes.filter((sc) => !privateScopes.includes(sc));
  const pickles = s.models.filter((m) => m.pickle);
  const formats = countBy(s.models.map((m) => m.format));

  const out: string[] = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '#',
    '# chainproof policy, written by `chainproof init` from what it found in this repository:',
    `#   lockfiles: ${s.lockfiles.length === 0 ? 'none' : listed(s.lockfiles.map((l) => `${l.path} (${l.kind}, ${l.packages} packages)`)).join(', ')}`,
    `#   registries in .npmrc: ${s.npmrcRegistries.length === 0 ? 'none' : listed(s.npmrcRegistries).join(', ')}`,
    `#   model files: ${s.models.length === 0 ? 'none' : `${s.models.length} (${formats})`}`,
    '# Review every value before relying on it. It is merged over the embedded default (mappings merge, lists replace);',
    '# `chainproof policy explain --root .` shows the result. `chainproof scan .` uses this file: it is where scan',
    '# looks first (.chainproof/policy.yml), so init then scan needs no flag.',
    'version: 1',
    '',
    'dependencies:',
    '  # Registries packages may come from (the public registry plus those your .npmrc files configure).',
    `  allowedRegistries:${list(allowed, '    ')}`,
  ];
  if (unconfigured.length > 0) {
    out.push('  # Lockfiles resolve packages from these too, but no .npmrc names them. Add one only if you trust it:');
    for (const r of unconfigured) out.push(`  #   - ${q(r)}  # ${listed(s.resolvedRegistries[r] ?? []).join(', ')}`);
  }
  out.push('  # Your scopes: resolving one of them from another registry is dependency confusion.');
  out.push(`  privateScopes:${list(privateScopes, '    ')}`);
  if (ownOnly.length > 0) {
    out.push(
      `  # Your own packages use ${listed(ownOnly).join(', ')}; add a scope here if it is not published on a public registry.`,
    );
  }
  out.push('  # Packages allowed to run install scripts (code that runs at `npm install`).');
  if (s.installScripts.length === 0) out.push('  allowInstallScripts: []');
  else {
    // A baseline, as `pnpm approve-builds` records builds: today's set is named so a scan flags the next one, not
    // the same packages on every run. Each name is a decision for the reviewer to keep or delete.
    out.push(
      '  # These run install scripts in your lockfiles today (recorded by init). Delete the ones you do not need;',
    );
    out.push('  # a package that starts running install scripts later is reported until you add it here.');
    out.push(`  allowInstallScripts:${list(s.installScripts, '    ')}`);
  }
  out.push('  # Dependencies from git, tarball URLs or local paths bypass registry integrity and signatures.');
  if (s.nonRegistry.length > 0) {
    const names = listed(s.nonRegistry.map((n) => `${n.name} (${n.source}, ${n.lockfile})`));
    out.push(`  # Found: ${names.join('; ')}`);
  }
  out.push('  sources:', '    git: warning', '    tarball: warning', '    file: note');
  out.push('  verifySignatures: true');
  out.push('  # true: a package that cannot be verified (e.g. registry unreachable) fails the run.');
  out.push('  failClosed: false', '');

  out.push('models:');
  if (pickles.length === 0) {
    out.push('  # No pickle-based model files today: keep it that way (pickle runs code when a model loads).');
    out.push('  forbiddenFormats: ["pickle"]');
  } else {
    out.push(
      `  # Pickle-based model files found (they can run code when loaded): ${listed(pickles.map((m) => `${m.path} (${m.format})`)).join(', ')}.`,
    );
    out.push('  # Convert them to safetensors, then forbid pickle outright:');
    out.push('  # forbiddenFormats: ["pickle"]');
    out.push('  forbiddenFormats: []');
  }
  out.push('  allowedFormats: []');
  out.push('  # A model file that trusted-registry/ does not list (name, source, sha256).');
  out.push(`  unknownModel: ${s.models.length > 0 ? 'warning' : 'note'}`);
  out.push('  # Pickle globals to allow beyond the built-in safe list, as module.name or module.*.');
  out.push('  allowedGlobals: []', '');

  const repo = s.githubRepo ?? 'OWNER/REPO';
  out.push(
    'signatures:',
    '  signers: {}',
    '  require: []',
    '  # To require signed models, name a signer and the paths it must sign, e.g. your release workflow:',
    '  # signers:',
    '  #   release:',
    '  #     kind: sigstore',
    '  #     issuer: https://token.actions.githubusercontent.com',
    `  #     subjectPattern: https://github\\.com/${repo.replace(/\./g, '\\.')}/\\.github/workflows/release\\.yml@refs/tags/v.*`,
    '  # require:',
    '  #   - paths: ["models/**"]',
    '  #     signers: [release]',
    '',
    '# Level overrides by rule ID (`chainproof rules`), e.g. CPM001: error',
    'rules: {}',
    '',
    '# Accepted findings. Each needs rule, path or package, reason, and expires (YYYY-MM-DD); expired ones are reported.',
    'suppressions: []',
    '',
  );
  return out.join('\n');
}

/** A trusted-registry skeleton: the model files found, as comments, until someone vouches for their source. */
export function scaffoldRegistry(s: RepoSurvey, schemaRef: string): string {
  const out = [
    `# yaml-language-server: $schema=${schemaRef}`,
    '#',
    '# Trusted model artifacts: name, revision, source, and the sha256 of every file. Reviewed like code.',
    '# Add entries with `chainproof registry add <path> --name ORG/MODEL --revision REV --source URL`.',
  ];
  if (s.models.length > 0) {
    out.push('# Model files in this repository that are not listed yet:');
    for (const m of listed(s.models.map((m) => `${m.path} (${m.format}, ${m.size} bytes)`))) out.push(`#   ${m}`);
  }
  out.push('version: 1', 'models: []', '');
  return out.join('\n');
}

function countBy(items: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}
