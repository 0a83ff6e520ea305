import { defineRules } from '../rule.js';

export const MODELS_RULES = defineRules([]);
