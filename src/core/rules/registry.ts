import { defineRules } from '../rule.js';

export const REGISTRY_RULES = defineRules([]);
