import { C, type FidelityCase } from './fidelity-cases.js';

/** fidelity.test.ts's cases of Javascript libraries' option shapes (fixtures/refs/fidelity), kept in a file of their own. */
export const JAVASCRIPT_CASES: FidelityCase[] = [
  {
    // A Vue component's code is its <script> elements' text (@vue/compiler-sfc `parse`; javascript-components.ts
    // `componentScript`), read where it stands; the markup and its comments are not code.
    file: 'component-transformersjs.vue',
    want: [
      'CPR001:8:24 acme/vue-module-model@main',
      'CPR003:8:24 acme/vue-module-model@main',
      'CPR001:9:19 acme/vue-tokenizer@-',
      'CPR003:9:19 acme/vue-tokenizer@-',
    ],
  },
  {
    // Svelte's module and instance scripts (svelte `parse`), the env setting of one holding for the other's load.
    file: 'component-transformersjs.svelte',
    want: ['CPR014:8:17 local:acme/svelte-local', 'CPR018:4:3 env.allowRemoteModels=false'],
  },
  {
    // An npm CDN's URL for transformers.js (javascript-imports.ts `moduleOf`) is the package: the same pipeline and
    // from_pretrained as a bare `@xenova/transformers` / `@huggingface/transformers` import.
    file: 'transformersjs-cdn-imports.js',
    want: [
      'CPR001:6:24 acme/cdn-sentiment@-',
      'CPR003:6:24 acme/cdn-sentiment@-',
      'CPR001:7:21 acme/cdn-model@main',
      'CPR003:7:21 acme/cdn-model@main',
      'CPR001:9:19 acme/cdn-tokenizer@-',
      'CPR003:9:19 acme/cdn-tokenizer@-',
    ],
  },
  {
    // @huggingface/hub's `repo` as a constant (javascript.ts `addOptionValue`): its { type, name } read as if written
    // in the call (a dataset as `datasets/<org>/<name>`, as toRepoId names it); an object handed to another function
    // is the run time's.
    file: 'hub-js-repo-constants.js',
    want: [
      'CPR001:11:30 acme/const-model@- model.safetensors',
      'CPR003:11:30 acme/const-model@- model.safetensors',
      `CPR003:12:31 acme/const-model@${C}`,
      'CPR001:13:27 datasets/acme/const-data@- train.csv',
      'CPR003:13:27 datasets/acme/const-data@- train.csv',
      'CPR001:14:28 acme/const-string@- config.json',
      'CPR003:14:28 acme/const-string@- config.json',
      'CPR010:16:29 dynamic',
    ],
  },
  {
    // tfjs's io router: `file://` (tfjs-node io/file_system.ts), `indexeddb://`, `localstorage://` are read from this
    // machine whatever the rest of the path is (javascript-arguments.ts `startsLocal`), and so is a `tf.io.fileSystem`
    // handler (calls.ts `isTfjsFileSystemHandler`); a URL chosen at run time is not.
    file: 'tfjs-local-schemes.js',
    want: ['CPR010:13:24 dynamic', 'CPR010:14:24 dynamic'],
  },
  {
    // tfjs-core io/http.ts `http(path)` / `browserHTTPRequest(path)`: the handler the loader builds from a URL, so
    // the URL it is given is the model's, unpinned as the plain string is (calls.ts `isTfjsHttpHandler`); tfjs-node-gpu
    // exports the loaders as tfjs-node does.
    file: 'tfjs-http-handler.js',
    want: [
      'CPR001:11:24 https://models.example.com/layers/model.json@-',
      'CPR001:12:23 https://models.example.com/graph/model.json@-',
      'CPR001:13:21 https://models.example.com/old/model.json@-',
      'CPR001:16:21 https://models.example.com/gpu/model.json@-',
      'CPR001:17:26 https://models.example.com/gpu-plain/model.json@-',
      'CPR010:14:24 dynamic',
      'CPR010:15:23 dynamic',
    ],
  },
  {
    // onnxruntime-node js/node/lib/backend.ts: a string is a file the native binding opens, never a download — a
    // parameter or a path.join is no run-time model choice. onnxruntime-web's is (it fetches URLs).
    file: 'onnxruntime-node-paths.js',
    want: [
      'CPR001:11:19 acme/web-onnx@main model.onnx',
      'CPR003:11:19 acme/web-onnx@main model.onnx',
      'CPR010:10:19 dynamic',
    ],
  },
  {
    // tsc erases `as const`, `satisfies T`, `<T>x` and `x!`: the literal under them is the model id and the revision.
    file: 'ts-literal-wrappers.ts',
    want: [
      'CPR001:8:24 acme/inline-const@-',
      'CPR003:8:24 acme/inline-const@-',
      `CPR003:9:24 acme/embed-const@${C}`,
      'CPR001:10:24 acme/rerank-checked@-',
      'CPR003:10:24 acme/rerank-checked@-',
      'CPR001:11:24 acme/angle-cast@-',
      'CPR003:11:24 acme/angle-cast@-',
      'CPR001:12:24 acme/optional@main',
      'CPR003:12:24 acme/optional@main',
      `CPR003:13:24 acme/parenthesised@${C}`,
      'CPR001:14:25 acme/outer-cast@-',
      'CPR003:14:25 acme/outer-cast@-',
    ],
  },
  {
    // transformers.js utils/hub.js getModelFile reads `options.revision` from whatever object the call is given: one
    // declared by name, spread (later keys override), frozen. A spread of the caller's options, or an object changed
    // or handed on before the call, is a revision the file does not decide (javascript-options.test.ts says which).
    file: 'transformersjs-options-variable.js',
    want: [
      `CPR003:7:28 acme/by-name@${C}`,
      `CPR003:8:29 acme/spread@${C}`,
      `CPR003:9:31 acme/spread-extended@${C}`,
      'CPR001:10:33 acme/spread-overridden@main',
      'CPR003:10:33 acme/spread-overridden@main',
      `CPR003:11:29 acme/frozen@${C}`,
      'CPR001:15:10 acme/user-spread@-',
      'CPR003:15:10 acme/user-spread@-',
      'CPR001:20:30 acme/changed@-',
      'CPR003:20:30 acme/changed@-',
      'CPR001:24:29 acme/handed@-',
      'CPR003:24:29 acme/handed@-',
    ],
  },
  {
    // transformers.js getModelFile with `local_files_only`: the cache or env.localModelPath, never the hub
    // (javascript-options.test.ts checks the cache-only verdict the rule IDs here do not show).
    file: 'transformersjs-local-files-only.js',
    want: [
      'CPR001:5:32 acme/cached@-',
      'CPR003:5:32 acme/cached@-',
      `CPR003:6:29 acme/cached@${C}`,
      'CPR001:11:33 acme/cached-pipeline@-',
      'CPR003:11:33 acme/cached-pipeline@-',
      'CPR001:12:30 acme/fetched@-',
      'CPR003:12:30 acme/fetched@-',
    ],
  },
  {
    // transformers.js utils/hub.js PretrainedOptions: no trust_remote_code (it runs ONNX graphs, never Python), so the
    // key loads what it would without it: no CPR002.
    file: 'transformersjs-no-remote-code.js',
    want: ['CPR001:5:28 acme/js-model@-', 'CPR003:5:28 acme/js-model@-', `CPR003:6:32 acme/js-model@${C}`],
  },
];
