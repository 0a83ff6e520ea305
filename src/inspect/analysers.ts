import { formatsReadBy } from '../discover/catalogue/index.js';
import type { ModelAnalyser } from './analyser.js';
import { setMemberReadersLoader } from './content/member-formats.js';

/**
 * The catalogue routes: an analyser reads exactly the formats whose catalogue entry names it in `readBy`. Each
 * analyser file still states its own `formats`; test/discover/catalogue/catalogue.test.ts keeps the two equal
 * (and each name here equal to its file's) until those lines go.
 *
 * An analyser's code loads on its first file: a scan of safetensors files never compiles the pickle VM, the
 * codecs, Jinja or YAML — most of the inspect stage's ~590 KiB, a fifth of a warm re-scan's time.
 */
function lazy(name: string, load: () => Promise<ModelAnalyser>): ModelAnalyser {
  let loaded: Promise<ModelAnalyser> | undefined;
  return {
    name,
    formats: formatsReadBy(name),
    analyze: async (file, ctx) => (await (loaded ??= load())).analyze(file, ctx),
  };
}

// The readers of model members in archives (content/member-formats.ts), loaded with the first file that may hold one.
setMemberReadersLoader(() =>
  Promise.all([
    import('./formats/skops.js'),
    import('./formats/gguf.js'),
    import('./formats/onnx.js'),
    import('./formats/tflite.js'),
    import('./formats/torch-mobile.js'),
    import('./formats/safetensors.js'),
    import('./formats/torch-package.js'),
    import('./formats/yaml-python-tags.js'),
    import('./formats/chat-template-member.js'),
    import('./formats/keras-json-member.js'),
  ]),
);

/**
 * Every model-content analyser, in the order they run. Adding a format is one catalogue entry, one analyser file
 * and one line here.
 */
export const ANALYSERS: readonly ModelAnalyser[] = [
  // A pickled Keras model is judged by its embedded .keras archive, through the judge formats/keras.ts registers
  // when it loads (pickle/keras-object.ts): without it a scan of pickles alone failed every such model closed.
  // The same goes for model files inside archives (content/member-formats.ts): a `.keras`, a Keras `.h5`, a
  // SavedModel's `saved_model.pb` in a zip or tar is judged by its own format's analyser, registered when it loads;
  // a `.skops`, GGUF, ONNX, TFLite, PyTorch Mobile or safetensors member's reader, the YAML python-tag, chat template
  // and Keras model JSON checks load with the first file that may hold members (`setMemberReadersLoader` above).
  lazy(
    'pickle',
    async () =>
      (
        await Promise.all([
          import('./content/analyser.js'),
          import('./formats/keras.js'),
          import('./formats/keras-h5.js'),
          import('./formats/savedmodel.js'),
        ])
      )[0].pickleAnalyser,
  ),
  // A head that is also a pickle, in a file detected as a format the pickle analyser does not read.
  lazy('leading-pickle', async () => (await import('./content/leading-pickle.js')).leadingPickleAnalyser),
  lazy('safetensors', async () => (await import('./formats/safetensors.js')).safetensorsAnalyser),
  lazy('gguf', async () => (await import('./formats/gguf.js')).ggufAnalyser),
  lazy('keras', async () => (await import('./formats/keras.js')).kerasAnalyser),
  lazy('skops', async () => (await import('./formats/skops.js')).skopsAnalyser),
  lazy('torchserve', async () => (await import('./formats/torchserve.js')).torchServeAnalyser),
  lazy('aoti-package', async () => (await import('./formats/aoti-package.js')).aotiPackageAnalyser),
  lazy('zipapp', async () => (await import('./formats/zipapp.js')).zipappAnalyser),
  lazy('torch-package', async () => (await import('./formats/torch-package.js')).torchPackageAnalyser),
  lazy('ape', async () => (await import('./formats/llamafile.js')).llamafileAnalyser),
  lazy('keras-h5', async () => (await import('./formats/keras-h5.js')).kerasH5Analyser),
  lazy('onnx', async () => (await import('./formats/onnx.js')).onnxAnalyser),
  lazy('savedmodel', async () => (await import('./formats/savedmodel.js')).savedModelAnalyser),
  lazy('tflite', async () => (await import('./formats/tflite.js')).tfliteAnalyser),
  lazy('torch-mobile', async () => (await import('./formats/torch-mobile.js')).torchMobileAnalyser),
  lazy('tfjs', async () => (await import('./formats/tfjs.js')).tfjsAnalyser),
  lazy('chat-template', async () => (await import('./formats/hf-chat-template.js')).chatTemplateAnalyser),
  lazy('repo-code', async () => (await import('./formats/repo-code.js')).repoCodeAnalyser),
];
