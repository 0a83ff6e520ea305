import { defineRules } from '../rule.js';

export const INSPECT_PICKLE_RULES = defineRules([]);
