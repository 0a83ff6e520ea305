import type { ModelAnalyser } from './analyser.js';
import { pickleAnalyser } from './pickle/analyser.js';
import * as formats from './formats/index.js';

/** Every model-content analyser, in the order they run. Adding a format is one file plus one line here. */
export const ANALYSERS: readonly ModelAnalyser[] = [
  pickleAnalyser,
  formats.safetensorsAnalyser,
  formats.ggufAnalyser,
  formats.kerasAnalyser,
  formats.kerasH5Analyser,
  formats.onnxAnalyser,
  formats.savedModelAnalyser,
  formats.tfliteAnalyser,
  formats.tfjsAnalyser,
];
