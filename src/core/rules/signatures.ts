import { defineRules } from '../rule.js';

export const SIGNATURES_RULES = defineRules([]);
