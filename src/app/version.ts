import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package version, read once from package.json (bundled in the Action by esbuild). */
export const VERSION: string = (require('../../package.json') as { version: string }).version;
