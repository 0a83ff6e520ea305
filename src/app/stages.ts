import type { Stage } from '../core/stage.js';
import { depsStage } from '../deps/stage.js';
import { pythonDepsStage } from '../deps/parsers/python/stage.js';
import { pypiStage } from '../registry/pypi/stage.js';
import { inspectStage } from '../inspect/stage.js';
import { modelsStage } from '../models/stage.js';
import { refsStage } from '../refs/stage.js';
import { registryStage } from '../registry/stage.js';
import { provenanceStage } from '../verify/provenance/stage.js';
import { signaturesStage } from '../verify/stage.js';

/**
 * The pipeline, in order. Adding a stage is one line here.
 * deps → registry verification → models (hash, trusted registry) → model provenance → inspect → signatures.
 * Python dependencies run after the npm registry stage, so npm verification never sees `pypi` graphs.
 */
export const STAGES: readonly Stage[] = [
  depsStage,
  registryStage,
  pythonDepsStage,
  pypiStage,
  modelsStage,
  provenanceStage,
  refsStage,
  inspectStage,
  signaturesStage,
];
