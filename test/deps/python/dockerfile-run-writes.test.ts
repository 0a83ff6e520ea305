import { describe, expect, it } from 'vitest';
import { runWrites } from '../../../src/deps/parsers/python/dockerfile-run-writes.js';

/** The files a RUN's commands write, as `path how[ read]` (read: a later command of the RUN names it). */
const writes = (run: string, workdir: string | null = '/w') =>
  runWrites(run, workdir ?? undefined).map((w) => `${w.path} ${w.how}${w.readAfter ? ' read' : ''}`);

// The shell opens each redirection's file; sed -i, tee, cp and a download write the files they name.
describe('runWrites', () => {
  it.each([
    ['echo "evil==1" >> r.txt', ['/w/r.txt changes']],
    ['pip freeze > /tmp/r.txt', ['/tmp/r.txt writes']],
    ['pip freeze >|r.txt 2>&1', ['/w/r.txt writes']],
    ["sed -i 's/a/b/' r.txt && pip install -r r.txt", ['/w/r.txt changes read']],
    ['cat extra.txt | tee -a ../r.txt', ['/r.txt changes']],
    ['cp ci/r.txt /srv/', ['/srv writes', '/srv/r.txt writes']],
    [
      'curl -fsSL -o r.txt https://x.example/r.txt; wget --output-document=/o.txt https://x',
      ['/w/r.txt writes', '/o.txt writes'],
    ],
    // A descriptor, a variable, a device or a glob names no file it can place.
    ['pip install -r r.txt 2>&1 >/dev/null', []],
    ['echo x >> "$OUT"', []],
    ['cat r*.txt > all.txt', ['/w/all.txt writes']],
  ])('%s', (run, want) => {
    expect(writes(run)).toEqual(want);
  });

  it('places no relative file without a WORKDIR', () => {
    expect(writes('echo x >> r.txt', null)).toEqual([]);
    expect(writes('echo x >> /r.txt', null)).toEqual(['/r.txt changes']);
  });
});

describe('runWrites on a hostile RUN', () => {
  // Thousands of redirections, each to its own file: each later command is not searched again per write.
  it('reads 20,000 writes in one pass', () => {
    const run = Array.from({ length: 20_000 }, (_, i) => `echo x >> f${i}.txt`).join(' && ');
    const got = runWrites(run, '/w');
    expect(got).toHaveLength(20_000);
    expect(got.some((w) => w.readAfter)).toBe(false);
  });
});
