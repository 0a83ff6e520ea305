export { loadTrustedRegistry, loadRegistryFile, parseRegistryText, REGISTRY_DIR } from './load.js';
export {
  indexRegistry,
  checkModelFile,
  findMissing,
  extraAlgorithmsFor,
  type RegistryIndex,
  type ModelVerdict,
  type FileFacts,
} from './lookup.js';
export { REGISTRY_SCHEMA } from './schema.js';
