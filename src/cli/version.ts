/** Shared with the Action; it lives in app/ so the Action imports no cli/ file. */
export { VERSION } from '../app/version.js';
