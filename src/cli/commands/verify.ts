import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { SignerSpec } from '../../core/policy.js';
import {
  describeSigner,
  isModelSignature,
  loadTrustedRoot,
  resolveSigners,
  verifyArtifactBundle,
  verifyModelSignature,
  type BundleVerdict,
  type ModelFile,
  type ModelIssue,
} from '../../verify/index.js';
import { cliOutcome } from '../outcome.js';
import { EXIT } from '../exit-codes.js';
import { regexError } from '../../trust/policy/patterns.js';

export interface VerifyArgs {
  bundle: string;
  artifact: string;
  identity: string | undefined;
  'subject-pattern': string | undefined;
  issuer: string | undefined;
  key: string | undefined;
  ca: string | undefined;
  'trusted-root': string | undefined;
  ignore: string[];
  json: boolean;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <bundle> <artifact>',
  describe:
    'Verify a Sigstore bundle over a file, or an OpenSSF model signature (model.sig) over a model folder, offline',
  builder: (y: Argv) =>
    y
      .positional('bundle', {
        type: 'string',
        demandOption: true,
        describe: 'Bundle (<file>.sigstore.json, .sigstore) or model.sig',
      })
      .positional('artifact', {
        type: 'string',
        demandOption: true,
        describe: 'The signed file, or the model folder (or single model file) for a model.sig',
      })
      .option('identity', {
        type: 'string',
        describe: 'Expected signer subject (certificate SAN: email or URI), matched exactly',
      })
      .option('subject-pattern', {
        type: 'string',
        describe: 'Expected signer subject as a regular expression (anchored: ^…$ is implied)',
      })
      .option('issuer', {
        type: 'string',
        describe: 'Expected OIDC issuer, e.g. https://token.actions.githubusercontent.com',
      })
      .option('key', { type: 'string', describe: 'Public key PEM file (ECDSA P-256/P-384/P-521 or Ed25519)' })
      .option('ca', { type: 'string', describe: 'CA certificate(s) PEM file the signing certificate must chain to' })
      .option('trusted-root', {
        type: 'string',
        describe: 'Sigstore trusted_root.json (default: the embedded public-good root)',
      })
      .option('ignore', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Model folder: globs of files that are not part of the model',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON' })
      .example(
        '$0 verify a.txt.sigstore.json a.txt --identity me@example.com --issuer https://github.com/login/oauth',
        'Keyless (Sigstore)',
      )
      .example('$0 verify model/model.sig model --key signing-key-pub.pem', 'A model folder signed with a key'),
  handler: async (argv) => {
    cliOutcome.exitCode = await runVerify(argv);
  },
};

export async function runVerify(argv: VerifyArgs): Promise<number> {
  const spec = signerSpec(argv);
  const signers = await resolveSigners({ cli: spec }, process.cwd(), 'command line');
  const bundleText = await readFile(argv.bundle).catch((err: unknown) => {
    throw new UsageError(`cannot read bundle ${argv.bundle}: ${(err as { code?: string }).code ?? String(err)}`);
  });
  const st = await lstat(argv.artifact).catch(() => {
    throw new UsageError(`cannot read artifact ${argv.artifact}: no such file or directory`);
  });
  const trust = await loadTrustedRoot(
    argv['trusted-root'] !== undefined ? path.resolve(argv['trusted-root']) : undefined,
  );
  // Given a key or a CA, the signature is checked as model_signing verify key / certificate checks it: against that
  // material alone, as those methods never log (entries a bundle does carry are still verified). Keyless needs both.
  const logged = spec.kind === 'sigstore' ? 1 : 0;
  const common = { trust, signers, tlogThreshold: logged, timestampThreshold: logged };
  // A model signature is known by its statement (model_signing predicate), not by its name: `--signature` is free.
  const isModel = st.isDirectory() || path.basename(argv.bundle) === 'model.sig' || isModelSignature(bundleText);
  let verdict: BundleVerdict;
  let issues: readonly ModelIssue[] = [];
  if (isModel) {
    const dir = st.isDirectory() ? argv.artifact : path.dirname(argv.artifact);
    const { files, unreadable, unreadableLinks } = await listModelFolder(dir);
    const sigRel = path.relative(dir, argv.bundle).split(path.sep).join('/');
    const r = await verifyModelSignature({
      ...common,
      signature: bundleText,
      signatureFile: sigRel,
      files,
      unreadable,
      unreadableLinks,
      ignore: argv.ignore,
      // A file given as the artifact is the model, as model_signing is given it; a folder is the whole model.
      ...(st.isDirectory() ? {} : { modelFile: path.basename(argv.artifact) }),
    });
    verdict = r.verdict;
    issues = r.issues;
  } else {
    verdict = verifyArtifactBundle({ ...common, bundle: bundleText, artifact: await readFile(argv.artifact) });
  }
  const ok = verdict.ok && issues.length === 0;
  if (argv.json) {
    process.stdout.write(
      JSON.stringify({ verified: ok, verdict, issues }, (_k, v: unknown) => (Buffer.isBuffer(v) ? undefined : v), 2) +
        '\n',
    );
  } else {
    process.stdout.write(summary(argv, verdict, issues, ok));
  }
  return ok ? EXIT.ok : EXIT.findings;
}

function signerSpec(argv: VerifyArgs): SignerSpec {
  const keyless = argv.identity !== undefined || argv['subject-pattern'] !== undefined;
  const modes = [keyless, argv.key !== undefined, argv.ca !== undefined].filter(Boolean).length;
  if (modes !== 1)
    throw new UsageError('give exactly one signer: --identity/--subject-pattern with --issuer, --key PEM, or --ca PEM');
  if (argv.key !== undefined) return { kind: 'key', key: path.resolve(argv.key) };
  if (argv.ca !== undefined) return { kind: 'certificate', ca: path.resolve(argv.ca) };
  if (argv.issuer === undefined)
    throw new UsageError('--identity and --subject-pattern need --issuer (the OIDC issuer URL)');
  // The same check as policy patterns: a pattern that can backtrack catastrophically is refused (exit 2).
  const bad = argv['subject-pattern'] !== undefined ? regexError(argv['subject-pattern']) : undefined;
  if (bad !== undefined) throw new UsageError(`--subject-pattern: ${bad}`);
  return {
    kind: 'sigstore',
    issuer: argv.issuer,
    ...(argv.identity !== undefined ? { subject: argv.identity } : {}),
    ...(argv['subject-pattern'] !== undefined ? { subjectPattern: argv['subject-pattern'] } : {}),
  };
}

function summary(argv: VerifyArgs, verdict: BundleVerdict, issues: readonly ModelIssue[], ok: boolean): string {
  if (ok && verdict.ok)
    return `Verified OK: ${argv.artifact} is signed by ${describeSigner(verdict.signer)} (${argv.bundle})\n`;
  const lines = [`Verification FAILED for ${argv.artifact} (${argv.bundle})`];
  if (!verdict.ok)
    lines.push(
      `  ${verdict.code}: ${verdict.reason}${verdict.signer ? ` [signer seen: ${describeSigner(verdict.signer)}]` : ''}`,
    );
  else lines.push(`  signature by ${describeSigner(verdict.signer)} is valid, but the model does not match it:`);
  for (const i of issues)
    lines.push(
      `  ${i.kind}: ${i.path}${i.kind === 'changed' ? ` (expected ${i.algorithm}:${i.expected}, found ${i.actual})` : i.kind === 'unverifiable' ? ` (${i.reason})` : i.kind === 'extra' && i.files ? `/ (${i.files.length} unsigned files)` : i.kind === 'missing' && i.files ? `/ (${i.files.length} signed files)` : ''}`,
    );
  return lines.join('\n') + '\n';
}

/**
 * Regular files under `dir`. A link to a file is listed with its target's size and `link` set, so the signature
 * decides, as model_signing does from its `allow_symlinks`: refused without it, the target hashed with it. A link to
 * a folder or to nothing is not followed: unreadable, and refused as a link when the signature allows none.
 */
async function listModelFolder(
  dir: string,
): Promise<{ files: ModelFile[]; unreadable: string[]; unreadableLinks: string[] }> {
  const files: ModelFile[] = [];
  const unreadable: string[] = [];
  const unreadableLinks: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, r);
      if (e.isDirectory()) {
        // model_signing leaves out the model root's .git alone (hashing.py `Config.hash`); a deeper one is hashed.
        if (rel !== '' || e.name !== '.git') await walk(r);
      } else if (e.isFile()) files.push({ path: r, abs, size: (await lstat(abs)).size });
      else if (e.isSymbolicLink()) {
        const target = await stat(abs).catch(() => undefined);
        if (target?.isFile()) files.push({ path: r, abs, size: target.size, link: r });
        else {
          unreadable.push(r);
          unreadableLinks.push(r);
        }
      } else unreadable.push(r);
    }
  };
  await walk('');
  return { files, unreadable, unreadableLinks };
}
