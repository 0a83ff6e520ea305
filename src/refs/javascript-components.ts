/**
 * Single-file components: a Vue (`.vue`), Svelte (`.svelte`) or Astro (`.astro`) file is markup with its code in
 * `<script>` elements (`<script setup lang="ts">`, `<script context="module">`). The component compilers hand the
 * elements' raw text to the bundler as the component's module — @vue/compiler-sfc `parse` (`descriptor.script`,
 * `descriptor.scriptSetup`), svelte's `parse` (`instance`, `module`), @astrojs/compiler's client `<script>`s — so
 * that text is what runs, and the markup around it is no JavaScript. An Astro component's server code is its
 * frontmatter (`astroFrontmatter`).
 */
const COMPONENT = /\.(?:vue|svelte|astro)$/i;
const ASTRO = /\.astro$/i;

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
  const server = ASTRO.test(path) ? astroFrontmatter(text) : undefined;
  if (server) {
    // The fences are markup; the code between them stands where it is, and the markup scan starts past them.
    out = blank(text.slice(0, server.from)) + text.slice(server.from, server.to);
    kept = server.to;
    MARKUP.lastIndex = server.to;
  }
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

/**
 * An Astro component's frontmatter: the code between a `---` fence that opens the file (after white space only) and
 * the next line that is a `---` fence, as @astrojs/compiler's tokenizer (internal/token.go, `frontmatter_loop`)
 * reads it — the component script Astro runs on the server for every render. Unclosed, it runs to the end (the
 * tokenizer is still in it). `from`/`to`: the code's offsets, between the fences.
 */
function astroFrontmatter(text: string): { from: number; to: number } | undefined {
  const open = /^\s*---/.exec(text);
  if (!open) return undefined;
  const from = open[0].length;
  const close = /^---[ \t]*$/m.exec(text.slice(from));
  return { from, to: close ? from + close.index : text.length };
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
