import type { InstallArgument } from './install-arguments.js';
import { lineFinder } from './project-requirements.js';
import { directPins } from './pyproject-direct-pins.js';
import { isTable, parseToml } from './toml.js';

/** A PEP 723 block's first line: `# /// <type>`. */
const OPENER = /^# \/\/\/ ([a-zA-Z0-9-]+)$/;
/** A line inside a block: `#` alone or `# ` and text (the reference regex's `^#(| .*)$`). */
const CONTENT = /^#(?:| .*)$/;

/**
 * The requirements a script's PEP 723 inline metadata gives `uv run script.py` / `pipx run script.py`: its
 * `dependencies`, and the git / URL sources of its `[tool.uv.sources]`, each as an install argument at its line in
 * the script. The block is found as the PEP's reference regex finds it
 * (`(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`): a run of comment lines after the
 * opener, closed by the last `# ///` of the run, each line without its `#` and one space. Two `script` blocks make
 * the tools refuse the script, as does TOML that does not parse: then nothing installs and none are given.
 */
export function scriptRequirements(text: string): InstallArgument[] {
  const blocks = scriptBlocks(text.split('\n').map((l) => l.replace(/\r$/, '')));
  const block = blocks.length === 1 ? blocks[0]! : undefined;
  if (block === undefined) return [];
  let doc: Record<string, unknown>;
  try {
    doc = parseToml('inline script metadata', block.content);
  } catch {
    return [];
  }
  const lineOf = lineFinder(block.content);
  const dependencies = Array.isArray(doc.dependencies) ? doc.dependencies : [];
  const out = dependencies
    .filter((d): d is string => typeof d === 'string')
    .map((written) => ({ written, line: block.line + lineOf(written), editable: false }));
  for (const [name, pin] of directPins(isTable(doc) ? doc : {})) {
    const url = pin.kind === 'git' ? `git+${pin.url}${pin.commit !== undefined ? `@${pin.commit}` : ''}` : pin.url;
    out.push({ written: `${name} @ ${url}`, line: block.line + lineOf(pin.url), editable: false });
  }
  return out;
}

/** The `script` blocks of a script's lines: each one's TOML and the line of its opener. */
function scriptBlocks(lines: readonly string[]): { content: string; line: number }[] {
  const out: { content: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const type = OPENER.exec(lines[i]!)?.[1];
    if (type === undefined) continue;
    // The run of comment lines after the opener; the regex's greedy content backtracks to its last `# ///`.
    let end = i + 1;
    let close = -1;
    for (; end < lines.length && CONTENT.test(lines[end]!); end++) if (lines[end] === '# ///') close = end;
    // The content is one line at least: a `# ///` right after the opener closes nothing. An opener later in the
    // run has a suffix of it and no closer either: skipped, so a run of openers is read once, not once per opener.
    if (close <= i + 1) {
      i = end - 1;
      continue;
    }
    if (type === 'script') {
      const content = lines.slice(i + 1, close).map((l) => l.slice(l.startsWith('# ') ? 2 : 1));
      out.push({ content: content.join('\n'), line: i + 1 });
    }
    i = close;
  }
  return out;
}
