import { defineRules } from '../rule.js';

export const INSPECT_FORMATS_RULES = defineRules([]);
