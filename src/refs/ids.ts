import type { ModelHub, RevisionKind } from './types.js';

/** Hugging Face repo ids: `name` (legacy canonical models) or `org/name`; 96 characters at most per part. */
const HF_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
const COMMIT = /^[0-9a-f]{40}$/;

export function revisionKind(revision: string | undefined): RevisionKind {
  if (revision === undefined || revision === '') return 'none';
  return COMMIT.test(revision) ? 'commit' : 'ref';
}

/**
 * Whether a string given to a loader names a hub repository rather than a local folder or file. transformers'
 * `from_pretrained` looks for a local directory of that name first (`os.path.isdir`), so a name that exists in the
 * scanned tree, or that looks like a path, is local.
 */
export function looksLikeRepoId(value: string, existsLocally: (p: string) => boolean): boolean {
  if (!HF_ID.test(value) || value.includes('..') || existsLocally(value)) return false;
  // A bare word is a repo id only in the legacy canonical form (`bert-base-uncased`, `gpt2`): it needs a digit or dash.
  if (!value.includes('/')) return /[-\d]/.test(value) && !/\.(py|json|txt|bin|pt|pth|onnx|safetensors)$/i.test(value);
  return !/\.(py|json|txt|bin|pt|pth|onnx|safetensors|yaml|yml|csv)$/i.test(value);
}

export interface ParsedModelUrl {
  readonly hub: ModelHub;
  readonly url: string;
  readonly repoId?: string;
  readonly revision?: string;
  readonly file?: string;
}

/** `https://huggingface.co/<org>/<name>/resolve/<rev>/<file>` and friends; any other http(s) URL is a plain URL. */
export function parseModelUrl(value: string): ParsedModelUrl | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
  const host = u.hostname.toLowerCase();
  if (host === 'huggingface.co' || host === 'hf.co' || host.endsWith('.huggingface.co')) {
    const parts = u.pathname.split('/').filter((p) => p !== '');
    const [org, name, verb, rev, ...rest] = parts;
    if (org && name && (verb === 'resolve' || verb === 'blob' || verb === 'raw') && rev) {
      return {
        hub: 'huggingface',
        url: value,
        repoId: `${org}/${name}`,
        revision: decodeURIComponent(rev),
        ...(rest.length > 0 ? { file: rest.join('/') } : {}),
      };
    }
    if (org && name) return { hub: 'huggingface', url: value, repoId: `${org}/${name}` };
  }
  return { hub: 'url', url: value };
}
