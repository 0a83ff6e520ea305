import { MODELSCOPE_MODELS, type ModelReference } from '../core/records.js';
import { encodeUriComponent } from '../core/uri-component.js';
import type { CdxComponent } from './cyclonedx.js';

/**
 * Models the code loads by name, as ML-BOM components beside the model files on disk: one component per model and
 * revision (however many places load it), with a package URL — `pkg:huggingface/<namespace>/<name>@<commit>` (the
 * purl type's version is the commit), `pkg:github/<owner>/<repo>@<ref>` for torch.hub — or the URL it is fetched from.
 */
export function referenceComponents(refs: readonly ModelReference[]): CdxComponent[] {
  const byRef = new Map<string, { ref: ModelReference; places: string[] }>();
  for (const r of refs) {
    const key = `${r.hub}:${r.repoId ?? r.url ?? ''}@${r.revision ?? ''}`;
    const entry = byRef.get(key) ?? { ref: r, places: [] };
    entry.places.push(`${r.path}:${r.line}`);
    byRef.set(key, entry);
  }
  return [...byRef.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, { ref, places }]): CdxComponent => {
      const purl = purlOf(ref);
      return {
        type: 'machine-learning-model',
        'bom-ref': `ref:${key}`,
        name: ref.repoId ?? ref.url ?? '?',
        ...(ref.revision !== undefined ? { version: ref.revision } : {}),
        ...(purl !== undefined ? { purl } : {}),
        // The digest the loader checks the download against (openai-whisper, OpenAI CLIP): the bytes it will accept.
        ...(ref.sha256 !== undefined ? { hashes: [{ alg: 'SHA-256' as const, content: ref.sha256 }] } : {}),
        // Keras get_file's MD5: the bytes it accepts, too, under a weaker digest.
        ...(ref.md5 !== undefined ? { hashes: [{ alg: 'MD5' as const, content: ref.md5 }] } : {}),
        ...(ref.url !== undefined ? { externalReferences: [{ type: 'distribution' as const, url: ref.url }] } : {}),
        properties: [
          { name: 'chainproof:reference', value: 'loaded by name at run time' },
          { name: 'chainproof:revision-kind', value: ref.revisionKind },
          { name: 'chainproof:runs-remote-code', value: String(ref.runsRemoteCode) },
          ...places.sort().map((p) => ({ name: 'chainproof:referenced-at', value: p })),
        ],
      };
    });
}

function purlOf(r: ModelReference): string | undefined {
  if (r.repoId === undefined || r.hub === 'url') return undefined;
  // A dataset's or Space's repo (`datasets/<org>/<name>`: diffusers' community-pipelines mirror, a URL under
  // `/datasets/`) has no purl: the huggingface purl type names models only. Its name and URL still say what it is.
  if (r.repoId.split('/').length > 2) return undefined;
  const [ns, name] = r.repoId.includes('/') ? r.repoId.split('/', 2) : [undefined, r.repoId];
  const path = [ns, name]
    .filter((x): x is string => x !== undefined)
    .map(encodeUriComponent)
    .join('/');
  // purl versions are case-sensitive except where the type says otherwise; Hugging Face commits are lower-case hex.
  // A revision the library settles at run time (spaCy's `en_core_web_sm-<compatible version>`: ids.ts
  // `spacyReleaseTag`) names no version a purl can: the package is named alone, the component's version says the rest.
  const version =
    r.revision !== undefined && !r.revision.includes('<')
      ? `@${encodeUriComponent(r.hub === 'huggingface' ? r.revision.toLowerCase() : r.revision)}`
      : '';
  // ModelScope has no purl type of its own: the generic type, with the hub it comes from.
  if (r.hub === 'modelscope')
    return `pkg:generic/${path}${version}?repository_url=${encodeURIComponent(MODELSCOPE_MODELS)}`;
  return `pkg:${r.hub}/${path}${version}`;
}
