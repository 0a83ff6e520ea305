export { chatTemplateAnalyser } from './hf-chat-template.js';
export { ggufAnalyser, parseGguf } from './gguf.js';
export { kerasAnalyser, parseKerasArchive } from './keras.js';
export { kerasH5Analyser, parseKerasH5 } from './keras-h5.js';
export { onnxAnalyser, parseOnnx } from './onnx.js';
export { safetensorsAnalyser, parseSafetensors } from './safetensors.js';
export { parseSavedModelPb, savedModelAnalyser } from './savedmodel.js';
export { parseTfjsManifest, tfjsAnalyser } from './tfjs.js';
export { parseTflite, tfliteAnalyser } from './tflite.js';
