import type { Stage } from '../core/stage.js';
import { depsStage } from '../deps/stage.js';
import { inspectStage } from '../inspect/stage.js';
import { modelsStage } from '../models/stage.js';
import { refsStage } from '../refs/stage.js';
import { registryStage } from '../registry/stage.js';
import { signaturesStage } from '../verify/stage.js';

/**
 * The pipeline, in order. Adding a stage is one line here.
 * deps → registry verification → models (hash, trusted registry) → inspect → signatures.
 */
export const STAGES: readonly Stage[] = [depsStage, registryStage, modelsStage, refsStage, inspectStage, signaturesStage];
