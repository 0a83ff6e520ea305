import type { Stage } from '../core/stage.js';
import { depsStage } from '../deps/stage.js';
import { inspectStage } from '../inspect/stage.js';
import { modelsStage } from '../models/stage.js';
import { registryStage } from '../registry/stage.js';
import { provenanceStage } from '../verify/provenance/stage.js';
import { signaturesStage } from '../verify/stage.js';

/**
 * The pipeline, in order. Adding a stage is one line here.
 * deps → registry verification → models (hash, trusted registry) → model provenance → inspect → signatures.
 */
export const STAGES: readonly Stage[] = [
  depsStage,
  registryStage,
  modelsStage,
  provenanceStage,
  inspectStage,
  signaturesStage,
];
