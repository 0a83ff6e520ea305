/**
 * Single-file components: a Vue (`.vue`) or Svelte (`.svelte`) file is markup with its code in `<script>` elements
 * (`<script setup lang="ts">`, `<script context="module">`). The component compilers hand the elements' raw text to
 * the bundler as the component's module — @vue/compiler-sfc `parse` (`descriptor.script`, `descriptor.scriptSetup`),
 * svelte's `parse` (`instance`, `module`) — so that text is what runs, and the markup around it is no JavaScript.
 */
const COMPONENT = /\.(?:vue|svelte)$/i;

/** Where code may hide in markup: an HTML comment (not read by either compiler) or a `<script` start tag. */
const MARKUP = /<!--[\s\S]*?(?:-->|$)|<script(?=[\s/>])/gi;
/** A script element's content ends at the first `</script` (HTML's script data state: no nesting, no escapes). */
const SCRIPT_END = /<\/script(?=[\s/>])/gi;

/**
 * The file's JavaScript as the finders read it: for a component, its `<script>` elements' text where it stands, every
 * other character but line breaks a space (a finding's line and column are the component file's); other files as
 * they are. One pass: each match is consumed whole, and a start tag left open runs to the end of the file.
 */
export function componentScript(path: string, text: string): string {
  if (!COMPONENT.test(path)) return text;
  let out = '';
  let kept = 0;
  MARKUP.lastIndex = 0;
  for (let m = MARKUP.exec(text); m; m = MARKUP.exec(text)) {
    if (m[0].startsWith('<!--')) continue;
    const from = startTagEnd(text, m.index + m[0].length);
    if (from === undefined) break;
    SCRIPT_END.lastIndex = from;
    const end = SCRIPT_END.exec(text);
    const to = end ? end.index : text.length;
    out += blank(text.slice(kept, from)) + text.slice(from, to);
    kept = to;
    MARKUP.lastIndex = to;
  }
  return out + blank(text.slice(kept));
}

/** Past the `>` that ends a start tag whose attributes begin at `k` (a quoted value may hold `>`); none: unclosed. */
function startTagEnd(text: string, k: number): number | undefined {
  let quote = '';
  for (; k < text.length; k++) {
    const c = text[k]!;
    if (quote !== '') {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return k + 1;
  }
  return undefined;
}

/** Spaces for all but line breaks (ECMAScript's LineTerminators), so offsets, lines and columns hold. */
export const blank = (s: string) => s.replace(/[^\n\r\u2028\u2029]/g, ' ');
