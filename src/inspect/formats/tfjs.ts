import type { ModelAnalyser } from '../analyser.js';
import { isObject, parseJson } from './json.js';
import type { JsonValue } from './json.js';
import { escapeReason } from './onnx.js';
import type { Findings } from './report.js';
import { analyseWith } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { driveSync, FormatError, readAt } from './source.js';

const MAX_MANIFEST = 64 * 1024 * 1024;

/**
 * A TensorFlow.js manifest: `model.json` ({ modelTopology, weightsManifest }) or `*weights_manifest.json` (the
 * groups array itself). Every weight path must be a plain relative path inside the model folder.
 */
export function* tfjsManifestSteps(src: RandomAccess, out: Findings, isModelJson: boolean): ParseSteps<void> {
  if (src.size > MAX_MANIFEST) throw new FormatError(`manifest of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  let value: JsonValue;
  try {
    // tfjs parses the manifest with JSON.parse (`io.http` `load` → `response.json()`), which reads any depth, and
    // fetches the paths beside a deep `modelTopology`: deeper values are skipped, the paths (a few levels down) read.
    value = parseJson(text.replace(/^\uFEFF/, ''), { maxDepth: 512, skipDeeper: true }).value;
  } catch (err) {
    if (isModelJson && err instanceof FormatError) return; // any JSON named model.json: not necessarily tfjs
    throw err;
  }
  const groups = isObject(value) ? value.weightsManifest : value;
  if (groups === undefined && isModelJson) return;
  if (!Array.isArray(groups)) throw new FormatError('weightsManifest is not a list of weight groups', 0);
  groups.forEach((g, i) => {
    const paths = isObject(g) ? g.paths : undefined;
    if (!Array.isArray(paths)) throw new FormatError(`weight group ${i} has no paths list`, 0);
    for (const p of paths) {
      if (typeof p !== 'string') throw new FormatError(`weight group ${i} has a path that is not a string`, 0);
      const why = escapeReason(asUrlPath(p));
      if (why)
        out.add(
          'CPI076',
          `weight group ${i} names ${JSON.stringify(p)}, ${why}; the loader would fetch it. Keep shards next to the manifest.`,
          { group: i, path: p },
        );
    }
  });
}

/**
 * tfjs fetches `pathPrefix + path` (`io.http` `loadWeights` → `fetch`), so the path is read as a URL would be: the
 * WHATWG URL parser drops tabs and newlines anywhere and takes `%2e` as a dot in a `..` segment (`%2e%2e/secret.bin`
 * climbs out of the model folder), and any `scheme:` prefix is a URL of its own.
 */
export function asUrlPath(p: string): string {
  const s = p.replace(/[\t\n\r]/g, '').replace(/%2e/gi, '.');
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) ? 'url://' : s;
}

/** `tfjsManifestSteps` over bytes in memory. */
export function parseTfjsManifest(src: RandomAccess, out: Findings, isModelJson: boolean): void {
  driveSync(tfjsManifestSteps(src, out, isModelJson));
}

export const tfjsAnalyser: ModelAnalyser = {
  name: 'tfjs',
  formats: ['tfjs-manifest'],
  analyze: (file, ctx) =>
    analyseWith(
      file,
      'the TensorFlow.js manifest',
      (src, out) => tfjsManifestSteps(src, out, !/weights_manifest\.json$/i.test(file.path)),
      ctx.files,
    ),
};
