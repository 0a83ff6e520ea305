import { describe, expect, it } from 'vitest';
import { findInlinePythonReferences } from '../../src/refs/shell-python.js';
import { holdsInlinePython } from '../../src/refs/prefilter.js';

const none = () => false;
const found = (script: string) => {
  const r = findInlinePythonReferences('build.sh', script, none);
  return [
    ...r.references.map(
      (x) =>
        `${x.line}:${x.column} ${x.repoId}@${x.revision ?? '-'}${x.revisionKind === 'ref' && x.revision === undefined ? ' (ref)' : ''}`,
    ),
    ...r.dynamic.map((d) => `${d.line}:${d.column} dynamic`),
  ];
};

describe('inline Python in shell scripts (shell-python.ts)', () => {
  it.each([
    // Single quotes: as written.
    [`python -c 'from transformers import AutoModel; AutoModel.from_pretrained("acme/a")'\n`, ['1:48 acme/a@-']],
    // Double quotes: \\" is a quote, \\$ a dollar the shell leaves alone.
    [
      `python3 -c "from transformers import pipeline; pipeline(model=\\"acme/b\\", revision=\\"main\\")"\n`,
      ['1:48 acme/b@main'],
    ],
    // Options before -c, a versioned or absolute interpreter.
    [
      `/usr/bin/python3.11 -u -B -c "import transformers as t; t.AutoModel.from_pretrained('acme/c')"\n`,
      ['1:57 acme/c@-'],
    ],
    // A double-quoted program over several lines (the shell keeps the newlines); a backslash-newline joins lines.
    [
      `python -c "\nfrom transformers import AutoModel\nAutoModel.from_pretrained(\\\n  'acme/d')\n"\n`,
      ['3:1 acme/d@-'],
    ],
    // A heredoc, `<<-` stripping leading tabs; a quoted delimiter expands nothing.
    [
      `python3 - <<-'PY'\n\tfrom huggingface_hub import snapshot_download\n\tsnapshot_download("acme/e")\n\tPY\necho done\n`,
      ['3:2 acme/e@-'],
    ],
    // The shell expands $MODEL in double quotes and an unquoted heredoc: the name is the run time's; an expanded
    // revision is some revision decided at run time.
    [`python -c "from transformers import AutoModel; AutoModel.from_pretrained('$MODEL')"\n`, ['1:48 dynamic']],
    [`python -c "from transformers import AutoModel; AutoModel.from_pretrained('acme/\${NAME}')"\n`, ['1:48 dynamic']],
    [
      `python - <<EOF\nfrom transformers import AutoModel\nAutoModel.from_pretrained("acme/f", revision="$REV")\nEOF\n`,
      ['3:1 acme/f@- (ref)'],
    ],
    // \\$ in an unquoted heredoc is a dollar sign; single quotes never expand.
    [`python - <<EOF\nfrom transformers import AutoModel\nAutoModel.from_pretrained("acme/g\\$x")\nEOF\n`, []],
    [`python -c 'from transformers import AutoModel; AutoModel.from_pretrained("$MODEL")'\n`, []],
    // A comment line, and no interpreter: nothing.
    [`# python -c "from transformers import AutoModel; AutoModel.from_pretrained('acme/h')"\n`, []],
    [`echo "from transformers import AutoModel; AutoModel.from_pretrained('acme/i')"\n`, []],
  ])('%s', (script, want) => {
    expect(found(script)).toEqual(want);
  });

  // Hostile scripts: each piece is read once (an unclosed quote or heredoc holds the rest of the script, as in the
  // shell), expansions are looked for within a bound, and past MAX_PIECES pieces the rest is counted as unread.
  // Read quadratically, each of these took minutes (past the test's timeout).
  it.each([
    ['unclosed double quotes', 'python -c "x\n'.repeat(40_000)],
    ['unclosed single quotes', "python -c 'x\n".repeat(40_000)],
    ['unclosed heredocs', 'python - <<EOF\n'.repeat(40_000)],
    ['unclosed expansions', `python - <<EOF\n${'${'.repeat(200_000)}\nEOF\n`],
    ['one long line of pieces', `python -c ''; `.repeat(50_000)],
    ['comment lines', `# python -c "x"\n`.repeat(40_000)],
  ])('%s: read once', (_name, script) => {
    expect(findInlinePythonReferences('hostile.sh', script, none).references).toEqual([]);
  });

  it('reads at most 1,000 pieces of one script and counts the rest as unread', () => {
    const r = findInlinePythonReferences('many.sh', `python -c 'x = 1'\n`.repeat(1_005), none);
    expect(r.unread).toBe(5);
  });

  it('the byte test lets through a script with inline Python, and only such', () => {
    expect(holdsInlinePython('RUN python -c "print(1)"')).toBe(true);
    expect(holdsInlinePython('python3 - <<EOF\nprint(1)\nEOF\n')).toBe(true);
    expect(holdsInlinePython("python3 <<'EOF'\nprint(1)\nEOF\n")).toBe(true);
    expect(holdsInlinePython('python train.py --model acme/x\n')).toBe(false);
    expect(holdsInlinePython('pythonic -c "x"\n')).toBe(false);
  });
});
