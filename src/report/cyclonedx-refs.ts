import { MODELSCOPE_MODELS, type ModelReference } from '../core/records.js';
import { encodeUriComponent } from '../core/uri-component.js';
import type { CdxComponent } from './cyclonedx.js';

/**
 * Models the code loads by name, as ML-BOM components beside the model files on disk: one component per model and
 * revision (however many places load it), with a package URL — `pkg:huggingface/<namespace>/<name>@<commit>` (the
 * purl type's version is the commit), `pkg:github/<owner>/<repo>@<ref>` for torch.hub — or the URL it is fetched from.
 */
export function referenceComponents(refs: readonly ModelReference[]): CdxComponent[] {
  const byRef = new Map<string, { ref: ModelReference; places: string[]; runsRemoteCode: boolean }>();
  for (const r of refs) {
    const key = `${r.hub}:${repoName(r) ?? r.url ?? ''}@${r.revision ?? ''}`;
    const entry = byRef.get(key) ?? { ref: r, places: [], runsRemoteCode: false };
    entry.places.push(`${r.path}:${r.line}`);
    // One place that loads the model with trust_remote_code is enough for its code to run: the component says so
    // whichever place came first.
    entry.runsRemoteCode ||= r.runsRemoteCode;
    byRef.set(key, entry);
  }
  return [...byRef.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, { ref, places, runsRemoteCode }]): CdxComponent => {
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
          { name: 'chainproof:runs-remote-code', value: String(runsRemoteCode) },
          ...places.sort().map((p) => ({ name: 'chainproof:referenced-at', value: p })),
        ],
      };
    });
}

/**
 * The purl's `@version`, or '' when the reference pins none a purl can name. The huggingface type's version is the
 * commit (types/huggingface-definition.json), and only 40 lower-case hex is one to huggingface_hub (file_download.py
 * `REGEX_COMMIT_HASH`; ids.ts `revisionKind`): an upper-case 40-hex revision is sent to the hub as a ref name, like a
 * branch, and lower-cased into the purl it read as a pin to that commit. A branch or tag is named by the component's
 * version instead. A revision the library settles at run time (spaCy's `en_core_web_sm-<compatible
 * version>`: ids.ts `spacyReleaseTag`) names no version at all.
 */
function purlVersion(r: ModelReference): string {
  if (r.revision === undefined || r.revision.includes('<')) return '';
  if (r.hub === 'huggingface' && r.revisionKind !== 'commit') return '';
  return `@${encodeUriComponent(r.revision)}`;
}

/**
 * The repository as its purl names it. GitHub's owner and repository names are case-insensitive, and the github purl
 * type says they "must be lowercased" (purl-spec types/github-definition.json): `torch.hub.load('PyTorch/Vision')`
 * and `('pytorch/vision')` load one repository, one component with one purl. Hugging Face's are case-sensitive
 * (types/huggingface-definition.json) and stay as written.
 */
function repoName(r: ModelReference): string | undefined {
  return r.hub === 'github' ? r.repoId?.toLowerCase() : r.repoId;
}

function purlOf(r: ModelReference): string | undefined {
  const repoId = repoName(r);
  if (repoId === undefined || r.hub === 'url') return undefined;
  // A dataset's or Space's repo (`datasets/<org>/<name>`: diffusers' community-pipelines mirror, a URL under
  // `/datasets/`) has no purl: the huggingface purl type names models only. Its name and URL still say what it is.
  if (repoId.split('/').length > 2) return undefined;
  const [ns, name] = repoId.includes('/') ? repoId.split('/', 2) : [undefined, repoId];
  const path = [ns, name]
    .filter((x): x is string => x !== undefined)
    .map(encodeUriComponent)
    .join('/');
  const version = purlVersion(r);
  // ModelScope has no purl type of its own: the generic type, with the hub it comes from.
  if (r.hub === 'modelscope')
    return `pkg:generic/${path}${version}?repository_url=${encodeURIComponent(MODELSCOPE_MODELS)}`;
  return `pkg:${r.hub}/${path}${version}`;
}
