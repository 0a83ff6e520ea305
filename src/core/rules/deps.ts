import { defineRules } from '../rule.js';

export const DEPS_RULES = defineRules([]);
