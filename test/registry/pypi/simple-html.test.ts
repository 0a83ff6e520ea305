import { describe, expect, it } from 'vitest';
import { parseSimpleHtml } from '../../../src/registry/pypi/simple-html.js';

const PAGE = 'https://mirror.example/root/pypi/+simple/demo/';
const H = 'ab'.repeat(32);

describe('PEP 503 pages read as pip reads them (HTMLLinkParser + Link.from_element)', () => {
  it.each([
    {
      name: 'relative href, sha256 fragment, anchor text ignored for the file name',
      html: `<a href="../../+f/1/demo-1.0.tar.gz#sha256=${H.toUpperCase()}">whatever</a>`,
      want: {
        filename: 'demo-1.0.tar.gz',
        url: 'https://mirror.example/root/pypi/+f/1/demo-1.0.tar.gz',
        hashes: { sha256: H },
      },
    },
    {
      name: '<base href> resolves later hrefs; unquoted attributes; upper-case tag and attribute names',
      html: `<BASE HREF=https://files.example/x/><A HREF=demo-1.0-py3-none-any.whl#md5=${'c'.repeat(32)}>w</A>`,
      want: {
        filename: 'demo-1.0-py3-none-any.whl',
        url: 'https://files.example/x/demo-1.0-py3-none-any.whl',
        hashes: { md5: 'c'.repeat(32) },
      },
    },
    {
      name: 'character references in href and a percent-encoded file name',
      html: `<a href='/p/demo%2B1-1.0.zip?a=1&amp;b=2#sha256=${H}'>x</a>`,
      want: {
        filename: 'demo+1-1.0.zip',
        url: 'https://mirror.example/p/demo%2B1-1.0.zip?a=1&b=2',
        hashes: { sha256: H },
      },
    },
    {
      name: 'an unknown or non-hex fragment is no hash',
      html: `<a href="/p/demo-1.0.zip#egg=demo">x</a><a href="/p/demo-1.1.zip#sha256=zz">y</a>`,
      want: { filename: 'demo-1.0.zip', hashes: {} },
    },
    {
      name: 'data-yanked with and without a reason, data-provenance',
      html: `<a href="/p/demo-1.0.zip" data-yanked="">x</a><a href="/p/demo-1.1.zip" data-yanked="bad &lt;1&gt;" data-provenance="/integrity/demo/1.1/demo-1.1.zip/provenance">y</a>`,
      want: { filename: 'demo-1.0.zip', yanked: '', provenance: null },
    },
  ])('$name', ({ html, want }) => {
    const files = parseSimpleHtml(html, PAGE).files;
    expect(files[0]).toMatchObject(want);
  });

  it('data-yanked reason and data-provenance URL of the second anchor', () => {
    const files = parseSimpleHtml(
      `<a href="/p/demo-1.1.zip" data-yanked="bad &lt;1&gt;" data-provenance="/integrity/demo/1.1/demo-1.1.zip/provenance">y</a>`,
      PAGE,
    ).files;
    expect(files).toEqual([
      {
        filename: 'demo-1.1.zip',
        url: 'https://mirror.example/p/demo-1.1.zip',
        hashes: {},
        yanked: 'bad <1>',
        provenance: 'https://mirror.example/integrity/demo/1.1/demo-1.1.zip/provenance',
      },
    ]);
  });

  it('anchors in comments and scripts, and anchors without href, are not files', () => {
    const html = `<!-- <a href="/p/hidden-1.0.zip">h</a> --><script>var s = '<a href="/p/script-1.0.zip">';</script><a name="top">t</a><a href="/p/demo-1.0.zip">d</a><abbr href="/p/abbr-1.0.zip">a</abbr>`;
    expect(parseSimpleHtml(html, PAGE).files.map((f) => f.filename)).toEqual(['demo-1.0.zip']);
  });

  it('truncated or hostile markup ends the parse without throwing', () => {
    for (const html of [
      '<a href="/p/x-1.zip',
      '<a href=',
      '<a',
      '<!-- never closed <a href="/p/y-1.zip">',
      `<a "=' x=">`,
    ])
      expect(() => parseSimpleHtml(html, PAGE)).not.toThrow();
    const big = `<a href="/p/demo-1.0.zip" ${'x '.repeat(200_000)}>`;
    expect(parseSimpleHtml(big, PAGE).files).toHaveLength(1);
  });
});
