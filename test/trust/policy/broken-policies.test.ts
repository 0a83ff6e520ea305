import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { exitCodeForError } from '../../../src/cli/exit-codes.js';
import { loadPolicy } from '../../../src/trust/policy/load.js';
import { PolicyError, type ProblemCode } from '../../../src/trust/policy/problems.js';

const DIR = 'fixtures/policies/broken';

interface Case {
  readonly name: string;
  /** Problem codes, in file order. */
  readonly codes: readonly ProblemCode[];
  /** The exact lines of the error message after the header, without the file prefix. */
  readonly want: readonly string[];
}

// One row per fixture file; `every fixture has a row` below keeps the table and the folder in step.
const CASES: readonly Case[] = [
  {
    name: 'bad-ca',
    codes: ['bad-certificate'],
    want: ['6:11: signatures.signers.corp.ca: expected one or more PEM certificates (-----BEGIN CERTIFICATE-----)'],
  },
  {
    name: 'bad-date-calendar',
    codes: ['bad-date'],
    want: ['6:14: suppressions[0].expires: expected a real calendar date YYYY-MM-DD, got "2026-02-30"'],
  },
  {
    name: 'bad-date-format',
    codes: ['bad-value'],
    want: [
      '6:14: suppressions[0].expires: expected a date written YYYY-MM-DD (quote it if your editor turns it into a timestamp), got "31/12/2026"',
    ],
  },
  {
    name: 'bad-global',
    codes: ['bad-value'],
    want: [
      '4:7: models.allowedGlobals[0]: expected module.name or module.* (e.g. collections.OrderedDict, mypkg.layers.*), got "os system"',
    ],
  },
  {
    name: 'bad-level',
    codes: ['bad-value'],
    want: ['3:11: rules.CPX004: expected one of error, warning, note, off, got "critical"'],
  },
  {
    name: 'bad-model-format',
    codes: ['bad-value'],
    want: [
      '3:22: models.forbiddenFormats[0]: expected one of executable, gguf, hdf5, joblib, keras, keras-h5, llamafile, numpy, numpy-npz, onnx, onnx-external-data, pickle, pytorch, pytorch-legacy, pytorch-zip, safetensors, savedmodel, skops, tensorflow, tfjs, tfjs-manifest, tfjs-weights, tflite, torch-mobile-flatbuffer, torch-package, torchscript, got "pickles"; did you mean "pickle"?',
    ],
  },
  {
    name: 'bad-regex-provenance',
    codes: ['bad-regex'],
    want: [
      '6:29: dependencies.requireProvenance[0].identities[0].sourceRepository: expected a valid regular expression, got /https://github.com/acme/[a-z+/ (Unterminated character class)',
    ],
  },
  {
    name: 'bad-regex-subject',
    codes: ['bad-regex'],
    want: [
      '7:23: signatures.signers.release.subjectPattern: expected a valid regular expression, got /https://github\\.com/acme/models/\\.github/workflows/release\\.yml@refs/tags/(v.*/ (Unterminated group)',
    ],
  },
  {
    name: 'bad-registry-url',
    codes: ['bad-value', 'bad-value'],
    want: [
      '4:7: dependencies.allowedRegistries[0]: expected a registry URL starting with https:// or http://, got "registry.acme.dev"',
      '6:7: dependencies.privateScopes[0]: expected an npm scope such as @acme, got "acme"',
    ],
  },
  {
    name: 'bad-signer-kind',
    codes: ['bad-value'],
    want: [
      '5:13: signatures.signers.release.kind: expected one of sigstore, key, certificate, got "keys"; did you mean "key"?',
    ],
  },
  { name: 'duplicate-key', codes: ['yaml-syntax'], want: ['4:3: (root): YAML syntax error: Map keys must be unique'] },
  { name: 'empty', codes: ['wrong-type'], want: ['1:1: (root): expected a mapping (key: value), got nothing (null)'] },
  {
    name: 'many-problems',
    codes: ['unknown-key', 'bad-value', 'bad-value', 'bad-date'],
    want: [
      '4:3: dependencies.allowInstallScript: unknown key; did you mean "allowInstallScripts"? (allowed: allowedRegistries, privateScopes, allowInstallScripts, sources, requireProvenance, verifySignatures, failClosed, python, trustedMirrors)',
      '6:17: models.unknownModel: expected one of error, warning, note, off, got "warn"',
      '12:13: suppressions[0].reason: expected a reason saying why the risk is accepted, got ""',
      '13:14: suppressions[0].expires: expected a real calendar date YYYY-MM-DD, got "2026-13-01"',
    ],
  },
  {
    name: 'missing-key-file',
    codes: ['missing-file'],
    want: [
      '6:12: signatures.signers.release.key: expected PEM text or a path to a PEM file: keys/release.pub does not exist',
    ],
  },
  { name: 'missing-version', codes: ['missing-key'], want: ['1:1: version: required key is missing'] },
  { name: 'not-a-mapping', codes: ['wrong-type'], want: ['1:1: (root): expected a mapping (key: value), got a list'] },
  {
    name: 'private-key',
    codes: ['bad-key'],
    want: [
      '6:12: signatures.signers.release.key: this is a PRIVATE key: give the public key, and remove the private key from the repository',
    ],
  },
  {
    // cosign, sigstore-python and model_signing all need the signer named: a requirement nobody is named for would
    // take a valid signature by anyone.
    name: 'require-without-signers',
    codes: ['bad-value'],
    want: [
      '4:7: signatures.require[0]: expected a signer to require: none is defined under signatures.signers, so a valid Sigstore signature by anyone (any e-mail, any CI workflow) would satisfy it',
    ],
  },
  {
    // gh attestation verify needs --owner or --repo, slsa-verifier --source-uri: a builder alone is not a source (a
    // reusable workflow such as slsa-github-generator's signs the same for every repository that calls it).
    name: 'provenance-without-source',
    codes: ['missing-key'],
    want: [
      "4:7: models.requireProvenance[0]: expected sourceRepository (the repository the model must be built from): without it, an attestation made in anyone's repository would satisfy the requirement, whatever the builders (a reusable workflow signs the same for every repository that calls it)",
    ],
  },
  {
    name: 'sigstore-without-subject',
    codes: ['missing-key'],
    want: [
      '5:7: signatures.signers.anyone-on-github.subject: expected subject or subjectPattern: an issuer alone accepts anyone it signs for',
    ],
  },
  {
    name: 'suppression-incomplete',
    codes: ['incomplete-suppression', 'missing-key'],
    want: [
      '3:5: suppressions[0]: expected a path or a package the suppression applies to',
      '3:5: suppressions[0].reason: required key is missing',
    ],
  },
  {
    name: 'unknown-key-nested',
    codes: ['unknown-key'],
    want: [
      '3:3: models.allowedGlobal: unknown key; did you mean "allowedGlobals"? (allowed: allowedFormats, forbiddenFormats, unknownModel, requirePinnedRevision, allowedGlobals, requireProvenance)',
    ],
  },
  {
    name: 'unknown-key-suppression',
    codes: ['unknown-key'],
    want: ['7:5: suppressions[0].owner: unknown key (allowed: rule, path, package, ecosystem, reason, expires)'],
  },
  {
    name: 'unknown-key-top',
    codes: ['unknown-key'],
    want: [
      '2:1: dependancies: unknown key; did you mean "dependencies"? (allowed: $schema, version, dependencies, models, signatures, rules, suppressions)',
    ],
  },
  {
    name: 'unknown-rule',
    codes: ['unknown-rule', 'unknown-key'],
    want: [
      '3:3: rules.CPX044: unknown rule ID; did you mean "CPX004"? (see `chainproof rules`)',
      '4:3: rules.CPX4: expected a rule ID such as CPD001 (see `chainproof rules`)',
    ],
  },
  {
    name: 'unknown-signer',
    codes: ['unknown-signer'],
    want: [
      '9:17: signatures.require[0].signers[0]: unknown signer "relaese"; did you mean "release"? (defined: release)',
    ],
  },
  {
    name: 'unsupported-key',
    codes: ['bad-key'],
    want: [
      '6:12: signatures.signers.release.key: unsupported key type rsa: expected ECDSA P-256/P-384/P-521 or Ed25519',
    ],
  },
  {
    name: 'wrong-type-boolean',
    codes: ['wrong-type', 'wrong-type'],
    want: [
      '3:21: dependencies.verifySignatures: expected true or false, got "yes"',
      '4:15: dependencies.failClosed: expected true or false, got number 1',
    ],
  },
  {
    name: 'wrong-type-list',
    codes: ['wrong-type'],
    want: ['3:22: dependencies.allowedRegistries: expected a list, got "https://registry.npmjs.org/"'],
  },
  {
    name: 'wrong-type-threshold',
    codes: ['bad-value', 'wrong-type'],
    want: [
      '3:18: signatures.tlogThreshold: expected a number >= 0, got number -1',
      '4:23: signatures.timestampThreshold: expected a whole number, got number 1.5',
    ],
  },
  {
    name: 'yaml-syntax',
    codes: ['yaml-syntax'],
    want: ['3:19: (root): YAML syntax error: Plain value cannot start with reserved character @'],
  },
];

/** Valid files in the folder: they load, and their problem shows up elsewhere (see README). */
const LOADABLE = new Set(['expired-suppression']);

describe('broken policies', () => {
  it('every fixture has a row', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => path.basename(f, '.yml'));
    expect(files.filter((f) => !LOADABLE.has(f)).sort()).toEqual(CASES.map((c) => c.name).sort());
  });

  it.each(CASES)('$name: every problem with file, line, column and field; exit 2', async ({ name, codes, want }) => {
    const file = `${DIR}/${name}.yml`;
    const err = await loadPolicy(file, '.').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PolicyError);
    expect(err).toBeInstanceOf(ConfigError);
    const pe = err as PolicyError;
    expect(exitCodeForError(pe)).toBe(2);
    expect(pe.file).toBe(file);
    expect(pe.problems.map((p) => p.code)).toEqual(codes);
    const lines = pe.message.split('\n');
    expect(lines[0]).toBe(`policy ${file} is invalid (${want.length} problem${want.length === 1 ? '' : 's'}):`);
    expect(lines.slice(1)).toEqual(want.map((w) => `  ${file}:${w}`));
    expect(pe.problems.map((p) => `${p.line}:${p.col}`)).toEqual(want.map((w) => w.split(':').slice(0, 2).join(':')));
  });
});
