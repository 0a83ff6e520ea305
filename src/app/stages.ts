import type { Stage } from '../core/stage.js';

/**
 * The pipeline, in order. Adding a stage is one line here.
 * deps → registry verification → models (hash, trusted registry) → inspect → signatures.
 */
export const STAGES: readonly Stage[] = [];
