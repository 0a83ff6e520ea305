import type { ModelAnalyser } from './analyser.js';
import { pickleAnalyser } from './pickle/analyser.js';

/** Every model-content analyser, in the order they run. Adding a format is one file plus one line here. */
export const ANALYSERS: readonly ModelAnalyser[] = [pickleAnalyser];
