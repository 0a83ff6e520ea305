import path from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { openConfigFile } from '../config/read.js';
import type { Policy } from '../../core/policy.js';
import { DEFAULT_POLICY, defaultPolicyDocument, EMBEDDED_DEFAULT_SOURCE } from './default.js';
import { MAX_POLICY_BYTES, parseSource, type SourceDocument } from './document.js';
import { isPlainObject, mergeOver } from './merge.js';
import { PolicyError } from './problems.js';
import { findPolicyFile } from './find.js';
import { resolvePolicyFiles, type PolicyFiles } from './resolve-files.js';
import { toPolicy } from './to-policy.js';
import { toPolicyDocument, validateSchema } from './validate-schema.js';
import { validateSemantics } from './validate-semantic.js';
import { pushAll } from '../../core/push-all.js';
import { leavesBase } from '../../core/relative-path.js';

// Kept in their own module so a scan under the embedded default loads no YAML or schema code (src/app/trust.ts).
export { POLICY_FILE_CANDIDATES, findPolicyFile } from './find.js';

export interface LoadedPolicy {
  readonly policy: Policy;
  /** Absolute path of the policy file; undefined for the embedded default. */
  readonly file: string | undefined;
  /** The name messages use: repo-relative POSIX path, the path as given, or `<embedded default policy>`. */
  readonly display: string;
  /** Default merged with the file, values as written (paths not yet resolved): what `policy explain` prints. */
  readonly effective: Record<string, unknown>;
  /** The file's own document: what it sets, and where. Undefined for the embedded default. */
  readonly document: SourceDocument | undefined;
  /** The trusted root and signer PEM text the policy names, read once while validating it. */
  readonly files: PolicyFiles;
}

const NO_FILES: PolicyFiles = { trustRoot: undefined, pem: new Map() };

/**
 * Load the policy for a scan of `root`. `file` (relative to the working directory) must exist; without it the first
 * of POLICY_FILE_CANDIDATES under `root` is used, else the embedded default. Throws PolicyError (a ConfigError)
 * listing every problem with file, line, column and JSON path.
 */
export async function loadPolicy(file: string | undefined, root: string): Promise<Policy> {
  return (await readPolicy(file, root)).policy;
}

export async function readPolicy(file: string | undefined, root: string): Promise<LoadedPolicy> {
  const abs = file !== undefined ? path.resolve(file) : await findPolicyFile(root);
  if (abs === undefined) {
    return {
      policy: DEFAULT_POLICY,
      file: undefined,
      display: EMBEDDED_DEFAULT_SOURCE,
      effective: defaultPolicyDocument(),
      document: undefined,
      files: NO_FILES,
    };
  }
  const display = displayName(abs, root, file);
  const text = await readPolicyText(abs, display);
  return { ...(await parsePolicy(text, display, path.dirname(abs))), file: abs };
}

/** Validate and build a policy from YAML text; relative paths inside it resolve against `policyDir`. */
export async function parsePolicy(
  text: string,
  display: string,
  policyDir: string,
): Promise<Omit<LoadedPolicy, 'file'> & { document: SourceDocument }> {
  const parsed = parseSource(text);
  if (!parsed.ok) throw new PolicyError(display, parsed.problems);
  const doc = parsed.doc;
  const base = defaultPolicyDocument();
  const problems = [
    ...validateSchema(doc),
    ...validateSemantics(doc, Object.keys(asRecord(asRecord(base['signatures'])['signers']))),
  ];
  const own = isPlainObject(doc.value) ? { ...doc.value } : {};
  delete own['$schema'];
  const effective = mergeOver(base, own) as Record<string, unknown>;
  const resolved = structuredClone(effective);
  const resolvedFiles = await resolvePolicyFiles(resolved, doc, policyDir);
  pushAll(problems, resolvedFiles.problems);
  if (problems.length > 0) throw new PolicyError(display, problems);
  const lineOf = (i: number) => (doc.has(['suppressions', i]) ? doc.locate(['suppressions', i]).line : undefined);
  return {
    policy: toPolicy(toPolicyDocument(resolved, `policy ${display} merged over the default`), display, lineOf),
    display,
    effective,
    document: doc,
    files: resolvedFiles.files,
  };
}

async function readPolicyText(abs: string, display: string): Promise<string> {
  // Non-blocking and checked on the descriptor: a FIFO named as the policy is refused, never waited on.
  const opened = await openConfigFile(abs, `policy file ${display}`);
  if (!opened.ok) throw new ConfigError(opened.error, display, { code: 'CONFIG_FILE_UNREADABLE' });
  const { fh, stats } = opened;
  try {
    if (stats.size > MAX_POLICY_BYTES) {
      throw new ConfigError(
        `policy file ${display} is ${stats.size} bytes; a policy must be under ${MAX_POLICY_BYTES} bytes`,
        display,
        { code: 'CONFIG_POLICY_INVALID' },
      );
    }
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

/** Repo-relative POSIX when inside the root; otherwise the path as the user gave it. */
function displayName(abs: string, root: string, given: string | undefined): string {
  const rel = path.relative(path.resolve(root), abs);
  if (rel !== '' && !leavesBase(rel)) return rel.split(path.sep).join('/');
  return given ?? abs;
}

function asRecord(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}
