import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { escapeControl } from '../../core/escape-text.js';
import type { FsPath } from '../../core/files.js';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../discover/walk.js';
import type { LoadedPolicy } from '../../trust/policy/load.js';
import type { EntryProvenance } from '../../verify/provenance/entry.js';
import { Hasher } from '../../hash/hasher.js';
import { upsertModelEntry, type HashedFile } from '../../trust/registry/add.js';
import { loadTrustedRegistry, REGISTRY_DIR } from '../../trust/registry/load.js';
import { checkRegistrySigners, registrySignerProblem } from '../../trust/registry/signers.js';
import { cliOutcome } from '../outcome.js';
import { addReferences } from './registry-refs.js';
import { EXIT } from '../exit-codes.js';
import { leavesBase } from '../../core/relative-path.js';

interface AddArgs {
  path: string | undefined;
  name: string | undefined;
  revision: string | undefined;
  source: string | undefined;
  ref: string[];
  'from-refs': string | undefined;
  license: string | undefined;
  signer: string | undefined;
  policy: string | undefined;
  file: string;
  root: string;
}

interface CheckArgs {
  files: string[];
  root: string;
  policy: string | undefined;
}

const addCommand: CommandModule<object, AddArgs> = {
  command: 'add [path]',
  describe:
    'Hash a model file or every file of a folder and write its entry to the trusted registry; or record hub repositories the code loads, at their reviewed commits (--ref, --from-refs)',
  builder: (y: Argv) =>
    y
      .positional('path', { type: 'string', describe: 'Model file or folder (inside --root)' })
      .option('name', {
        type: 'string',
        describe: 'Artifact name, e.g. the Hugging Face repo id org/model (with <path>)',
      })
      .option('revision', {
        type: 'string',
        describe: 'Upstream revision: commit, tag or version (with <path>)',
      })
      .option('source', {
        type: 'string',
        describe: 'URL the artifact was obtained from (with <path>; with --ref, default the hub page)',
      })
      .option('ref', {
        type: 'string',
        array: true,
        default: [],
        describe:
          'A model reference reviewed at a commit, repeatable: hf:org/model@<40-hex>, github:owner/repo@<40-hex>, modelscope:org/model@<40-hex>',
      })
      .option('from-refs', {
        type: 'string',
        describe: 'Record every pinned model reference found in the code and config under this folder',
      })
      .option('license', { type: 'string', describe: 'SPDX licence identifier' })
      .option('signer', {
        type: 'string',
        describe:
          'Signer the files must be signed by, which scans then require: a name in the policy signatures.signers, or a Sigstore identity "SUBJECT (issuer https://…)" (with <path>)',
      })
      .option('policy', {
        alias: 'p',
        type: 'string',
        describe:
          "Policy whose signers --signer names, and whose trusted root and thresholds verify the files' provenance (default as for scan)",
      })
      .option('file', {
        type: 'string',
        default: `${REGISTRY_DIR}/models.yml`,
        describe: 'Registry file to write (relative to --root)',
      })
      .option('root', { type: 'string', default: '.', describe: 'Repository root; registry paths are relative to it' })
      .example(
        '$0 registry add models/minilm --name sentence-transformers/all-MiniLM-L6-v2 --revision c9745ed --source https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2',
        'Record a model folder',
      )
      .example(
        '$0 registry add --ref hf:sentence-transformers/all-MiniLM-L6-v2@<40-hex commit>',
        'Record a hub model the code loads at that commit',
      )
      .example('$0 registry add --from-refs .', 'Record the pinned model references the code makes'),
  handler: async (argv) => {
    if (argv.ref.length > 0 || argv['from-refs'] !== undefined) {
      // The entry would list no file of the repository, so no scan could check the signer (trust/registry/load.ts).
      if (argv.signer !== undefined)
        throw new UsageError(
          '--signer cannot be checked for a hub reference: the code downloads that model at run time, and chainproof verifies the signatures of files in the repository. Record the signed files with registry add <path> --signer',
        );
      if (argv.path !== undefined || argv.name !== undefined || argv.revision !== undefined)
        throw new UsageError(
          '--ref and --from-refs take the name and commit from the reference: give no <path>, --name or --revision',
        );
      cliOutcome.exitCode = await addReferences({ ...argv, from: argv['from-refs'] });
      return;
    }
    if (argv.path === undefined) throw new UsageError('registry add needs a model <path>, --ref or --from-refs');
    for (const opt of ['name', 'revision', 'source'] as const)
      if (argv[opt] === undefined) throw new UsageError(`registry add <path> needs --${opt}`);
    await addFiles({ ...argv, path: argv.path, name: argv.name!, revision: argv.revision!, source: argv.source! });
  },
};

async function addFiles(argv: AddArgs & { path: string; name: string; revision: string; source: string }) {
  const root = path.resolve(argv.root);
  const target = path.resolve(argv.path);
  const rel = path.relative(root, target);
  if (leavesBase(rel)) throw new UsageError(`${argv.path} is outside the repository root ${argv.root}`);
  const { readPolicy } = await import('../../trust/policy/load.js');
  const loaded = await readPolicy(argv.policy, root);
  if (argv.signer !== undefined) checkSigner(argv.signer, loaded);
  const files = await hashTarget(target, rel.split(path.sep).join('/'));
  if (files.length === 0) throw new UsageError(`${argv.path} holds no readable files`);
  const provenance = await provenanceOf(files, loaded, root);
  const abs = path.resolve(root, argv.file);
  const display = path.relative(root, abs).split(path.sep).join('/');
  const { what, kept } = await upsertModelEntry(abs, display, {
    name: argv.name,
    revision: argv.revision,
    source: argv.source,
    ...(argv.license !== undefined ? { license: argv.license } : {}),
    ...(argv.signer !== undefined ? { signer: argv.signer } : {}),
    ...(provenance.kind === 'verified' ? { built: provenance } : {}),
    files,
  });
  process.stdout.write(
    `${what} ${argv.name}@${argv.revision} in ${display} (${files.length} file${files.length === 1 ? '' : 's'})\n`,
  );
  // The folder's file names are the scanned tree's: control characters shown, never sent to the terminal.
  for (const f of files) process.stdout.write(`  ${f.sha256}  ${escapeControl(f.path)}  ${f.size} bytes\n`);
  const keptSource = kept.includes('sourceCommit');
  process.stdout.write(
    provenance.kind === 'verified'
      ? `  built from ${provenance.repository} at ${provenance.commit} (verified: ${escapeControl(provenance.attestations.join(', '))}): recorded as sourceRepository and sourceCommit\n`
      : keptSource
        ? `  provenance did not verify (${escapeControl(provenance.reason)}): the entry's sourceCommit is kept, and the scan requires provenance naming it\n`
        : `  sourceRepository and sourceCommit not recorded: ${escapeControl(provenance.reason)}\n`,
  );
  // The entry's own keys the command does not set: a hand-typed description, a signer or licence not given again.
  if (kept.length > 0) process.stdout.write(`  kept from the entry: ${kept.join(', ')}\n`);
  cliOutcome.exitCode = EXIT.ok;
}

/**
 * The source the files were verifiably built from, as the scan will check it: their attestations verified with the
 * policy's trusted root and thresholds (verify/provenance/entry.ts). Recorded only when it verifies, so that
 * nobody has to copy a commit by hand, nor forget the repository (a fork holds the same commit).
 */
async function provenanceOf(
  files: readonly HashedFile[],
  loaded: LoadedPolicy,
  root: string,
): Promise<EntryProvenance> {
  const walk = await walkTree(root, { include: [], exclude: [], skipDirs: [...DEFAULT_SKIP_DIRS] });
  const byPath = new Map(walk.files.map((f) => [f.path, f]));
  const entry = files.flatMap((f) => {
    const file = byPath.get(f.path);
    return file ? [{ file, sha256: f.sha256 }] : [];
  });
  const sig = loaded.policy.signatures;
  const { loadTrustedRoot } = await import('../../trust/sigstore/root.js');
  const base = loaded.file !== undefined ? path.dirname(loaded.file) : root;
  const trust = await loadTrustedRoot(sig.trustedRoot !== undefined ? path.resolve(base, sig.trustedRoot) : undefined);
  const { entryProvenance } = await import('../../verify/provenance/entry.js');
  const p = await entryProvenance(
    entry,
    walk.files,
    {
      trust,
      tlogThreshold: sig.tlogThreshold,
      timestampThreshold: sig.timestampThreshold,
    },
    digestsOf,
  );
  // What the registry schema takes (trust/registry/schema.ts); a certificate could carry anything.
  if (
    p.kind === 'verified' &&
    !(/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(p.commit) && /^https:\/\/\S+$/.test(p.repository))
  )
    return {
      kind: 'unverified',
      reason: `the provenance names ${p.repository} at ${p.commit}, which is not a repository URL and full commit id the registry can record`,
    };
  return p;
}

/**
 * `--signer` as the scan will resolve it (trust/registry/signers.ts): a signer of the policy the scan reads, or a
 * Sigstore identity. Anything else is refused before the registry is written: the next scan would stop on it.
 */
function checkSigner(signer: string, loaded: LoadedPolicy): void {
  const problem = registrySignerProblem(signer, Object.keys(loaded.policy.signatures.signers), loaded.display);
  if (problem !== undefined) throw new UsageError(`--signer: ${problem}`);
}

/** The digests a subject carries beyond the file's sha256, computed in one read (provenance/entry.ts). */
async function digestsOf(
  f: { readonly abs: FsPath },
  algorithms: readonly string[],
): Promise<Record<string, string> | undefined> {
  const hashes = algorithms.map((a) => [a, createHash(a)] as const);
  try {
    for await (const chunk of createReadStream(f.abs)) for (const [, h] of hashes) h.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return Object.fromEntries(hashes.map(([a, h]) => [a, h.digest('hex')]));
}

async function hashTarget(target: string, rel: string): Promise<HashedFile[]> {
  const st = await stat(target).catch(() => undefined);
  if (!st) throw new UsageError(`${rel} does not exist`);
  let entries: {
    path: string;
    abs: FsPath;
    dev: number;
    ino: number;
    size: number;
    mtimeMs: number;
    ctimeMs: number;
  }[];
  if (st.isDirectory()) {
    const walk = await walkTree(target, { include: [], exclude: [], skipDirs: ['.git'] });
    if (walk.skipped.length > 0)
      throw new UsageError(`cannot record ${rel}: ${walk.skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`);
    entries = walk.files.map((f) => ({ ...f, path: rel === '' ? f.path : `${rel}/${f.path}` }));
  } else if (st.isFile()) {
    entries = [
      { path: rel, abs: target, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs },
    ];
  } else throw new UsageError(`${rel} is not a file or folder`);
  const hasher = await Hasher.create({ cacheDir: undefined });
  try {
    const out = await Promise.all(
      entries.map(async (e) => {
        const r = await hasher.hash({ abs: e.abs, identity: e, algorithms: ['sha256'] });
        if (!r.ok) throw new UsageError(`cannot hash ${e.path}: ${r.code}`);
        return { path: e.path, size: e.size, sha256: r.digests.sha256! };
      }),
    );
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await hasher.close();
  }
}

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check [files..]',
  describe: 'Validate the trusted-registry files (default: every file in <root>/trusted-registry/)',
  builder: (y: Argv) =>
    y
      .positional('files', { type: 'string', array: true, default: [], describe: 'Registry files to check' })
      .option('root', { type: 'string', default: '.', describe: 'Repository root' })
      .option('policy', {
        alias: 'p',
        type: 'string',
        describe: "Policy whose signatures.signers the entries' signer fields name (default as for scan)",
      }),
  handler: async (argv) => {
    const root = path.resolve(argv.root);
    // A bad file throws ConfigError: the CLI prints every message (file:line: field: problem) and exits 2.
    const reg = await loadTrustedRegistry(root, argv.files.length > 0 ? argv.files : undefined);
    // An entry's signer is resolved against the policy as the scan will (trust/registry/signers.ts).
    if (reg.models.some((m) => m.signer !== undefined)) {
      const { readPolicy } = await import('../../trust/policy/load.js');
      const loaded = await readPolicy(argv.policy, root);
      checkRegistrySigners(reg, Object.keys(loaded.policy.signatures.signers), loaded.display);
    }
    process.stdout.write(
      `trusted registry OK: ${reg.files.length} file${reg.files.length === 1 ? '' : 's'}, ${reg.models.length} models, ${reg.revoked.length} revoked, ${reg.packages.length} pinned packages, ${reg.malicious.length} malicious package records\n`,
    );
    cliOutcome.exitCode = EXIT.ok;
  },
};

/** `chainproof registry <add|check>` */
export const registryCommand: CommandModule<object, object> = {
  command: 'registry <command>',
  describe: 'Maintain the trusted registry: add model entries, validate the files',
  builder: (y: Argv) =>
    y.command(addCommand).command(checkCommand).demandCommand(1, 'Give a registry command: add or check'),
  handler: () => undefined,
};
