import type { Language } from './languages.js';
import { copyOf } from '../core/files.js';
import type { ContentFilter } from '../discover/walk.js';
import { mayNameModelRead, sourceReadBuffer } from './prefilter.js';

/**
 * Which files the reference finders read, by name alone: light enough for the walk's caller (it decides which
 * files' bytes the walk keeps) without loading the parsers.
 */
const LANGUAGE_BY_EXTENSION: Readonly<Record<string, Language>> = {
  py: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'javascript',
  mts: 'javascript',
  cts: 'javascript',
  tsx: 'javascript',
  // Vue, Svelte and Astro single-file components: their `<script>` elements and Astro's frontmatter
  // (javascript-components.ts `componentScript`).
  vue: 'javascript',
  svelte: 'javascript',
  astro: 'javascript',
  yaml: 'config',
  yml: 'config',
  json: 'config',
  // redrefs: Jupyter notebooks, whose code cells python-notebook.ts reads as Python.
  ipynb: 'notebook',
  // redrefs: shell scripts and Dockerfiles (`languageOf`), read for `huggingface-cli download` and `git clone`.
  sh: 'shell',
  bash: 'shell',
  dockerfile: 'shell',
  // Makefile fragments: their recipes are shell command lines (`isMakefile`).
  mk: 'shell',
};

/** The extension the finders go by; TypeScript declaration files have none (never searched: no code runs). */
export function sourceExtension(p: string): string {
  // The last dot of the file's own name (none after a slash: a dot in a folder's name is no extension). The walk asks
  // this of every file: no copy of the name is made.
  const dot = p.lastIndexOf('.');
  // A `.min.js` is read like any script: minified, its shape (search.ts `screenText`) skips it, counted (CPR011); one
  // that is not minified is searched, as the loader that runs it does not care for its name.
  if (dot < 0 || p.indexOf('/', dot) >= 0 || p.endsWith('.d.ts')) return '';
  return p.slice(dot + 1).toLowerCase();
}

/** Whether a path is a source or config file the reference finders read. */
export function isReferenceSource(path: string): boolean {
  return languageOf(path) !== undefined;
}

/**
 * Source installed by pip into a virtual environment or a vendored prefix (`site-packages`, `dist-packages`: the
 * purelib/platlib folders of Python's sysconfig install schemes) is third-party code, not this repository's: its
 * loader calls are the library's own (transformers alone makes hundreds). Not searched, and counted.
 */
export function isInstalledPackage(path: string): boolean {
  return path.includes('-packages/') && /(^|\/)(site|dist)-packages\//.test(path);
}

/**
 * A YAML or JSON file in a test folder (`tests/`, `test/`, `testdata/`, `fixtures/`, `__tests__/`…) is test data: a
 * request body, a recorded result, a fixture config. Its `model_name` keys name what a test checks, not what the
 * application loads: not read as a config, and counted when its bytes name a model key (the refs stage's CPR011).
 * Source files there are read.
 */
export function isTestData(path: string): boolean {
  return (
    (path.includes('test') || path.includes('fixtures')) &&
    isConfigSource(path) &&
    /(^|\/)(tests?|testdata|test_data|testing|fixtures|__tests__|__fixtures__)\//.test(path)
  );
}

/** The language front end a source file goes to (the finders by extension, `sourceExtension`); none for others. */
export function languageOf(path: string): Language | undefined {
  const ext = sourceExtension(path);
  // GitHub workflows' `run:` steps are shell: read line by line for CLI downloads (their YAML keys name no models).
  // The walk asks this of every file: the path tests run only where one of their literal parts is (one search).
  if (SHELL_PARTS.test(path)) {
    if (isDockerfile(path) || isWorkflowFile(path)) return 'shell';
    // refs4: ollama Modelfiles (`FROM <model>`), read by the shell line reader (runtimes.ts).
    if (isModelfile(path)) return 'shell';
    // Docker Compose files: model-server services (servers.ts `readComposeServers`) and their command lines.
    if (isComposeFile(path)) return 'shell';
    if (isMakefile(path)) return 'shell';
  }
  return Object.hasOwn(LANGUAGE_BY_EXTENSION, ext) ? LANGUAGE_BY_EXTENSION[ext] : undefined;
}

/** What every path `languageOf` reads as shell by its name holds (`isModelfile`'s usual cases, Compose files). */
const SHELL_PARTS = /ontainerfile|ockerfile|\.github\/workflows\/|odelfile|ODELFILE|compose|akefile/;

/**
 * A Makefile, by the names GNU make reads (`GNUmakefile`, `makefile`, `Makefile`): each recipe line is a shell command
 * line, which is where ML repositories' `download` targets fetch models. A make variable (`$(MODEL)`) is expanded by
 * make, which `make MODEL=…` overrides: a name that holds one is the run time's, as a shell variable is.
 */
export function isMakefile(path: string): boolean {
  return /(^|\/)(GNUmakefile|[Mm]akefile)$/.test(path);
}

/** A GitHub Actions workflow (`.github/workflows/*.yml`), whose `run:` steps are shell scripts. */
export function isWorkflowFile(path: string): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** A Dockerfile (`Dockerfile`, `Dockerfile.gpu`, `Containerfile`, `app.dockerfile`): read instruction by instruction. */
export function isDockerfile(path: string): boolean {
  return /(^|\/)(Dockerfile|Containerfile)(\.[\w-]+)?$/.test(path) || sourceExtension(path) === 'dockerfile';
}

/** A Docker Compose file (`docker-compose.yml`, `compose.yaml`, `docker-compose.prod.yml`…). */
export function isComposeFile(path: string): boolean {
  return /(^|\/)(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(path);
}

/** An ollama Modelfile (`ollama create NAME -f Modelfile`): `Modelfile`, `Modelfile.x` or `x.Modelfile`. */
export function isModelfile(path: string): boolean {
  // The walk asks this of every file: the pattern runs only on paths that hold the name in a usual case.
  if (!path.includes('odelfile') && !path.includes('ODELFILE')) return false;
  return /(^|\/)(Modelfile(\.[\w-]+)?|[\w.-]+\.modelfile)$/i.test(path);
}

/** A YAML or JSON config (model keys), not source (loader calls). */
export function isConfigSource(path: string): boolean {
  const ext = sourceExtension(path);
  return ext === 'json' || ext === 'yaml' || ext === 'yml';
}

/** The kinds `ownReferenceSources` gives the walk: a language's index here, plus one. */
const KINDS: readonly Language[] = ['python', 'javascript', 'config', 'notebook', 'shell'];

/**
 * The files the refs stage reads whole, for the walk (`ContentFilter`): it reads these whole when small, into the
 * byte pre-filter's memory, and keeps them only when the pre-filter says they may name a model (a few in a hundred
 * source files); the rest the stage would find nothing in, so they are neither held in memory nor read again.
 * Installed packages' source is not the repository's own (`isInstalledPackage`): not read whole.
 */
export const ownReferenceSources: ContentFilter = {
  kind: (path) => {
    const language = isInstalledPackage(path) ? undefined : languageOf(path);
    return language === undefined ? 0 : KINDS.indexOf(language) + 1;
  },
  keep: (kind, read, n) => (mayNameModelRead(KINDS[kind - 1]!, read, n) ? copyOf(read, n) : undefined),
  buffer: sourceReadBuffer,
};

/**
 * A PEFT adapter's adapter_config.json (catalogued as a model manifest, `hf-config`, and read for its code too): peft
 * auto.py `AutoPeftModel….from_pretrained(adapter)` loads `PeftConfig.from_pretrained(adapter)` and then
 * `from_pretrained(peft_config.base_model_name_or_path, revision=peft_config.revision)`: the base model is a hub
 * download the adapter folder names, read as a config (prefilter.ts `MODEL_KEYS`).
 */
export function isAdapterConfig(f: { readonly path: string; readonly format: string }): boolean {
  return f.format === 'hf-config' && (f.path === 'adapter_config.json' || f.path.endsWith('/adapter_config.json'));
}
