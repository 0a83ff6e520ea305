import type { LoaderShape, Resolved } from './calls.js';
import { VLLM_CONFIG_VIA } from './ids.js';

/**
 * vLLM's engine from Python: `LLM(model, *, tokenizer, trust_remote_code, revision, tokenizer_revision, …,
 * speculative_config, **kwargs)` (vllm/entrypoints/llm.py), `EngineArgs` / `AsyncEngineArgs(model=…)`
 * (vllm/engine/arg_utils.py), all of which become a `ModelConfig` (vllm/config/model.py):
 * - the model is downloaded at `revision` (vllm/transformers_utils/config.py `get_config` → transformers'
 *   `cached_file`), running its code with trust_remote_code;
 * - `ModelConfig.__post_init__`: `if self.tokenizer is None: self.tokenizer = self.model` and, whether or not a
 *   tokenizer was named, `if self.tokenizer_revision is None: self.tokenizer_revision = self.revision`; the tokenizer
 *   loads with the model's trust_remote_code (vllm/transformers_utils/tokenizer.py `get_tokenizer`). So a `tokenizer=`
 *   repo is a download of its own at `tokenizer_revision`, else at `revision`, and a `tokenizer_revision=` that is not
 *   `revision` fetches the model repo's tokenizer files (chat template, tokenizer code) at that other revision.
 *   vLLM before the dataclass ModelConfig (≤ 0.8) kept `tokenizer_revision` None, the default branch; this follows
 *   the current one.
 * - vllm/config/speculative.py `SpeculativeConfig.__post_init__`: a draft `model` is
 *   `ModelConfig(model=self.model, trust_remote_code=target.trust_remote_code, revision=self.revision, …)`: its own
 *   `revision` (none: the default branch, never the target's) with the target's trust_remote_code. Its tokenizer is
 *   the target's (nothing more is downloaded for it).
 */
export function vllmShape(
  name: string,
  kw: (k: string) => Resolved | undefined,
  pos: (i: number) => Resolved | undefined,
  isTrue: (r: Resolved | undefined) => boolean,
): LoaderShape {
  const model = kw('model') ?? (name === 'LLM' ? pos(0) : undefined);
  const revision = kw('revision');
  const runsRemoteCode = isTrue(kw('trust_remote_code'));
  const extra: LoaderShape[] = [];
  const tokenizer = given(kw('tokenizer'));
  const tokenizerRevision = given(kw('tokenizer_revision'));
  const atRevision = tokenizerRevision ?? revision;
  // A tokenizer repo of its own, or the model's at another revision: the same repo at the same revision is one load.
  const sameRepo = tokenizer === undefined || (tokenizer.value !== undefined && tokenizer.value === model?.value);
  if (!sameRepo || (tokenizerRevision !== undefined && !sameValue(tokenizerRevision, revision)))
    extra.push({
      via: `${name} (${tokenizer !== undefined ? 'tokenizer' : 'tokenizer_revision'})`,
      name: tokenizer ?? model,
      revision: atRevision,
      runsRemoteCode,
    });
  // A speculative_config the file does not show (a name, a SpeculativeConfig) says nothing: n-gram and suffix
  // decoding load no model, and which one it is cannot be told here.
  const speculative = kw('speculative_config')?.entries;
  const draft = given(speculative?.get('model'));
  if (draft !== undefined)
    extra.push({
      via: `${name} (speculative_config)`,
      name: draft,
      revision: speculative?.get('revision'),
      runsRemoteCode,
    });
  return { via: name, name: model, revision, runsRemoteCode, ...(extra.length > 0 ? { extra } : {}) };
}

/** An argument given as something other than `None` (vLLM's "unset"). */
function given(r: Resolved | undefined): Resolved | undefined {
  return r === undefined || (r.value === 'None' && !r.isString) ? undefined : r;
}

/** Two revisions the file shows to be the same (both absent, or the same string). */
function sameValue(a: Resolved | undefined, b: Resolved | undefined): boolean {
  return (
    (a?.value === undefined && b?.value === undefined && a === b) || (a?.value !== undefined && a.value === b?.value)
  );
}

/**
 * Where vLLM takes the commit for what `via` names beyond the model (`vllmShape`, servers.ts `readTokenizer`): the
 * tokenizer's `tokenizer_revision` (`--tokenizer-revision`), the draft model's own `revision` in speculative_config.
 */
export function vllmPinAdvice(via: string): string | undefined {
  // vLLM's config file (vllm-options.ts `vllmConfigReferences`): its own keys, not the command line's flags.
  if (via.startsWith(VLLM_CONFIG_VIA)) {
    if (via.endsWith('--tokenizer') || via.endsWith('--tokenizer-revision'))
      return 'Pin the reviewed commit beside it (tokenizer-revision: <40-hex>).';
    if (via.endsWith('--speculative-config'))
      return 'Pin the reviewed commit of the draft model (revision: <40-hex> under speculative-config).';
    return 'Pin the reviewed commit beside it (revision: <40-hex>).';
  }
  if (/^(LLM|EngineArgs|AsyncEngineArgs) \((tokenizer|tokenizer_revision)\)$/.test(via))
    return 'Pin the reviewed commit (tokenizer_revision="<40-hex>").';
  if (/^(LLM|EngineArgs|AsyncEngineArgs) \(speculative_config\)$/.test(via))
    return 'Pin the reviewed commit of the draft model (speculative_config={"model": …, "revision": "<40-hex>"}).';
  if (/^vllm .*--tokenizer(-revision)?$/.test(via)) return 'Pin the reviewed commit (--tokenizer-revision <40-hex>).';
  if (/^vllm .*--speculative-config$/.test(via))
    return 'Pin the reviewed commit of the draft model (--speculative-config \'{"model": …, "revision": "<40-hex>"}\').';
  return undefined;
}
