import type { Finding } from '../../../../core/finding.js';
import type { PyDistribution, PyPackage, PyProblem, PythonLock } from '../types.js';
import { STRONG_HASHES } from '../requirements-options.js';
import { pyFileFinding, pyPackageFinding } from './finding.js';
import type { PythonCheckPolicy } from './context.js';
import { cutTailAny } from '../../../../core/linear-text.js';
import { MAX_RELATED } from '../../../../core/group-causes.js';

/** pip's `STRONG_HASHES`: the only algorithms `--hash` takes (a URL's `#md5=` fragment still counts for pip). */
const STRONG = new Set(STRONG_HASHES);

/** CPP003/CPP004: what in the file could not be followed or understood. */
export function checkProblems(lock: PythonLock): Finding[] {
  return lock.problems.map((p) =>
    pyFileFinding(
      p.kind === 'include' ? 'CPP003' : 'CPP004',
      p.file,
      p.line,
      `${p.file}:${p.line}: ${p.message}. ${problemConsequence(p)}`,
      { problem: p.message },
    ),
  );
}

/** What pip does with a problem line, and what to change. */
function problemConsequence(p: PyProblem): string {
  if (p.kind !== 'include') return 'pip would reject this line; fix or remove it.';
  // Every file of a cycle is already on the chain being read: its requirements were checked.
  if (p.cycle === true)
    return 'pip refuses the whole install ("recursively references itself"; older pip fails with a RecursionError); remove the include that leads back.';
  return 'Its requirements were not checked; commit the file inside the repository and include it by a relative path.';
}

/**
 * CPP010: a requirements-file entry that allows more than one version. Constraints only narrow, and `*.in` files
 * (and files only a compile reads) are pip-compile / `uv pip compile` inputs whose ranges are resolved into the
 * pinned output, so both pass. A file that pins none of its requirements is a list of ranges by design (one cause):
 * one finding for the file, with the count.
 */
export function checkPinning(lock: PythonLock): Finding[] {
  if (lock.kind !== 'requirements') return [];
  // In hash-checking mode a `--hash` pins the file whatever the version clause, once pip takes the line as pinned
  // (`==1.*` is); any other clause makes pip refuse the whole install (`_get_linked_req_hashes`: HashUnpinned).
  const hashMode = pipHashMode(lock);
  const hashPinned = (p: PyPackage) => hashMode && pipPinned(p.specifier) && p.distributions.some(hasHash);
  const fromIndex = lock.packages.filter(
    // A version an environment variable supplies is CPP079's finding, not a range's.
    (p) => p.source === 'index' && p.constraint !== true && p.fromEnvironment !== true && !compileInput(lock, p.file),
  );
  const out: Finding[] = [];
  for (const file of [...new Set(fromIndex.map((p) => p.file))]) {
    const inFile = fromIndex.filter((p) => p.file === file);
    const loose = inFile.filter((p) => p.version === '' && !hashPinned(p));
    if (loose.length > 1 && loose.length === inFile.length) {
      out.push({
        ...pyFileFinding(
          'CPP010',
          file,
          loose[0]!.line,
          `${file} pins none of its ${loose.length} requirements to one version (${loose
            .slice(0, 5)
            .map((p) => `${p.displayName}${p.specifier}`)
            .join(
              ', ',
            )}${loose.length > 5 ? ', …' : ''}): each install resolves whatever the index serves that day. ${unpinnedAdvice(file)}`,
          {
            count: loose.length,
            packages: loose
              .slice(0, 50)
              .map((p) => p.displayName)
              .join(' '),
          },
        ),
        // The other requirements, as for any one-cause finding: reporters list them (SARIF relatedLocations), and
        // the count and names are then no part of its identity (fingerprintOf) — one more unpinned line kept the
        // alert, where a changed count had closed it and opened a new one.
        related: loose.slice(1, MAX_RELATED + 1).map((p) => ({ path: file, line: p.line })),
      });
      continue;
    }
    for (const p of loose) {
      out.push(
        pyPackageFinding(
          'CPP010',
          p,
          `${p.specifier === '' ? 'has no version specifier' : `allows a range of versions (${p.specifier})`}${hashMode && !pipPinned(p.specifier) ? ' in a file that uses hash-checking mode, where pip refuses the whole install (HashUnpinned)' : ''}`,
          'Pin it with == (pip-compile / uv pip compile), or install from a lockfile.',
          { specifier: p.specifier },
        ),
      );
    }
  }
  return out;
}

/**
 * CPP011/CPP017. pip's hash-checking mode is all or nothing (`--require-hashes`, or implied as soon as one
 * requirement has `--hash`: pip/_internal/req/req_install.py `has_hash_options`): then every requirement needs a
 * strong hash. When only the policy asks for hashes and a file has none at all, that is one cause: one finding
 * with the count, not one per package.
 */
export function checkHashes(lock: PythonLock, policy: PythonCheckPolicy): Finding[] {
  // A line pip refuses to parse (a bad `--hash`, CPP004) fails the whole install: that is its finding, not CPP011.
  const refused = new Set(lock.problems.filter((p) => p.kind === 'syntax').map((p) => `${p.file}:${p.line}`));
  const candidates = lock.packages.filter(
    (p) => p.constraint !== true && hashable(lock, p.source) && !refused.has(`${p.file}:${p.line}`),
  );
  const hashed = candidates.filter((p) => p.distributions.some(hasHash));
  const out: Finding[] = [];
  for (const p of hashed) {
    const algs = new Set(p.distributions.flatMap((d) => Object.keys(d.hashes)));
    if (![...algs].some((a) => STRONG.has(a))) {
      out.push(
        pyPackageFinding(
          'CPP017',
          p,
          `is pinned only by ${[...algs].sort().join(', ')}`,
          'Regenerate the hashes with sha256.',
          {
            algorithms: [...algs].sort().join(' '),
          },
        ),
      );
    }
  }
  out.push(...filesWithoutHash(lock, hashed));
  // pip's `RequirementCommand.get_requirements` turns hash-checking mode on when any parsed line has `--hash`,
  // constraint lines (`-c`) included; a constraint's hash still does not stand in for the requirement's own.
  const constraintHash =
    lock.kind === 'requirements' && lock.packages.some((p) => p.constraint === true && optionHash(p));
  const hashMode = lock.requireHashes || constraintHash;
  const fileUsesHashes = lock.kind === 'requirements' ? pipHashMode(lock) : hashed.length > 0 || hashMode;
  // pip cannot hash a VCS checkout, a directory or an editable: in hash-checking mode it refuses the install
  // whatever their `--hash` (VcsHashUnsupported, DirectoryUrlHashUnsupported; `prepare_editable_requirement`).
  const unhashable =
    lock.kind === 'requirements' && fileUsesHashes
      ? candidates.filter(
          (p) => p.editable === true || p.source === 'vcs' || (p.source === 'path' && !isArchive(p.url)),
        )
      : [];
  for (const p of unhashable)
    out.push(
      pyPackageFinding(
        'CPP011',
        p,
        `is ${p.editable === true ? 'an editable' : p.source === 'vcs' ? 'a version-control' : 'a local directory'} requirement in a file that uses hash-checking mode`,
        'pip cannot hash it and refuses the whole install; install it in a separate step without hashes, or replace it with a built wheel pinned by --hash.',
        { hashMode: 'unsupported' },
      ),
    );
  const missing = candidates.filter((p) => !hashed.includes(p) && !unhashable.includes(p));
  if (missing.length === 0) return out;
  /** One CPP011 for a whole file without hashes, with the count and the first 50 names. */
  const wholeFileWithoutHashes = (message: string) =>
    pyFileFinding('CPP011', lock.file, missing[0]!.line, message, {
      count: missing.length,
      packages: missing
        .map((p) => p.displayName)
        .slice(0, 50)
        .join(' '),
    });
  // `--require-hashes` (or a hashed constraint) over a file with no hash at all: one cause, one finding with the count.
  if (lock.kind === 'requirements' && hashMode && hashed.length === 0 && missing.length > 1) {
    const how = lock.requireHashes ? '--require-hashes' : 'a --hash in a constraints file';
    out.push(
      wholeFileWithoutHashes(
        `${lock.file} turns on hash-checking mode (${how}) but pins no hash for any of its ${missing.length} requirements: pip refuses the whole install. Regenerate it with pip-compile --generate-hashes or uv pip compile --generate-hashes.`,
      ),
    );
    return out;
  }
  if (lock.kind === 'requirements' && !fileUsesHashes) {
    // A pip-compile input never carries hashes; its compiled output is what the policy holds to them.
    if (!policy.requireHashes || compileInput(lock, lock.file)) return out;
    const what =
      hashed.length === 0
        ? `pins no hashes for any of its ${missing.length} requirement${missing.length === 1 ? '' : 's'}`
        : `pins no hash for ${missing.length} of its requirements (a URL's #sha256= checks only that file and does not turn on pip's hash-checking mode: the others install unchecked)`;
    out.push(
      wholeFileWithoutHashes(
        `${lock.file} ${what}, and the policy requires hashes (dependencies.python.requireHashes). Regenerate it with pip-compile --generate-hashes or uv pip compile --generate-hashes.`,
      ),
    );
    return out;
  }
  for (const p of missing) {
    out.push(
      pyPackageFinding(
        'CPP011',
        p,
        lock.kind === 'requirements'
          ? 'has no --hash while the file uses hash-checking mode'
          : p.hashesUnchecked !== undefined
            ? `is installed without a hash check: ${p.hashesUnchecked}`
            : 'is locked without any file hash',
        lock.kind === 'requirements'
          ? 'pip refuses the whole install in hash-checking mode; add its hashes (pip-compile --generate-hashes).'
          : p.hashesUnchecked !== undefined
            ? 'Re-lock so the recorded hash is the one of the file the entry downloads, and review who changed the entry.'
            : 'Re-lock so the tool records the hashes of its files.',
        // Told apart from `unsupported` and from a lockfile's missing hash when many group into one cause.
        lock.kind === 'requirements' ? { hashMode: 'on' } : {},
      ),
    );
  }
  return out;
}

/**
 * Lockfiles whose installer checks each file against that file's own hashes, not against the package's: uv installs
 * a pylock.toml package from the wheel (or sdist) it picks with `HashDigests::from(best_wheel.hashes)`
 * (`PylockToml::to_resolution`) and, verifying hashes only where present, an empty `hashes` table (a warning only)
 * checks nothing. PEP 751 requires hashes on every file.
 * uv.lock the same since uv PR #17157 (Dec 2025): `Installable::installable_node` takes `HashedDist { dist, hashes }`
 * from `Package::to_dist`, the hashes of the file it installs, no longer the package's union; uv's lock reader accepts
 * a registry wheel without `hash` (its `hash_optional_missing` test), and `HashStrategy::from_resolution` skips a
 * distribution whose digests are empty in the default `Verify` mode. Before it, the union made such a wheel fail.
 */
const PER_FILE_HASHES: ReadonlySet<PythonLock['kind']> = new Set(['pylock', 'uv']);

/**
 * CPP011 for a package of such a lockfile that hashes some of its files and not others: the bare file installs
 * unchecked on every platform that picks it, whatever its siblings carry (an sdist hashed, the wheel not).
 */
function filesWithoutHash(lock: PythonLock, hashed: readonly PyPackage[]): Finding[] {
  if (!PER_FILE_HASHES.has(lock.kind)) return [];
  return hashed.flatMap((p) => {
    const bare = p.distributions.filter((d) => !hasHash(d)).map((d) => d.filename ?? d.url ?? d.path ?? '?');
    if (bare.length === 0) return [];
    return [
      pyPackageFinding(
        'CPP011',
        p,
        `locks ${bare.length === 1 ? 'a file' : `${bare.length} files`} without any hash (${bare.slice(0, 2).join(', ')}${bare.length > 2 ? ', …' : ''}) beside hashed ones; the installer checks a file only against its own hashes, so ${bare.length === 1 ? 'it installs' : 'they install'} unchecked wherever ${bare.length === 1 ? 'it is' : 'one is'} the file chosen`,
        `Re-lock so every file carries its hashes (${lock.kind === 'pylock' ? 'PEP 751 requires them' : 'uv records one for every file an index publishes with a digest'}), and review who removed them.`,
        { files: bare.slice(0, 10).join(' ') },
      ),
    ];
  });
}

/** A URL's `#sha256=` checks that file but turns nothing on (`has_hash_options` counts `--hash` only). */
function optionHash(p: PyPackage): boolean {
  return p.distributions.some((d) => d.fromUrl !== true && hasHash(d));
}

/**
 * pip's hash-checking mode for a requirements file: `--require-hashes`, or any parsed line (a constraint's included)
 * with a `--hash` (`RequirementCommand.get_requirements`).
 */
function pipHashMode(lock: PythonLock): boolean {
  return lock.kind === 'requirements' && (lock.requireHashes || lock.packages.some(optionHash));
}

/** pip's `InstallRequirement.is_pinned`: exactly one specifier clause, and its operator `==` or `===` (`==1.*` too). */
function pipPinned(specifier: string): boolean {
  return specifier !== '' && !specifier.includes(',') && /^===?[^=]/.test(specifier);
}

function hasHash(d: PyDistribution): boolean {
  return Object.keys(d.hashes).length > 0;
}

/** A local file pip can hash (a wheel or sdist archive), as opposed to a directory it would build. */
function isArchive(url: string | undefined): boolean {
  return /\.(whl|zip|tar|tgz|tar\.(gz|bz2|xz))$/i.test(cutTailAny(url ?? '', '#?'));
}

/** Lockfiles only record hashes for downloaded files; requirements in hash mode need them on every line. */
function hashable(lock: PythonLock, source: string): boolean {
  if (lock.kind === 'requirements') return true;
  return source === 'index' || source === 'url';
}

/** A `*.in` file here is one an install reads with `-r` (compileInput): the rename advice would not hold. */
function unpinnedAdvice(file: string): string {
  const compile = 'Compile it into a pinned file (pip-compile / uv pip compile) and install from that';
  if (/\.in$/i.test(file))
    return `${compile}: an install command names this *.in itself with -r, and pip installs it as written.`;
  return `${compile}, or rename it *.in if it is the input of one.`;
}

/**
 * Whether `file` of the lock is a compile's input: a file only a compile reads, or a `*.in` by name unless an install
 * reads the lock (pip's `-r` takes any name: `req_file.parse_requirements` never looks at it).
 */
function compileInput(lock: PythonLock, file: string): boolean {
  return lock.compileInput ?? /\.in$/i.test(file);
}
