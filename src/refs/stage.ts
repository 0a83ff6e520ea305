import path from 'node:path';
import pLimit from 'p-limit';
import type { ScanContext } from '../core/context.js';
import type { DiscoveredFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import type { ModelReference } from '../core/records.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';
import { foldUnlisted, groupFileCauses } from './causes.js';
import { importsFromWrapper, reexportsLoaderPackage, wrapperSpecifierWords } from './loader-wrappers.js';
import type { PythonWrapper } from './python-wrappers.js';
import type { JavaScriptWrapper } from './javascript-wrappers.js';
import { atWrapperCalls } from './wrapper-calls.js';
import type { ExpandedWrapperCalls } from './wrapper-calls.js';
import { dynamicFinding, judgeReference, registryDigests, reviewedCommits } from './judge.js';
import { loadFinder, loadQuickFinder, type Language } from './languages.js';
import { holdsInlinePython, mayNameModelBytes, runsCommands, runsJavaScriptCommands } from './prefilter.js';
import type { Finder, QuickFinder, Searched } from './search.js';
import { isCommandArgument, withMoreReferences, type DynamicReference, type FileReferences } from './types.js';
import type { EnvFileValues } from './compose-env-files.js';
import type { DockerEnvFile } from './docker-env-file.js';
import { scriptOptions, type ScriptOptions } from './python-argparse.js';
import { RepositoryModules, withImportedValues } from './imported-values.js';
import {
  isAdapterConfig,
  isComposeFile,
  isInstalledPackage,
  isReferenceSource,
  isTestData,
  languageOf,
} from './sources.js';
import { pushAll } from '../core/push-all.js';
import { MAX_RELATED } from '../core/group-causes.js';

/**
 * Model references: models the code downloads by name at run time, found by parsing Python, JavaScript/TypeScript
 * and YAML/JSON config — never by running them. Each is judged for pinning, remote code and the trusted registry.
 */
export const refsStage: Stage = {
  name: 'refs',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    if (ctx.options.references === false) return { references: [], findings: [] };
    // The parsers load with the stage's first run, not with the CLI: a scan with --no-refs never loads them.
    // Only the light search rules load here; each language's parser loads with the first file that needs it.
    const { MAX_SOURCE_BYTES, NOT_SEARCHED, maxSourceBytes, runFinder, runQuickFinder, screenText, searchOversized } =
      await import('./search.js');
    const finders = new Map<Language, Promise<Finder>>();
    // Each language's finder once loaded, called without an await: a file the quick finder gave up on goes on to
    // the parser before another file's task runs, so what the quick finder worked out of it (python-snippet.ts
    // `keptStatements`, the lines module's tables) is still there to reuse.
    const loaded = new Map<Language, Finder>();
    const finderFor = (language: Language) => {
      let finder = finders.get(language);
      if (!finder)
        finders.set(
          language,
          (finder = loadFinder(language).then((f) => {
            loaded.set(language, f);
            return f;
          })),
        );
      return finder;
    };
    const quickFinders = new Map<Language, Promise<QuickFinder | undefined>>();
    const quickFinderFor = (language: Language) => {
      let finder = quickFinders.get(language);
      if (!finder) quickFinders.set(language, (finder = loadQuickFinder(language)));
      return finder;
    };
    // The walk read most source files whole and its byte pre-filter turned them away (`contentDeclined`): they are
    // passed over first, with no question of their paths (thousands per repository), and get no task at all (a
    // p-limit task costs a handful of promises). A declined file is a reference source of the repository's own.
    const sources = input.files.filter(
      (f) => !f.contentDeclined && (f.format === 'other' || isAdapterConfig(f)) && isReferenceSource(f.path),
    );
    const installed = sources.filter((f) => isInstalledPackage(f.path)).map((f) => f.path);
    const toSearch = installed.length > 0 ? sources.filter((f) => !isInstalledPackage(f.path)) : sources;
    // transformers' from_pretrained prefers a local folder of the same name (os.path.isdir): so do we. The set of
    // paths is built on the first question (few files name a model; most scans never ask).
    let known: LocalPaths | undefined;
    const existsLocally = (p: string) =>
      (known ??= new LocalPaths(input.files)).has(path.posix.normalize(p.replace(/^\.\//, '')));
    const references: ModelReference[] = [];
    const findings: Finding[] = [];
    const skipped: string[] = [];
    // Test data that names a model key (sources.ts `isTestData`): counted, not read.
    const testData: string[] = [];
    // Loads whose name or revision a command-line flag decides (Python's with no default name: the others name
    // none): script-arguments.ts may find the values command lines give them.
    const flagged: FileReferences = { references: [], dynamic: [] };
    const parserOptions = new Map<string, ScriptOptions>();
    // JavaScript modules that re-export a loader's package (loader-wrappers.ts).
    const wrappers = new Set<string>();
    // JavaScript files searched in which nothing was found (the screen's loader words stood in a comment, say): asked
    // again, as the files the walk turned away, when the repository has such a module.
    const passedOver: DiscoveredFile[] = [];
    // Python loader wrappers by module (python-wrappers.ts), and the run-time note each gives in its module: judged
    // at the end only when no file calls the wrapper (the callers' calls say what it loads).
    const pythonWrappers = new Map<string, PythonWrapper[]>();
    const wrapperNotes = new Map<PythonWrapper | JavaScriptWrapper, DynamicReference>();
    // JavaScript loader wrappers by module (javascript-wrappers.ts), their notes held back the same way.
    const javaScriptWrappers = new Map<string, JavaScriptWrapper[]>();
    const reviewed = reviewedCommits(ctx.registry);
    const digests = registryDigests(ctx.registry);
    // With no model in the trusted registry, every CPR003 has that one cause: kept aside, one finding at the end.
    const noEntries = ctx.registry.models.length === 0;
    const unlisted: Finding[] = [];
    // One file's findings, each cause once (causes.ts).
    const judgeFile = (refs: FileReferences) => {
      const own: Finding[] = [];
      for (const r of refs.references)
        for (const f of judgeReference(r, reviewed, ctx.policy, digests))
          (noEntries && f.ruleId === 'CPR003' ? unlisted : own).push(f);
      for (const d of refs.dynamic) own.push(dynamicFinding(d, ctx.policy));
      pushAll(findings, groupFileCauses(own));
    };
    let byPath: Map<string, DiscoveredFile> | undefined;
    const filesByPath = () => (byPath ??= new Map(input.files.map((f) => [f.path, f])));
    // A repository file's text through the scan's I/O edge, bounded; undefined for none, or one too large to search.
    // With `needles`, only a file whose bytes hold one of them: a test far cheaper than decoding and parsing it, for the
    // passes that read again every file the walk turned away (loader wrappers).
    const readText = async (p: string, needles?: readonly Buffer[]): Promise<string | undefined> => {
      const file = filesByPath().get(p);
      if (!file || file.size > MAX_SOURCE_BYTES) return undefined;
      const bytes = file.content ?? (await readBytes(ctx, file, MAX_SOURCE_BYTES));
      return bytes && (!needles || needles.some((n) => bytes.includes(n))) ? bytes.toString('utf8') : undefined;
    };
    // imported-values.ts: the modules source files import values from, read on first need.
    const modules = new RepositoryModules(() => filesByPath().keys(), readText);
    // Each file a finder reads besides the searched one (a `.env`, an env file) read and parsed once, on first need.
    // One the repository holds but that could not be read (past MAX_SOURCE_BYTES, gone) decides nothing here, so the
    // models it would name are the run time's: it is counted among the files not searched, never a silent pass.
    const parsedOnce = <T>(parse: (text: string) => Promise<T>) => {
      const parsed = new Map<string, Promise<T | undefined>>();
      const read = async (p: string) => {
        const text = await readText(p);
        if (text !== undefined) return parse(text);
        if (filesByPath().has(p)) skipped.push(p);
        return undefined;
      };
      return (p: string): Promise<T | undefined> => {
        let values = parsed.get(p);
        if (!values) parsed.set(p, (values = read(p)));
        return values;
      };
    };
    // Docker Compose interpolates a compose file's `${VAR}` from the shell, else from the `.env` of the project
    // directory (the compose file's folder), and a service's `env_file:` sets its container's variables: each file
    // read once, its secrets left out (compose-dotenv.ts).
    const dotenvAt = parsedOnce(async (t) => (await import('./compose-dotenv.js')).dotenvValues(t));
    const composeProject = async (composePath: string, text: string): Promise<Finder> => {
      const dotenv = await dotenvAt(path.posix.join(path.posix.dirname(composePath), '.env'));
      const { envFilePaths } = await import('./compose-env-files.js');
      const envFilesNamed = envFilePaths(composePath, text, dotenv ?? new Map());
      const envFiles = new Map(await Promise.all(envFilesNamed.map(async (p) => [p, await dotenvAt(p)] as const)));
      return composeFinder(dotenv, envFiles);
    };
    // `docker run --env-file F` (docker-env-file.ts): F from the script's folder, else the repository's root (the
    // run's working folder is not the file's to say); an absolute F is the host's (compose-env-files.ts
    // `repositoryPath`). Each file read once.
    const dockerFileAt = parsedOnce(async (t) => (await import('./docker-env-file.js')).dockerEnvFile(t));
    const dockerProject = async (scriptPath: string, text: string): Promise<Finder> => {
      const { repositoryPath } = await import('./compose-env-files.js');
      const written = new Set([...text.matchAll(DOCKER_ENV_FILE)].map((m) => m[2]!));
      const files = new Map<string, DockerEnvFile | undefined>();
      for (const w of written) {
        const held = [path.posix.dirname(scriptPath), '.']
          .map((folder) => repositoryPath(folder, w))
          .find((p) => p !== undefined && filesByPath().has(p));
        files.set(w, held === undefined ? undefined : await dockerFileAt(held));
      }
      const { findShellReferences } = await import('./shell-commands.js');
      return (p, t, l) => findShellReferences(p, t, l, undefined, undefined, undefined, files);
    };
    // A Python module's loader wrappers (python-wrappers.ts): recorded, and their notes held back from `refs`.
    const heldWrapperNotes = async (p: string, text: string, refs: FileReferences): Promise<FileReferences> => {
      // A loader call left to run time, or one whose name is a parameter's default (`def load(name="org/x")`).
      const places = [...refs.dynamic, ...refs.references.filter((r) => r.nameFrom?.endsWith(')'))];
      if (places.length === 0 || !text.includes('def ')) return refs;
      const { pythonLoaderWrappers, readsModuleNames } = await import('./python-wrappers.js');
      // The module's constants only where a wrapper passes a name of its module (`revision=REVISION`): they cost a
      // second parse.
      const first = pythonLoaderWrappers(p, text, places);
      if (first.length === 0) return refs;
      const found = first.some(readsModuleNames)
        ? pythonLoaderWrappers(p, text, places, await modules.valuesOf(p))
        : first;
      pythonWrappers.set(p, found);
      return holdNotes(refs, found);
    };
    // Each wrapper's run-time note (at the wrapper's loader call) held back from the file's findings until its callers
    // are read: it stands only where no caller resolves the wrapper.
    const holdNotes = (refs: FileReferences, found: readonly (PythonWrapper | JavaScriptWrapper)[]): FileReferences => {
      const held = new Set<DynamicReference>();
      for (const w of found) {
        const note = refs.dynamic.find((d) => d.line === w.line && d.column === w.column);
        if (note === undefined) continue;
        wrapperNotes.set(w, note);
        held.add(note);
      }
      return { ...refs, dynamic: refs.dynamic.filter((d) => !held.has(d)) };
    };
    // A JavaScript module's exported loader wrappers (javascript-wrappers.ts): recorded, their notes held back.
    const heldJavaScriptWrapperNotes = async (p: string, text: string, refs: FileReferences) => {
      if (refs.dynamic.length === 0 || !/\bexports?\b/.test(text)) return refs;
      const { javaScriptLoaderWrappers } = await import('./javascript-wrappers.js');
      const found = javaScriptLoaderWrappers(p, text, refs.dynamic);
      if (found.length === 0) return refs;
      javaScriptWrappers.set(p, found);
      return holdNotes(refs, found);
    };
    // A caller's text with its wrapper calls rewritten (wrapper-calls.ts), read by its language's finder: only the
    // findings at the calls' places are new; wrappers it uses otherwise than by a call read here keep their notes.
    const judgeWrapperCalls = async (
      path: string,
      language: 'python' | 'javascript',
      expanded: ExpandedWrapperCalls<PythonWrapper | JavaScriptWrapper>,
      called: Set<PythonWrapper | JavaScriptWrapper>,
      unread: Set<PythonWrapper | JavaScriptWrapper>,
    ) => {
      for (const w of expanded.unread) unread.add(w);
      if (expanded.calls.length === 0) return;
      const got = runFinder(loaded.get(language) ?? (await finderFor(language)), path, expanded.text, existsLocally);
      if (got.kind === 'skipped') skipped.push(path);
      if (got.kind !== 'found') return;
      // A Python caller's names imported from other modules are resolved as the first reading resolves them.
      const refs =
        language === 'python'
          ? await withImportedValues(path, expanded.text, got.refs, modules, existsLocally)
          : got.refs;
      for (const c of expanded.calls) called.add(c.wrapper);
      const found = atWrapperCalls(refs, expanded.calls);
      pushAll(references, found.references);
      judgeFile(found);
    };
    // Every JavaScript file that calls a wrapper it imports or requires, read with those calls as the loader calls
    // they make (the walk may have turned it away: it names no loader); only findings at the calls' places are new.
    const readJavaScriptWrapperCalls = async (
      called: Set<PythonWrapper | JavaScriptWrapper>,
      unread: Set<PythonWrapper | JavaScriptWrapper>,
    ) => {
      const { expandJavaScriptWrapperCalls } = await import('./javascript-wrappers.js');
      const needles = wrapperSpecifierWords(javaScriptWrappers.keys()).map((w) => Buffer.from(w));
      const wrapperOf = (m: string, n: string) => javaScriptWrappers.get(m)?.find((w) => w.name === n);
      const exists = (p: string) => filesByPath().has(p);
      const callers = input.files.filter(
        (f) => languageOf(f.path) === 'javascript' && isReferenceSource(f.path) && !isInstalledPackage(f.path),
      );
      await Promise.all(
        callers.map((file) =>
          ctx.limit(async () => {
            const text = await readText(file.path, needles);
            const expanded =
              text === undefined ? undefined : expandJavaScriptWrapperCalls(file.path, text, wrapperOf, exists);
            if (expanded) await judgeWrapperCalls(file.path, 'javascript', expanded, called, unread);
          }),
        ),
      );
    };
    // Every Python file that calls a wrapper it imports, read with those calls as the loader calls they make; the
    // references found at the calls' places are new (the first reading saw no loader there). A wrapper no file calls
    // keeps its module's note.
    const readWrapperCalls = async () => {
      const { expandWrapperCalls, pythonModuleWords } = await import('./python-wrappers.js');
      const names = [...new Set([...pythonWrappers.values()].flat().map((w) => w.name))].map((n) => Buffer.from(n));
      // A caller names a wrapper (the byte test) and imports its module (the text test), before it is parsed.
      const moduleWords = pythonModuleWords(pythonWrappers.keys());
      const wrapperOf = (m: string, n: string) => pythonWrappers.get(m)?.find((w) => w.name === n);
      const exists = (p: string) => filesByPath().has(p);
      const called = new Set<PythonWrapper | JavaScriptWrapper>();
      // Wrappers some file uses otherwise than by a call read here: their notes stand.
      const unread = new Set<PythonWrapper | JavaScriptWrapper>();
      for (const w of [...pythonWrappers.values()].flat()) if (w.selfUsed) unread.add(w);
      if (javaScriptWrappers.size > 0) await readJavaScriptWrapperCalls(called, unread);
      const callers = input.files.filter(
        (f) =>
          pythonWrappers.size > 0 &&
          (languageOf(f.path) === 'python' || languageOf(f.path) === 'notebook') &&
          isReferenceSource(f.path) &&
          !isInstalledPackage(f.path),
      );
      await Promise.all(
        callers.map((file) =>
          ctx.limit(async () => {
            const text = await readText(file.path, names);
            if (text === undefined || !moduleWords.some((w) => text.includes(w))) return;
            const notebook = languageOf(file.path) === 'notebook';
            const code = notebook ? (await import('./python-notebook.js')).notebookPython(text) : text;
            if (code === undefined) return;
            const expanded = expandWrapperCalls(file.path, code, wrapperOf, exists, (m) => pythonWrappers.has(m));
            // A notebook's calls are not read at its cells' lines: each wrapper it uses keeps its note.
            if (expanded && notebook)
              for (const w of [...expanded.unread, ...expanded.calls.map((c) => c.wrapper)]) unread.add(w);
            else if (expanded) await judgeWrapperCalls(file.path, 'python', expanded, called, unread);
          }),
        ),
      );
      // A note once, though its function is exported under several names.
      const uncalled = [
        ...new Set([...wrapperNotes].filter(([w]) => !called.has(w) || unread.has(w)).map(([, d]) => d)),
      ];
      for (const p of new Set(uncalled.map((d) => d.path)))
        judgeFile({ references: [], dynamic: uncalled.filter((d) => d.path === p) });
    };
    // A notebook past MAX_SOURCE_BYTES (its outputs) is read one at a time: its text and JSON tree are up to
    // MAX_NOTEBOOK_BYTES and more, which every task of the scan's concurrency at once could not afford.
    const oneLarge = pLimit(1);
    const limitFor = (file: DiscoveredFile): ScanContext['limit'] =>
      file.size > MAX_SOURCE_BYTES && file.size <= maxSourceBytes(file.path)
        ? (fn) => oneLarge(() => ctx.limit(fn))
        : ctx.limit;
    await Promise.all(
      toSearch.map((file) =>
        limitFor(file)(async () => {
          const max = maxSourceBytes(file.path);
          if (file.size > max) {
            if (searchOversized(file.path).kind === 'skipped') skipped.push(file.path);
            return;
          }
          // Small files come whole from the walk's read, already through the byte pre-filter; the rest through the
          // scan's I/O edge.
          const bytes = file.content ?? (await readBytes(ctx, file, max));
          // Opened by the walk, gone or swapped since: not searched, and counted (never a silent pass).
          if (bytes === undefined) {
            skipped.push(file.path);
            return;
          }
          const language = languageOf(file.path);
          // Bytes the walk kept have passed this same test (`ownReferenceSources`); skipping it never loses a reference.
          if (!language || (file.content === undefined && !mayNameModelBytes(language, bytes))) return;
          if (language === 'config' && isTestData(file.path)) {
            testData.push(file.path);
            return;
          }
          const text = bytes.toString('utf8');
          if (language === 'javascript' && reexportsLoaderPackage(text)) wrappers.add(file.path);
          const quick = await quickFinderFor(language);
          const got =
            screenText(file.path, text) ??
            (quick && runQuickFinder(quick, file.path, text, existsLocally)) ??
            runFinder(
              language === 'shell' && isComposeFile(file.path)
                ? await composeProject(file.path, text)
                : language === 'shell' && text.includes('--env-file')
                  ? await dockerProject(file.path, text)
                  : (loaded.get(language) ?? (await finderFor(language))),
              file.path,
              text,
              existsLocally,
            );
          if (language === 'javascript' && foundNothing(got)) passedOver.push(file);
          if (got.kind === 'skipped') skipped.push(file.path);
          if (got.kind !== 'found') return;
          // A name the file imports from a module of the repository may decide what it left open.
          const imported =
            language === 'python' || language === 'javascript' || language === 'notebook'
              ? await withImportedValues(file.path, text, got.refs, modules, existsLocally)
              : got.refs;
          // Python or JavaScript that runs a command line (`subprocess.run(["huggingface-cli", "download", …])`,
          // `execSync("hf download …")`), read as the shell would; a shell script's inline Python, read as Python.
          const second =
            language === 'python' && runsCommands(text)
              ? (await import('./python-commands.js')).findPythonCommandReferences(file.path, text, existsLocally)
              : language === 'javascript' && runsJavaScriptCommands(text)
                ? (await import('./javascript-commands.js')).findJavaScriptCommandReferences(
                    file.path,
                    text,
                    existsLocally,
                  )
                : language === 'shell' && holdsInlinePython(text)
                  ? (await import('./shell-python.js')).findInlinePythonReferences(file.path, text, existsLocally)
                  : undefined;
          const refs = second ? withMoreReferences(imported, second, () => skipped.push(file.path)) : imported;
          pushAll(references, refs.references);
          const before = flagged.references.length + flagged.dynamic.length;
          for (const r of refs.references)
            if (isCommandArgument(r.nameFrom) || isCommandArgument(r.revisionFrom)) flagged.references.push(r);
          if (language === 'python')
            for (const d of refs.dynamic) if (isCommandArgument(d.nameFrom)) flagged.dynamic.push(d);
          // A script a command line may give a model: how that command may write its parser's options (an alias, a
          // prefix), read from the script's text (python-argparse.ts `scriptOptions`). Only a `.py` script's are asked
          // for (script-arguments.ts `argumentLoads`).
          if (
            language === 'python' &&
            file.path.endsWith('.py') &&
            flagged.references.length + flagged.dynamic.length > before
          ) {
            const options = scriptOptions(text);
            if (options) parserOptions.set(file.path, options);
          }
          judgeFile(
            language === 'python'
              ? await heldWrapperNotes(file.path, text, refs)
              : language === 'javascript'
                ? await heldJavaScriptWrapperNotes(file.path, text, refs)
                : refs,
          );
        }),
      ),
    );
    // A file the walk turned away that imports a loader from a module re-exporting its package (loader-wrappers.ts),
    // read now by the parser, which follows the binding there (imported-values.ts). Only with such a module.
    if (wrappers.size > 0) {
      const exists = (p: string) => filesByPath().has(p);
      const needles = wrapperSpecifierWords(wrappers).map((w) => Buffer.from(w));
      const declined = input.files.filter(
        (f) =>
          f.contentDeclined === true &&
          languageOf(f.path) === 'javascript' &&
          isReferenceSource(f.path) &&
          !isInstalledPackage(f.path),
      );
      await Promise.all(
        [...declined, ...passedOver].map((file) =>
          ctx.limit(async () => {
            const text = await readText(file.path, needles);
            if (text === undefined || !importsFromWrapper(file.path, text, wrappers, exists)) return;
            const got = runFinder(
              loaded.get('javascript') ?? (await finderFor('javascript')),
              file.path,
              text,
              existsLocally,
            );
            if (got.kind === 'skipped') skipped.push(file.path);
            if (got.kind !== 'found') return;
            const refs = await withImportedValues(file.path, text, got.refs, modules, existsLocally, true);
            pushAll(references, refs.references);
            judgeFile(refs);
          }),
        ),
      );
    }
    if (pythonWrappers.size > 0 || javaScriptWrappers.size > 0) await readWrapperCalls();
    for (const given of await scriptArguments(
      flagged,
      parserOptions,
      input.files,
      readText,
      existsLocally,
      ctx.limit,
    )) {
      pushAll(references, given.references);
      judgeFile(given);
    }
    pushAll(findings, foldUnlisted(unlisted, ctx.policy.suppressions));
    findings.push(
      // A file searched and also read aside (an env file of a `docker run`) is one file.
      ...notSearched([...new Set(skipped)].sort(), undefined, NOT_SEARCHED),
      ...notSearched(
        installed,
        'installed-packages',
        "source file(s) of installed Python packages (site-packages, dist-packages) were not searched for model references: they are third-party code, not this repository's. Scan the environment separately if it is yours.",
      ),
      ...notSearched(
        testData.sort(),
        'test-data',
        'YAML/JSON file(s) in test folders (tests/, fixtures/, testdata/…) name a model key but were not read as configs for model references: they are test data, whose model keys name what a test checks, not what the application loads.',
      ),
    );
    return { references, findings };
  },
};

/** A search that found no reference, no run-time choice and no loader a module of the repository gives. */
const foundNothing = (got: Searched) =>
  got.kind === 'none' ||
  (got.kind === 'found' &&
    got.refs.references.length === 0 &&
    got.refs.dynamic.length === 0 &&
    got.refs.loaderFromRepository !== true);

/** A `--env-file` option's path as written (`--env-file F`, `--env-file=F`, quoted or not). */
const DOCKER_ENV_FILE = /--env-file(?:=|\s+)(["']?)([^\s"'$;&|`]+)\1/g;

/** The shell finder for a compose file: its project's `.env` values, and those of the env files its services name. */
async function composeFinder(
  dotenv: ReadonlyMap<string, string> | undefined,
  envFiles: EnvFileValues,
): Promise<Finder> {
  const { findShellReferences } = await import('./shell-commands.js');
  return (p, t, l) => findShellReferences(p, t, l, dotenv, undefined, envFiles);
}

/**
 * What command lines of the repository give the Python scripts that load a model by a command-line flag
 * (script-arguments.ts), each command file's apart: read only when some script does, from the files the shell finder
 * reads and notebooks' shell escapes (python-notebook.ts `notebookShell`), each that names one of those scripts.
 */
async function scriptArguments(
  flagged: FileReferences,
  parserOptions: ReadonlyMap<string, ScriptOptions>,
  files: readonly DiscoveredFile[],
  readText: (p: string) => Promise<string | undefined>,
  existsLocally: (p: string) => boolean,
  limit: ScanContext['limit'],
): Promise<FileReferences[]> {
  if (flagged.references.length === 0 && flagged.dynamic.length === 0) return [];
  const { argumentLoads, commandLineArguments, readsCommandLines } = await import('./script-arguments.js');
  const loads = argumentLoads(flagged.references, flagged.dynamic, parserOptions);
  if (loads.size === 0) return [];
  const names = [...new Set([...loads.keys()].map((p) => path.posix.basename(p)))];
  // Read through the scan's limit, as the files searched are; each command file's references in file order.
  const found = await Promise.all(
    files
      // A file the walk's pre-filter declined runs no script (prefilter.ts `mayNameModelRead`): not read again.
      .filter((f) => !f.contentDeclined && readsCommandLines(f.path))
      .map((f) =>
        limit(async () => {
          const text = await readText(f.path);
          if (text === undefined || !names.some((n) => text.includes(n))) return undefined;
          return commandLineArguments(f.path, text, loads, existsLocally);
        }),
      ),
  );
  return found.filter((refs) => refs !== undefined);
}

/** One CPR011 for files left unsearched for one reason, with their count (none when there are none). */
function notSearched(files: readonly string[], reason: string | undefined, message: string): Finding[] {
  if (files.length === 0) return [];
  return [
    {
      ruleId: 'CPR011',
      message: `${files.length} ${message}`,
      location: { path: files[0]! },
      evidence: { count: files.length, ...(reason ? { reason } : {}), files: files.slice(0, 200).join(' ') },
      // The other files, as for any one-cause finding: reporters list them, and the count and names are then no part
      // of its identity (one more minified file kept the alert, where a changed count had re-keyed it).
      related: files.slice(1, MAX_RELATED + 1).map((f) => ({ path: f })),
    },
  ];
}

/**
 * Every file's path and the folders above it, for `existsLocally`: the paths sorted once (a native sort) and searched
 * by halves. A set of every folder took a loop over every file and its folders, which V8 compiled on a second thread
 * at more CPU than the loop itself.
 */
class LocalPaths {
  private readonly sorted: readonly string[];

  constructor(files: readonly DiscoveredFile[]) {
    this.sorted = files.map((f) => f.path).sort();
  }

  /** A file at `p`, or a folder that holds one (`p/…`; `p-x` and `p.x` sort between the two). */
  has(p: string): boolean {
    const at = this.lowerBound(p);
    if (this.sorted[at] === p) return true;
    return this.sorted[this.lowerBound(`${p}/`)]?.startsWith(`${p}/`) ?? false;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Through the scan's I/O edge (counted, regular files only), bounded. */
async function readBytes(ctx: ScanContext, file: DiscoveredFile, maxBytes: number): Promise<Buffer | undefined> {
  const src = await ctx.files.open(file.abs, file.path, file).catch(() => undefined);
  if (!src) return undefined;
  try {
    return await src.read(0, Math.min(file.size, maxBytes));
  } finally {
    await src.close();
  }
}
