import { MODELSCOPE_MODELS } from '../core/records.js';
import { revisionKind } from './ids.js';
import type { ModelReference } from './types.js';

/**
 * A hub repository reviewed at one commit, as the trusted registry records it: an entry with no files whose `name`
 * is the repo id (what `reviewedCommits` in judge.ts matches a reference by) and whose `revision` is the commit.
 */
export interface ReviewedReference {
  readonly hub: 'huggingface' | 'github' | 'url' | 'modelscope';
  readonly repoId: string;
  readonly commit: string;
  /** Where the repository lives, for the entry's `source`. */
  readonly source: string;
  /**
   * A download pinned by digest (records.ts `ModelReference.sha256`): recorded as an entry whose one file is the URL
   * with that sha256 (judge.ts `registryDigests` matches it; lookup.ts `isDownloadPath` never looks for it on disk).
   */
  readonly sha256?: string;
}

/** Why a reference cannot be recorded; the message says what to do instead. */
export interface Refusal {
  readonly reason: 'unpinned' | 'not-a-hub';
  readonly message: string;
}

const HF_REPO_ID = /^(?:[A-Za-z0-9][\w.-]{0,95}\/)?[A-Za-z0-9][\w.-]{0,95}$/;
const GITHUB_REPO = /^[\w.-]+\/[\w.-]+$/;

/**
 * The registry entry a found reference becomes: only a commit is what someone reviewed — a branch or tag can move
 * after the review, so it is refused, never resolved (that would invent the reviewed commit).
 */
export function reviewedFromReference(ref: ModelReference): ReviewedReference | Refusal {
  const name = ref.repoId ?? ref.url ?? '?';
  // The digest is what the loader accepts, and so what was reviewed: the entry names the URL and lists it as its file.
  if (ref.sha256 !== undefined && ref.url !== undefined)
    return { hub: 'url', repoId: ref.url, commit: `sha256:${ref.sha256}`, source: ref.url, sha256: ref.sha256 };
  if (ref.hub === 'url' || ref.repoId === undefined)
    return {
      reason: 'not-a-hub',
      message: `${name} is a plain URL, not a hub repository: the registry records it by its files' digests (registry add <path>)`,
    };
  if (ref.revisionKind !== 'commit' || ref.revision === undefined)
    return {
      reason: 'unpinned',
      message:
        ref.revision === undefined
          ? `${name} has no revision, so no reviewed commit to record: pin revision="<40-hex commit>" in the code first`
          : `${name}@${ref.revision}: "${ref.revision}" is a branch or tag, not a reviewed commit: pin the 40-hex commit in the code first`,
    };
  return toReviewed(ref.hub, ref.repoId, ref.revision);
}

/**
 * A reference typed on the command line: `hf:org/name@<commit>`, `org/name@<commit>` (Hugging Face),
 * `github:owner/repo@<commit>` (torch.hub), `modelscope:org/name@<commit>` (ModelScope), or a Hugging Face URL naming
 * the commit
 * (`https://huggingface.co/org/name/tree/<commit>`, `…/resolve/<commit>/file`).
 */
export function parseReferenceArgument(text: string): ReviewedReference | Refusal {
  const url =
    /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([^/?#]+\/[^/?#]+)(?:\/(?:tree|resolve|blob|raw)\/([^/?#]+))?/.exec(
      text,
    );
  let hub: 'huggingface' | 'github' | 'modelscope' = 'huggingface';
  let repoId: string;
  let revision: string | undefined;
  if (url) {
    repoId = url[1]!;
    revision = url[2] !== undefined ? decodeURIComponent(url[2]) : undefined;
  } else {
    const m = /^(?:(hf|huggingface|github|modelscope):)?([^@]+)(?:@(.*))?$/.exec(text);
    if (!m) return { reason: 'not-a-hub', message: `"${text}" is not a model reference (hf:org/name@<40-hex commit>)` };
    if (m[1] === 'github' || m[1] === 'modelscope') hub = m[1];
    repoId = m[2]!;
    revision = m[3];
  }
  if (!(hub === 'github' ? GITHUB_REPO : HF_REPO_ID).test(repoId) || repoId.includes('..'))
    return {
      reason: 'not-a-hub',
      message: `"${repoId}" is not a ${HUB_NAMES[hub]} repo id`,
    };
  if (revisionKind(revision) !== 'commit')
    return {
      reason: 'unpinned',
      message:
        revision === undefined || revision === ''
          ? `${repoId} names no commit: give the reviewed one (${hub === 'huggingface' ? 'hf' : hub}:${repoId}@<40-hex commit>)`
          : `${repoId}@${revision}: "${revision}" is a branch or tag, not a reviewed commit: give the 40-hex commit`,
    };
  return toReviewed(hub, repoId, revision!);
}

export function isRefusal(x: ReviewedReference | Refusal): x is Refusal {
  return 'reason' in x;
}

const HUB_NAMES = { huggingface: 'Hugging Face', github: 'GitHub', modelscope: 'ModelScope' } as const;

function toReviewed(hub: 'huggingface' | 'github' | 'modelscope', repoId: string, commit: string): ReviewedReference {
  const source =
    hub === 'github'
      ? `https://github.com/${repoId}`
      : hub === 'modelscope'
        ? `${MODELSCOPE_MODELS}/${repoId}`
        : `https://huggingface.co/${repoId}`;
  return { hub, repoId, commit, source };
}
