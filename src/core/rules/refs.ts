import { defineRules } from '../rule.js';

const TAGS = ['security', 'supply-chain', 'model', 'model-reference'] as const;

/** CPR: models the code loads by name at run time (found by parsing source and config, never by running it). */
export const REFS_RULES = defineRules([
  {
    id: 'CPR001',
    name: 'ModelRevisionNotPinned',
    short: 'Code loads a hub model without pinning it to a commit.',
    full: 'The code downloads a model by name at run time with no revision, or with a branch or tag name. Branches and tags on a model hub move: the next run can load different weights (or different code, with trust_remote_code) than the ones that were reviewed. A model loaded from a plain URL (onnxruntime-web, tfjs) has no revision at all: it is whatever that server answers.',
    help: 'Pass the commit you reviewed: `from_pretrained("org/name", revision="<40-hex commit>")` (transformers.js: `{ revision: "<commit>" }`), and record it in the trusted registry. For a plain URL, ship the reviewed file with the app or load it from a hub URL with a commit in its path (`…/resolve/<40-hex>/model.onnx`). Make it an error with policy `rules: { CPR001: error }`.',
    level: 'warning',
    severity: '6.0',
    tags: [...TAGS],
  },
  {
    id: 'CPR002',
    name: 'ModelRunsRemoteCode',
    short: "Loading this model runs Python code from the model's repository.",
    full: "`trust_remote_code=True` makes transformers download and execute the modelling code in the model repository; `torch.hub.load` executes the repository's `hubconf.py`. Whoever can push to that repository runs code in your build and your service.",
    help: 'Drop `trust_remote_code=True` and use a model whose architecture is in the library, or vendor the reviewed modelling code into this repository and pin the revision. For torch.hub, vendor the model code or load weights with `torch.load(..., weights_only=True)`.',
    level: 'error',
    severity: '8.5',
    tags: [...TAGS, 'code-execution'],
  },
  {
    id: 'CPR003',
    name: 'UnreviewedModelReference',
    short: 'Code loads a hub model that the trusted registry does not list.',
    full: 'The model named here is not in the trusted registry, so nobody has recorded which revision was reviewed. It is the run-time equivalent of an unknown model file.',
    help: 'Review the model at a commit, pin that commit in the code, and record it: `chainproof registry add --ref hf:<org>/<name>@<commit>` (or `--from-refs .` for every pinned reference the code makes) writes an entry with the repo id as name and the commit as revision. The level follows the policy `models.unknownModel`.',
    level: 'warning',
    severity: '5.0',
    tags: [...TAGS],
  },
  {
    id: 'CPR004',
    name: 'ModelRevisionNotReviewed',
    short: 'Code pins a hub model to a commit other than the one the trusted registry reviewed.',
    full: 'The trusted registry lists this model with a reviewed commit, and the code loads a different one.',
    help: 'Load the reviewed commit, or have the new commit reviewed and recorded in the trusted registry in the same change.',
    level: 'error',
    severity: '7.0',
    tags: [...TAGS],
  },
  {
    id: 'CPR012',
    name: 'ModelLoadedFromPullRequest',
    short: "Code loads a hub model from a pull request's ref (refs/pr/N).",
    full: 'On the Hugging Face Hub anyone with an account can open a pull request on a public model repository, and `refs/pr/<N>` follows whatever its author pushes to it. Loading `revision="refs/pr/N"` runs weights (and, with trust_remote_code, code) that the repository\'s owners never merged.',
    help: 'Load the merged commit instead: after review, pin its 40-hex commit (`revision="<commit>"`). If the change was never merged, vendor the reviewed files.',
    level: 'error',
    severity: '8.0',
    tags: [...TAGS],
  },
  {
    id: 'CPR010',
    name: 'ModelChosenAtRunTime',
    short: 'A model loader is called with a name computed at run time.',
    full: 'The model name passed to this loader is not a constant in the file (a variable, a command-line argument, an environment variable). chainproof cannot tell statically which model is loaded, so it cannot be checked against the trusted registry.',
    help: 'Nothing to fix if the name comes from reviewed configuration; make sure that configuration pins a commit. A constant in the file (`MODEL = "org/name"`) lets chainproof check it.',
    level: 'note',
    severity: '2.0',
    tags: [...TAGS],
  },
  {
    id: 'CPR011',
    name: 'SourceNotSearched',
    short:
      'Source files were not searched for model references (minified, generated, too large, or installed packages).',
    full: "Files that look minified or generated, or are over the size limit, are not parsed for model references; neither is Python under site-packages or dist-packages (installed packages, such as a workspace .venv), whose references are not the repository's own. They are counted here so that the gap is visible.",
    help: 'Nothing to do for bundles and vendored code. If a skipped file loads models, split the loading code into a normal source file.',
    level: 'note',
    severity: '1.0',
    tags: [...TAGS, 'scanner-health'],
  },
]);
