import { formatsReadBy } from '../discover/catalogue/index.js';
import type { ModelAnalyser } from './analyser.js';
import { pickleAnalyser } from './content/analyser.js';
import * as formats from './formats/index.js';

/**
 * The catalogue routes: an analyser reads exactly the formats whose catalogue entry names it in `readBy`. Each
 * analyser file still states its own `formats`; test/discover/catalogue/catalogue.test.ts keeps the two equal
 * until those lines go.
 */
const routed = (a: ModelAnalyser): ModelAnalyser => ({
  name: a.name,
  formats: formatsReadBy(a.name),
  analyze: (file, ctx) => a.analyze(file, ctx),
});

/**
 * Every model-content analyser, in the order they run. Adding a format is one catalogue entry, one analyser file
 * and one line here.
 */
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
  formats.chatTemplateAnalyser,
  formats.repoCodeAnalyser,
].map(routed);
