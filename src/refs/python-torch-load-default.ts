import { proseCheck } from './python-prose.js';

/**
 * Whether a Python file turns torch.load's default into a full unpickling, for its calls that pass no weights_only
 * (calls.ts `unpicklerOf`). pyannote, whisperx and Coqui TTS projects do this so that old checkpoints load on
 * torch >= 2.6:
 * - torch/serialization.py `load`: when the call passes no `weights_only`, `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` set to
 *   one of "1", "y", "yes", "true" (exactly: "True" is none of them) makes it False. Set in the process itself:
 *   `os.environ["…"] = "1"`, `os.environ.setdefault("…", "1")` (a child's `env` dict is another process's).
 * - `torch.load` replaced (`torch.load = functools.partial(torch.load, weights_only=False)`, or a wrapper assigned to
 *   it) or its `__kwdefaults__` changed, in a file that writes weights_only as False (`weights_only=False`,
 *   `kwargs["weights_only"] = False`, `kwargs.setdefault("weights_only", False)`): a partial's keywords, and a
 *   setdefault, give way to the call's own, so a call that passes weights_only still decides for itself.
 * Read over the whole text (the readers' snippet keeps only loader statements); a comment or a docstring is prose
 * (python-prose.ts).
 */
export function torchLoadUnpicklesByDefault(text: string): boolean {
  if (!text.includes('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD') && !text.includes('weights_only')) return false;
  const prose = proseCheck(text);
  // A match counts when its first or its last character is code: a key in quotes starts in a string literal, and
  // `False` ends the match; within a comment or a docstring both are prose.
  const inCode = (re: RegExp): boolean => {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text))
      if (!prose(m.index) || !prose(m.index + m[0].length - 1)) return true;
    return false;
  };
  return inCode(FORCED_BY_ENVIRONMENT) || (inCode(TORCH_LOAD_REPLACED) && inCode(WEIGHTS_ONLY_OFF));
}

/** `environ["TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"] = "1"` or `environ.setdefault("…", "yes")`. */
const FORCED_BY_ENVIRONMENT =
  /(?<![\w.])(?:os\.)?environ[ \t]*(?:\[[ \t]*|\.setdefault[ \t]*\([ \t]*)(["'])TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD\1[ \t]*(?:\][ \t]*=(?!=)|,)[ \t]*(["'])(?:1|y|yes|true)\2/g;

/** `torch.load = …` (or `torch.serialization.load`), or `torch.load.__kwdefaults__`. */
const TORCH_LOAD_REPLACED = /(?<![\w.])torch(?:\.serialization)?\.load(?:[ \t]*=(?!=)|\.__kwdefaults__\b)/g;

/** weights_only written as False: a keyword, a dict key, an item assigned, or a setdefault's pair. */
const WEIGHTS_ONLY_OFF =
  /(?<![\w.])(?:weights_only[ \t]*=(?!=)|["']weights_only["'][ \t]*(?::|,|\][ \t]*=(?!=)))[ \t]*False\b/g;
