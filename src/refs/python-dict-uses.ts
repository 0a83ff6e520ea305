/**
 * Which names a Python file uses other than to bind them (`name = …`, or a keyword argument `f(name=…)`), to spread
 * them (`**name`) or to pass them as a keyword argument's whole value (`model_kwargs=name` — how langchain's
 * HuggingFaceEmbeddings and the like are handed their options; what the callee does with them is not followed).
 * Reading an item (`name[key]`, not assigned, deleted or updated in place), calling a method that does not change
 * it (`name.get(…)`, `.keys()`, `.values()`, `.items()`), handing it first to a builtin that only reads it
 * (`print(name)`, `len(name)`, `sorted(name)`) or importing it (`from .settings import name`, on one line) is
 * no change either.
 * A dict constant used any other way may be changed before a call reads it — `kw["revision"] = "main"`,
 * `kw.update(…)`, `del kw[…]`, handing it to a function that does — so its keys as first written are not what the
 * call sees, and a pin read from them could be one the call never gets. Read over the whole text, except comments and
 * plain strings (python-prose.ts): a mention there (`# kw pins the reviewed commit`, a repo id `"acme/kw"`) changes
 * nothing, and counting it lost the pin the dict gives — an unpinned finding for a pinned load.
 */
import { proseCheck } from './python-prose.js';
import { keySearch, plainName, SCOPE_MARK, type PythonScopes } from './python-scopes.js';

const IDENTIFIER = /(?<![\w.\u00a1-\uffff])[A-Za-z_\u00a1-\uffff][\w\u00a1-\uffff]*/g;

/** Names checked one by one (a search for each) before one pass over every identifier costs less. */
const SEPARATE_SEARCHES = 8;

export function dictUseCheck(text: string, scopes?: PythonScopes): (name: string) => boolean {
  return useCheck(text, 'dict', scopes);
}

/**
 * Which names a file may change as lists: used other than to bind them (`name = …`), to loop over them or test
 * membership (`in name`), to read an item (`name[i]`, not assigned) or to import them. A list constant a `for`
 * goes over (`MODELS = ["org/a", "org/b"]` … `for m in MODELS:`) is one of its items only while nothing else can
 * add to it: `MODELS.append(…)`, `MODELS[0] = …`, handing it to a function, `MODELS += […]`. Over the whole text, as
 * `dictUseCheck`: the snippet holds none of those statements.
 */
export function listUseCheck(text: string, scopes?: PythonScopes): (name: string) => boolean {
  return useCheck(text, 'list', scopes);
}

/**
 * Whether each name asked is used otherwise: a search per name, then one pass over every identifier. A reader's key
 * for a name several scopes bind (python-scopes.ts: the `kw` of one function of two) is searched as the file writes
 * it, and only its uses in that scope count: the text holds no scope marks, so a key searched as it is would never be
 * found changed, and another function's `kw.update(…)` changes another dict.
 */
function useCheck(text: string, as: 'dict' | 'list', scopes?: PythonScopes): (key: string) => boolean {
  const checked = new Map<string, boolean>();
  const prose = proseCheck(text);
  let everyName: Set<string> | undefined;
  return (key) => {
    if (scopes && key.includes(SCOPE_MARK)) {
      let got = checked.get(key);
      if (got === undefined) {
        const { name, inScope } = keySearch(key, scopes);
        got = usedOtherwise(text, prose, name, as, inScope).has(name);
        checked.set(key, got);
      }
      return got;
    }
    const name = plainName(key);
    if (everyName) return everyName.has(name);
    let got = checked.get(name);
    if (got === undefined) {
      if (checked.size >= SEPARATE_SEARCHES) return (everyName = usedOtherwise(text, prose, undefined, as)).has(name);
      got = usedOtherwise(text, prose, name, as).has(name);
      checked.set(name, got);
    }
    return got;
  };
}

/** The names (only `only`, when given) with a use other than those allowed for a dict (or, `list`, a loop's list). */
function usedOtherwise(
  text: string,
  prose: (at: number) => boolean,
  only?: string,
  as: 'dict' | 'list' = 'dict',
  inScope: (at: number) => boolean = () => true,
): Set<string> {
  const out = new Set<string>();
  const escaped = only?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re =
    escaped === undefined
      ? IDENTIFIER
      : new RegExp(`(?<![\\w.\\u00a1-\\uffff])${escaped}(?![\\w\\u00a1-\\uffff])`, 'g');
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const name = m[0];
    if (out.has(name)) continue;
    const end = m.index + name.length;
    if (!inScope(m.index)) continue;
    const allowed =
      as === 'list'
        ? bindsAfter(text, end) ||
          annotatedAfter(text, end) ||
          afterIn(text, m.index) ||
          readOnlyArgument(text, m.index, end) ||
          readsItem(text, m.index, end) ||
          imported(text, m.index)
        : spreadBefore(text, m.index) ||
          bindsAfter(text, end) ||
          keywordValue(text, m.index, end) ||
          readsItem(text, m.index, end) ||
          readOnlyArgument(text, m.index, end) ||
          readOnlyMethod(text, end) ||
          copiedBy(text, m.index, end) ||
          imported(text, m.index);
    // Asked last: the spans are found only for a file with a mention that would count.
    if (allowed || prose(m.index)) continue;
    out.add(name);
    if (only !== undefined) break;
  }
  return out;
}

function spreadBefore(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '*' && text[i - 1] === '*';
}

/** `name: T = …`: an annotated assignment binds it (the type on the same line, as written at a statement's start). */
function annotatedAfter(text: string, at: number): boolean {
  return /^[ \t]*:(?!=)[^=\n]*=(?!=)/.test(text.slice(at, at + 120));
}

/**
 * `len(name)`, `print(name, …)`, `sorted(name)`, `", ".join(name)`…: the first argument of a builtin that reads a list
 * (or a dict: its keys) and never changes it (a builtin by its bare name; `obj.len(…)` is anything).
 */
function readOnlyArgument(text: string, from: number, to: number): boolean {
  return READ_ONLY_CALL.test(text.slice(Math.max(0, from - 16), from)) && /^[ \t]*[,)]/.test(text.slice(to, to + 8));
}

const READ_ONLY_CALL =
  /(?:(?:^|[^\w.\u00a1-\uffff])(?:len|print|sorted|enumerate|list|tuple|set|frozenset|reversed|any|all|min|max|str|repr)|\.join)\([ \t]*$/;

/** `… in name`: a `for` over it, or a membership test (`not in` too): neither changes it. */
function afterIn(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return i < at - 1 && text[i] === 'n' && text[i - 1] === 'i' && !/[\w.\u00a1-\uffff]/.test(text[i - 2] ?? ' ');
}

function bindsAfter(text: string, at: number): boolean {
  let i = at;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === '=' && text[i + 1] !== '=';
}

/** `f(key=name)` / `f(key=name, …)`: a keyword argument's whole value (not `x = name`, which ends its line). */
function keywordValue(text: string, from: number, to: number): boolean {
  let i = from - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (text[i] !== '=' || '=!<>:+-*/%&|^@'.includes(text[i - 1] ?? '=')) return false;
  i--;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (!/[\w\u00a1-\uffff]/.test(text[i] ?? '')) return false;
  let j = to;
  while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
  return text[j] === ',' || text[j] === ')';
}

/**
 * `name[key]` read: a bracket right after the name, its match (strings skipped; a backslash or the end of the text
 * is no answer), then neither `=` nor an augmented assignment nor another `[`, and no `del` before the name.
 */
function readsItem(text: string, from: number, to: number): boolean {
  let i = to;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== '[') return false;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') return false;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      const newline = text.indexOf('\n', i + 1);
      if (close < 0 || (newline >= 0 && newline < close)) return false;
      i = close;
    } else if (c === '[' || c === '(' || c === '{') depth++;
    else if (c === ']' || c === ')' || c === '}') {
      if (--depth === 0) break;
    }
  }
  if (i >= text.length) return false;
  let j = i + 1;
  while (text[j] === ' ' || text[j] === '\t') j++;
  if (text[j] === '[' || (text[j] === '=' && text[j + 1] !== '=')) return false;
  if (AUGMENTED_AFTER.test(text.slice(j, j + 3))) return false;
  return !/(?:^|[^\w.])del[ \t(]+$/.test(text.slice(Math.max(0, from - 16), from));
}

/** An augmented assignment's operator: `+=`, `//=`, `**=`, `<<=`, `>>=`… (not `<=`, `>=`, `==`, `!=`). */
const AUGMENTED_AFTER = /^(?:[-+*/%&|^@]=|\/\/=|\*\*=|<<=|>>=)/;

/** `name.get(…)`, `.keys()`, `.values()`, `.items()`, `.copy()`: methods that read a dict. */
function readOnlyMethod(text: string, at: number): boolean {
  return /^\s*\.\s*(?:get|keys|values|items|copy)\s*\(/.test(text.slice(at, at + 24));
}

/**
 * `dict(name)`, `dict(name, key=…)`, `copy.copy(name)`, `copy.deepcopy(name)`: the first argument of a call that
 * builds a new dict from it and leaves it as it was (CPython `dict_update_arg` only reads the mapping; copy.py
 * `deepcopy` only reads what it copies). What the copy is changed to is the copy's own (`kw = dict(BASE)` then
 * `kw[…] = …` leaves BASE a constant).
 */
function copiedBy(text: string, from: number, to: number): boolean {
  return COPYING_CALL.test(text.slice(Math.max(0, from - 24), from)) && /^[ \t]*[,)]/.test(text.slice(to, to + 8));
}

const COPYING_CALL =
  /(?:(?:^|[^\w.\u00a1-\uffff])(?:dict|deepcopy)|(?:^|[^\w.\u00a1-\uffff])copy\.(?:copy|deepcopy))\([ \t]*$/;

/** The name is on a line that starts `from …` or `import …`: bound by an import (imported-values.ts gives its items). */
function imported(text: string, at: number): boolean {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*(?:from|import)[ \t]/.test(text.slice(start, at));
}
