import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { findConfigReferences } from '../../src/refs/config.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast } from '../../src/refs/javascript-fast.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { findNotebookReferences } from '../../src/refs/python-notebook.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';
import { languageOf } from '../../src/refs/sources.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { refsStage } from '../../src/refs/stage.js';
import { searchText } from '../../src/refs/find.js';
import { REPO } from '../helpers/cli.js';
import { scanAsCli, scanWith } from '../helpers/scan.js';
import { C, type FidelityCase } from './fidelity-cases.js';
import { JAVASCRIPT_CASES } from './fidelity-cases-javascript.js';
import { PYTHON_CASES } from './fidelity-cases-python.js';
import { byReference } from './finding-lines.js';

/**
 * Fidelity cases: what chainproof reports for a reference must be what the library would download or run (each
 * fixture names the library function it follows). Every finding as `RULE:line:column repo@revision`, through the
 * finder the scan uses and, for Python, through lezer over the whole file too (the fast reader must agree).
 */
const DIR = path.join(REPO, 'fixtures', 'refs', 'fidelity');
const local = (p: string) => p === 'checkpoints' || p.startsWith('checkpoints/');

function findings(file: string, finder = pickFinder(file)) {
  const r = finder(file, readFileSync(path.join(DIR, file), 'utf8'), local);
  return [
    ...r.references.flatMap((ref) =>
      judgeReference(ref, new Map(), DEFAULT_POLICY).map(
        (f) =>
          `${f.ruleId}:${f.location.line}:${f.location.column} ${ref.repoId ?? ref.url}@${ref.revision ?? '-'}${ref.revisionFrom !== undefined ? ` env:${ref.revisionFrom}` : ''}${ref.nameFrom !== undefined ? ` name-env:${ref.nameFrom}` : ''}${ref.file !== undefined ? ` ${ref.file}` : ''}`,
      ),
    ),
    ...r.dynamic.map((d) => {
      const f = dynamicFinding(d);
      const what =
        d.dataset ??
        d.task ??
        d.table ??
        d.ollama ??
        (d.hubSetting ? `${d.hubSetting.variable}=${d.hubSetting.value}` : undefined) ??
        (d.localModel !== undefined ? `local:${d.localModel}` : 'dynamic');
      return `${f.ruleId}:${f.location.line}:${f.location.column} ${what}`;
    }),
  ];
}

function pickFinder(file: string) {
  if (file.endsWith('.py')) return findPythonReferences;
  if (file.endsWith('.ipynb')) return findNotebookReferences;
  if (/\.(ya?ml|json)$/.test(file)) return findConfigReferences;
  return findJavaScriptReferences;
}

/** torch-hub-digests.py's SHA-256 (of the bytes `chainproof torch hub digest fixture`). */
const DIGEST = 'f7147ca6a04b387f99a736647b02d65b01622d911d1e585c4335402bd237b2cd';
/** Stands for a file the fast reader declined: never equal to a real result. */
const UNREAD = { path: 'unread', line: 0, column: 0, via: 'unread', runsRemoteCode: false };

const CASES: FidelityCase[] = [
  ...JAVASCRIPT_CASES,
  ...PYTHON_CASES,
  {
    // A container whose command is `sh -c`: the script read as shell with the container's env (servers.ts
    // readPodContainers, shell-commands.ts readContainerScript), each finding at its place in the manifest.
    file: 'k8s/sh-c-containers.yaml',
    want: [
      'CPR002:24:30 acme/k8s-split@-',
      'CPR001:24:30 acme/k8s-split@-',
      'CPR003:24:30 acme/k8s-split@-',
      'CPR001:33:45 acme/k8s-env-model@-',
      'CPR003:33:45 acme/k8s-env-model@-',
      `CPR003:19:40 acme/k8s-block@${C}`,
    ],
  },
  {
    // A pull request's ref is writable by whoever opened it: CPR012 (error) in place of CPR001.
    file: 'revision-pull-request.py',
    want: [
      'CPR012:5:9 acme/chat-7b@refs/pr/12',
      'CPR003:5:9 acme/chat-7b@refs/pr/12',
      'CPR012:6:11 acme/chat-7b@refs/pr/3 model.safetensors',
      'CPR003:6:11 acme/chat-7b@refs/pr/3 model.safetensors',
    ],
  },
  {
    // `/resolve/refs/pr/7/` unquoted is the PR ref (not revision "refs" and file "pr/7/…"); a malformed escape in
    // the URL is read as written instead of throwing the whole file away.
    file: 'revision-in-url.py',
    want: [
      `CPR003:4:5 acme/enc@${C} x.onnx`,
      'CPR012:6:5 acme/enc@refs/pr/7 config.json',
      'CPR003:6:5 acme/enc@refs/pr/7 config.json',
      'CPR012:7:5 acme/enc@refs/pr/8 config.json',
      'CPR003:7:5 acme/enc@refs/pr/8 config.json',
      'CPR001:8:5 acme/enc@%E0%A4%A config.json',
      'CPR003:8:5 acme/enc@%E0%A4%A config.json',
    ],
  },
  {
    // huggingface_hub REGEX_COMMIT_HASH: only 40 lowercase hex digits are a commit.
    file: 'revision-abbreviated.py',
    want: [
      'CPR001:5:7 acme/tok@a1b2c3d',
      'CPR003:5:7 acme/tok@a1b2c3d',
      'CPR001:6:8 acme/tok@0123456789ABCDEF0123456789ABCDEF01234567',
      'CPR003:6:8 acme/tok@0123456789ABCDEF0123456789ABCDEF01234567',
      `CPR003:7:8 acme/tok@${C}`,
    ],
  },
  {
    // `**LOAD` / `**dict(…)` / `**{**SAFE, …}` are read like keywords; `**extra` stays a run-time choice.
    file: 'kwargs-dict.py',
    want: [
      `CPR002:8:9 acme/remote@${C}`,
      `CPR003:8:9 acme/remote@${C}`,
      `CPR003:9:9 acme/plain@${C}`,
      'CPR001:10:9 acme/opaque@-',
      'CPR003:10:9 acme/opaque@-',
      `CPR002:11:9 acme/mixed@${C}`,
      `CPR003:11:9 acme/mixed@${C}`,
    ],
  },
  {
    // A dict changed in place (`kw[k] = …`, `.update`, handed to a function) is not read as first written: no pin
    // is claimed that the call may not get.
    file: 'kwargs-dict-changed.py',
    want: [
      'CPR001:8:5 acme/subscript@-',
      'CPR003:8:5 acme/subscript@-',
      'CPR001:12:5 acme/updated@-',
      'CPR003:12:5 acme/updated@-',
      'CPR001:17:5 acme/escaped@-',
      'CPR003:17:5 acme/escaped@-',
      `CPR003:21:5 acme/untouched@${C}`,
      `CPR002:27:5 acme/embed@${C}`,
      `CPR003:27:5 acme/embed@${C}`,
    ],
  },
  {
    // CPython os.getenv(key, default=None) is environ.get: the default loads when the variable is unset (None: the
    // default branch); a commit default pins, a branch default does not; os.environ[…] is a run-time choice.
    file: 'revision-from-env.py',
    want: [
      `CPR003:10:13 acme/chat-7b@${C} env:TOKENIZER_REVISION`,
      'CPR001:11:9 acme/chat-7b@main env:MODEL_REVISION',
      'CPR003:11:9 acme/chat-7b@main env:MODEL_REVISION',
      'CPR001:12:9 acme/draft-1b@- env:DRAFT_REVISION',
      'CPR003:12:9 acme/draft-1b@- env:DRAFT_REVISION',
      'CPR001:13:9 acme/judge-3b@-',
      'CPR003:13:9 acme/judge-3b@-',
      'CPR001:14:9 acme/other-3b@-',
      'CPR003:14:9 acme/other-3b@-',
      'CPR001:16:10 acme/chat-7b@- name-env:MODEL_ID',
      'CPR003:16:10 acme/chat-7b@- name-env:MODEL_ID',
    ],
  },
  {
    // huggingface_hub hf_api.py: HfApi.hf_hub_download / snapshot_download take the functions' arguments; other
    // methods and other classes' snapshot_download are not loaders.
    file: 'hfapi-methods.py',
    want: [
      `CPR003:7:11 acme/detector@${C} model.safetensors`,
      'CPR001:8:10 acme/detector-assets@-',
      'CPR003:8:10 acme/detector-assets@-',
      'CPR001:9:10 acme/inline-snapshot@v1.0',
      'CPR003:9:10 acme/inline-snapshot@v1.0',
      'CPR001:10:10 acme/module-file@- config.json',
      'CPR003:10:10 acme/module-file@- config.json',
    ],
  },
  {
    // timm / open_clip pretrained tags resolve through the library's own table: a note, never a guessed repo.
    file: 'pretrained-tables.py',
    want: [
      'CPR001:7:10 acme/vit-finetuned@-',
      'CPR003:7:10 acme/vit-finetuned@-',
      'CPR015:5:10 vit_base_patch16_224.augreg_in21k',
      'CPR015:6:8 resnet50',
      'CPR015:11:16 ViT-B-32 laion2b_s34b_b79k',
    ],
  },
  {
    file: 'python-libraries.py',
    want: [
      // vLLM LLM(model=…, trust_remote_code=…, revision=…)
      'CPR002:11:7 acme/served-7b@-',
      'CPR001:11:7 acme/served-7b@-',
      'CPR003:11:7 acme/served-7b@-',
      `CPR003:12:10 acme/served-7b@${C}`,
      // llama-cpp-python passes no revision to hf_hub_download: `revision="v1"` does not pin anything.
      'CPR001:13:8 acme/chat-GGUF@- *Q4_K_M.gguf',
      'CPR003:13:8 acme/chat-GGUF@- *Q4_K_M.gguf',
      // langchain: model_kwargs go to SentenceTransformer; no model_name loads the library's default.
      'CPR002:14:7 acme/embed@-',
      'CPR001:14:7 acme/embed@-',
      'CPR003:14:7 acme/embed@-',
      'CPR001:15:15 sentence-transformers/all-mpnet-base-v2@-',
      'CPR003:15:15 sentence-transformers/all-mpnet-base-v2@-',
      // open_clip `hf-hub:` names a hub repo; a pretrained tag comes from open_clip's own table (CPR015 below).
      'CPR001:16:16 acme/clip-vit@-',
      'CPR003:16:16 acme/clip-vit@-',
      // keras_hub `hf://`; a built-in preset name is the table's Kaggle download (CPR015 below).
      'CPR001:18:9 acme/gemma-keras@-',
      'CPR003:18:9 acme/gemma-keras@-',
      // diffusers from_single_file ignores a commit in the URL (only `blob/main/` is stripped): `revision=` decides.
      `CPR001:20:6 acme/sd@- blob/${C}/sd.safetensors`,
      `CPR003:20:6 acme/sd@- blob/${C}/sd.safetensors`,
      `CPR003:23:7 acme/sd@${C} sd.safetensors`,
      // open_clip's pretrained tag: its own table, not resolved here (a note, not silence).
      // whisper's table pins base.pt by its SHA-256: no CPR001, and unknown to an empty trusted registry.
      'CPR003:30:7 https://openaipublic.azureedge.net/main/whisper/models/ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e/base.pt@-',
      'CPR015:17:20 ViT-B-32 laion2b_s34b_b79k',
      'CPR015:19:10 gemma_2b_en',
      // datasets runs the script of a dataset repository with trust_remote_code=True; not a model reference.
      'CPR002:27:6 acme/scripted',
    ],
  },
  {
    // huggingface_hub repo_type: a dataset's or a Space's id keeps its prefix, as in a URL; a local folder of the same
    // name is never read by huggingface_hub (the fixture's model id exists locally in the second run below).
    file: 'hub-repo-types.py',
    want: [
      'CPR001:5:9 datasets/acme/reviews@- train.csv',
      'CPR003:5:9 datasets/acme/reviews@- train.csv',
      'CPR001:6:9 spaces/acme/demo@main',
      'CPR003:6:9 spaces/acme/demo@main',
      'CPR001:7:9 acme/reviews@-',
      'CPR003:7:9 acme/reviews@-',
      `CPR003:9:10 datasets/acme/reviews@${C} test.csv`,
    ],
  },
  {
    // A hub file's URL downloaded by plain HTTP (requests, urllib, wget; fetch) is that file at that revision; any
    // other URL, or one computed at run time, says nothing of a model.
    file: 'http-hub-urls.py',
    want: [
      'CPR001:8:11 acme/detector@main model.safetensors',
      'CPR003:8:11 acme/detector@main model.safetensors',
      `CPR003:9:1 acme/detector@${C} config.json`,
      'CPR001:10:1 acme/tagger@v1.0 tagger.onnx',
      'CPR003:10:1 acme/tagger@v1.0 tagger.onnx',
    ],
  },
  {
    file: 'fetch-hub-urls.js',
    want: [
      'CPR001:5:24 acme/segmenter@main model.onnx',
      'CPR003:5:24 acme/segmenter@main model.onnx',
      `CPR003:7:22 acme/segmenter@${C} labels.json`,
      'CPR001:14:23 acme/segmenter@main weights.bin',
      'CPR003:14:23 acme/segmenter@main weights.bin',
      'CPR001:15:22 acme/segmenter@main config.json',
      'CPR003:15:22 acme/segmenter@main config.json',
      'CPR010:6:23 dynamic',
    ],
  },
  {
    // @tensorflow-models: a modelUrl option is the URL loaded; none is the package's own default (CPR015).
    file: 'tfjs-models.js',
    want: [
      'CPR001:8:22 https://models.example.com/ssd/model.json@-',
      'CPR001:13:20 https://models.example.com/face/detector/model.json@-',
      'CPR001:13:20 https://models.example.com/face/landmarks/model.json@-',
      'CPR015:7:24 @tensorflow-models/coco-ssd',
      'CPR015:9:26 @tensorflow-models/mobilenet',
      'CPR015:10:23 @tensorflow-models/pose-detection',
      'CPR010:19:22 dynamic',
    ],
  },
  {
    // MediaPipe Tasks fetch baseOptions.modelAssetPath (or createFromModelPath's path): a URL like any other.
    file: 'mediapipe-tasks.js',
    want: [
      'CPR001:6:24 https://storage.googleapis.com/mediapipe-models/object_detector/efficientdet_lite0/float16/1/efficientdet_lite0.tflite@-',
      'CPR001:14:25 acme/seg@main seg.tflite',
      'CPR003:14:25 acme/seg@main seg.tflite',
      'CPR010:18:26 dynamic',
    ],
  },
  {
    file: 'hub-js-repo-types.js',
    want: [
      'CPR001:5:17 datasets/acme/reviews@- train.csv',
      'CPR003:5:17 datasets/acme/reviews@- train.csv',
      'CPR001:6:17 spaces/acme/demo@main app.py',
      'CPR003:6:17 spaces/acme/demo@main app.py',
      'CPR001:7:17 acme/reviews@-',
      'CPR003:7:17 acme/reviews@-',
    ],
  },
  {
    // AutoAWQ trusts remote code unless told not to; AutoGPTQ as transformers.
    file: 'quantized-loaders.py',
    want: [
      'CPR002:6:7 acme/chat-AWQ@-',
      'CPR001:6:7 acme/chat-AWQ@-',
      'CPR003:6:7 acme/chat-AWQ@-',
      `CPR003:7:8 acme/chat-AWQ@${C}`,
      'CPR002:10:8 acme/chat@-',
      'CPR001:10:8 acme/chat@-',
      'CPR003:10:8 acme/chat@-',
      'CPR001:12:8 acme/chat-GPTQ@main',
      'CPR003:12:8 acme/chat-GPTQ@main',
    ],
  },
  {
    // faster-whisper sizes map to Systran's hub repos (no revision can be given); unsloth reads `model_name`.
    file: 'whisper-and-unsloth.py',
    want: [
      'CPR001:6:9 Systran/faster-whisper-small@-',
      'CPR003:6:9 Systran/faster-whisper-small@-',
      'CPR001:7:9 Systran/faster-whisper-large-v3@-',
      'CPR003:7:9 Systran/faster-whisper-large-v3@-',
      'CPR001:8:7 acme/whisper-ct2@-',
      'CPR003:8:7 acme/whisper-ct2@-',
      'CPR001:14:20 unsloth/llama-3-8b-bnb-4bit@-',
      'CPR003:14:20 unsloth/llama-3-8b-bnb-4bit@-',
      `CPR003:15:21 acme/vision-4bit@${C}`,
      'CPR002:16:13 acme/custom@-',
      'CPR001:16:13 acme/custom@-',
      'CPR003:16:13 acme/custom@-',
    ],
  },
  {
    // openai-whisper and OpenAI CLIP: a name of the library's table is a download pinned by its SHA-256 (no CPR001),
    // unknown to an empty trusted registry (CPR003); any other name is a local file; a run-time name is a note.
    file: 'digest-tables.py',
    want: [
      'CPR003:10:8 https://openaipublic.azureedge.net/main/whisper/models/ed3a0b6b1c0edf879ad9b11b1af5a0e6ab5db9205f891f668f8b0e6c6326e34e/base.pt@-',
      'CPR003:11:9 https://openaipublic.azureedge.net/main/whisper/models/aff26ae408abcba5fbf8813c21e62b0941638c5f6eebfb145be0c9839262a19a/large-v3-turbo.pt@-',
      'CPR003:12:9 https://openaipublic.azureedge.net/main/whisper/models/d7440d1dc186f76616474e0ff0b3b6b879abc9d1a4926b7adfa41db2d497ab4f/medium.en.pt@-',
      'CPR003:20:10 https://openaipublic.azureedge.net/main/whisper/models/f953ad0fd29cacd07d5a9eda5624af0f6bcf2258be67c92b79389873d91e0872/small.en.pt@- name-env:--size',
      'CPR003:21:12 https://openaipublic.azureedge.net/main/whisper/models/81f7c96c852ee8fc832187b0132e569d6c3065a3252ed18e56effd0b6a73e524/large-v2.pt@- name-env:WHISPER_MODEL',
      'CPR003:25:21 https://openaipublic.azureedge.net/clip/models/40d365715913c9da98579312b702a82c18be219cc2a73407c4526f58eba950af/ViT-B-32.pt@-',
      'CPR003:26:12 https://openaipublic.azureedge.net/clip/models/3035c92b350959924f9f00213499208652fc7ea050643e8b385c2dac08641f02/ViT-L-14-336px.pt@-',
      'CPR003:27:13 https://openaipublic.azureedge.net/clip/models/7e526bd135e493cef0776de27d5f42653e6b4c8bf9e0f653bb11773263205fdd/RN50x4.pt@-',
      'CPR010:22:15 dynamic',
    ],
  },
  {
    // torchvision builders: weights not None (an enum member, its name, legacy pretrained=True) downloads from
    // torchvision's table; detection and segmentation builders download ImageNet backbone weights by default.
    file: 'torchvision-weights.py',
    want: [
      'CPR015:8:8 resnet50 weights=…',
      'CPR015:9:10 resnet18 pretrained=True',
      'CPR015:10:9 vit_b_16 weights="IMAGENET1K_V1"',
      'CPR015:16:12 fasterrcnn_resnet50_fpn weights_backbone=ResNet50_Weights.IMAGENET1K_V1 (its default)',
      'CPR015:18:11 fasterrcnn_resnet50_fpn weights="DEFAULT"',
      'CPR015:21:13 deeplabv3_resnet50 weights_backbone=ResNet50_Weights.IMAGENET1K_V1 (its default)',
      'CPR015:33:14 resnet152 weights=True',
      'CPR015:36:11 convnext_tiny weights="DEFAULT"',
    ],
  },
  {
    // Keras applications download ImageNet weights unless weights=None or a file is given.
    file: 'keras-applications.py',
    want: [
      'CPR015:9:11 ResNet50 weights="imagenet" (its default)',
      'CPR015:10:12 MobileNetV2 weights="imagenet"',
      'CPR015:11:8 ConvNeXtTiny weights="imagenet" (its default)',
      'CPR015:15:10 DenseNet121 weights=…',
    ],
  },
  {
    // SpeechBrain builds the model from the repository's HyperPyYAML (code it names runs): CPR002 for every hub
    // source; the revision is `revision=` before 1.0, `fetch_config=FetchConfig(revision=…)` since.
    file: 'speechbrain-hparams.py',
    want: [
      'CPR002:11:7 speechbrain/asr-crdnn-rnnlm-librispeech@-',
      'CPR001:11:7 speechbrain/asr-crdnn-rnnlm-librispeech@-',
      'CPR003:11:7 speechbrain/asr-crdnn-rnnlm-librispeech@-',
      `CPR002:13:10 speechbrain/spkrec-ecapa-voxceleb@${C}`,
      `CPR003:13:10 speechbrain/spkrec-ecapa-voxceleb@${C}`,
      `CPR002:14:10 speechbrain/lang-id@${C}`,
      `CPR003:14:10 speechbrain/lang-id@${C}`,
      'CPR002:15:10 speechbrain/vad@-',
      'CPR001:15:10 speechbrain/vad@-',
      'CPR003:15:10 speechbrain/vad@-',
      'CPR002:17:11 speechbrain/emotion-recognition@-',
      'CPR001:17:11 speechbrain/emotion-recognition@-',
      'CPR003:17:11 speechbrain/emotion-recognition@-',
      'CPR002:19:11 speechbrain/sepformer-wsj02mix@-',
      'CPR001:19:11 speechbrain/sepformer-wsj02mix@-',
      'CPR003:19:11 speechbrain/sepformer-wsj02mix@-',
    ],
  },
  {
    // NeMo: `model_name` with a "/" is a hub repo at its default branch; without, an NGC table entry, unchecked.
    file: 'nemo-pretrained.py',
    want: [
      'CPR001:7:7 nvidia/parakeet-tdt-0.6b-v2@-',
      'CPR003:7:7 nvidia/parakeet-tdt-0.6b-v2@-',
      'CPR001:8:14 nvidia/stt_en_conformer_ctc_small@-',
      'CPR003:8:14 nvidia/stt_en_conformer_ctc_small@-',
      'CPR015:9:7 tts_en_fastpitch',
      'CPR010:10:10 dynamic',
    ],
  },
  {
    // web-llm: a prebuilt model id is the package's table (a hub repo at resolve/main); an own appConfig is the app's.
    file: 'web-llm-engines.js',
    want: [
      'CPR015:7:22 Llama-3.1-8B-Instruct-q4f32_1-MLC',
      'CPR015:9:24 Phi-3.5-mini-instruct-q4f16_1-MLC',
      'CPR010:11:19 dynamic',
      'CPR010:12:22 dynamic',
    ],
  },
  {
    // A from_pretrained with no name transformers would read is another library's: a run-time note, not silence.
    file: 'from-pretrained-other-names.py',
    want: [
      'CPR001:8:9 urchade/gliner_multi-v2.1@-',
      'CPR003:8:9 urchade/gliner_multi-v2.1@-',
      'CPR001:9:14 urchade/gliner_small-v2.1@-',
      'CPR003:9:14 urchade/gliner_small-v2.1@-',
      'CPR010:6:10 dynamic',
      'CPR010:7:11 dynamic',
    ],
  },
  {
    // huggingface_hub's fastai loader unpickles the repository's model.pkl (CPR002); its Keras loader downloads alike.
    file: 'hub-mixin-loaders.py',
    want: [
      'CPR002:7:11 espejelomar/fastai-pet-breeds-classification@-',
      'CPR001:7:11 espejelomar/fastai-pet-breeds-classification@-',
      'CPR003:7:11 espejelomar/fastai-pet-breeds-classification@-',
      `CPR002:8:10 acme/fastai-classifier@${C}`,
      `CPR003:8:10 acme/fastai-classifier@${C}`,
      'CPR001:10:15 keras-io/ocr-for-captcha@-',
      'CPR003:10:15 keras-io/ocr-for-captcha@-',
    ],
  },
  {
    // A folder the script writes before loading it by the same name is that folder, not a hub repo of that name.
    file: 'saved-folders.py',
    want: [
      'CPR001:7:8 gpt2@-',
      'CPR003:7:8 gpt2@-',
      'CPR001:10:9 out/adapter@-',
      'CPR003:10:9 out/adapter@-',
      'CPR001:14:1 Qwen/Qwen2.5-0.5B@-',
      'CPR003:14:1 Qwen/Qwen2.5-0.5B@-',
      'CPR001:18:9 acme/other@-',
      'CPR003:18:9 acme/other@-',
    ],
  },
  {
    // A torchvision builder picked at run time (`models.__dict__[arch]`, `getattr(models, arch)`) still downloads.
    file: 'torchvision-chosen.py',
    want: ['CPR015:13:13 pretrained=True', 'CPR015:16:12 weights="DEFAULT"'],
  },
  {
    // ultralytics: a weights file the repository does not hold comes from the ultralytics/assets release.
    file: 'ultralytics-assets.py',
    want: [
      'CPR002:18:7 https://example.com/models/detector.pt@-',
      'CPR001:18:7 https://example.com/models/detector.pt@-',
      'CPR002:29:10 https://example.com/models/detector.pt?token=abc@-',
      'CPR001:29:10 https://example.com/models/detector.pt?token=abc@-',
      'CPR001:30:12 https://example.com/models/detector.onnx@-',
      'CPR015:9:7 yolov8n.pt',
      'CPR015:10:7 yolo11n-seg.pt',
      'CPR015:11:6 rtdetr-l.pt',
      'CPR015:12:7 sam_b.pt',
      'CPR015:14:8 yolo11s.pt',
      'CPR015:16:11 <default>',
    ],
  },
  {
    // ModelScope's SDK downloads from modelscope.cn (hub `modelscope`), its transformers classes as transformers'
    // do (revision, trust_remote_code), snapshot_download / model_file_download at `revision`, pipeline at
    // `model_revision`: never the Hugging Face repository of the same id.
    file: 'modelscope-sdk.py',
    want: [
      'CPR002:7:9 qwen/Qwen2.5-7B-Instruct@v1.0.0',
      'CPR001:7:9 qwen/Qwen2.5-7B-Instruct@v1.0.0',
      'CPR003:7:9 qwen/Qwen2.5-7B-Instruct@v1.0.0',
      `CPR003:8:13 qwen/Qwen2.5-7B-Instruct@${C}`,
      'CPR001:9:11 iic/emotion2vec_plus_base@-',
      'CPR003:9:11 iic/emotion2vec_plus_base@-',
      'CPR001:10:10 iic/SenseVoiceSmall@- config.yaml',
      'CPR003:10:10 iic/SenseVoiceSmall@- config.yaml',
      'CPR001:11:7 iic/speech_paraformer-large@v2.0.4',
      'CPR003:11:7 iic/speech_paraformer-large@v2.0.4',
    ],
  },
  {
    // LitGPT `LLM.load`: a name not under checkpoints/ downloads the default branch (no revision to give), a random
    // init none; LMDeploy `pipeline`: the revision is backend_config's (a config object: the run's), and every load
    // trusts the repository's code; MLC `MLCEngine`: only HF:// downloads.
    file: 'toolkit-apis.py',
    want: [
      'CPR001:7:8 acme/lit-api@-',
      'CPR003:7:8 acme/lit-api@-',
      'CPR002:10:8 acme/lmd-api@-',
      'CPR001:10:8 acme/lmd-api@-',
      'CPR003:10:8 acme/lmd-api@-',
      'CPR002:11:10 acme/lmd-config@-',
      'CPR001:11:10 acme/lmd-config@-',
      'CPR003:11:10 acme/lmd-config@-',
      'CPR002:12:8 acme/lmd-none@-',
      'CPR001:12:8 acme/lmd-none@-',
      'CPR003:12:8 acme/lmd-none@-',
      'CPR001:13:10 acme/mlc-api-q4f16_1-MLC@-',
      'CPR003:13:10 acme/mlc-api-q4f16_1-MLC@-',
    ],
  },
  {
    // mlx-lm / mlx-vlm `load`: a path that exists is a local folder, anything else snapshot_download at `revision`;
    // Keras 3 `load_model("hf://…")` (also `tf.keras`): the repo's default branch, no revision to give.
    file: 'mlx-and-keras.py',
    want: [
      'CPR001:7:20 acme/chat-4bit@-',
      'CPR003:7:20 acme/chat-4bit@-',
      `CPR003:8:15 acme/chat-4bit@${C}`,
      'CPR001:9:18 acme/vision-4bit@main',
      'CPR003:9:18 acme/vision-4bit@main',
      'CPR001:11:7 acme/keras-classifier@-',
      'CPR003:11:7 acme/keras-classifier@-',
      'CPR001:12:10 acme/tf-classifier@-',
      'CPR003:12:10 acme/tf-classifier@-',
      'CPR001:13:9 acme/bound@-',
      'CPR003:13:9 acme/bound@-',
    ],
  },
  {
    // Code cells only (not markdown, raw cells or outputs), one namespace across cells, magics blanked; each at
    // its line and column in the notebook's JSON.
    file: 'notebook-cells.ipynb',
    want: [
      `CPR003:39:18 acme/notebook-base@${C}`,
      'CPR001:40:14 acme/notebook-base@-',
      'CPR003:40:14 acme/notebook-base@-',
    ],
  },
  {
    // OmegaConf node interpolation (config-fast.ts `interpolatedValue`): `${model.pretrained_model_name_or_path}` is
    // the model's repo, loaded at the revision of the mapping that names it (none: the default branch).
    file: 'hydra-interpolation.yaml',
    want: [
      `CPR003:12:34 acme/hydra-policy@${C}`,
      'CPR001:9:34 acme/hydra-policy@-',
      'CPR003:9:34 acme/hydra-policy@-',
      `CPR003:5:34 acme/hydra-policy@${C}`,
    ],
  },
  {
    // IPython execution.py `ExecutionMagics.time` (and timeit, prun; basic.py `capture`) run their Python in the
    // kernel's namespace: a `%%time` / `%%capture` cell's body and a `%time` line's statement are code, at their
    // columns in the JSON; `%%writefile` runs nothing.
    file: 'notebook-magics.ipynb',
    want: [
      'CPR002:28:14 acme/nb-timed@-',
      'CPR001:28:14 acme/nb-timed@-',
      'CPR003:28:14 acme/nb-timed@-',
      'CPR001:38:14 acme/nb-captured@-',
      'CPR003:38:14 acme/nb-captured@-',
      'CPR001:48:22 acme/nb-line-timed@-',
      'CPR003:48:22 acme/nb-line-timed@-',
    ],
  },
  {
    // transformers get_default_model_and_revision / transformers.js pipelineInfo.default: a download all the same.
    file: 'pipeline-default.py',
    want: [
      'CPR001:6:9 acme/classifier@-',
      'CPR003:6:9 acme/classifier@-',
      'CPR013:4:13 sentiment-analysis',
      'CPR013:5:13 summarization',
    ],
  },
  {
    // transformers pipeline(): a model object is used as is; the from_pretrained that built it is the download.
    file: 'pipeline-model-object.py',
    want: [
      `CPR003:4:9 acme/classifier@${C}`,
      `CPR003:5:7 acme/classifier@${C}`,
      'CPR001:6:10 acme/other@-',
      'CPR003:6:10 acme/other@-',
      'CPR001:10:48 acme/inline@-',
      'CPR003:10:48 acme/inline@-',
      'CPR001:19:9 acme/mixed@-',
      'CPR003:19:9 acme/mixed@-',
      // An attribute set from a loader (`self.model`) counts too: only its own from_pretrained is reported.
      `CPR003:25:22 acme/service@${C}`,
      // A parameter, a name bound to an unknown call as well, an attribute never set: no claim of a model object.
      'CPR010:15:12 dynamic',
      'CPR010:20:10 dynamic',
      'CPR010:27:22 dynamic',
    ],
  },
  {
    file: 'pipeline-default.js',
    want: ['CPR001:5:21 acme/embedder@-', 'CPR003:5:21 acme/embedder@-', 'CPR013:4:19 automatic-speech-recognition'],
  },
  {
    // transformers.js pipeline(task, model = null): null/undefined is the task's default (CPR013); a number, array or
    // object names no model (nothing claimed); a value from a parameter is a run-time choice.
    file: 'pipeline-non-string.js',
    want: [
      'CPR001:24:10 acme/summarizer@-',
      'CPR003:24:10 acme/summarizer@-',
      'CPR013:6:10 text-classification',
      'CPR013:9:10 feature-extraction',
      'CPR010:21:10 dynamic',
    ],
  },
  {
    // os.path.join / Path(…) / str(Path(…)), directly or through a name: a folder on disk, nothing to report.
    file: 'local-path-calls.py',
    want: ['CPR010:15:16 dynamic', 'CPR010:17:48 dynamic'],
  },
  {
    // huggingface_hub constants.py reads HF_ENDPOINT / HF_HUB_OFFLINE at import: set through os.environ in Python
    // they redirect or stop every download of the run, as in shell; a docstring or comment showing one is nothing.
    file: 'python-hub-settings.py',
    want: [
      `CPR003:17:9 acme/behind-mirror@${C}`,
      'CPR017:8:1 HF_ENDPOINT=https://hf-mirror.example.com',
      'CPR018:10:1 HF_HUB_OFFLINE=1',
      'CPR017:13:5 HF_ENDPOINT=MIRROR',
    ],
  },
  {
    // os.getenv / os.environ.get with a default (CPython os.py): the default is the model that loads when the variable
    // is unset, reported with the variable's name; without a default the name is chosen at run time.
    file: 'name-from-env.py',
    want: [
      'CPR001:9:14 acme/vit-base@- name-env:MODEL_ID',
      'CPR003:9:14 acme/vit-base@- name-env:MODEL_ID',
      `CPR003:10:10 acme/encoder@${C} env:MODEL_REVISION name-env:ENCODER`,
      'CPR010:11:14 dynamic',
    ],
  },
  {
    // langchain huggingface_pipeline.py from_model_id (model_kwargs reach from_pretrained), LlamaIndex
    // HuggingFaceEmbedding (revision; its default model without model_name) and HuggingFaceLLM, ollama-python
    // _client.py pull on the module and on a Client; chat/generate fetch nothing.
    file: 'python-llm-apps.py',
    want: [
      `CPR002:8:7 acme/phi-mini@${C}`,
      `CPR003:8:7 acme/phi-mini@${C}`,
      'CPR001:13:9 acme/bge-small@main',
      'CPR003:13:9 acme/bge-small@main',
      'CPR001:14:17 BAAI/bge-small-en@-',
      'CPR003:14:17 BAAI/bge-small-en@-',
      'CPR001:15:12 acme/zephyr@-',
      'CPR003:15:12 acme/zephyr@-',
      'CPR001:20:1 acme/chat-GGUF@-',
      'CPR003:20:1 acme/chat-GGUF@-',
      // llama_index/llms/huggingface/base.py: `AutoTokenizer.from_pretrained(tokenizer_name, **tokenizer_kwargs)`,
      // tokenizer_name defaulting to StabilityAI's whatever the model; a tokenizer object loads none.
      'CPR001:25:13 acme/qwen-base@-',
      'CPR003:25:13 acme/qwen-base@-',
      'CPR001:25:13 acme/qwen-chat@main',
      'CPR003:25:13 acme/qwen-chat@main',
      'CPR001:26:21 acme/own-model@-',
      'CPR003:26:21 acme/own-model@-',
      'CPR001:26:21 StabilityAI/stablelm-tuned-alpha-3b@-',
      'CPR003:26:21 StabilityAI/stablelm-tuned-alpha-3b@-',
      'CPR001:27:19 acme/with-object@-',
      'CPR003:27:19 acme/with-object@-',
      'CPR016:17:1 registry.ollama.ai/library/llama3.2:latest',
      'CPR016:22:1 registry.ollama.ai/library/qwen2.5:7b',
    ],
  },
  {
    // ollama-js pull({ model }) on the default export, of the package and its browser build; chat fetches nothing.
    file: 'ollama-js-pull.ts',
    want: [
      // `hf.co/<org>/<repo>:<quant>` is the hub repo at its default branch.
      'CPR001:8:7 acme/chat-GGUF@-',
      'CPR003:8:7 acme/chat-GGUF@-',
      'CPR016:7:7 registry.ollama.ai/library/llama3.2:latest',
    ],
  },
  {
    // An object constant's member and a class field read through `this` in a method of the same staticness (the
    // transformers.js singleton); a member assigned in the file, an instance method reading a static field, a class
    // a subclass overrides and a field the constructor may replace are run-time choices.
    file: 'members-object-and-class.ts',
    want: [
      'CPR001:8:26 acme/asr-base@main',
      'CPR003:8:26 acme/asr-base@main',
      'CPR001:9:28 acme/embed@-',
      'CPR003:9:28 acme/embed@-',
      'CPR001:18:23 acme/sentiment@-',
      'CPR003:18:23 acme/sentiment@-',
      'CPR010:10:27 dynamic',
      'CPR010:24:12 dynamic',
      'CPR010:31:12 dynamic',
      'CPR010:44:12 dynamic',
    ],
  },
  {
    // transformers.js env.allowRemoteModels = false: local directories (CPR014), not unpinned hub downloads.
    file: 'transformersjs-env-local.js',
    want: [
      'CPR014:7:24 local:acme/local-classifier',
      'CPR014:8:21 local:acme/local-encoder',
      'CPR014:9:24 local:',
      // The setting itself, where it is made: it holds for loads in other modules too.
      'CPR018:4:1 env.allowRemoteModels=false',
    ],
  },
  {
    // env.remoteHost: the mirror serves the files, whatever the revision in the path says.
    file: 'transformersjs-env-mirror.ts',
    want: [
      'CPR001:7:21 https://models.internal.example/acme/embedder@main',
      'CPR013:8:24 feature-extraction',
      'CPR017:5:1 env.remoteHost=https://models.internal.example/',
    ],
  },
  {
    file: 'tokenizer-config.yaml',
    want: [
      `CPR003:2:21 acme/encoder@${C}`,
      `CPR003:3:17 acme/tokenizer@${C}`,
      'CPR001:6:25 acme/lora-adapter@-',
      'CPR003:6:25 acme/lora-adapter@-',
    ],
  },
  {
    // LLaMA-Factory: `adapter_name_or_path` is a comma-separated list of PEFT adapters, each loaded at model_revision
    // with no code of its own run (PeftModel drops trust_remote_code); only the base model's CPR002 stands.
    file: 'llamafactory-adapters.yaml',
    want: [
      'CPR002:2:21 acme/lf-base@v2.0',
      'CPR001:2:21 acme/lf-base@v2.0',
      'CPR003:2:21 acme/lf-base@v2.0',
      'CPR001:3:23 acme/lf-sql-lora@v2.0',
      'CPR003:3:23 acme/lf-sql-lora@v2.0',
      'CPR001:3:23 acme/lf-chat-lora@v2.0',
      'CPR003:3:23 acme/lf-chat-lora@v2.0',
    ],
  },
  {
    // vLLM's config file (`vllm serve --config`; argparse_utils.py `load_config_file`): each top-level key is an
    // option, underscores read as dashes, `yes` a PyYAML bool. The tokenizer at tokenizer-revision, the draft model
    // at its own revision, a LoRA path that is no folder snapshot_downloaded; an absolute path is a folder.
    file: 'vllm-serve-config.yaml',
    want: [
      'CPR002:2:8 acme/vllm-chat-7b@-',
      'CPR001:2:8 acme/vllm-chat-7b@-',
      'CPR003:2:8 acme/vllm-chat-7b@-',
      'CPR002:8:12 acme/vllm-chat-tokenizer@v1.1',
      'CPR001:8:12 acme/vllm-chat-tokenizer@v1.1',
      'CPR003:8:12 acme/vllm-chat-tokenizer@v1.1',
      `CPR002:11:10 acme/vllm-draft-1b@${C}`,
      `CPR003:11:10 acme/vllm-draft-1b@${C}`,
      'CPR001:16:9 acme/vllm-sql-lora@-',
      'CPR003:16:9 acme/vllm-sql-lora@-',
    ],
  },
  {
    // Pinned; a quoted "true" for the flag is a word argparse refuses after it, so no code runs.
    file: 'vllm-serve-config-pinned.yml',
    want: [`CPR003:1:8 acme/vllm-pinned-7b@${C}`],
  },
  {
    // `model:` beside keys any application's settings hold (host, port, dtype) is not taken for vLLM's.
    file: 'vllm-config-lookalike.yaml',
    want: [],
  },
  {
    file: 'revision-keys.yaml',
    want: [
      `CPR003:2:13 acme/base-7b@${C}`,
      'CPR001:4:17 acme/base-7b-tokenizer@-',
      'CPR003:4:17 acme/base-7b-tokenizer@-',
    ],
  },
  {
    // TensorFlow Hub: an http(s) or gs:// handle is downloaded unverified (a URL's bytes, CPR001); any other handle is
    // a path that must exist, never a hub id; a handle the caller passes is chosen at run time.
    file: 'tf-hub-handles.py',
    want: [
      'CPR001:7:12 https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/5@-',
      'CPR001:9:11 https://www.kaggle.com/models/google/universal-sentence-encoder/TensorFlow2/large/2@-',
      'CPR001:10:8 gs://example-models/encoder/1.tar.gz@-',
      'CPR001:11:10 https://tfhub.dev/google/nnlm-en-dim128/2@-',
      'CPR001:12:14 https://example.org/models/classifier.tgz@-',
      'CPR010:21:12 dynamic',
    ],
  },
  {
    // kagglehub: a model handle is the Kaggle Models page its version names (the latest when it names none), a URL's
    // bytes (CPR001); a string that is no handle loads nothing; datasets are not models.
    file: 'kagglehub-models.py',
    want: [
      'CPR001:7:10 https://www.kaggle.com/models/google/gemma/frameworks/pyTorch/variations/2b@-',
      'CPR001:8:13 https://www.kaggle.com/models/google/gemma/frameworks/transformers/variations/2b-it/versions/3@- config.json',
      'CPR001:10:10 https://www.kaggle.com/models/keras/gemma/frameworks/keras/variations/gemma_2b_en/versions/2@-',
      'CPR010:17:12 dynamic',
    ],
  },
  {
    // keras_hub from_preset: a built-in name is its table's Kaggle download (CPR015), kaggle:// is kagglehub's, gs:// a
    // URL's bytes; a local folder says nothing; a preset chosen at run time is a note.
    file: 'keras-hub-presets.py',
    want: [
      'CPR001:9:10 https://www.kaggle.com/models/acme/bert/frameworks/keras/variations/bert_tiny_en@-',
      'CPR001:10:10 https://www.kaggle.com/models/acme/bert/frameworks/keras/variations/bert_tiny_en/versions/3@-',
      'CPR001:11:10 gs://acme-presets/bert_tiny_en@-',
      'CPR015:8:11 gemma2_2b_en',
      'CPR010:14:10 dynamic',
    ],
  },
  {
    // flair: short names map to hub repos or to flair's own URL table; any other name is a hub repo at the revision
    // after its `@`, else the default branch, and what it fetches is unpickled (CPR002); a file of the repository is
    // read as it is, and one downloaded and handed over is unpickled too.
    file: 'flair-taggers.py',
    want: [
      'CPR002:9:10 flair/ner-english@- pytorch_model.bin',
      'CPR001:9:10 flair/ner-english@- pytorch_model.bin',
      'CPR003:9:10 flair/ner-english@- pytorch_model.bin',
      'CPR002:10:10 acme/ner-biomedical@- pytorch_model.bin',
      'CPR001:10:10 acme/ner-biomedical@- pytorch_model.bin',
      'CPR003:10:10 acme/ner-biomedical@- pytorch_model.bin',
      'CPR002:14:13 acme/sentiment-flair@- pytorch_model.bin',
      'CPR001:14:13 acme/sentiment-flair@- pytorch_model.bin',
      'CPR003:14:13 acme/sentiment-flair@- pytorch_model.bin',
      'CPR002:15:10 acme/ner-biomedical@main pytorch_model.bin',
      'CPR001:15:10 acme/ner-biomedical@main pytorch_model.bin',
      'CPR003:15:10 acme/ner-biomedical@main pytorch_model.bin',
      'CPR002:16:10 acme/ner-biomedical@0123456789abcdef0123456789abcdef01234567 pytorch_model.bin',
      'CPR003:16:10 acme/ner-biomedical@0123456789abcdef0123456789abcdef01234567 pytorch_model.bin',
      'CPR002:19:30 acme/tagger@0123456789abcdef0123456789abcdef01234567 final-model.pt',
      'CPR003:19:30 acme/tagger@0123456789abcdef0123456789abcdef01234567 final-model.pt',
      'CPR002:23:12 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR001:23:12 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR003:23:12 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR002:24:10 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR001:24:10 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR003:24:10 hunflair/hunflair2-ner@- pytorch_model.bin',
      'CPR002:34:12 acme/ner-biomedical@main env:NER_MODEL name-env:NER_MODEL pytorch_model.bin',
      'CPR001:34:12 acme/ner-biomedical@main env:NER_MODEL name-env:NER_MODEL pytorch_model.bin',
      'CPR003:34:12 acme/ner-biomedical@main env:NER_MODEL name-env:NER_MODEL pytorch_model.bin',
      'CPR002:35:18 acme/ner-biomedical@- pytorch_model.bin',
      'CPR001:35:18 acme/ner-biomedical@- pytorch_model.bin',
      'CPR003:35:18 acme/ner-biomedical@- pytorch_model.bin',
      'CPR015:11:10 ner-pooled',
      'CPR010:19:10 dynamic',
      'CPR010:28:12 dynamic',
    ],
  },
  {
    // Lightning load_from_checkpoint: an http(s) checkpoint is unpickled with weights_only=False unless the call says
    // True (CPR002); object storage is a URL's bytes; a local or run-time path says nothing.
    file: 'lightning-checkpoints.py',
    want: [
      'CPR002:8:10 https://models.example.org/classifier/epoch=9.ckpt@-',
      'CPR001:8:10 https://models.example.org/classifier/epoch=9.ckpt@-',
      'CPR001:9:11 https://models.example.org/head.ckpt@-',
      'CPR001:10:10 s3://acme-checkpoints/classifier/last.ckpt@-',
    ],
  },
  {
    // gensim's downloader imports the __init__.py of a gensim-data release (CPR002) whose tag can move (CPR001);
    // return_path=True only downloads; a name chosen at run time is a note.
    file: 'gensim-downloader.py',
    want: [
      'CPR002:6:11 RaRe-Technologies/gensim-data@glove-twitter-25',
      'CPR001:6:11 RaRe-Technologies/gensim-data@glove-twitter-25',
      'CPR003:6:11 RaRe-Technologies/gensim-data@glove-twitter-25',
      'CPR002:7:10 RaRe-Technologies/gensim-data@text8',
      'CPR001:7:10 RaRe-Technologies/gensim-data@text8',
      'CPR003:7:10 RaRe-Technologies/gensim-data@text8',
      'CPR001:9:8 RaRe-Technologies/gensim-data@word2vec-google-news-300',
      'CPR003:9:8 RaRe-Technologies/gensim-data@word2vec-google-news-300',
      'CPR002:13:12 dynamic',
    ],
  },
  {
    // spaCy's download pip installs a package from a release (CPR002) whose version a run-time table picks, or the
    // one `direct` names (CPR001 either way: no commit); spacy.load of an installed package downloads nothing.
    file: 'spacy-download.py',
    want: [
      'CPR002:7:1 explosion/spacy-models@en_core_web_sm-<compatible version>',
      'CPR001:7:1 explosion/spacy-models@en_core_web_sm-<compatible version>',
      'CPR003:7:1 explosion/spacy-models@en_core_web_sm-<compatible version>',
      'CPR002:8:1 explosion/spacy-models@de_core_news_md-3.7.0',
      'CPR001:8:1 explosion/spacy-models@de_core_news_md-3.7.0',
      'CPR003:8:1 explosion/spacy-models@de_core_news_md-3.7.0',
      'CPR002:13:5 dynamic',
    ],
  },
  {
    // torch.hub check_hash compares only a sha256 prefix from the file name (HASH_REGEX): still a URL's bytes.
    file: 'torch-hub-urls.py',
    want: [
      // torch.hub load_state_dict_from_url: torch.load(weights_only=False), and check_hash checks 8 digits only.
      'CPR002:5:9 https://download.example.org/models/detector-5c106cde.pth@-',
      'CPR001:5:9 https://download.example.org/models/detector-5c106cde.pth@-',
      'CPR002:6:9 https://download.example.org/models/head.pth@-',
      'CPR001:6:9 https://download.example.org/models/head.pth@-',
      // `from torch.hub import load` binds torch.hub.load (the whole dotted module), not torch.load.
      'CPR002:11:12 acme/detector-code@-',
      'CPR001:11:12 acme/detector-code@-',
      'CPR003:11:12 acme/detector-code@-',
      'CPR002:12:13 acme/segmenter-code@v1',
      'CPR001:12:13 acme/segmenter-code@v1',
      'CPR003:12:13 acme/segmenter-code@v1',
    ],
  },
  {
    // torch/hub.py download_url_to_file: `sha256.hexdigest()[:len(hash_prefix)] != hash_prefix` raises; all 64
    // digits pin the bytes (judged by digest), fewer narrow them, "" and None check nothing, a computed prefix is the
    // run time's. load_state_dict_from_url takes the prefix from the file name (file_name, else the URL path's last
    // segment) when check_hash is set (HASH_REGEX `-([a-f0-9]*)\.`: `bad` is hex), and unpickles with
    // weights_only=False unless the call (keyword or seventh argument) says True.
    file: 'torch-hub-digests.py',
    want: [
      'CPR003:9:1 https://data.example.org/corpus.tgz@-',
      'CPR001:10:1 https://data.example.org/short.tgz@-',
      'CPR001:11:1 https://data.example.org/chosen.tgz@-',
      'CPR001:12:1 https://data.example.org/none.tgz@-',
      'CPR001:13:1 https://data.example.org/empty.tgz@-',
      'CPR001:14:1 https://data.example.org/upper.tgz@-',
      `CPR002:15:6 https://w.example.org/m/encoder-${DIGEST}.pth@-`,
      `CPR003:15:6 https://w.example.org/m/encoder-${DIGEST}.pth@-`,
      'CPR001:16:6 https://w.example.org/m/encoder-5c106cde.pth@-',
      'CPR001:17:6 https://w.example.org/m/encoder-5c106cde.pth@-',
      'CPR003:18:6 https://w.example.org/m/weights.pth?dl=1@-',
      'CPR002:19:6 https://w.example.org/m/decoder-5c106cde.pth@-',
      'CPR001:19:6 https://w.example.org/m/decoder-5c106cde.pth@-',
      'CPR001:20:6 https://w.example.org/m/head-bad.pth@-',
      // A URL chosen at run time: a checkpoint load is a note of its own (it unpickles); a plain download says nothing.
      // torchvision's models/utils.py (before 0.13) re-exported torch.hub's function.
      'CPR002:25:10 https://download.pytorch.org/models/resnet18-f37072fd.pth@-',
      'CPR001:25:10 https://download.pytorch.org/models/resnet18-f37072fd.pth@-',
      'CPR002:23:12 dynamic',
    ],
  },
  {
    // keras/src/utils/file_utils.py get_file: `validate_file` compares the whole hexdigest after the download — SHA-256
    // for hash_algorithm="sha256" or "auto" with 64 characters, MD5 otherwise (md5_hash alone, a 32-digit file_hash),
    // lowercase only; a computed digest is the run time's. A model file by its name, or cache_subdir="models", counts;
    // an archive, a NumPy dataset or a URL the code computes does not.
    file: 'keras-get-file.py',
    want: [
      'CPR003:8:5 https://models.example.org/detector.h5@-',
      'CPR001:9:5 https://models.example.org/detector.keras@-',
      'CPR001:10:5 https://models.example.org/cls.h5@-',
      'CPR001:11:5 https://models.example.org/enc.onnx@-',
      'CPR001:12:5 https://models.example.org/weights.bin@-',
      'CPR001:13:5 https://models.example.org/upper.h5@-',
      'CPR001:14:5 https://models.example.org/md5-named.h5@-',
      'CPR001:15:5 acme/encoder@main model.safetensors',
      'CPR003:15:5 acme/encoder@main model.safetensors',
    ],
  },
  {
    // fastembed/common/model_management.py download_model: the hub repo FastEmbed's table names for the model,
    // snapshot_download'ed with no revision (CPR001, not a table note); `specific_model_path` downloads nothing;
    // TextEmbedding and the langchain / LlamaIndex wrappers default to BAAI/bge-small-en-v1.5; None names nothing.
    file: 'fastembed-models.py',
    want: [
      'CPR001:8:9 BAAI/bge-small-en-v1.5',
      'CPR001:9:9 BAAI/bge-base-en-v1.5',
      // os.environ.get's default is what loads when the variable is unset.
      'CPR001:10:9 nomic-ai/nomic-embed-text-v1.5',
      'CPR001:11:10 Qdrant/bm25',
      'CPR001:13:10 Xenova/ms-marco-MiniLM-L-6-v2',
      'CPR001:14:6 BAAI/bge-small-en-v1.5',
      'CPR001:15:6 BAAI/bge-small-en-v1.5',
      'CPR010:17:12 dynamic',
    ],
  },
  {
    // @langchain/community embeddings/huggingface_transformers.ts: `new HuggingFaceTransformersEmbeddings(fields)` is
    // transformers.js pipeline("feature-extraction", model ?? modelName ?? "Xenova/all-MiniLM-L6-v2",
    // pretrainedOptions) — read as the call it makes, whatever name the class is imported under; fields the file
    // cannot read are the run time's. HuggingFaceInferenceEmbeddings calls the hosted Inference API: no weights load.
    file: 'langchain-js-embeddings.js',
    want: [
      'CPR001:7:11 Xenova/all-mpnet-base-v2@-',
      'CPR003:7:11 Xenova/all-mpnet-base-v2@-',
      'CPR003:8:11 Xenova/bge-small-en-v1.5@0123456789abcdef0123456789abcdef01234567',
      'CPR001:10:11 Xenova/gte-small@- name-env:EMBED_MODEL',
      'CPR003:10:11 Xenova/gte-small@- name-env:EMBED_MODEL',
      'CPR001:11:11 Xenova/all-MiniLM-L6-v2@-',
      'CPR003:11:11 Xenova/all-MiniLM-L6-v2@-',
      'CPR010:9:11 dynamic',
    ],
  },
  {
    // mergekit/common.py ModelReference / ModelPath: `<path>[@<revision>][+<lora>]`, each part snapshot_download'ed
    // at its revision (the LoRA through PeftModel.from_pretrained); `tokenizer_source: union` names no model.
    file: 'mergekit-merge.yaml',
    want: [
      'CPR001:11:13 mistralai/Mistral-7B-v0.1@-',
      'CPR003:11:13 mistralai/Mistral-7B-v0.1@-',
      'CPR001:9:12 acme/base@-',
      'CPR003:9:12 acme/base@-',
      'CPR001:9:12 acme/lora-adapter@-',
      'CPR003:9:12 acme/lora-adapter@-',
      'CPR003:8:12 acme/reviewed@0123456789abcdef0123456789abcdef01234567',
      'CPR001:4:12 WizardLM/WizardMath-7B-V1.1@-',
      'CPR003:4:12 WizardLM/WizardMath-7B-V1.1@-',
      'CPR001:3:12 mistralai/Mistral-7B-v0.1@-',
      'CPR003:3:12 mistralai/Mistral-7B-v0.1@-',
    ],
  },
  {
    // mergekit/moe/config.py: base_model and experts[].source_model; a local folder is read in place; two `@` raise.
    file: 'mergekit-moe.yml',
    want: [
      'CPR003:2:13 acme/base-7b@0123456789abcdef0123456789abcdef01234567',
      'CPR001:9:19 acme/math-7b@v2',
      'CPR003:9:19 acme/math-7b@v2',
      'CPR001:6:19 acme/coder-7b@-',
      'CPR003:6:19 acme/coder-7b@-',
    ],
  },
  {
    // nltk/downloader.py, gpt4all/gpt4all.py retrieve_model, stanza/resources/common.py download_models: URL and MD5
    // from an index fetched at run time (a CPR015 note naming the entry). No id opens NLTK's interactive downloader;
    // allow_download=False, a path with a folder, and download_method=None download nothing.
    file: 'index-downloads.py',
    want: [
      'CPR015:7:1 punkt',
      'CPR015:8:1 stopwords',
      'CPR010:10:1 dynamic',
      'CPR015:11:7 orca-mini-3b-gguf2-q4_0.gguf',
      'CPR015:14:1 en',
      'CPR015:15:7 en',
      'CPR015:17:7 fr',
      'CPR015:18:7 en',
    ],
  },
  {
    // @llamaindex/huggingface embedding.ts: `new HuggingFaceEmbedding(params)` is transformers.js
    // pipeline("feature-extraction", modelType || "Xenova/all-MiniLM-L6-v2", modelOptions); other classes load nothing.
    file: 'llamaindex-ts-embeddings.ts',
    want: [
      'CPR001:6:23 Xenova/all-MiniLM-L6-v2@-',
      'CPR003:6:23 Xenova/all-MiniLM-L6-v2@-',
      'CPR001:7:13 BAAI/bge-small-en-v1.5@-',
      'CPR003:7:13 BAAI/bge-small-en-v1.5@-',
      'CPR003:8:16 Xenova/all-mpnet-base-v2@0123456789abcdef0123456789abcdef01234567',
    ],
  },
  {
    // A download handed straight to an unpickler (joblib.load, pickle.load through open(), pandas.read_pickle,
    // torch.load with weights_only=False, numpy.load with allow_pickle=True) directly or through a name bound once to
    // it is CPR002 whatever the download pins; torch.load's default and numpy.load's load weights or arrays only, a
    // name bound twice is the run time's, and skops.io.load refuses types it was not told to trust.
    file: 'unpickled-downloads.py',
    want: [
      'CPR002:11:19 acme/sklearn-clf@- model.joblib',
      'CPR001:11:19 acme/sklearn-clf@- model.joblib',
      'CPR003:11:19 acme/sklearn-clf@- model.joblib',
      // A pinned commit fixes the bytes, not what their pickle runs.
      'CPR002:12:24 acme/vectorizer@0123456789abcdef0123456789abcdef01234567 vec.pkl',
      'CPR003:12:24 acme/vectorizer@0123456789abcdef0123456789abcdef01234567 vec.pkl',
      'CPR002:13:21 acme/frames@- frame.pkl',
      'CPR001:13:21 acme/frames@- frame.pkl',
      'CPR003:13:21 acme/frames@- frame.pkl',
      'CPR002:14:19 acme/ckpt@- model.pt',
      'CPR001:14:19 acme/ckpt@- model.pt',
      'CPR003:14:19 acme/ckpt@- model.pt',
      'CPR001:15:19 acme/ckpt@- model.pt',
      'CPR003:15:19 acme/ckpt@- model.pt',
      'CPR002:16:15 acme/arrays@- a.npy',
      'CPR001:16:15 acme/arrays@- a.npy',
      'CPR003:16:15 acme/arrays@- a.npy',
      'CPR001:17:17 acme/arrays@- b.npy',
      'CPR003:17:17 acme/arrays@- b.npy',
      'CPR002:18:19 https://models.example.org/rf.joblib@-',
      'CPR001:18:19 https://models.example.org/rf.joblib@-',
      // Through a name bound once to the download.
      'CPR002:19:8 acme/later@- model.joblib',
      'CPR001:19:8 acme/later@- model.joblib',
      'CPR003:19:8 acme/later@- model.joblib',
      'CPR001:21:11 acme/reused@- w.pkl',
      'CPR003:21:11 acme/reused@- w.pkl',
      'CPR001:22:11 acme/reused@- w2.pkl',
      'CPR003:22:11 acme/reused@- w2.pkl',
      'CPR001:25:24 acme/skops@- model.skops',
      'CPR003:25:24 acme/skops@- model.skops',
      // ultralytics unpickles a `.pt` checkpoint (torch_safe_load, weights_only=False), not an exported model;
      // fastai's load_learner unpickles what it is given.
      'CPR002:28:17 acme/yolo-weights@- best.pt',
      'CPR001:28:17 acme/yolo-weights@- best.pt',
      'CPR003:28:17 acme/yolo-weights@- best.pt',
      'CPR001:29:17 acme/yolo-weights@- best.onnx',
      'CPR003:29:17 acme/yolo-weights@- best.onnx',
      'CPR002:30:24 acme/fastai-model@- export.pkl',
      'CPR001:30:24 acme/fastai-model@- export.pkl',
      'CPR003:30:24 acme/fastai-model@- export.pkl',
    ],
  },
  {
    // The file a `with open(…) as f:` around the unpickler binds (the nearest such statement: another function's `f`
    // is its own), `.read()` / `.read_bytes()` into pickle.loads, and the unpickler's file given by keyword.
    file: 'unpickled-with-open.py',
    want: [
      'CPR002:12:12 acme/sk-model@- model.pkl',
      'CPR001:12:12 acme/sk-model@- model.pkl',
      'CPR003:12:12 acme/sk-model@- model.pkl',
      'CPR002:18:15 acme/vectorizer@- vec.pkl',
      'CPR001:18:15 acme/vectorizer@- vec.pkl',
      'CPR003:18:15 acme/vectorizer@- vec.pkl',
      // Read as text, not unpickled.
      'CPR001:30:15 acme/meta@- config.json',
      'CPR003:30:15 acme/meta@- config.json',
      'CPR002:34:26 acme/blob@- blob.pkl',
      'CPR001:34:26 acme/blob@- blob.pkl',
      'CPR003:34:26 acme/blob@- blob.pkl',
      'CPR002:35:28 acme/frozen@- frozen.pkl',
      'CPR001:35:28 acme/frozen@- frozen.pkl',
      'CPR003:35:28 acme/frozen@- frozen.pkl',
      'CPR002:36:32 acme/keyword@- m.joblib',
      'CPR001:36:32 acme/keyword@- m.joblib',
      'CPR003:36:32 acme/keyword@- m.joblib',
      'CPR002:37:11 acme/ckpt@- model.pt',
      'CPR001:37:11 acme/ckpt@- model.pt',
      'CPR003:37:11 acme/ckpt@- model.pt',
      // torch.load's default loads weights only.
      'CPR001:39:11 acme/ckpt@- safe.pt',
      'CPR003:39:11 acme/ckpt@- safe.pt',
    ],
  },
  {
    // Ray Serve LLM (ray/llm/_internal/serve/configs ModelLoadingConfig): model_source, else model_id as a hub id,
    // with the sibling engine_kwargs' revision and trust_remote_code (VLLMEngineConfig.get_initialization_kwargs);
    // model_id beside a source only names the model to clients; a cloud mirror is no hub download.
    file: 'ray-serve-llm.yaml',
    want: [
      'CPR002:14:21 meta-llama/Llama-3.1-8B-Instruct@0123456789abcdef0123456789abcdef01234567',
      `CPR003:14:21 meta-llama/Llama-3.1-8B-Instruct@${C}`,
      'CPR001:11:25 Qwen/Qwen2.5-0.5B-Instruct@-',
      'CPR003:11:25 Qwen/Qwen2.5-0.5B-Instruct@-',
    ],
  },
  {
    // KubeAI Models (api/k8s/v1/model_types.go, model_source.go `parseModelURL`): `url: hf://<repo>/<model>`; the
    // spec's args after KubeAI's own --model (engine_vllm.go): the last --revision, --trust-remote-code. pvc:// is
    // the deployer's own volume.
    file: 'kubeai-models.yaml',
    want: [`CPR003:8:8 acme/kubeai-llm@${C}`, 'CPR001:21:8 acme/kubeai-embed@-', 'CPR003:21:8 acme/kubeai-embed@-'],
  },
  {
    file: 'kubeai-catalog.yaml',
    want: [
      'CPR001:13:10 acme/faster-whisper-small@-',
      'CPR003:13:10 acme/faster-whisper-small@-',
      'CPR002:7:10 acme/kubeai-catalog@-',
      'CPR001:7:10 acme/kubeai-catalog@-',
      'CPR003:7:10 acme/kubeai-catalog@-',
    ],
  },
  {
    file: 'ray-llm-config.yaml',
    want: ['CPR001:4:17 acme/llm-config-source@main', 'CPR003:4:17 acme/llm-config-source@main'],
  },
  {
    // The same in Python; a config object is the run time's.
    file: 'ray-serve-llm.py',
    want: [
      'CPR001:5:8 acme/qwen-source@-',
      'CPR003:5:8 acme/qwen-source@-',
      'CPR002:9:10 acme/pinned-id@0123456789abcdef0123456789abcdef01234567',
      `CPR003:9:10 acme/pinned-id@${C}`,
      'CPR010:15:10 dynamic',
    ],
  },
  {
    // basicsr's load_file_from_url and its copies: torch.hub's download_url_to_file with no hash; unpickled with
    // weights_only=False, the download's code runs; a URL the caller chooses says nothing.
    file: 'load-file-from-url.py',
    want: [
      'CPR001:10:14 https://github.com/acme/esrgan/releases/download/v0.1.0/RealESRGAN_x4plus.pth@-',
      'CPR001:12:8 https://github.com/acme/facelib/releases/download/v0.1.0/detection.pth@-',
      'CPR002:21:21 https://github.com/acme/legacy/releases/download/v1/legacy.pth@-',
      'CPR001:21:21 https://github.com/acme/legacy/releases/download/v1/legacy.pth@-',
    ],
  },
  {
    // Unsloth's from_pretrained names the model by `model_name` (unsloth/models/loader.py), its revision and
    // trust_remote_code as transformers' do.
    file: 'unsloth-models.py',
    want: [
      'CPR001:5:20 unsloth/Llama-3.2-3B-Instruct-bnb-4bit@-',
      'CPR003:5:20 unsloth/Llama-3.2-3B-Instruct-bnb-4bit@-',
      `CPR003:10:13 unsloth/gemma-3-4b-it@${C}`,
      'CPR002:13:13 acme/custom-arch@-',
      'CPR001:13:13 acme/custom-arch@-',
      'CPR003:13:13 acme/custom-arch@-',
    ],
  },
  {
    // TRL's trainers given a hub id (trl/trainer/sft_trainer.py `SFTTrainer.__init__` → create_model_from_path):
    // the model, a reward model or teacher given as a string; with a config the revision is its model_init_kwargs'
    // (the run time's as far as the call shows); a model object loads nothing there.
    file: 'trl-trainers.py',
    want: [
      'CPR001:11:7 acme/sft-base@-',
      'CPR003:11:7 acme/sft-base@-',
      'CPR001:13:12 acme/base-model@-',
      'CPR003:13:12 acme/base-model@-',
      'CPR001:15:8 acme/policy@-',
      'CPR003:15:8 acme/policy@-',
      'CPR001:15:8 acme/reward-model@-',
      'CPR003:15:8 acme/reward-model@-',
      'CPR001:16:7 acme/student@-',
      'CPR003:16:7 acme/student@-',
      'CPR001:16:7 acme/teacher@-',
      'CPR003:16:7 acme/teacher@-',
      `CPR003:19:9 acme/loaded@${C}`,
    ],
  },
  {
    // KServe's storage initializer (kserve_storage.py `_download_hf`): `hf://<repo>/<model>[:<revision>]` on any
    // predictor, framework spec or TrainedModel; other schemes and URIs it refuses download nothing from the hub.
    file: 'kserve-inference-services.yaml',
    want: [
      'CPR001:12:19 acme/llama-8b-instruct@-',
      'CPR003:12:19 acme/llama-8b-instruct@-',
      'CPR003:23:19 acme/embedder@0123456789abcdef0123456789abcdef01234567',
      'CPR001:32:19 acme/classifier@main',
      'CPR003:32:19 acme/classifier@main',
      'CPR001:54:17 acme/trained@-',
      'CPR003:54:17 acme/trained@-',
    ],
  },
  {
    // The same in plain block YAML, read without the yaml library (config-fast.ts).
    file: 'kserve-single.yaml',
    want: ['CPR001:13:19 acme/qwen-7b@v1.0', 'CPR003:13:19 acme/qwen-7b@v1.0'],
  },
  {
    // PEFT: PeftModel (and PeftModelFor…) take the adapter second, the AutoPeftModel classes first.
    file: 'peft-adapters.py',
    want: [
      'CPR003:6:8 acme/base-7b@0123456789abcdef0123456789abcdef01234567',
      'CPR001:7:8 acme/lora@-',
      'CPR003:7:8 acme/lora@-',
      'CPR001:8:9 acme/lora-named@main',
      'CPR003:8:9 acme/lora-named@main',
      'CPR001:9:10 acme/lora-causal@-',
      'CPR003:9:10 acme/lora-causal@-',
      'CPR003:10:8 acme/auto-adapter@0123456789abcdef0123456789abcdef01234567',
      'CPR001:11:17 acme/auto-unpinned@-',
      'CPR003:11:17 acme/auto-unpinned@-',
      'CPR003:14:11 acme/lora-trusted@0123456789abcdef0123456789abcdef01234567',
      'CPR002:15:16 acme/auto-trusted@0123456789abcdef0123456789abcdef01234567',
      'CPR003:15:16 acme/auto-trusted@0123456789abcdef0123456789abcdef01234567',
    ],
  },
  {
    // Typer's Option/Argument as a parameter's default: its first argument or `default=`; `...` is required.
    file: 'typer-defaults.py',
    want: [`CPR003:15:5 acme/typer-default@${C} env:serve(revision) name-env:serve(model_id)`, 'CPR010:16:5 dynamic'],
  },
  {
    // Vite's import.meta.env read as process.env is: the fallback loads when the variable is unset.
    file: 'vite-env.ts',
    want: [
      'CPR001:6:28 acme/vite-default@- name-env:VITE_MODEL_ID',
      'CPR003:6:28 acme/vite-default@- name-env:VITE_MODEL_ID',
      `CPR003:7:32 acme/vite-tokenizer@${C} env:VITE_REVISION name-env:VITE_TOKENIZER`,
      'CPR010:10:29 dynamic',
    ],
  },
  {
    // click's option and argument decorators give the parameter they fill its default; an argument with none is the
    // run time's.
    file: 'click-defaults.py',
    want: [
      `CPR003:15:5 acme/click-model@${C} env:main(revision) name-env:main(model_name)`,
      'CPR001:16:5 acme/click-tokenizer@- name-env:main(tokenizer_id)',
      'CPR003:16:5 acme/click-tokenizer@- name-env:main(tokenizer_id)',
      'CPR010:17:5 dynamic',
    ],
  },
  {
    // A stream of YAML documents (Kubernetes manifests, Helm output): each is read, none is "not searched".
    file: 'multi-document.yaml',
    want: [
      'CPR001:7:15 acme/first-7b@-',
      'CPR003:7:15 acme/first-7b@-',
      'CPR003:14:23 acme/second-7b@0123456789abcdef0123456789abcdef01234567',
    ],
  },
  {
    // Kubernetes pod specs (servers.ts readPodContainers): a container's `command:` replaces the image's entrypoint,
    // `args:` are its arguments, `env:` name/value pairs; a flag beats its variable (clap). A container that starts no
    // server names no model.
    file: 'k8s-model-servers.yaml',
    want: [
      'CPR002:13:30 meta-llama/Llama-3.1-8B-Instruct@-',
      'CPR001:13:30 meta-llama/Llama-3.1-8B-Instruct@-',
      'CPR003:13:30 meta-llama/Llama-3.1-8B-Instruct@-',
      'CPR001:21:15 Qwen/Qwen2.5-7B-Instruct@main',
      'CPR003:21:15 Qwen/Qwen2.5-7B-Instruct@main',
      'CPR003:28:22 BAAI/bge-small-en-v1.5@0123456789abcdef0123456789abcdef01234567',
      'CPR001:43:39 acme/warm-7b@-',
      'CPR003:43:39 acme/warm-7b@-',
    ],
  },
  {
    // llama.cpp's server in a Kubernetes container, by image (`args:` its arguments) or by name (servers.ts).
    file: 'k8s-llama-cpp.yaml',
    want: [
      'CPR001:11:26 acme/k8s-image-GGUF@-',
      'CPR003:11:26 acme/k8s-image-GGUF@-',
      'CPR001:17:56 acme/k8s-command-GGUF@-',
      'CPR003:17:56 acme/k8s-command-GGUF@-',
    ],
  },
  {
    // Hydra's instantiate: `_target_` called with the node's keys (config-fast.ts `hydraCall`), as calls.ts reads that
    // call — transformers.pipeline's `model`, vLLM's LLM with its tokenizer at the same revision and remote code; a
    // callable that loads nothing names no model, and a key of a model's own name is read by key.
    file: 'hydra-targets.yaml',
    want: [
      'CPR001:23:34 acme/hydra-base@-',
      'CPR003:23:34 acme/hydra-base@-',
      `CPR002:9:13 acme/hydra-llm@${C}`,
      `CPR003:9:13 acme/hydra-llm@${C}`,
      `CPR002:9:13 acme/hydra-tokenizer@${C}`,
      `CPR003:9:13 acme/hydra-tokenizer@${C}`,
      'CPR001:4:13 acme/hydra-pipeline@main env:PIPELINE_REV',
      'CPR003:4:13 acme/hydra-pipeline@main env:PIPELINE_REV',
      'CPR010:15:13 dynamic',
    ],
  },
  {
    // A NeMo tokenizer Hydra instantiates: NeMo's AutoTokenizer (python-loaders.ts `nemoShape`) takes no revision.
    file: 'nemo-hydra-tokenizer.yaml',
    want: [
      'CPR002:5:15 acme/hydra-nemo-tokenizer@-',
      'CPR001:5:15 acme/hydra-nemo-tokenizer@-',
      'CPR003:5:15 acme/hydra-nemo-tokenizer@-',
    ],
  },
  {
    // Kubernetes `$(VAR)` (kubelet ExpandContainerCommandAndArgs, expansion `Expand`): args and env values take the
    // container's `env:` values; a `valueFrom` is the run time's; `$$(` is a literal `$(`, no variable read.
    file: 'k8s-variable-references.yaml',
    want: [
      'CPR001:14:30 acme/chat-7b@main',
      'CPR003:14:30 acme/chat-7b@main',
      'CPR001:22:30 acme/base-7b@-',
      'CPR003:22:30 acme/base-7b@-',
      'CPR001:34:22 acme/tgi-7b@-',
      'CPR003:34:22 acme/tgi-7b@-',
      'CPR010:37:30 dynamic',
    ],
  },
  {
    // sagemaker/huggingface/model.py HuggingFaceModel: env HF_MODEL_ID at HF_MODEL_REVISION, trust_remote_code from
    // HF_MODEL_TRUST_REMOTE_CODE (TGI's sagemaker-entrypoint.sh); a model_data archive is no hub download.
    file: 'sagemaker-hub-models.py',
    want: [
      'CPR001:8:14 distilbert/distilbert-base-uncased-finetuned-sst-2-english@-',
      'CPR003:8:14 distilbert/distilbert-base-uncased-finetuned-sst-2-english@-',
      'CPR002:9:7 acme/chat-7b@0123456789abcdef0123456789abcdef01234567',
      'CPR003:9:7 acme/chat-7b@0123456789abcdef0123456789abcdef01234567',
    ],
  },
  {
    // node-llama-cpp dist/utils/parseModelUri.js `parseModelUri`: `hf:<user>/<model>[:<quant>]` (or `hf.co/`, or a
    // bare repo page URL) is the manifest of that quant at `main` (no ref can be given there); `hf:<user>/<model>/<path>`
    // takes `#<branch or commit>`; another URL is fetched as written; anything else is a path (resolveModelFile.js).
    file: 'node-llama-cpp.js',
    want: [
      'CPR001:4:21 acme/llama-3-gguf@-',
      'CPR003:4:21 acme/llama-3-gguf@-',
      `CPR003:5:22 acme/llama-3-gguf@${C} llama-3.Q8_0.gguf`,
      'CPR001:6:20 acme/llama-3-gguf@- llama-3.Q8_0.gguf',
      'CPR003:6:20 acme/llama-3-gguf@- llama-3.Q8_0.gguf',
      'CPR001:7:22 acme/llama-3-gguf@dev llama-3.Q8_0.gguf',
      'CPR003:7:22 acme/llama-3-gguf@dev llama-3.Q8_0.gguf',
      'CPR001:8:20 acme/llama-3-gguf@-',
      'CPR003:8:20 acme/llama-3-gguf@-',
      `CPR003:9:19 acme/llama-3-gguf@${C} llama-3.Q8_0.gguf`,
      'CPR001:10:21 https://models.example.org/tiny.gguf@-',
      // models/local.gguf (line 11) is a path on disk.
      'CPR001:12:21 acme/qwen-gguf@-',
      'CPR003:12:21 acme/qwen-gguf@-',
      'CPR001:13:26 acme/phi-gguf@-',
      'CPR003:13:26 acme/phi-gguf@-',
      'CPR010:16:45 dynamic',
    ],
  },
  {
    // huggingface_hub try_to_load_from_cache: local_files_only never asks the hub; a branch is the cache's ref (still
    // unpinned, CPR001 says so), a commit its snapshot.
    file: 'local-files-only.py',
    want: [
      'CPR001:6:5 acme/cached@-',
      'CPR003:6:5 acme/cached@-',
      'CPR001:7:5 acme/cached@main',
      'CPR003:7:5 acme/cached@main',
      `CPR003:8:5 acme/cached@${C}`,
      'CPR001:9:5 acme/cached@- config.json',
      'CPR003:9:5 acme/cached@- config.json',
      `CPR003:10:5 acme/cached@${C}`,
      'CPR001:11:5 acme/embedder@-',
      'CPR003:11:5 acme/embedder@-',
      'CPR001:12:5 acme/fetched@-',
      'CPR003:12:5 acme/fetched@-',
    ],
  },
  {
    // A generic key (`model_name`, `model_id`) with a name and no organisation is an API model (`gpt-4o-mini`) unless the
    // name is of transformers' legacy canonical families (`distilbert-…`); an `…name_or_path` key is transformers'.
    file: 'api-model-names.yaml',
    want: [
      'CPR001:14:23 all-mpnet-base-v2@-',
      'CPR003:14:23 all-mpnet-base-v2@-',
      'CPR001:12:13 BAAI/bge-reranker-base@-',
      'CPR003:12:13 BAAI/bge-reranker-base@-',
      'CPR001:10:15 distilbert-base-uncased-finetuned-sst-2-english@-',
      'CPR003:10:15 distilbert-base-uncased-finetuned-sst-2-english@-',
    ],
  },
  {
    // diffusers get_cached_module_file: custom_pipeline "org/x" runs that repo's pipeline.py at custom_revision; a
    // bare name runs the community mirror's `<version>/<name>.py`; a `.py` path is local; None is no custom code.
    // transformers get_class_from_dynamic_module: code_revision decides the code that runs, whatever revision pins.
    file: 'diffusers-custom-code.py',
    want: [
      `CPR003:6:5 acme/sd@${C}`,
      'CPR002:6:5 acme/fancy-pipe@- pipeline.py',
      'CPR001:6:5 acme/fancy-pipe@- pipeline.py',
      'CPR003:6:5 acme/fancy-pipe@- pipeline.py',
      `CPR003:7:5 acme/sd@${C}`,
      `CPR002:7:5 acme/fancy-pipe@${C} pipeline.py`,
      `CPR003:7:5 acme/fancy-pipe@${C} pipeline.py`,
      `CPR003:8:5 acme/sd@${C}`,
      'CPR002:8:5 datasets/diffusers/community-pipelines-mirror@- <diffusers version>/lpw_stable_diffusion.py',
      'CPR001:8:5 datasets/diffusers/community-pipelines-mirror@- <diffusers version>/lpw_stable_diffusion.py',
      'CPR003:8:5 datasets/diffusers/community-pipelines-mirror@- <diffusers version>/lpw_stable_diffusion.py',
      `CPR003:9:5 acme/sd@${C}`,
      'CPR002:9:5 datasets/diffusers/community-pipelines-mirror@- v0.30.0/lpw_sd.py',
      'CPR001:9:5 datasets/diffusers/community-pipelines-mirror@- v0.30.0/lpw_sd.py',
      'CPR003:9:5 datasets/diffusers/community-pipelines-mirror@- v0.30.0/lpw_sd.py',
      `CPR003:10:5 acme/sd@${C}`,
      `CPR003:11:5 acme/sd@${C}`,
      `CPR003:12:5 acme/sd@${C}`,
      `CPR003:13:5 acme/arch@${C}`,
      'CPR002:13:5 acme/arch@main',
      'CPR001:13:5 acme/arch@main',
      'CPR003:13:5 acme/arch@main',
      `CPR002:14:5 acme/arch@${C}`,
      `CPR003:14:5 acme/arch@${C}`,
      `CPR003:15:5 acme/arch@${C}`,
      'CPR002:11:5 dynamic',
    ],
  },
  {
    // diffusers load_lora_weights / load_textual_inversion / load_ip_adapter, transformers and peft load_adapter:
    // hf_hub_download of the adapter at the `revision` keyword (weight_name the file); a state dict passed in is a
    // run-time value; a local folder is none. The file calls no from_pretrained (the byte test must let it through).
    file: 'adapter-loaders.py',
    want: [
      'CPR001:7:5 acme/pixel-lora@- pixel.safetensors',
      'CPR003:7:5 acme/pixel-lora@- pixel.safetensors',
      `CPR003:8:5 acme/ink-lora@${C} ink.safetensors`,
      'CPR001:10:5 acme/cat-toy@-',
      'CPR003:10:5 acme/cat-toy@-',
      `CPR003:11:5 acme/ip-adapter@${C} ip-adapter_sd15.bin`,
      'CPR001:12:5 acme/support-lora@v2',
      'CPR003:12:5 acme/support-lora@v2',
      'CPR001:13:5 acme/billing-lora@-',
      'CPR003:13:5 acme/billing-lora@-',
      `CPR003:15:5 acme/flux-lora@${C} lora.safetensors`,
      'CPR001:16:5 acme/custom-diffusion@- pytorch_custom_diffusion_weights.bin',
      'CPR003:16:5 acme/custom-diffusion@- pytorch_custom_diffusion_weights.bin',
      'CPR010:9:5 dynamic',
    ],
  },
  {
    // functools.partial under another name (`from functools import partial as bind`, `ft.partial`) is read through
    // as partial.__call__ does; a loader handed to another function as a value is a run-time choice, never silence.
    file: 'partial-and-passed-loaders.py',
    want: [
      'CPR001:10:9 acme/encoder@main',
      'CPR003:10:9 acme/encoder@main',
      'CPR001:11:13 acme/tokenizer@-',
      'CPR003:11:13 acme/tokenizer@-',
      'CPR010:18:17 dynamic',
      'CPR010:20:27 dynamic',
    ],
  },
  {
    // `process.env.X ?? 'org/x'` / `|| 'org/x'` / `process.env['X'] ?? …`: the fallback loads when X is unset, named
    // with X (as Python's os.environ.get default); a bare env read stays a run-time choice.
    file: 'env-fallback.ts',
    want: [
      'CPR001:6:31 acme/nullish-default@- name-env:MODEL_ID',
      'CPR003:6:31 acme/nullish-default@- name-env:MODEL_ID',
      `CPR003:7:28 acme/or-default@${C} name-env:EMBED_MODEL`,
      'CPR001:8:26 acme/bracket-default@main env:TOKENIZER_REVISION name-env:TOKENIZER',
      'CPR003:8:26 acme/bracket-default@main env:TOKENIZER_REVISION name-env:TOKENIZER',
      'CPR010:11:26 dynamic',
    ],
  },
  {
    // OmegaConf's oc.env resolver (Hydra configs): `${oc.env:VAR,default}` loads the default when VAR is unset, for a
    // model or a revision; `${oc.env:VAR}` (or a null default) is a run-time choice. A node interpolation is the
    // value of the key it names (config-fast.ts `interpolatedValue`), loaded at the revision of its own mapping: the
    // student's has none, so it is a download of the default branch of its own.
    file: 'hydra-env.yaml',
    want: [
      'CPR001:12:23 acme/hydra-default@- name-env:MODEL_NAME',
      'CPR003:12:23 acme/hydra-default@- name-env:MODEL_NAME',
      `CPR003:7:31 acme/quoted-teacher@${C} env:TEACHER_REVISION name-env:TEACHER`,
      'CPR001:2:23 acme/hydra-default@main env:MODEL_REVISION name-env:MODEL_NAME',
      'CPR003:2:23 acme/hydra-default@main env:MODEL_REVISION name-env:MODEL_NAME',
      'CPR010:10:22 dynamic',
      'CPR010:5:19 dynamic',
    ],
  },
];

describe('model references agree with what the libraries load (fixtures/refs/fidelity)', () => {
  it.each(CASES)('$file', ({ file, want }) => {
    expect(findings(file)).toEqual(want);
  });

  it.each(CASES.filter((c) => c.file.endsWith('.py')))('$file: lezer over the whole file agrees', ({ file }) => {
    expect(findings(file, findPythonReferencesInWholeFile)).toEqual(findings(file));
  });

  it('env-fallback.ts: the parser-free JavaScript reader leaves env fallbacks to lezer', () => {
    const text = readFileSync(path.join(DIR, 'env-fallback.ts'), 'utf8');
    expect(findJavaScriptReferencesFast('env-fallback.ts', text, local)).toBeUndefined();
  });

  it('langchain-js-embeddings.js: the parser-free reader leaves `new` of a loading class to lezer, and no other', () => {
    const text = readFileSync(path.join(DIR, 'langchain-js-embeddings.js'), 'utf8');
    expect(findJavaScriptReferencesFast('langchain-js-embeddings.js', text, local)).toBeUndefined();
    const other =
      'import { pipeline } from "@huggingface/transformers";\nconst m = new Map();\nawait pipeline("x", "acme/m");\n';
    expect(findJavaScriptReferencesFast('other.js', other, local)?.references.map((r) => r.repoId)).toEqual(['acme/m']);
    // A class of the file's own by a loading class's name is left to lezer too, and loads nothing there.
    const own = 'class HuggingFaceEmbedding {}\nconst e = new HuggingFaceEmbedding("acme/own");\n';
    expect(findJavaScriptReferences('own.ts', own, local)).toEqual({ references: [], dynamic: [] });
  });

  it.each(['hub-js-repo-types.js', 'tfjs-models.js', 'ollama-js-pull.ts', 'node-llama-cpp.js'])(
    '%s: the parser-free JavaScript reader agrees',
    (file) => {
      const fast = (p: string, text: string, exists: (p: string) => boolean) =>
        findJavaScriptReferencesFast(p, text, exists) ?? { references: [], dynamic: [{ ...UNREAD }] };
      expect(findings(file, fast)).toEqual(findings(file));
    },
  );

  it('pipeline-non-string.js: the parser-free JavaScript reader agrees', () => {
    const file = 'pipeline-non-string.js';
    const fast = (p: string, text: string, exists: (p: string) => boolean) =>
      findJavaScriptReferencesFast(p, text, exists) ?? { references: [], dynamic: [{ ...UNREAD }] };
    expect(findings(file, fast)).toEqual(findings(file));
  });
});

describe('a shell loop over a list the file does not decide', () => {
  it('names the loop, not an environment variable of its name (shell-scope.ts openLoop)', () => {
    const text =
      'for m in "${NEVER_SET[@]}"; do\n  hf download "$m"\ndone\nfor x in $(cat models.txt); do hf download "$x"; done\n';
    const found = findShellReferences('get.sh', text, () => false);
    const messages = found.dynamic.map((d) => dynamicFinding(d).message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain("each value of the `for m` loop's list");
    expect(messages[1]).toContain("each value of the `for x` loop's list");
    for (const m of messages) expect(m).not.toContain('environment variable');
  });
});

describe('huggingface_hub downloads never read a local folder', () => {
  it('a folder named like the repo id changes nothing (utils/_validators.py validate_repo_id)', () => {
    const file = 'hub-repo-types.py';
    const exists = (p: string) => p === 'acme/reviews' || local(p);
    expect(findings(file, (p, text) => findPythonReferences(p, text, exists))).toEqual(findings(file));
  });
});

describe('a loader that trusts remote code by default says so', () => {
  it('AutoAWQ: the message names the default, not a trust_remote_code=True the call never wrote', () => {
    const text = readFileSync(path.join(DIR, 'quantized-loaders.py'), 'utf8');
    const [ref] = findPythonReferences('quantized-loaders.py', text, local).references;
    const cpr002 = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR002');
    expect(cpr002?.message).toContain('which this loader turns on unless the call passes trust_remote_code=False');
  });
});

describe('an unpinned revision says where it comes from', () => {
  it('an env variable and its default, or a run-time value: never "no revision" when one is passed', () => {
    const r = findPythonReferences(
      'revision-from-env.py',
      readFileSync(path.join(DIR, 'revision-from-env.py'), 'utf8'),
      local,
    );
    const message = (line: number) =>
      r.references
        .filter((x) => x.line === line)
        .flatMap((x) => judgeReference(x, new Map(), DEFAULT_POLICY))
        .find((f) => f.ruleId === 'CPR001')?.message;
    expect(message(11)).toMatch(
      /environment variable MODEL_REVISION, and when it is unset at "main", a name that can move/,
    );
    expect(message(12)).toMatch(/environment variable DRAFT_REVISION, and when it is unset with none/);
    expect(message(13)).toMatch(/a revision this file does not decide/);
    expect(message(13)).not.toMatch(/no revision/);
  });

  it('a dict changed in place (kw["revision"] = …, .update) and spread: unpinned, neither guessed nor "no revision"', () => {
    const r = findPythonReferences(
      'kwargs-dict-changed.py',
      readFileSync(path.join(DIR, 'kwargs-dict-changed.py'), 'utf8'),
      local,
    );
    const unpinned = r.references
      .filter((x) => x.repoId === 'acme/subscript' || x.repoId === 'acme/updated' || x.repoId === 'acme/escaped')
      .flatMap((x) => judgeReference(x, new Map(), DEFAULT_POLICY))
      .filter((f) => f.ruleId === 'CPR001');
    expect(unpinned.map((f) => f.location.line)).toEqual([8, 12, 17]);
    for (const f of unpinned) {
      expect(f.message).toMatch(/\*\*kwargs it cannot read/);
      expect(f.evidence).not.toHaveProperty('revision');
    }
  });
});

describe('notebooks in a scan', () => {
  it('the refs stage reads .ipynb code cells (an image output does not make the notebook look generated)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-nb-'));
    try {
      const nb = JSON.parse(readFileSync(path.join(DIR, 'notebook-cells.ipynb'), 'utf8')) as {
        cells: { outputs?: unknown[] }[];
      };
      // Enough long lines that search.ts `looksGenerated` would skip the file were it read as source.
      for (let i = 0; i < 6; i++)
        nb.cells[2]!.outputs!.push({ output_type: 'display_data', data: { 'image/png': 'A'.repeat(5_000) } });
      const text = JSON.stringify(nb, null, 1);
      writeFileSync(path.join(dir, 'train.ipynb'), text);
      const tokenizerLine = text.split('\n').findIndex((l) => l.includes('tokenizer = AutoTokenizer')) + 1;
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      expect(
        byReference(r.findings)
          .map((f) => `${f.ruleId}:${f.location.line}`)
          .sort(),
      ).toEqual([`CPR001:${tokenizerLine + 1}`, `CPR003:${tokenizerLine}`, `CPR003:${tokenizerLine + 1}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Run `fn` over a temporary folder holding `files` (path → text), removed afterwards. */
async function inFolder(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-refs-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('PEFT adapter folders in a scan', () => {
  it('adapter_config.json names the base model AutoPeftModel downloads at its revision, even alone in the repo', async () => {
    const adapter = (base: string, revision: string | null) =>
      JSON.stringify({ base_model_name_or_path: base, peft_type: 'LORA', r: 8, revision }, null, 2);
    const files = {
      'adapters/support/adapter_config.json': adapter('acme/base-7b', null),
      'adapters/billing/adapter_config.json': adapter('acme/base-7b', C),
    };
    await inFolder(files, async (dir) => {
      const r = await scanAsCli(dir);
      expect(
        byReference(r.findings)
          .filter((f) => f.ruleId.startsWith('CPR'))
          .map((f) => `${f.ruleId}:${f.location.path}:${f.location.line}`)
          .sort(),
      ).toEqual([
        'CPR001:adapters/support/adapter_config.json:2',
        'CPR003:adapters/billing/adapter_config.json:2',
        'CPR003:adapters/support/adapter_config.json:2',
      ]);
    });
  });
});

describe('mergekit configs in a scan', () => {
  it('a merge that names no base_model passes the config pre-filter by merge_method; a non-mergekit `model:` is not one', async () => {
    const files = {
      'merges/linear.yml':
        'models:\n  - model: acme/left-7b\n    parameters:\n      weight: 0.5\n  - model: acme/right-7b@v1\nmerge_method: linear\ndtype: float16\n',
      'configs/serve.yml': 'model: acme/served-7b\nport: 8080\n',
    };
    await inFolder(files, async (dir) => {
      const r = await scanAsCli(dir);
      const unpinned = r.findings.filter((f) => f.ruleId === 'CPR001');
      expect(unpinned.map((f) => `${f.location.path}:${f.location.line}`).sort()).toEqual([
        'merges/linear.yml:2',
        'merges/linear.yml:5',
      ]);
      expect(unpinned.find((f) => f.location.line === 5)?.message).toBe(
        'mergekit model loads acme/right-7b at "v1", a name that can move. Pin the reviewed commit in the name (acme/right-7b@<40-hex>).',
      );
    });
  });
});

describe('configs that do not parse', () => {
  it('JSON with comments and a YAML template that name a model key are counted as not searched (CPR011)', async () => {
    const files = {
      'train.json': '{\n  // base model\n  "model_name_or_path": "acme/jsonc"\n}\n',
      'values.yaml': 'model_name: {{ .Values.model }}\n  bad: [\n',
      'ok.json': '{"model_name_or_path": "acme/plain"}\n',
    };
    await inFolder(files, async (dir) => {
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      expect(r.findings.map((f) => `${f.ruleId}:${f.location.path}:${f.evidence?.files ?? ''}`).sort()).toEqual([
        'CPR001:ok.json:',
        'CPR003:ok.json:',
        'CPR011:train.json:train.json values.yaml',
      ]);
    });
  });
});

describe('transformers.js env set up in a module of its own', () => {
  it('the setup module is searched and its mirror reported where it is set (CPR017); the worker reads as a hub load', async () => {
    const r = await scanWith(path.join(DIR, 'transformersjs-setup'), [refsStage], { registry: EMPTY_REGISTRY });
    expect(r.findings.map((f) => `${f.ruleId}:${f.location.path}:${f.location.line}:${f.location.column}`)).toEqual([
      'CPR017:setup.js:4:1',
      'CPR001:worker.js:5:28',
      'CPR003:worker.js:5:28',
    ]);
  });
});

describe('ollama Modelfiles in a scan', () => {
  it('the walk keeps a Modelfile and the refs stage reads its FROM (CPR016), but not a Dockerfile FROM', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-modelfile-'));
    try {
      writeFileSync(path.join(dir, 'Modelfile'), readFileSync(path.join(DIR, 'shell/ollama/Modelfile')));
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.12-slim\nRUN pip install ollama\n');
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      expect(r.findings.map((f) => `${f.ruleId}:${f.location.path}:${f.location.line}`)).toEqual([
        'CPR016:Modelfile:1',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model servers in a scan', () => {
  it('the walk keeps a Dockerfile that only starts vLLM or TGI, or sets LLAMA_ARG_HF_REPO', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-servers-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), 'FROM vllm/vllm-openai\nCMD ["vllm", "serve", "acme/served"]\n');
      writeFileSync(path.join(dir, 'tgi.sh'), 'text-generation-launcher --model-id acme/tgi\n');
      writeFileSync(path.join(dir, 'llama.sh'), 'export LLAMA_ARG_HF_REPO=acme/x-GGUF\nllama-server\n');
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      expect((r.references ?? []).map((x) => `${x.path}:${x.line} ${x.repoId}`).sort()).toEqual([
        'Dockerfile:2 acme/served',
        'llama.sh:1 acme/x-GGUF',
        'tgi.sh:1 acme/tgi',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('test data is not configuration', () => {
  it('a JSON/YAML file in a test folder that names a model key is counted (CPR011), not a reference', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-testdata-'));
    try {
      const { mkdirSync } = await import('node:fs');
      for (const d of ['tests/data', 'src/fixtures', 'configs']) mkdirSync(path.join(dir, d), { recursive: true });
      writeFileSync(path.join(dir, 'tests/data/request.json'), '{"model_name": "acme/in-a-request", "inputs": "hi"}\n');
      writeFileSync(path.join(dir, 'src/fixtures/run.yaml'), 'model_name_or_path: acme/fixture-model\n');
      writeFileSync(path.join(dir, 'tests/data/plain.json'), '{"inputs": "no model here"}\n');
      writeFileSync(path.join(dir, 'configs/train.yaml'), 'model_name_or_path: acme/trained\n');
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      expect((r.references ?? []).map((x) => `${x.path} ${x.repoId}`)).toEqual(['configs/train.yaml acme/trained']);
      const counted = r.findings.filter((f) => f.ruleId === 'CPR011');
      expect(counted.map((f) => [f.evidence?.reason, f.evidence?.files])).toEqual([
        ['test-data', 'src/fixtures/run.yaml tests/data/request.json'],
      ]);
      const { searchText } = await import('../../src/refs/find.js');
      expect(searchText('tests/data/request.json', '{"model_name": "acme/x"}', () => false)).toEqual({ kind: 'none' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a JavaScript bundle whose long lines hold most of its bytes is not searched (counted)', () => {
  // onnxruntime-web's ort.min.mjs: a few lines of hundreds of kilobytes between thousands of short ones (shader source
  // in template strings), which a count of long lines per line lets through.
  const bundle = [
    "import * as ort from 'onnxruntime-web';",
    ...Array.from({ length: 200 }, (_, i) => `  vec4 v${i} = texture(u, p);`),
    `var a=${'1+'.repeat(4_000)}1;`,
    "await ort.InferenceSession.create('https://huggingface.co/acme/m/resolve/main/model.onnx');",
  ].join('\n');
  it('JavaScript: skipped; the same text with its long line split is searched', async () => {
    const { searchText } = await import('../../src/refs/find.js');
    expect(searchText('public/vendor/ort.min.mjs', bundle, () => false)).toEqual({ kind: 'skipped' });
    const split = bundle.replace(/(1\+){500}/g, (m) => `${m}\n`);
    expect(searchText('public/vendor/ort.mjs', split, () => false).kind).toBe('found');
  });
});

describe('Python a shell command runs inline, and Makefile recipes, in a scan', () => {
  // shell-python.ts: `python -c "…"` and a heredoc, read by the Python finders at their place in the script; a name the
  // shell expands is the run time's. Makefile recipes are shell command lines, their plain variables read. Through
  // the stage, which loads the inline reader only for a script that holds some.
  it('reads what Dockerfile.inline-python and a Makefile download, each where its text stands', async () => {
    const fixture = (rel: string) => readFileSync(path.join(DIR, 'shell', rel), 'utf8');
    await inFolder({ Dockerfile: fixture('Dockerfile.inline-python'), Makefile: fixture('Makefile') }, async (dir) => {
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      const byRef = new Map((r.references ?? []).map((x) => [`${x.path}:${x.line}:${x.column}`, x]));
      expect(
        byReference(r.findings).map((f) => {
          const at = `${f.location.path}:${f.location.line}:${f.location.column}`;
          const ref = byRef.get(at);
          return `${f.ruleId}:${at} ${ref ? `${ref.repoId}@${ref.revision ?? '-'}` : 'dynamic'}`;
        }),
      ).toEqual([
        'CPR001:Dockerfile:4:71 acme/embedder@-',
        'CPR003:Dockerfile:4:71 acme/embedder@-',
        `CPR003:Dockerfile:5:53 acme/pinned@${C}`,
        'CPR010:Dockerfile:7:56 dynamic',
        'CPR001:Dockerfile:11:1 acme/heredoc-model@main',
        'CPR003:Dockerfile:11:1 acme/heredoc-model@main',
        'CPR001:Makefile:5:27 acme/make-default@-',
        'CPR003:Makefile:5:27 acme/make-default@-',
        `CPR003:Makefile:6:27 acme/make-literal@${C}`,
        'CPR001:Makefile:7:32 acme/make-wget@main',
        'CPR003:Makefile:7:32 acme/make-wget@main',
        'CPR001:Makefile:10:48 acme/make-inline@-',
        'CPR003:Makefile:10:48 acme/make-inline@-',
        `CPR003:Makefile:13:27 acme/make-revision@${C}`,
        'CPR010:Makefile:14:27 dynamic',
      ]);
      // A make variable's value is named: `make MODEL=…` may set another.
      expect(r.findings.find((f) => f.location.path === 'Makefile' && f.location.line === 5)?.message).toContain(
        'the default when MODEL is unset',
      );
      // Pinned as Python pins it, not as the CLI does.
      expect(r.findings.find((f) => f.location.line === 4)?.message).toContain('revision="<40-hex>"');
    });
  });
});

describe('Compose interpolation from the project .env, in a scan', () => {
  // compose-env.ts: `${VAR}` from the .env beside the compose file, else `${VAR:-default}` (unset or empty) /
  // `${VAR-default}` (unset); named in the finding, since the shell that runs Compose may set another. A variable
  // named like a secret is never read, and its value never shown.
  it('reads fixtures/refs/fidelity/shell/compose-env as Compose would interpolate it', async () => {
    const dir = path.join(DIR, 'shell', 'compose-env');
    const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
    const byRef = new Map((r.references ?? []).map((x) => [`${x.line}:${x.column}`, x]));
    expect(
      byReference(r.findings).map((f) => {
        const ref = byRef.get(`${f.location.line}:${f.location.column}`);
        const from = ref?.nameFrom ?? (f.evidence as { nameFrom?: string } | undefined)?.nameFrom;
        return `${f.ruleId}:${f.location.line}:${f.location.column} ${ref ? `${ref.repoId}@${ref.revision ?? '-'}` : 'dynamic'} ${from}`;
      }),
    ).toEqual([
      `CPR003:6:25 acme/tgi-default@${C} MODEL_ID`,
      'CPR001:9:27 acme/from-dotenv@- VLLM_MODEL',
      'CPR003:9:27 acme/from-dotenv@- VLLM_MODEL',
      'CPR001:13:18 acme/embed-default@- EMBED_MODEL',
      'CPR003:13:18 acme/embed-default@- EMBED_MODEL',
      'CPR001:17:22 acme/empty-default@- EMPTY_MODEL',
      'CPR003:17:22 acme/empty-default@- EMPTY_MODEL',
      'CPR010:20:22 dynamic NOT_IN_DOTENV',
      'CPR010:23:22 dynamic HF_TOKEN',
    ]);
    expect(JSON.stringify(r)).not.toContain('hf_example');
    // A revision the run's environment decides: no Python **kwargs in a compose file's finding.
    const tei = r.findings.find((f) => f.ruleId === 'CPR001' && f.location.line === 13)?.message;
    expect(tei).toContain('at a revision this file does not decide (a value chosen at run time)');
  });
});

describe('model downloads in shell scripts and Dockerfiles (fixtures/refs/fidelity/shell)', () => {
  const shell = (file: string) => findings(`shell/${file}`, (p, t, l) => findShellReferences(p, t, l));

  it.each([
    {
      // huggingface_hub commands/download.py argparse: repo id first, then files; --include/--exclude take many.
      file: 'download-models.sh',
      want: [
        'CPR001:5:26 acme/base-8b@main',
        'CPR003:5:26 acme/base-8b@main',
        `CPR003:6:26 acme/pinned-8b@${C}`,
        'CPR001:8:13 acme/new-cli@-',
        'CPR003:8:13 acme/new-cli@-',
        'CPR001:9:26 datasets/acme/squad@-',
        'CPR003:9:26 datasets/acme/squad@-',
        // `MODEL_REPO="${MODEL_REPO:-acme/from-env}"` (shell-scope.ts): the default, unless the environment sets one.
        'CPR001:10:26 acme/from-env@- name-env:MODEL_REPO',
        'CPR003:10:26 acme/from-env@- name-env:MODEL_REPO',
        'CPR012:11:26 acme/pr-model@refs/pr/9',
        'CPR003:11:26 acme/pr-model@refs/pr/9',
        'CPR001:12:11 acme/cloned-model@-',
        'CPR003:12:11 acme/cloned-model@-',
        'CPR001:13:33 acme/tagged@v2',
        'CPR003:13:33 acme/tagged@v2',
        'CPR001:17:9 acme/wget-model@main model.safetensors',
        'CPR003:17:9 acme/wget-model@main model.safetensors',
        `CPR003:18:30 acme/curl-gguf@${C} model.Q4_K_M.gguf`,
        `CPR003:22:13 datasets/squad@${C}`,
        'CPR001:23:13 spaces/acme/demo-space@-',
        'CPR003:23:13 spaces/acme/demo-space@-',
      ],
    },
    {
      // A script's own variables, read in file order (shell-scope.ts); `${X:-default}` names X; a branch's, a
      // one-command assignment's and an unset variable's value is the run time's; `bash -c` scripts are read too.
      file: 'shell-variables.sh',
      want: [
        `CPR003:6:13 acme/fixed-base@${C}`,
        'CPR001:9:26 acme/embed-default@- name-env:EMBED_MODEL',
        'CPR003:9:26 acme/embed-default@- name-env:EMBED_MODEL',
        'CPR001:10:13 acme/rerank-default@- name-env:RERANK_MODEL',
        'CPR003:10:13 acme/rerank-default@- name-env:RERANK_MODEL',
        `CPR003:23:22 acme/in-bash-c@${C}`,
        'CPR001:24:37 acme/in-su-c@-',
        'CPR003:24:37 acme/in-su-c@-',
        'CPR010:17:13 dynamic',
        'CPR010:19:33 dynamic',
        'CPR010:21:13 dynamic',
      ],
    },
    {
      // `for NAME in WORDS` (shell-scope.ts `openLoop`): each word a value of the body's commands; an unquoted variable
      // splits on blanks, a quoted one is one word; arguments, globs and command output are the run time's.
      file: 'shell-loops.sh',
      want: [
        'CPR001:5:28 acme/loop-one@-',
        'CPR003:5:28 acme/loop-one@-',
        'CPR001:5:28 acme/loop-two@-',
        'CPR003:5:28 acme/loop-two@-',
        'CPR001:8:37 acme/embed-a@-',
        'CPR003:8:37 acme/embed-a@-',
        'CPR001:8:37 acme/embed-b@-',
        'CPR003:8:37 acme/embed-b@-',
        'CPR003:14:18 acme/rerank-a@0123456789abcdef0123456789abcdef01234567 name-env:RERANKERS',
        'CPR001:15:13 acme/rerank-a@-',
        'CPR003:15:13 acme/rerank-a@-',
        // After a reserved word (`do git clone …`), a command (shell-git.ts `commandWords`).
        'CPR001:23:37 acme/clone-a@-',
        'CPR003:23:37 acme/clone-a@-',
        'CPR010:18:31 dynamic',
        'CPR010:19:35 dynamic',
        'CPR010:20:44 dynamic',
        'CPR010:22:13 dynamic',
      ],
    },
    {
      // ARG defaults (a --build-arg may set another: named), ENV, a RUN's own assignments, a new stage's scope, the
      // container's `sh -c` seeing ENV.
      file: 'Dockerfile.variables',
      want: [
        `CPR003:7:30 acme/arg-model@${C} env:MODEL_REV name-env:MODEL_ID`,
        'CPR001:8:17 acme/env-model@-',
        'CPR003:8:17 acme/env-model@-',
        'CPR001:10:41 acme/run-local@-',
        'CPR003:10:41 acme/run-local@-',
        'CPR002:13:30 acme/env-model@-',
        'CPR001:13:30 acme/env-model@-',
        'CPR003:13:30 acme/env-model@-',
        'CPR001:18:59 acme/in-entrypoint@-',
        'CPR003:18:59 acme/in-entrypoint@-',
        'CPR010:11:17 dynamic',
        'CPR010:17:17 dynamic',
      ],
    },
    {
      // A Compose service's shell script (`sh -c`), as an exec form's string, a command string or a block list; a
      // model server it starts is read as a script's is (shell-commands.ts `withServed`).
      file: 'compose-sh-c/compose.yaml',
      want: [
        'CPR001:7:75 acme/split-entrypoint@-',
        'CPR003:7:75 acme/split-entrypoint@-',
        `CPR003:10:35 acme/bash-c-string@${C}`,
        'CPR001:16:21 acme/block-list@-',
        'CPR003:16:21 acme/block-list@-',
        'CPR002:19:55 acme/inline-server@-',
        'CPR001:19:55 acme/inline-server@-',
        'CPR003:19:55 acme/inline-server@-',
        `CPR003:26:34 acme/block-scalar-dl@${C}`,
        'CPR001:27:20 acme/block-scalar-server@main',
        'CPR003:27:20 acme/block-scalar-server@main',
      ],
    },
    {
      // A workflow's env: maps, workflow < job < step (workflow-env.ts), and `${{ env.X }}`; an expression is the run's.
      file: '.github/workflows/env-maps.yml',
      want: [
        `CPR003:12:39 acme/workflow-base@${C}`,
        'CPR001:17:23 acme/step-judge@-',
        'CPR003:17:23 acme/step-judge@-',
        'CPR001:18:23 acme/workflow-base@-',
        'CPR003:18:23 acme/workflow-base@-',
        'CPR001:19:26 acme/job-judge@-',
        'CPR003:19:26 acme/job-judge@-',
        'CPR010:23:26 dynamic',
      ],
    },
    {
      // A clone is pinned by the checkout in its folder that follows it (shell-git.ts), nowhere else.
      file: 'clone-checkout.sh',
      want: [
        `CPR003:5:11 acme/pinned-later@${C}`,
        `CPR003:7:11 acme/cd-checkout@${C}`,
        `CPR003:9:21 acme/fetched@${C}`,
        'CPR001:14:11 acme/other-folder@-',
        'CPR003:14:11 acme/other-folder@-',
        'CPR001:16:11 acme/paths-only@-',
        'CPR003:16:11 acme/paths-only@-',
        `CPR003:17:63 acme/revision-option@${C}`,
        'CPR001:18:11 acme/over-ssh@-',
        'CPR003:18:11 acme/over-ssh@-',
        'CPR001:19:11 acme/reset-hard@-',
        'CPR003:19:11 acme/reset-hard@-',
      ],
    },
    {
      file: 'Dockerfile',
      want: [
        `CPR003:4:30 acme/served-model@${C}`,
        'CPR001:7:17 acme/unpinned-in-image@-',
        'CPR003:7:17 acme/unpinned-in-image@-',
      ],
    },
    {
      // spaCy's CLI download: a package pip installs from a release (CPR002), never pinned by a commit (CPR001).
      file: 'Dockerfile.spacy',
      want: [
        'CPR002:5:30 explosion/spacy-models@en_core_web_sm-<compatible version>',
        'CPR001:5:30 explosion/spacy-models@en_core_web_sm-<compatible version>',
        'CPR003:5:30 explosion/spacy-models@en_core_web_sm-<compatible version>',
        'CPR002:6:31 explosion/spacy-models@de_core_news_md-3.7.0',
        'CPR001:6:31 explosion/spacy-models@de_core_news_md-3.7.0',
        'CPR003:6:31 explosion/spacy-models@de_core_news_md-3.7.0',
        'CPR002:7:20 dynamic',
      ],
    },
    {
      file: '.github/workflows/eval.yml',
      want: ['CPR001:11:36 acme/eval-model@-', 'CPR003:11:36 acme/eval-model@-', `CPR003:12:26 acme/judge-model@${C}`],
    },
    {
      // ollama types/model/name.go ParseName fills registry.ollama.ai/library/<model>:latest; `hf.co/<org>/<repo>:<quant>`
      // is a hub repo at its default branch; a model `ollama create` builds here is not pulled.
      file: 'ollama/serve.sh',
      want: [
        'CPR001:10:28 acme/chat-GGUF@-',
        'CPR003:10:28 acme/chat-GGUF@-',
        'CPR016:6:13 registry.ollama.ai/library/llama3.2:3b',
        'CPR016:7:13 registry.ollama.ai/library/nomic-embed-text:latest',
        'CPR016:8:13 registry.ollama.ai/acme/support-bot:v1.2',
        'CPR010:9:13 dynamic',
        'CPR016:13:32 registry.ollama.ai/library/qwen2.5-coder:7b',
      ],
    },
    { file: 'ollama/Modelfile', want: ['CPR016:1:6 registry.ollama.ai/library/mistral:7b-instruct'] },
    // FROM a GGUF file beside the Modelfile: local weights, nothing pulled.
    { file: 'ollama/Modelfile.local', want: [] },
    { file: 'ollama/hf.modelfile', want: ['CPR001:1:6 acme/support-GGUF@-', 'CPR003:1:6 acme/support-GGUF@-'] },
    {
      // llama.cpp common/arg.cpp -hf <user>/<model>[:quant]: the quant is not a revision; the default branch loads.
      file: 'llama-server.sh',
      want: ['CPR001:4:7 acme/chat-GGUF@-', 'CPR003:4:7 acme/chat-GGUF@-'],
    },
    {
      file: 'Dockerfile.llamacpp',
      want: [
        'CPR001:6:25 acme/tiny-GGUF@- tiny-q8_0.gguf',
        'CPR003:6:25 acme/tiny-GGUF@- tiny-q8_0.gguf',
        'CPR001:7:29 acme/draft-host-GGUF@-',
        'CPR003:7:29 acme/draft-host-GGUF@-',
        'CPR001:7:61 acme/draft-GGUF@-',
        'CPR003:7:61 acme/draft-GGUF@-',
        // huggingface_hub constants.py: ENDPOINT from HF_ENDPOINT; HF_HUB_OFFLINE through _is_true ("0" is not).
        'CPR017:2:5 HF_ENDPOINT=https://hf-mirror.example.com',
        'CPR018:4:5 HF_HUB_OFFLINE=1',
      ],
    },
    {
      // vllm/entrypoints/cli/serve.py ServeSubcommand.cmd (positional tag, else --model), EngineArgs --revision and
      // --trust-remote-code; TGI launcher/src/main.rs --model-id / --revision. A local folder and a comment: nothing.
      file: 'serve-models.sh',
      want: [
        'CPR001:4:12 acme/chat-8b@main',
        'CPR003:4:12 acme/chat-8b@main',
        'CPR002:5:12 acme/pinned-8b@0123456789abcdef0123456789abcdef01234567',
        `CPR003:5:12 acme/pinned-8b@${C}`,
        'CPR001:6:54 acme/api-8b@-',
        'CPR003:6:54 acme/api-8b@-',
        `CPR003:10:14 acme/tgi-7b@${C}`,
        'CPR001:11:37 acme/launcher-7b@-',
        'CPR003:11:37 acme/launcher-7b@-',
        // SGLang (sglang/srt/server_args.py ServerArgs.add_cli_args); a local folder is no download.
        'CPR001:14:27 acme/sglang-7b@-',
        'CPR003:14:27 acme/sglang-7b@-',
        'CPR002:15:41 acme/sglang-pinned@0123456789abcdef0123456789abcdef01234567',
        `CPR003:15:41 acme/sglang-pinned@${C}`,
        'CPR010:8:12 dynamic',
      ],
    },
    {
      // llama.cpp's server image with `command:` as the server's arguments (servers.ts SERVER_IMAGES), or the server
      // named: each `-hf` once, with its `--hf-file`; a local `-m` file is no download.
      file: 'compose-llama-cpp/compose.yaml',
      want: [
        'CPR001:6:18 acme/entry-GGUF@-',
        'CPR003:6:18 acme/entry-GGUF@-',
        'CPR001:9:29 acme/list-GGUF@- list.Q8_0.gguf',
        'CPR003:9:29 acme/list-GGUF@- list.Q8_0.gguf',
        'CPR001:12:39 acme/named-GGUF@-',
        'CPR003:12:39 acme/named-GGUF@-',
      ],
    },
    {
      // llama.cpp common/arg.cpp: --hf-repo's set_env("LLAMA_ARG_HF_REPO"); a Dockerfile's exec-form CMD.
      file: 'Dockerfile.vllm',
      want: ['CPR001:2:23 acme/env-GGUF@-', 'CPR003:2:23 acme/env-GGUF@-', `CPR003:4:23 acme/exec-form-1.5b@${C}`],
    },
    {
      // Compose services: entrypoint and command as one command line; for the text-generation-inference and
      // vllm-openai images `command:` is the server's arguments; TGI reads MODEL_ID / REVISION too (clap `env`) and
      // loads bigscience/bloom-560m with no model.
      file: 'docker-compose.yml',
      want: [
        'CPR001:5:25 acme/chat-7b@-',
        'CPR003:5:25 acme/chat-7b@-',
        `CPR003:9:17 acme/zephyr-7b@${C}`,
        'CPR001:12:12 bigscience/bloom-560m@-',
        'CPR003:12:12 bigscience/bloom-560m@-',
        'CPR002:15:27 acme/qwen-7b@-',
        'CPR001:15:27 acme/qwen-7b@-',
        'CPR003:15:27 acme/qwen-7b@-',
        'CPR001:18:25 acme/llama-8b@-',
        'CPR003:18:25 acme/llama-8b@-',
        // A command as a YAML list, and one shared through an anchor (each service that uses it loads it).
        'CPR001:29:9 acme/list-8b@-',
        'CPR003:29:9 acme/list-8b@-',
        'CPR001:32:35 acme/anchored-7b@-',
        'CPR003:32:35 acme/anchored-7b@-',
        'CPR001:32:35 acme/anchored-7b@-',
        'CPR003:32:35 acme/anchored-7b@-',
        // TEI with no model loads its default (router/src/main.rs `model_id`'s default_value).
        'CPR001:37:12 BAAI/bge-large-en-v1.5@-',
        'CPR003:37:12 BAAI/bge-large-en-v1.5@-',
        // An image that is no server's: its command runs SGLang.
        'CPR001:40:59 acme/sglang-served@-',
        'CPR003:40:59 acme/sglang-served@-',
        // Infinity's image (ENTRYPOINT infinity_emb): trust_remote_code on unless INFINITY_TRUST_REMOTE_CODE says
        // otherwise; models from INFINITY_MODEL_ID; with no `v2` command the server starts nothing.
        'CPR002:43:28 acme/compose-embed@main',
        'CPR001:43:28 acme/compose-embed@main',
        'CPR003:43:28 acme/compose-embed@main',
        'CPR001:48:27 acme/env-a@-',
        'CPR003:48:27 acme/env-a@-',
        'CPR001:48:27 acme/env-b@-',
        'CPR003:48:27 acme/env-b@-',
        // The server's --lora-modules (servers.ts `readLoraModules`): each adapter at the default branch.
        `CPR003:54:27 acme/lora-served@${C}`,
        'CPR001:54:144 acme/compose-sql-lora@-',
        'CPR003:54:144 acme/compose-sql-lora@-',
      ],
    },
    {
      // mlx-lm / mlx-vlm command lines (mlx_lm/generate.py `--model`, convert.py `--hf-path`): the default branch,
      // no revision to give (the pin is a reviewed local copy); a local folder is nothing; an expansion, run time.
      file: 'mlx-commands.sh',
      want: [
        'CPR001:4:25 mlx-community/Llama-3.2-3B-Instruct-4bit@-',
        'CPR003:4:25 mlx-community/Llama-3.2-3B-Instruct-4bit@-',
        'CPR001:5:31 acme/mlx-base@-',
        'CPR003:5:31 acme/mlx-base@-',
        'CPR002:6:23 acme/mlx-served@-',
        'CPR001:6:23 acme/mlx-served@-',
        'CPR003:6:23 acme/mlx-served@-',
        'CPR001:7:26 acme/to-convert@-',
        'CPR003:7:26 acme/to-convert@-',
        'CPR001:8:26 acme/mlx-vision@-',
        'CPR003:8:26 acme/mlx-vision@-',
        'CPR010:10:25 dynamic',
      ],
    },
    {
      // ModelScope's CLI: `--model` at `--revision`, of modelscope.cn; `--dataset` is no model. vLLM's switch to
      // ModelScope is a hub setting (CPR017), and makes the servers' references ModelScope's: exported, from there on
      // until turned off; before a command, for that command. LMDeploy's reads only `true` (`=1` leaves it on Hugging
      // Face's hub).
      file: 'modelscope-download.sh',
      want: [
        'CPR001:3:29 qwen/Qwen2.5-7B-Instruct@-',
        'CPR003:3:29 qwen/Qwen2.5-7B-Instruct@-',
        `CPR003:4:29 iic/SenseVoiceSmall@${C}`,
        'CPR002:7:53 qwen/Qwen2.5-7B-Instruct@-',
        'CPR001:7:53 qwen/Qwen2.5-7B-Instruct@-',
        'CPR003:7:53 qwen/Qwen2.5-7B-Instruct@-',
        'CPR001:8:12 qwen/Qwen2.5-7B-Instruct@-',
        'CPR003:8:12 qwen/Qwen2.5-7B-Instruct@-',
        'CPR001:10:12 acme/hf-model@-',
        'CPR003:10:12 acme/hf-model@-',
        'CPR002:11:56 qwen/Qwen2.5-7B-Instruct@-',
        'CPR001:11:56 qwen/Qwen2.5-7B-Instruct@-',
        'CPR003:11:56 qwen/Qwen2.5-7B-Instruct@-',
        'CPR002:12:27 acme/hf-lmd@-',
        'CPR001:12:27 acme/hf-lmd@-',
        'CPR003:12:27 acme/hf-lmd@-',
        'CPR017:6:8 VLLM_USE_MODELSCOPE=True',
        'CPR017:11:1 LMDEPLOY_USE_MODELSCOPE=True',
      ],
    },
    {
      // ms-swift: ModelScope's hub unless --use_hf (alone or true, transformers' strtobool) or USE_HF (before the
      // command, or exported earlier) says Hugging Face's, at --model_revision; Apple's `swift build` is none of it.
      file: 'ms-swift.sh',
      want: [
        'CPR001:3:19 Qwen/Qwen2.5-7B-Instruct@-',
        'CPR003:3:19 Qwen/Qwen2.5-7B-Instruct@-',
        `CPR003:4:21 Qwen/Qwen2.5-7B-Instruct@${C}`,
        'CPR001:5:31 Qwen/Qwen2.5-VL-7B-Instruct@-',
        'CPR003:5:31 Qwen/Qwen2.5-VL-7B-Instruct@-',
        'CPR001:6:33 qwen/Qwen-7B-Chat@v1.0.0',
        'CPR003:6:33 qwen/Qwen-7B-Chat@v1.0.0',
        'CPR001:9:19 acme/swift-hf@-',
        'CPR003:9:19 acme/swift-hf@-',
      ],
    },
    {
      // vLLM's --tokenizer (EngineArgs): a hub download of its own with the model's trust_remote_code, at
      // --tokenizer-revision, which defaults to --revision (config/model.py ModelConfig.__post_init__). A local
      // folder is none.
      file: 'vllm-tokenizer.sh',
      want: [
        'CPR002:3:12 acme/tok-model@0123456789abcdef0123456789abcdef01234567',
        `CPR003:3:12 acme/tok-model@${C}`,
        `CPR002:3:91 acme/tok-tokenizer@${C}`,
        `CPR003:3:91 acme/tok-tokenizer@${C}`,
        'CPR001:4:54 acme/tok-api@-',
        'CPR003:4:54 acme/tok-api@-',
        `CPR003:4:79 acme/tok-api-tokenizer@${C}`,
        'CPR001:5:12 acme/tok-local@-',
        'CPR003:5:12 acme/tok-local@-',
      ],
    },
    {
      // vLLM's --lora-modules and SGLang's --lora-paths: every adapter word after the flag and a JSON one's path, at
      // the default branch (no revision can be given); an absolute, `~` or existing path, and a word vLLM refuses,
      // are none.
      file: 'vllm-lora-modules.sh',
      want: [
        `CPR003:6:12 acme/lora-base@${C}`,
        'CPR001:6:74 acme/sql-lora@-',
        'CPR003:6:74 acme/sql-lora@-',
        'CPR001:6:93 acme/chat-lora@-',
        'CPR003:6:93 acme/chat-lora@-',
        `CPR003:7:12 acme/lora-base@${C}`,
        'CPR001:7:56 acme/json-lora@-',
        'CPR003:7:56 acme/json-lora@-',
        `CPR003:8:12 acme/lora-base@${C}`,
        'CPR001:8:59 acme/equals-lora@-',
        'CPR003:8:59 acme/equals-lora@-',
        `CPR003:9:54 acme/lora-base@${C}`,
        'CPR001:9:100 acme/variable-lora@-',
        'CPR003:9:100 acme/variable-lora@-',
        `CPR003:10:12 acme/lora-base@${C}`,
        // SGLang: a bare word is its own path, looked up on the hub when no folder of that name exists.
        `CPR003:12:45 acme/lora-base@${C}`,
        'CPR001:12:91 acme/sglang-sql@-',
        'CPR003:12:91 acme/sglang-sql@-',
        'CPR001:12:107 same-name@-',
        'CPR003:12:107 same-name@-',
        'CPR001:12:117 acme/bare-lora@-',
        'CPR003:12:117 acme/bare-lora@-',
        'CPR001:12:132 acme/sglang-json@-',
        'CPR003:12:132 acme/sglang-json@-',
        // `$HOME/…` and `${PWD}/…` expand to absolute paths (shell-words.ts `commandDownload`): nothing to download.
        `CPR003:14:12 acme/lora-base@${C}`,
        'CPR010:10:60 dynamic',
      ],
    },
    {
      // Toolkits' own downloads (toolkit-clis.ts): torchtune, LitGPT (its commands download a name that is no folder
      // under checkpoints/), MLC LLM's HF://, Docker Model Runner's hf.co/, RamaLama's hf:// — the default branch, no
      // revision to give; a Kaggle source, `litgpt download list`, an ollama:// model and a server address are none.
      // LMDeploy reads --revision and trusts every repository's code (archs.py get_model_arch).
      file: 'toolkit-clis.sh',
      want: [
        'CPR001:4:15 acme/tune-base@-',
        'CPR003:4:15 acme/tune-base@-',
        'CPR001:6:17 acme/lit-base@-',
        'CPR003:6:17 acme/lit-base@-',
        'CPR001:8:13 acme/lit-chat@-',
        'CPR003:8:13 acme/lit-chat@-',
        'CPR001:10:31 acme/lit-served@-',
        'CPR003:10:31 acme/lit-served@-',
        'CPR002:11:27 acme/lmd-served@0123456789abcdef0123456789abcdef01234567',
        `CPR003:11:27 acme/lmd-served@${C}`,
        'CPR002:12:33 acme/lmd-chat@-',
        'CPR001:12:33 acme/lmd-chat@-',
        'CPR003:12:33 acme/lmd-chat@-',
        'CPR001:14:20 acme/mlc-served-q4f16_1-MLC@-',
        'CPR003:14:20 acme/mlc-served-q4f16_1-MLC@-',
        'CPR001:15:25 acme/runner-GGUF@-',
        'CPR003:15:25 acme/runner-GGUF@-',
        'CPR001:16:19 acme/rama-GGUF@-',
        'CPR003:16:19 acme/rama-GGUF@-',
        'CPR010:18:15 dynamic',
      ],
    },
    {
      // bash's indexed arrays (shell-scope.ts `arrayLine`, `loopWords`): `"${MODELS[@]}"` is each item, `+=` appends,
      // a list over several lines (a comment in it) is read to its `)`; a glob item or an array the script never set
      // leaves the loop's list to the run time.
      file: 'bash-arrays.sh',
      want: [
        'CPR001:6:15 acme/array-a@-',
        'CPR003:6:15 acme/array-a@-',
        'CPR001:6:15 acme/array-b@-',
        'CPR003:6:15 acme/array-b@-',
        'CPR001:6:15 acme/array-c@-',
        'CPR003:6:15 acme/array-c@-',
        'CPR001:12:38 acme/array-d@-',
        'CPR003:12:38 acme/array-d@-',
        'CPR001:12:38 acme/array-e@-',
        'CPR003:12:38 acme/array-e@-',
        'CPR010:14:42 dynamic',
        'CPR010:15:44 dynamic',
      ],
    },
    {
      // lm-evaluation-harness (toolkit-clis.ts readLmEval): `--model_args` split as simple_parse_args_string splits it
      // (or JSON), HFLM's model, tokenizer and PEFT adapter at `revision`, trust_remote_code from the key or the
      // global `--trust_remote_code` (which appends `,trust_remote_code=True`); vLLM's tokenizer at its
      // tokenizer_revision. `0` is false (handle_arg_string makes it an int); an API model and a folder are none.
      file: 'lm-eval.sh',
      want: [
        'CPR002:3:44 acme/eval-remote@main',
        'CPR001:3:44 acme/eval-remote@main',
        'CPR003:3:44 acme/eval-remote@main',
        'CPR002:4:56 acme/eval-vllm@-',
        'CPR001:4:56 acme/eval-vllm@-',
        'CPR003:4:56 acme/eval-vllm@-',
        'CPR002:4:81 acme/eval-tok@-',
        'CPR001:4:81 acme/eval-tok@-',
        'CPR003:4:81 acme/eval-tok@-',
        'CPR001:5:53 acme/eval-json@-',
        'CPR003:5:53 acme/eval-json@-',
        'CPR001:5:77 acme/eval-lora@-',
        'CPR003:5:77 acme/eval-lora@-',
        'CPR003:6:55 acme/eval-vlm@0123456789abcdef0123456789abcdef01234567',
        'CPR001:10:33 acme/eval-var@-',
        'CPR003:10:33 acme/eval-var@-',
        'CPR002:11:44 dynamic',
      ],
    },
    {
      // LLaMA-Factory (toolkit-clis.ts readLlamaFactory): HfArgumentParser's flags unless the first argument is a
      // config file; the model at --model_revision with trust_remote_code (string_to_bool; alone: True), each adapter
      // of the comma-separated list at the same revision with no code run (PeftModel).
      file: 'llamafactory-cli.sh',
      want: [
        'CPR002:3:57 acme/lf-cli-base@-',
        'CPR001:3:57 acme/lf-cli-base@-',
        'CPR003:3:57 acme/lf-cli-base@-',
        'CPR001:3:97 acme/lf-cli-lora@-',
        'CPR003:3:97 acme/lf-cli-lora@-',
        `CPR002:4:47 acme/lf-chat@${C}`,
        `CPR003:4:47 acme/lf-chat@${C}`,
        `CPR003:4:102 acme/lf-web-lora@${C}`,
        'CPR001:5:93 acme/old-base@-',
        'CPR003:5:93 acme/old-base@-',
        'CPR010:3:97 dynamic',
        'CPR002:8:30 dynamic',
      ],
    },
    {
      // Infinity (infinity_emb/cli.py `v2`, env.py): every --model-id, --revision spread over them (AutoPadding),
      // trust_remote_code on by default; with no model, michaelfeil/bge-small-en-v1.5.
      file: 'infinity-serve.sh',
      want: [
        'CPR002:4:28 acme/embed-a@0123456789abcdef0123456789abcdef01234567',
        `CPR003:4:28 acme/embed-a@${C}`,
        'CPR002:4:52 acme/rerank-b@0123456789abcdef0123456789abcdef01234567',
        `CPR003:4:52 acme/rerank-b@${C}`,
        'CPR001:5:28 acme/no-remote@-',
        'CPR003:5:28 acme/no-remote@-',
        'CPR002:6:1 michaelfeil/bge-small-en-v1.5@-',
        'CPR001:6:1 michaelfeil/bge-small-en-v1.5@-',
        'CPR003:6:1 michaelfeil/bge-small-en-v1.5@-',
      ],
    },
    {
      // docker run: the server image's entrypoint with the words after the image as arguments, `-e` its environment;
      // `-e MODEL_ID` alone and `--env-file` leave model and revision to the run; TEI with no model loads its default.
      file: 'docker-run.sh',
      want: [
        'CPR001:4:116 acme/docker-run-tgi@-',
        'CPR003:4:116 acme/docker-run-tgi@-',
        'CPR001:5:24 acme/env-tgi@-',
        'CPR003:5:24 acme/env-tgi@-',
        'CPR001:6:61 acme/docker-vllm@-',
        'CPR003:6:61 acme/docker-vllm@-',
        'CPR001:7:88 acme/docker-tei@-',
        'CPR003:7:88 acme/docker-tei@-',
        'CPR001:9:95 acme/envfile-tgi@-',
        'CPR003:9:95 acme/envfile-tgi@-',
        'CPR001:11:15 BAAI/bge-large-en-v1.5@-',
        'CPR003:11:15 BAAI/bge-large-en-v1.5@-',
        // A llama.cpp container on a line that starts vLLM too: its `-hf` once (runtimes.ts readLlamaCpp).
        'CPR001:12:119 acme/docker-llama-GGUF@-',
        'CPR003:12:119 acme/docker-llama-GGUF@-',
        'CPR001:12:48 acme/docker-vllm-2@-',
        'CPR003:12:48 acme/docker-vllm-2@-',
        'CPR010:8:15 dynamic',
      ],
    },
    {
      file: '.github/workflows/offline-tests.yml',
      want: [
        'CPR018:4:3 HF_HUB_OFFLINE=1',
        'CPR018:5:3 TRANSFORMERS_OFFLINE=1',
        'CPR017:10:7 HF_ENDPOINT=${{ vars.HF_MIRROR }}',
      ],
    },
  ])('$file', ({ file, want }) => {
    expect(shell(file)).toEqual(want);
  });

  it.each([
    ['Dockerfile', 'shell'],
    ['docker/Dockerfile.gpu', 'shell'],
    ['scripts/get.sh', 'shell'],
    ['app.dockerfile', 'shell'],
    ['notebooks/a.ipynb', 'notebook'],
    ['.github/workflows/eval.yml', 'shell'],
    ['configs/eval.yml', 'config'],
    ['deploy/Modelfile', 'shell'],
    ['Modelfile.local', 'shell'],
    ['models/support.modelfile', 'shell'],
    ['docker-compose.yml', 'shell'],
    ['deploy/compose.prod.yaml', 'shell'],
    ['configs/composer.yml', 'config'],
  ])('%s is read as %s', (file, language) => {
    expect(languageOf(file)).toBe(language);
  });
});

/** A Python fixture's references, those of one line, and the findings judged of them (rule id and message). */
function pythonFixture(file: string) {
  const found = findPythonReferences(file, readFileSync(path.join(DIR, file), 'utf8'), local);
  const refs = found.references;
  const at = (line: number) => refs.filter((r) => r.line === line);
  const messages = (line: number) =>
    at(line).flatMap((r) => judgeReference(r, new Map(), DEFAULT_POLICY).map((f) => `${f.ruleId} ${f.message}`));
  return { refs, dynamic: found.dynamic, at, messages };
}

describe('torch.hub digest checks (torch-hub-digests.py)', () => {
  const { refs, dynamic, at, messages } = pythonFixture('torch-hub-digests.py');

  it('all 64 digits pin the bytes, whether written as hash_prefix or carried by the file name', () => {
    for (const line of [9, 15, 18]) expect(at(line).map((r) => r.sha256)).toEqual([DIGEST]);
    expect(messages(9)).toEqual([
      expect.stringMatching(/^CPR003 .*downloads corpus\.tgz from data\.example\.org, pinned by the SHA-256/),
    ]);
    // file_name names the file whose digits are checked; the URL's query is no part of the name.
    expect(messages(18)).toEqual([expect.stringMatching(/^CPR003 .*downloads weights\.pth from w\.example\.org/)]);
  });

  it('fewer digits narrow the bytes without pinning them, and say how many', () => {
    expect(at(10).map((r) => r.hashPrefix)).toEqual([{ prefix: '5c106cde' }]);
    expect(at(16).map((r) => r.hashPrefix)).toEqual([{ prefix: '5c106cde' }]);
    expect(at(20).map((r) => r.hashPrefix)).toEqual([{ prefix: 'bad' }]);
    expect(messages(16)).toEqual([
      expect.stringContaining('checked only against the first 8 hex digits of its SHA-256'),
    ]);
    expect(messages(20)).toEqual([expect.stringContaining('the first 3 hex digits')]);
  });

  it('a computed prefix is the run time’s; None, "" and no check_hash check nothing', () => {
    expect(at(11).map((r) => r.hashPrefix)).toEqual([{ chosenAtRunTime: true }]);
    expect(messages(11)).toEqual([expect.stringContaining('a SHA-256 prefix the code chooses at run time')]);
    for (const line of [12, 13, 17, 19]) {
      expect(at(line).map((r) => [r.sha256, r.hashPrefix])).toEqual([[undefined, undefined]]);
      expect(messages(line).filter((m) => m.startsWith('CPR001'))).toEqual([
        expect.stringContaining('a URL whose bytes nothing pins'),
      ]);
    }
  });

  it('a checkpoint load unpickles unless weights_only=True, and a pin does not change what the pickle runs', () => {
    expect(refs.filter((r) => r.runsRemoteCode).map((r) => r.line)).toEqual([15, 19, 25]);
    expect(messages(15)[0]).toMatch(/^CPR002 .*the pin fixes the bytes, not what they run\. Load weights only/);
    expect(messages(19)[0]).toMatch(/^CPR002 .*runs whatever code the server of that URL puts in it/);
    expect(dynamicFinding(dynamic[0]!).message).toMatch(
      /^torch\.hub\.load_state_dict_from_url loads a checkpoint from a URL chosen at run time and runs the code its pickle names/,
    );
  });
});

describe('Keras get_file checks the whole digest it is given (keras-get-file.py)', () => {
  const { refs, dynamic, at, messages } = pythonFixture('keras-get-file.py');

  it('64 digits under "auto" pin the bytes by SHA-256; 32 digits, or md5_hash, are an MD5 the registry cannot match', () => {
    expect(at(8).map((r) => [r.sha256, r.md5])).toEqual([[DIGEST, undefined]]);
    expect(messages(8)).toEqual([expect.stringMatching(/^CPR003 .*downloads detector\.h5 from models\.example\.org/)]);
    for (const line of [10, 11]) {
      expect(at(line).map((r) => [r.sha256, r.md5])).toEqual([[undefined, '5d41402abc4b2a76b9719d911017c592']]);
      expect(messages(line)).toEqual([
        expect.stringMatching(/^CPR001 .*checked only against an MD5 .*file_hash="<sha256>"/),
      ]);
    }
  });

  it('no digest, a digest the algorithm never matches, or one computed at run time: unpinned, and says which', () => {
    for (const line of [9, 14]) {
      expect(at(line).map((r) => [r.sha256, r.md5, r.hashPrefix])).toEqual([[undefined, undefined, undefined]]);
      expect(messages(line)).toEqual([expect.stringContaining('a URL whose bytes nothing pins')]);
    }
    for (const line of [12, 13])
      expect(messages(line)).toEqual([expect.stringContaining('a digest the code chooses at run time')]);
  });

  it('an archive, a NumPy dataset or a URL chosen at run time is nothing the file shows of a model', () => {
    expect([...new Set(refs.map((r) => r.line))]).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(dynamic).toEqual([]);
  });
});

describe('FastEmbed loads its table’s hub repo at the default branch (fastembed-models.py)', () => {
  const file = 'fastembed-models.py';
  const { references, dynamic } = findPythonReferences(file, readFileSync(path.join(DIR, file), 'utf8'), local);

  it('is unpinned (CPR001, an error under requirePinnedRevision), names the table entry, and says how to pin it', () => {
    expect(references).toEqual([]);
    const first = dynamic.find((d) => d.line === 8)!;
    const finding = dynamicFinding(first, DEFAULT_POLICY);
    expect(finding.level).toBeUndefined();
    expect(finding.message).toMatch(
      /^TextEmbedding downloads the hub repo FastEmbed's own table names for "BAAI\/bge-small-en-v1\.5" from huggingface\.co .*at the repo's default branch .*specific_model_path="<folder>"/,
    );
    const strict = { ...DEFAULT_POLICY, models: { ...DEFAULT_POLICY.models, requirePinnedRevision: true } };
    expect(dynamicFinding(first, strict).level).toBe('error');
  });

  it('specific_model_path loads a folder and downloads nothing; model_name=None names nothing', () => {
    expect(dynamic.map((d) => d.line)).not.toContain(12);
    expect(dynamic.map((d) => d.line)).not.toContain(18);
  });
});

describe('local_files_only reads the hub cache (local-files-only.py)', () => {
  it('says the cache serves the branch an earlier download left, never the hub; local_files_only=False is a download', () => {
    const file = 'local-files-only.py';
    const refs = findPythonReferences(file, readFileSync(path.join(DIR, file), 'utf8'), local).references;
    expect(refs.filter((r) => r.cacheOnly).map((r) => r.line)).toEqual([6, 7, 8, 9, 10, 11]);
    const cpr001 = (line: number) =>
      refs
        .filter((r) => r.line === line)
        .flatMap((r) => judgeReference(r, new Map(), DEFAULT_POLICY))
        .find((f) => f.ruleId === 'CPR001')?.message;
    expect(cpr001(6)).toContain('from the local hub cache only (local_files_only=True), at the default branch');
    expect(cpr001(7)).toContain('at "main" as an earlier download left it there');
    expect(cpr001(12)).toContain('whatever its default branch holds at run time');
  });
});

/**
 * The finder `review` uses for a file, with the command lines it runs (find.ts `searchText`): the file's references,
 * none when it is screened out.
 */
const reviewFinder = (p: string, t: string, e: (p: string) => boolean) => {
  const r = searchText(p, t, e);
  return r.kind === 'found' ? r.refs : { references: [], dynamic: [] };
};

/** What `review` reads in one file's text: each reference's line, column and repo id. */
const placesFound = (p: string, text: string) =>
  reviewFinder(p, text, () => false).references.map((x) => `${x.line}:${x.column} ${x.repoId}`);

describe('command lines Python runs (python-commands.ts), in a scan', () => {
  // CPython subprocess.py `_execute_child`: a sequence is the program and its arguments word for word (with
  // shell=True its first item is the command line); os.system / os.popen / subprocess.getoutput and
  // asyncio.create_subprocess_shell hand a command line to the shell. Each download as the CLI makes it, at the text
  // of the model's name in the file; a value the file does not decide is the run time's.
  const file = 'python-runs-cli.py';
  const text = () => readFileSync(path.join(DIR, file), 'utf8');

  it('reads each download at its place, and nothing that is not one', () => {
    expect(findings(file, reviewFinder)).toEqual([
      'CPR001:15:49 acme/unpinned-cli@- model.gguf',
      'CPR003:15:49 acme/unpinned-cli@- model.gguf',
      `CPR003:16:34 acme/gguf-weights@${C}`,
      // A list constant's words, where the call names it.
      'CPR001:17:18 acme/list-constant@-',
      'CPR003:17:18 acme/list-constant@-',
      'CPR001:18:54 acme/split-line@main',
      'CPR003:18:54 acme/split-line@main',
      'CPR001:20:37 acme/os-system@-',
      'CPR003:20:37 acme/os-system@-',
      'CPR001:21:12 acme/gguf-weights@v1.0',
      'CPR003:21:12 acme/gguf-weights@v1.0',
      'CPR001:22:30 acme/shell-first-item@-',
      'CPR003:22:30 acme/shell-first-item@-',
      'CPR001:23:63 acme/asyncio-exec@-',
      'CPR003:23:63 acme/asyncio-exec@-',
      'CPR001:30:40 acme/run-time-revision@-',
      'CPR003:30:40 acme/run-time-revision@-',
      // By keyword: os.system(command=…), subprocess.run(args=…).
      'CPR001:49:32 acme/by-keyword@-',
      'CPR003:49:32 acme/by-keyword@-',
      'CPR001:50:41 acme/args-keyword@-',
      'CPR003:50:41 acme/args-keyword@-',
      'CPR010:28:52 dynamic',
      // A list changed in place (`cmd.append(model)`): the model is the run time's.
      'CPR010:45:20 dynamic',
    ]);
  });

  it('counts a command too long to read, and reads no part of it', async () => {
    const { findPythonCommandReferences } = await import('../../src/refs/python-commands.js');
    const long = `import os\nos.system("hf download acme/${'x'.repeat(5000)}")\nos.system("hf download acme/short")\n`;
    const r = findPythonCommandReferences('long.py', long, () => false);
    expect(r.unread).toBe(1);
    expect(r.references.map((x) => x.repoId)).toEqual(['acme/short']);
  });

  it('passes the byte test on a quoted `"hf"` alone, and pins as the CLI does', async () => {
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const only = 'import subprocess\nsubprocess.run(["hf", "download", "acme/x"])\n';
    expect(mayNameModelBytes('python', Buffer.from(only))).toBe(true);
    // `review` reads them too (find.ts).
    expect(placesFound('tools/only.py', only)).toEqual(['2:36 acme/x']);
    await inFolder({ 'tools/fetch.py': text(), 'tools/only.py': only }, async (dir) => {
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      const at = (p: string, line: number) =>
        r.findings.find((f) => f.ruleId === 'CPR001' && f.location.path === p && f.location.line === line)?.message;
      expect(at('tools/only.py', 2)).toContain('hf download loads acme/x with no revision');
      // The CLI's flag, not Python's keyword.
      expect(at('tools/fetch.py', 15)).toContain('--revision <40-hex>');
      expect(at('tools/fetch.py', 30)).toContain(
        'at a revision this file does not decide (a value chosen at run time)',
      );
      expect(byReference(r.findings).filter((f) => f.location.path === 'tools/fetch.py')).toHaveLength(23);
    });
  });
});

describe('command lines JavaScript runs through child_process (javascript-commands.ts), in a scan', () => {
  // lib/child_process.js: exec / execSync hand a command line to the shell; execFile / spawn (and their Sync forms)
  // run a program with its arguments word for word, or joined into a command line with `{ shell: true }`. Bound by
  // import, destructuring require (renamed too), the module object, or `require(…)` itself; a method or function of
  // another name `exec` is none of them.
  const file = 'js-runs-cli.js';
  const text = () => readFileSync(path.join(DIR, file), 'utf8');

  it('reads each download at its place, and nothing that is not one', () => {
    expect(findings(file, reviewFinder)).toEqual([
      // Constants through a template literal: the pin is the constant's.
      `CPR003:7:18 acme/js-const@${C}`,
      'CPR001:8:44 acme/js-words@v1.0',
      'CPR003:8:44 acme/js-words@v1.0',
      'CPR001:9:23 acme/js-shell@-',
      'CPR003:9:23 acme/js-shell@-',
      'CPR001:10:49 acme/js-plus@-',
      'CPR003:10:49 acme/js-plus@-',
      // An array the file pushes to: what else the CLI is given (a revision among it) is the run time's.
      'CPR001:11:28 acme/js-grown@-',
      'CPR003:11:28 acme/js-grown@-',
      'CPR010:14:36 dynamic',
    ]);
  });

  it('counts a command too long to read, passes the byte test on a quoted `"hf"` alone, and runs in a scan', async () => {
    const { findJavaScriptCommandReferences } = await import('../../src/refs/javascript-commands.js');
    const long = `import { execSync } from 'child_process';\nexecSync("hf download acme/${'x'.repeat(5000)}");\nexecSync("hf download acme/short");\n`;
    const r = findJavaScriptCommandReferences('long.js', long, () => false);
    expect(r.unread).toBe(1);
    expect(r.references.map((x) => x.repoId)).toEqual(['acme/short']);
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const only = "import { spawn } from 'node:child_process';\nspawn('hf', ['download', 'acme/x']);\n";
    expect(mayNameModelBytes('javascript', Buffer.from(only))).toBe(true);
    expect(placesFound('tools/only.js', only)).toEqual(['2:27 acme/x']);
    await inFolder({ 'tools/fetch.js': text(), 'tools/only.mjs': only }, async (dir) => {
      const r = await scanWith(dir, [refsStage], { registry: EMPTY_REGISTRY });
      const at = (p: string, line: number) =>
        r.findings.find((f) => f.ruleId === 'CPR001' && f.location.path === p && f.location.line === line)?.message;
      expect(at('tools/only.mjs', 2)).toContain('hf download loads acme/x with no revision');
      expect(at('tools/fetch.js', 11)).toContain('at a revision this file does not decide');
      expect(byReference(r.findings).filter((f) => f.location.path === 'tools/fetch.js')).toHaveLength(10);
    });
  });
});

describe('a model server started from Python or JavaScript, in a file that names nothing else', () => {
  it('passes the byte and text tests on `vllm` beside `serve`, and reads the command line', async () => {
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const { searchText } = await import('../../src/refs/find.js');
    const files = {
      'launch.py': 'import subprocess\n\nsubprocess.Popen(["vllm", "serve", "acme/vllm-only", "--port", "8000"])\n',
      'launch.mjs': "import { spawn } from 'node:child_process';\nspawn('vllm', ['serve', 'acme/vllm-js']);\n",
    };
    const found = Object.entries(files).map(([p, t]) => {
      expect(mayNameModelBytes(languageOf(p)!, Buffer.from(t))).toBe(true);
      const r = searchText(p, t, () => false);
      return r.kind === 'found' ? r.refs.references.map((x) => `${p}:${x.line}:${x.column} ${x.via} ${x.repoId}`) : [];
    });
    expect(found.flat()).toEqual([
      'launch.py:3:37 vllm serve acme/vllm-only',
      'launch.mjs:2:26 vllm serve acme/vllm-js',
    ]);
  });
});

describe('ModelScope is a hub of its own (calls.ts `modelScopeShape`, toolkit-clis.ts)', () => {
  it('reports every SDK and CLI download as ModelScope’s, judged against its own registry entries', async () => {
    const sdk = findPythonReferences(
      'modelscope-sdk.py',
      readFileSync(path.join(DIR, 'modelscope-sdk.py'), 'utf8'),
      local,
    );
    const cli = findShellReferences(
      'modelscope-download.sh',
      readFileSync(path.join(DIR, 'shell', 'modelscope-download.sh'), 'utf8'),
      local,
    );
    const refs = [...sdk.references, ...cli.references.filter((r) => r.via === 'modelscope download')];
    expect(refs.map((r) => r.hub)).toEqual(Array(7).fill('modelscope'));
    const swift = findShellReferences(
      'ms-swift.sh',
      readFileSync(path.join(DIR, 'shell', 'ms-swift.sh'), 'utf8'),
      local,
    ).references.map((r) => `${r.line} ${r.hub}`);
    // `export USE_HF=1` holds for the rest of the script (line 9).
    expect(swift).toEqual(['3 modelscope', '4 huggingface', '5 huggingface', '6 modelscope', '9 huggingface']);
    // The servers under VLLM_USE_MODELSCOPE / LMDEPLOY_USE_MODELSCOPE: ModelScope's while the switch is on.
    expect(cli.references.filter((r) => r.via !== 'modelscope download').map((r) => `${r.line} ${r.hub}`)).toEqual([
      '7 huggingface',
      '8 modelscope',
      '10 huggingface',
      '11 modelscope',
      '12 huggingface',
    ]);
    const { reviewedCommits } = await import('../../src/refs/judge.js');
    const registry = {
      ...EMPTY_REGISTRY,
      models: [
        {
          name: 'iic/SenseVoiceSmall',
          revision: C,
          source: 'https://modelscope.cn/models/iic/SenseVoiceSmall',
          files: [],
        },
      ],
    } as unknown as typeof EMPTY_REGISTRY;
    const reviewed = reviewedCommits(registry);
    const pinned = cli.references.find((r) => r.repoId === 'iic/SenseVoiceSmall')!;
    expect(judgeReference(pinned, reviewed, DEFAULT_POLICY).map((f) => f.ruleId)).toEqual([]);
    // The Hugging Face repository of the same id is another repository: not reviewed by that entry.
    const elsewhere = { ...pinned, hub: 'huggingface' as const };
    expect(judgeReference(elsewhere, reviewed, DEFAULT_POLICY).map((f) => f.ruleId)).toEqual(['CPR003']);
    expect(judgeReference(pinned, reviewed, DEFAULT_POLICY)).toEqual([]);
    const unpinned = judgeReference(sdk.references[0]!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR001');
    expect(unpinned?.message).toContain("ModelScope's qwen/Qwen2.5-7B-Instruct");
    expect(unpinned?.message).toContain('revision="<40-hex>"');
  });

  it('takes a container’s ModelScope switch from its own environment, not the shell that starts it', () => {
    const hubs = (p: string, text: string) =>
      findShellReferences(p, text, local).references.map((r) => `${r.line} ${r.repoId} ${r.hub}`);
    // The shell's export does not reach a container unless `-e` passes it through; vllm serve on the host runs with it.
    expect(hubs('docker-modelscope.sh', readFileSync(path.join(DIR, 'shell', 'docker-modelscope.sh'), 'utf8'))).toEqual(
      [
        '3 qwen/host-only huggingface',
        '4 qwen/container-on modelscope',
        '5 qwen/passed-through modelscope',
        '6 qwen/host-serve modelscope',
      ],
    );
    const compose =
      'services:\n  llm:\n    image: vllm/vllm-openai:latest\n    command: --model qwen/compose-on\n' +
      '    environment:\n      VLLM_USE_MODELSCOPE: "true"\n';
    expect(hubs('docker-compose.yml', compose)).toEqual(['4 qwen/compose-on modelscope']);
  });

  it('records a reviewed ModelScope commit with its source, from a reference or typed', async () => {
    const { parseReferenceArgument, reviewedFromReference } = await import('../../src/refs/reviewed-entry.js');
    expect(parseReferenceArgument(`modelscope:iic/SenseVoiceSmall@${C}`)).toEqual({
      hub: 'modelscope',
      repoId: 'iic/SenseVoiceSmall',
      commit: C,
      source: 'https://modelscope.cn/models/iic/SenseVoiceSmall',
    });
    const cli = findShellReferences(
      'modelscope-download.sh',
      readFileSync(path.join(DIR, 'shell', 'modelscope-download.sh'), 'utf8'),
      local,
    );
    expect(reviewedFromReference(cli.references[1]!)).toMatchObject({
      hub: 'modelscope',
      source: 'https://modelscope.cn/models/iic/SenseVoiceSmall',
    });
  });
});

describe('TRL, Ray Serve LLM, KubeAI and Infinity, beyond their table cases', () => {
  it('Infinity: its own default turns remote code on, and the finding says how to turn it off', () => {
    const [ref] = findShellReferences('s.sh', 'infinity_emb v2 --model-id acme/e\n', () => false).references;
    expect(ref?.remoteCodeByDefault).toBe(true);
    const cpr002 = judgeReference(ref!, new Map(), DEFAULT_POLICY).find((f) => f.ruleId === 'CPR002');
    expect(cpr002?.message).toContain('INFINITY_TRUST_REMOTE_CODE=false');
  });

  it('KubeAI: pinned in the Model spec, and a values file passes the byte test', async () => {
    const { findConfigReferencesFast } = await import('../../src/refs/config-fast.js');
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const text = 'catalog:\n  whisper:\n    url: hf://acme/fw-small\n    engine: FasterWhisper\n';
    const fast = findConfigReferencesFast('values.yaml', text, () => false);
    expect(fast?.references.map((r) => `${r.line}:${r.column} ${r.repoId}`)).toEqual(['3:10 acme/fw-small']);
    expect(mayNameModelBytes('config', Buffer.from(text))).toBe(true);
    expect(judgeReference(fast!.references[0]!, new Map(), DEFAULT_POLICY)[0]?.message).toContain(
      'args: ["--revision=<40-hex>"]',
    );
  });

  it('Ray Serve LLM: both config readers agree, and the byte tests let the files through', async () => {
    const { findConfigReferencesFast } = await import('../../src/refs/config-fast.js');
    const { findConfigReferencesWithYaml } = await import('../../src/refs/config.js');
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const text = readFileSync(path.join(DIR, 'ray-llm-config.yaml'), 'utf8');
    const fast = findConfigReferencesFast('ray-llm-config.yaml', text, () => false);
    expect(fast?.references).toHaveLength(1);
    expect(fast).toEqual(findConfigReferencesWithYaml('ray-llm-config.yaml', text, () => false));
    expect(mayNameModelBytes('config', Buffer.from(text))).toBe(true);
    const py = 'from ray.serve.llm import LLMConfig\nLLMConfig(model_loading_config=dict(model_id="acme/x"))\n';
    expect(mayNameModelBytes('python', Buffer.from(py))).toBe(true);
    const [ref] = findPythonReferences('d.py', py, () => false).references;
    expect(judgeReference(ref!, new Map(), DEFAULT_POLICY)[0]?.message).toContain(
      'engine_kwargs=dict(revision="<40-hex>")',
    );
  });

  it('TRL: pinned in the trainer config, and a file that names only trl passes the byte test', async () => {
    const { mayNameModelBytes } = await import('../../src/refs/prefilter.js');
    const only = 'from trl import SFTTrainer\nSFTTrainer(model="acme/x", train_dataset=d)\n';
    expect(mayNameModelBytes('python', Buffer.from(only))).toBe(true);
    const [ref] = findPythonReferences('t.py', only, () => false).references;
    expect(judgeReference(ref!, new Map(), DEFAULT_POLICY)[0]?.message).toContain(
      'args=SFTConfig(model_init_kwargs={"revision": "<40-hex>"})',
    );
  });
});
