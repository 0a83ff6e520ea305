/**
 * The embedded default policy, as YAML text so that it needs no file at run time (the Action is one bundled file).
 * `policies/default.yml` is a generated copy (scripts/sync-policy-assets.mjs; a test keeps them equal).
 */
export const DEFAULT_POLICY_YAML = `# yaml-language-server: $schema=./policy.schema.json
#
# The chainproof default policy. It applies when no --policy is given and the repository has neither
# .chainproof/policy.yml nor chainproof.policy.yml. A policy file is merged over it: objects merge key by key,
# lists and values replace. Run \`chainproof policy explain\` to see the result.
version: 1

dependencies:
  # Packages may come from the public npm registry (and its yarn alias) plus every registry .npmrc names.
  allowedRegistries:
    - https://registry.npmjs.org/
    - https://registry.yarnpkg.com/
  # Scopes that are yours. Empty: no dependency-confusion check until you name them.
  privateScopes: []
  # No package may run install scripts unless named here.
  allowInstallScripts: []
  # Dependencies from git, a tarball URL or a local path bypass the registry's integrity and signatures.
  sources:
    git: warning
    tarball: warning
    file: note
  requireProvenance: []
  python:
    # Python indexes a repository may name besides PyPI: project-run public indexes whose files are the project's own
    # builds (PyTorch's CUDA / CPU wheels, NVIDIA's). Lists replace: set \`indexes: []\` to allow PyPI only.
    indexes:
      - https://download.pytorch.org/whl/
      - https://pypi.nvidia.com/
  verifySignatures: true
  # Packages that cannot be verified (e.g. registry unreachable) are findings but do not fail the run.
  failClosed: false

models:
  # Every format is allowed; pickle-based files are still inspected for code that runs on load.
  allowedFormats: []
  forbiddenFormats: []
  # A model file the trusted registry does not list.
  unknownModel: note
  # Pickle globals allowed beyond the built-in safe list.
  allowedGlobals: []

signatures:
  # No trustedRoot: the Sigstore public-good root embedded in chainproof.
  tlogThreshold: 1
  timestampThreshold: 1
  signers: {}
  require: []

rules: {}

suppressions: []
`;
