import { describe, expect, it } from 'vitest';
import { runHeredocFiles } from '../../../src/deps/parsers/python/dockerfile-heredocs.js';

/** The files a `RUN` instruction (its first line is line 1) writes from heredocs, as `path:from-to`; null: no WORKDIR. */
function written(dockerfileLines: readonly string[], workdir: string | null = '/w'): string[] | undefined {
  const rest = dockerfileLines[0]!.replace(/^RUN\s+/, '');
  return runHeredocFiles(rest, workdir ?? undefined, dockerfileLines, 0)?.map(
    (f) => `${f.path}:${f.body.from}-${f.body.to}`,
  );
}

// BuildKit's dispatchRun gives the shell the instruction with its heredocs' bodies: each is its command's stdin.
describe('runHeredocFiles', () => {
  it.each([
    [['RUN cat > /tmp/r.txt <<EOF', 'a', 'b', 'EOF'], ['/tmp/r.txt:2-3']],
    [["RUN cat <<'EOF' >r.txt && pip install -r r.txt", 'a', 'EOF'], ['/w/r.txt:2-2']],
    [['RUN --mount=type=cache,target=/c tee -- ../o.txt <<-X >/dev/null', '\ta', '\tX'], ['/o.txt:2-2']],
    [
      ['RUN /bin/cat >|a.txt 0<<A && cat > b.txt <<B', 'x', 'A', 'y', 'B'],
      ['/w/a.txt:2-2', '/w/b.txt:4-4'],
    ],
    // Appends, another descriptor, a cd first, a variable, an interpreter: nothing it can say the file holds.
    [['RUN cat >> r.txt <<EOF', 'a', 'EOF'], []],
    [['RUN tee -a r.txt <<EOF', 'a', 'EOF'], []],
    [['RUN cat 3<<EOF > r.txt', 'a', 'EOF'], []],
    [['RUN cd /x && cat > r.txt <<EOF', 'a', 'EOF'], []],
    [['RUN cat > "$OUT" <<EOF', 'a', 'EOF'], []],
    [['RUN python3 <<EOF > r.txt', 'print(1)', 'EOF'], []],
    [['RUN tee a.txt b.txt <<EOF', 'a', 'EOF'], []],
  ])('%j', (lines, want) => {
    expect(written(lines)).toEqual(want);
  });

  /** What a RUN's write leaves for its own installs and for later instructions, as `path own/later`. */
  const effect = (lines: readonly string[]) =>
    runHeredocFiles(lines[0]!.replace(/^RUN\s+/, ''), '/w', lines, 0)?.map((f) => `${f.path} ${f.own}/${f.later}`);

  // The shell runs a RUN's commands in order: pip reads the file as it is when `pip install` runs.
  it.each([
    [['RUN cat > r.txt <<EOF && pip install -r r.txt', 'a', 'EOF'], '/w/r.txt body/body'],
    [['RUN cat > r.txt <<EOF; pip install -r r.txt', 'a', 'EOF'], '/w/r.txt body/body'],
    [['RUN x && cat > r.txt <<EOF && pip install -r r.txt', 'a', 'EOF'], '/w/r.txt body/body'],
    // The install before the write reads what was there; later instructions read the body.
    [['RUN pip install -r r.txt && cat > r.txt <<EOF', 'a', 'EOF'], '/w/r.txt before/body'],
    // A write that may not run, or that a later command changes: nothing says what pip reads.
    [['RUN false && cat > r.txt <<EOF ; pip install -r r.txt', 'a', 'EOF'], '/w/r.txt unsure/unsure'],
    [['RUN test -f r.txt || cat > r.txt <<EOF', 'a', 'EOF'], '/w/r.txt unsure/unsure'],
    [['RUN cat > r.txt <<EOF && echo x >> r.txt && pip install -r r.txt', 'a', 'EOF'], '/w/r.txt unsure/unsure'],
    [['RUN cat > r.txt <<EOF; mv r.txt s.txt', 'a', 'EOF'], '/w/r.txt unsure/unsure'],
    [['RUN cat > r.txt <<EOF; sed -i s/a/b/ /w/r.txt', 'a', 'EOF'], '/w/r.txt unsure/unsure'],
  ])('%j', (lines, want) => {
    expect(effect(lines)).toEqual([want]);
  });

  // An install that reads `-r /dev/stdin` reads the heredoc its shell gives it as stdin, directly or through a pipe.
  it.each([
    [['RUN pip install -r /dev/stdin <<EOF', 'a', 'EOF'], ['/dev/stdin:2-2 stdin']],
    [["RUN cat <<'EOF' | uv pip install --system --requirement=/dev/stdin", 'a', 'EOF'], ['/dev/stdin:2-2 stdin']],
    // Not its stdin: another command's heredoc, or a cat that also reads a file.
    [['RUN cat <<EOF > r.txt | pip install -r /dev/stdin', 'a', 'EOF'], ['/w/r.txt:2-2']],
    [['RUN cat x.txt <<EOF | pip install -r /dev/stdin', 'a', 'EOF'], []],
    [['RUN python3 <<EOF', 'a', 'EOF'], []],
  ])('stdin: %j', (lines, want) => {
    const files = runHeredocFiles(lines[0]!.replace(/^RUN\s+/, ''), '/w', lines, 0);
    expect(files?.map((f) => `${f.path}:${f.body.from}-${f.body.to}${f.stdin === true ? ' stdin' : ''}`)).toEqual(want);
  });

  it('writes nothing it can place without a WORKDIR, and nothing from a body that does not close', () => {
    expect(written(['RUN cat > r.txt <<EOF', 'a', 'EOF'], null)).toEqual([]);
    expect(written(['RUN cat > /r.txt <<EOF', 'a'])).toBeUndefined();
  });
});
