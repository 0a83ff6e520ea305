import { POLICY_FORMAT_NAMES } from '../../discover/catalogue/index.js';

/**
 * The JSON Schema of a policy file (draft-07, what editors and yaml-language-server complete best).
 * `policies/policy.schema.json` is a generated copy (scripts/sync-policy-assets.mjs; a test keeps them equal).
 * `patternErrorMessage` is the VS Code / yaml-language-server extension keyword; the loader uses it too.
 */
const ruleSetting = {
  description: 'A rule level, or `off` to silence the rule.',
  enum: ['error', 'warning', 'note', 'off'],
} as const;

const anchoredPattern = {
  type: 'string',
  minLength: 1,
  description: 'A regular expression matched against the whole value (`^…$` is implied).',
} as const;

/* Every part of the schema keeps its literal types (`as const`, `const` type parameters): PolicyDocument is computed
   from them (./document-type.ts), so a widened `type: string` here would silently turn a field into `unknown`. */
function stringListOf<const Item extends object>(description: string, item: Item) {
  return { type: 'array', description, uniqueItems: true, items: { type: 'string', minLength: 1, ...item } } as const;
}

const stringList = (description: string) => stringListOf(description, {});

/**
 * Model format names, plus the family names the models stage matches, both from the format catalogue: `pickle` covers
 * every format whose loader unpickles, `pytorch`, `tensorflow`, `tfjs`, `hdf5` their groups.
 */
export const MODEL_FORMAT_NAMES: readonly string[] = POLICY_FORMAT_NAMES;

const modelFormat = { enum: MODEL_FORMAT_NAMES } as const;

/** Python (PyPI) dependencies: hash requirement and PEP 740 Trusted Publishers per project. */
const pythonDependencies = {
  type: 'object',
  additionalProperties: false,
  description: 'Python (PyPI) dependencies.',
  properties: {
    requireHashes: { type: 'boolean', description: 'Every Python package must carry a hash (pip --require-hashes).' },
    indexes: stringListOf(
      'Python package indexes (URL prefixes) a repository may install from besides PyPI, e.g. a project-run index such as download.pytorch.org. Not used for npm.',
      { pattern: '^https?://\\S+$', patternErrorMessage: 'expected an http(s) URL' },
    ),
    requireProvenance: {
      type: 'array',
      description: 'PyPI projects that must carry PEP 740 attestations, optionally from given Trusted Publishers.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['packages'],
        properties: {
          packages: { ...stringList('Project names (PEP 503) or globs.'), minItems: 1 },
          publishers: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                kind: { enum: ['GitHub', 'GitLab', 'Google'] },
                repository: anchoredPattern,
                workflow: anchoredPattern,
                email: anchoredPattern,
              },
            },
          },
        },
      },
    },
  },
} as const;

const signerName = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
  patternErrorMessage: 'expected a signer name made of letters, digits, ".", "_" or "-"',
} as const;

const sigstoreSigner = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'issuer'],
  description:
    'A Sigstore (keyless) identity: the OIDC issuer and the certificate subject. Give `subject` or `subjectPattern`.',
  properties: {
    kind: { const: 'sigstore' },
    issuer: {
      type: 'string',
      format: 'uri',
      pattern: '^https://',
      patternErrorMessage: 'expected the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com',
      description: 'OIDC issuer URL, matched exactly.',
    },
    subject: { type: 'string', minLength: 1, description: 'Certificate subject (email or URI), matched exactly.' },
    subjectPattern: anchoredPattern,
  },
} as const;

const keySigner = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'key'],
  description: 'A public key (PEM; ECDSA P-256/P-384/P-521 or Ed25519), inline or a path relative to the policy file.',
  properties: { kind: { const: 'key' }, key: { type: 'string', minLength: 1 } },
} as const;

const certificateSigner = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'ca'],
  description: 'A certificate chain to this CA (PEM, inline or a path relative to the policy file).',
  properties: {
    kind: { const: 'certificate' },
    ca: { type: 'string', minLength: 1 },
    subject: { type: 'string', minLength: 1, description: 'Leaf certificate subject, matched exactly.' },
  },
} as const;

const provenanceIdentity = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  description: 'A builder identity; every field is an anchored regular expression.',
  properties: {
    issuer: anchoredPattern,
    sourceRepository: anchoredPattern,
    workflow: anchoredPattern,
    subject: anchoredPattern,
  },
} as const;

const isoDate = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  patternErrorMessage: 'expected a date written YYYY-MM-DD (quote it if your editor turns it into a timestamp)',
} as const;

export const POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'chainproof policy',
  description:
    'What chainproof accepts: dependency sources, install scripts, signatures and provenance, model formats, rule levels and suppressions. Every key is optional except `version`; omitted keys take the embedded default.',
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    $schema: { type: 'string', description: 'This schema, for editors.' },
    version: { const: 1, description: 'Policy format version. Always 1.' },
    dependencies: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowedRegistries: stringListOf(
          'Registry URLs packages may resolve from (prefix match; a trailing / is added).',
          {
            format: 'uri',
            pattern: '^https?://',
            patternErrorMessage: 'expected a registry URL starting with https:// or http://',
          },
        ),
        privateScopes: stringListOf(
          'Scopes that are yours: resolving one from a public registry is dependency confusion.',
          {
            pattern: '^@[a-z0-9][a-z0-9._~-]*$',
            patternErrorMessage: 'expected an npm scope such as @acme',
          },
        ),
        allowInstallScripts: stringListOf(
          'Packages (names or globs, e.g. esbuild, @acme/*) allowed to run install scripts.',
          {
            pattern: '^\\S+$',
            patternErrorMessage: 'expected a package name or glob without spaces',
          },
        ),
        sources: {
          type: 'object',
          additionalProperties: false,
          description: 'Level for dependencies that do not come from a registry.',
          properties: { git: ruleSetting, tarball: ruleSetting, file: ruleSetting },
        },
        requireProvenance: {
          type: 'array',
          description: 'Packages that must carry SLSA provenance, optionally from given builders.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['packages'],
            properties: {
              packages: { ...stringList('Package names or globs.'), minItems: 1 },
              identities: { type: 'array', items: provenanceIdentity },
            },
          },
        },
        verifySignatures: { type: 'boolean', description: 'Verify registry signatures when online.' },
        failClosed: { type: 'boolean', description: 'Unverifiable packages fail the run (exit 3 when offline).' },
        python: pythonDependencies,
        trustedMirrors: stringListOf(
          'Registry mirrors (URL prefixes) whose metadata is trusted although they serve no registry signatures.',
          { pattern: '^https?://\\S+$', patternErrorMessage: 'expected an http(s) URL' },
        ),
      },
    },
    models: {
      type: 'object',
      additionalProperties: false,
      properties: {
        allowedFormats: { ...stringList('Model formats allowed; empty = all.'), items: modelFormat },
        forbiddenFormats: {
          ...stringList('Model formats forbidden outright; `pickle` forbids every pickle-based format.'),
          items: modelFormat,
        },
        unknownModel: { ...ruleSetting, description: 'Level for a model file no trusted-registry entry covers.' },
        requirePinnedRevision: {
          type: 'boolean',
          description:
            'Models the code loads by name (from_pretrained, pipeline, hub downloads) must pin a commit: an unpinned reference (CPR001) is an error.',
        },
        allowedGlobals: stringListOf('Pickle globals allowed beyond the built-in safe list: module.name or module.*.', {
          pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*\\.([A-Za-z_][A-Za-z0-9_]*|\\*)$',
          patternErrorMessage: 'expected module.name or module.* (e.g. collections.OrderedDict, mypkg.layers.*)',
        }),
        requireProvenance: {
          type: 'array',
          description:
            'Model files that must carry a verified build provenance attestation (`<file>.sigstore.json`), from given builders and source repository.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['paths'],
            properties: {
              paths: {
                ...stringList('Globs over repo-relative model paths; a folder covers everything under it.'),
                minItems: 1,
              },
              builders: stringListOf(
                'Allowed builder identities: anchored patterns over the signing workflow (Build Signer URI), e.g. `https://github\\.com/acme/models/\\.github/workflows/train\\.yml@refs/tags/.*`. Empty = any builder.',
                { description: anchoredPattern.description },
              ),
              sourceRepository: {
                type: 'string',
                format: 'uri',
                pattern: '^https://',
                patternErrorMessage: 'expected the repository URL, e.g. https://github.com/org/repo',
                description:
                  'Required: the source repository the model must be built from (without it, an attestation made in any repository would do).',
              },
            },
          },
        },
      },
    },
    signatures: {
      type: 'object',
      additionalProperties: false,
      properties: {
        trustedRoot: {
          type: 'string',
          minLength: 1,
          description: 'Path to a Sigstore trusted_root.json (relative to this file); absent = the public-good root.',
        },
        tlogThreshold: {
          type: 'integer',
          minimum: 0,
          maximum: 10,
          description:
            'Transparency-log entries required of every signature, keyed and certificate ones too (0 for model_signing key or certificate signing, which never logs).',
        },
        timestampThreshold: {
          type: 'integer',
          minimum: 0,
          maximum: 10,
          description:
            'Trusted timestamps (log entries with an inclusion promise, RFC 3161) required of every signature.',
        },
        signers: {
          type: 'object',
          description: 'Named signers that `require` and `registry` refer to.',
          propertyNames: signerName,
          additionalProperties: {
            type: 'object',
            required: ['kind'],
            properties: { kind: { enum: ['sigstore', 'key', 'certificate'] } },
            discriminator: { propertyName: 'kind' },
            oneOf: [sigstoreSigner, keySigner, certificateSigner],
          },
        },
        require: {
          type: 'array',
          description: 'Paths (globs) whose files must be signed, and by whom.',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['paths'],
            properties: {
              paths: { ...stringList('Repo-relative globs, e.g. models/**.'), minItems: 1 },
              signers: {
                ...stringList(
                  'Names in signatures.signers; empty = any signer defined there (a requirement with none defined is refused).',
                ),
                items: signerName,
              },
              ignore: stringList(
                'Globs, relative to a signed model folder, of files that are not part of the model (model_signing --ignore-paths).',
              ),
            },
          },
        },
        registry: {
          type: 'object',
          additionalProperties: false,
          required: ['required', 'signers'],
          description: 'Require the trusted registry itself to be signed.',
          properties: {
            required: { type: 'boolean' },
            signers: { ...stringList('Names in signatures.signers.'), items: signerName },
          },
        },
      },
    },
    rules: {
      type: 'object',
      description: 'Level overrides by rule ID (see `chainproof rules`).',
      patternProperties: { '^CP[A-Z][0-9]{3}$': ruleSetting },
      additionalProperties: false,
    },
    suppressions: {
      type: 'array',
      description: 'Accepted findings. Each needs a rule, a path or package, a reason and an expiry date.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason', 'expires'],
        properties: {
          rule: {
            type: 'string',
            pattern: '^(CP[A-Z][0-9]{3}|\\*)$',
            patternErrorMessage: 'expected a rule ID such as CPD001 (or * with a path or package)',
          },
          path: { type: 'string', minLength: 1, description: 'Repo-relative glob of the finding location.' },
          package: {
            type: 'string',
            minLength: 1,
            description:
              'Package name or glob, optionally name@version, or a purl (pkg:npm/name@version, pkg:pypi/name@version), which also sets the ecosystem. A PyPI version matches every PEP 440 spelling of the release (1.16.0 covers 1.16); a local build (+cpu) is another release.',
          },
          ecosystem: {
            enum: ['npm', 'pypi'],
            description:
              'The ecosystem of `package`. Without it (and without a purl) the suppression hides nothing when it matches packages of both npm and PyPI in one scan: one name there is two different packages.',
          },
          reason: {
            type: 'string',
            pattern: '\\S',
            patternErrorMessage: 'expected a reason saying why the risk is accepted',
          },
          expires: isoDate,
        },
      },
    },
  },
} as const;
