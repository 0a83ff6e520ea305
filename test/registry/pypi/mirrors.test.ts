import type { ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/cli.js';
import { mirrorServers, simpleHtml } from './mirror-server.js';

const start = mirrorServers();
const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const WHEEL = 'django-4.2.1-py3-none-any.whl';

interface Report {
  summary: { verified: number; failed: number; unverifiable: number };
  findings: { ruleId: string; message: string; evidence?: Record<string, unknown> }[];
  verifications: { key: string; status: string; detail?: string }[];
}

/** A pylock.toml of wheels from `index`, each pinned by file name and sha256. */
async function pylock(
  index: string,
  pins: readonly { name: string; version: string; sha256: string }[],
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-mirror-'));
  const lines = ['lock-version = "1.0"', 'created-by = "test"', ''];
  for (const p of pins) {
    const file = `${p.name}-${p.version}-py3-none-any.whl`;
    lines.push('[[packages]]', `name = "${p.name}"`, `version = "${p.version}"`, `index = "${index}"`);
    lines.push(`wheels = [{ url = "${index}../files/${file}", hashes = { sha256 = "${p.sha256}" } }]`, '');
  }
  await writeFile(path.join(dir, 'pylock.toml'), lines.join('\n'));
  return dir;
}

/** A PEP 691 page listing each file with the given `hashes`. */
function jsonPage(files: readonly { filename: string; hashes: Record<string, string> }[]): string {
  return JSON.stringify({
    meta: { 'api-version': '1.1' },
    files: files.map((f) => ({ ...f, url: `/files/${f.filename}`, yanked: false })),
  });
}

/** The scanned project's policy: PEP 740 provenance required of every Python package, from any publisher. */
async function requireProvenance(dir: string): Promise<string> {
  await mkdir(path.join(dir, '.chainproof'));
  const policy = ['version: 1', 'dependencies:', '  python:', '    requireProvenance:', "      - packages: ['*']"];
  await writeFile(path.join(dir, '.chainproof', 'policy.yml'), [...policy, '        publishers: []', ''].join('\n'));
  return dir;
}

/** A requirements file pinning each `name==version` to `sha256:<hash>`. */
async function project(pins: readonly { name: string; version: string; sha256: string }[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-mirror-'));
  const lines = pins.map((p) => `${p.name}==${p.version} --hash=sha256:${p.sha256}`);
  await writeFile(path.join(dir, 'requirements.txt'), `${lines.join('\n')}\n`);
  return dir;
}

/**
 * `chainproof scan`, online, with pip's index variable pointing at the loopback index: in-process (runMain sets the
 * variable for the call); test/cli/e2e.test.ts runs the built CLI end to end.
 */
async function scan(dir: string, indexUrl: string, env: Record<string, string> = {}): Promise<Report> {
  const run = await runMain(['scan', dir, '--format', 'json', '--no-cache', '--fail-on', 'none'], {
    env: { PIP_INDEX_URL: indexUrl, ...env },
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

/** The index's answers only: a loopback index is plain http, which the offline rule CPP013 reports. */
const rules = (r: Report) =>
  r.findings
    .map((f) => f.ruleId)
    .filter((id) => id !== 'CPP013')
    .sort();

describe('an index that serves only the PEP 503 HTML simple API (pip index/collector.py parse_links)', () => {
  it.each([
    { name: 'text/html', type: 'text/html; charset=utf-8' },
    { name: 'application/vnd.pypi.simple.v1+html', type: 'application/vnd.pypi.simple.v1+html' },
  ])('$name page with #sha256= fragments: verified, as pip reads it', async ({ type }) => {
    const { base, seen } = await start((_req, res, url) => {
      if (url.pathname !== '/simple/django/') {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': type });
      res.end(
        simpleHtml([`<a href="../../packages/ab/${WHEEL}#sha256=${SHA}" data-requires-python="&gt;=3.8">${WHEEL}</a>`]),
      );
    });
    const r = await scan(await project([{ name: 'Django', version: '4.2.1', sha256: SHA }]), `${base}/simple/`);
    expect(rules(r)).toEqual([]);
    expect(r.summary).toMatchObject({ verified: 1, failed: 0, unverifiable: 0 });
    // Asked as pip asks: JSON preferred, HTML accepted.
    expect(seen[0]!.accept).toContain('text/html');
  });

  it('a locked hash the HTML page does not list is CPP054', async () => {
    const { base } = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(simpleHtml([`<a href="/packages/${WHEEL}#sha256=${OTHER}">${WHEEL}</a>`]));
    });
    const r = await scan(await project([{ name: 'django', version: '4.2.1', sha256: SHA }]), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP054']);
    expect(r.summary.failed).toBe(1);
  });

  it('a yanked file (data-yanked) is CPP076', async () => {
    const { base } = await start((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(simpleHtml([`<a href="/p/${WHEEL}#sha256=${SHA}" data-yanked="broken &amp; insecure">${WHEEL}</a>`]));
    });
    const r = await scan(await project([{ name: 'django', version: '4.2.1', sha256: SHA }]), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP076']);
    expect(r.findings.find((f) => f.ruleId === 'CPP076')!.evidence?.reason).toBe('broken & insecure');
  });
});

describe('an index that lists the locked files without a digest to compare (never a pass, one cause per index)', () => {
  const PINS = ['alpha', 'beta', 'gamma'].map((name) => ({ name, version: '1.0', sha256: SHA }));
  const files = (url: URL) => {
    const name = url.pathname.split('/')[2]!;
    return [`${name}-1.0-py3-none-any.whl`];
  };
  it.each([
    {
      name: 'PEP 691 JSON with empty hashes, pins by file name (pylock)',
      lock: 'pylock' as const,
      page: (url: URL) => jsonPage(files(url).map((filename) => ({ filename, hashes: {} }))),
      type: 'application/vnd.pypi.simple.v1+json',
    },
    {
      name: 'PEP 691 JSON with md5 only, --hash=sha256 pins (requirements)',
      lock: 'requirements' as const,
      page: (url: URL) => jsonPage(files(url).map((filename) => ({ filename, hashes: { md5: 'c'.repeat(32) } }))),
      type: 'application/vnd.pypi.simple.v1+json',
    },
    {
      name: 'PEP 503 HTML links without a #sha256= fragment (requirements)',
      lock: 'requirements' as const,
      page: (url: URL) => simpleHtml(files(url).map((f) => `<a href="/files/${f}">${f}</a>`)),
      type: 'text/html',
    },
  ])('$name: one CPP090 with the count, every package unverifiable', async ({ lock, page, type }) => {
    const { base } = await start((_req, res, url) => {
      res.writeHead(200, { 'content-type': type });
      res.end(page(url));
    });
    const index = `${base}/simple/`;
    const dir = lock === 'pylock' ? await pylock(index, PINS) : await project(PINS);
    const r = await scan(dir, index);
    expect(rules(r)).toEqual(['CPP090']);
    expect(r.findings.find((f) => f.ruleId === 'CPP090')!.evidence).toMatchObject({
      count: 3,
      packages: 'alpha==1.0 beta==1.0 gamma==1.0',
    });
    expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 3 });
  });
});

describe('an index that redirects (requests SessionRedirectMixin: credentials stay on the index origin)', () => {
  const page = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(simpleHtml([`<a href="/files/${WHEEL}#sha256=${SHA}">${WHEEL}</a>`]));
  };
  const TOKEN = 'hunter2-index-secret';

  it('to a path of its own origin (devpi /+simple/ → /simple/): followed with the credentials; verified', async () => {
    const { base, seen } = await start((_req, res, url) => {
      if (url.pathname.startsWith('/root/+simple/')) {
        res.writeHead(301, { location: url.pathname.replace('/root/+simple/', '/simple/') }).end();
        return;
      }
      page(res);
    });
    const index = `${base.replace('//', `//ci:${TOKEN}@`)}/root/+simple/`;
    const r = await scan(await project([{ name: 'django', version: '4.2.1', sha256: SHA }]), index);
    expect(r.summary).toMatchObject({ verified: 1, unverifiable: 0 });
    expect(seen.map((s) => s.path)).toEqual(['/root/+simple/django/', '/simple/django/']);
    expect(seen.every((s) => s.authorization === `Basic ${Buffer.from(`ci:${TOKEN}`).toString('base64')}`)).toBe(true);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('to another host: followed without the credentials, which never reach it; verified', async () => {
    const cdn = await start((_req, res) => page(res));
    const { base } = await start((_req, res, url) => {
      res.writeHead(302, { location: `${cdn.base}/pages${url.pathname}` }).end();
    });
    const index = `${base.replace('//', `//ci:${TOKEN}@`)}/simple/`;
    const r = await scan(await project([{ name: 'django', version: '4.2.1', sha256: SHA }]), index);
    expect(r.summary).toMatchObject({ verified: 1, unverifiable: 0 });
    expect(cdn.seen.map((s) => [s.path, s.authorization])).toEqual([['/pages/simple/django/', undefined]]);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('in a loop: unverifiable, one CPP056, no endless requests', async () => {
    const { base, seen } = await start((_req, res, url) => {
      res.writeHead(307, { location: url.pathname }).end();
    });
    const r = await scan(await project([{ name: 'django', version: '4.2.1', sha256: SHA }]), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP056']);
    expect(r.summary.unverifiable).toBe(1);
    expect(seen.length).toBeLessThan(30);
  });
});

describe('an index that has none of the packages (wrong URL, or hidden from these credentials)', () => {
  const PINS = ['alpha', 'beta', 'gamma'].map((name) => ({ name, version: '1.0', sha256: SHA }));
  const serveOnly = (names: readonly string[]) =>
    start((_req, res, url) => {
      const name = url.pathname.split('/')[2] ?? '';
      if (!names.includes(name)) {
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
        return;
      }
      const file = `${name}-1.0-py3-none-any.whl`;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(simpleHtml([`<a href="/f/${file}#sha256=${SHA}">${file}</a>`]));
    });

  it('404 for every project: one CPP091 with the count, not one CPP051 per package', async () => {
    const { base } = await serveOnly([]);
    const r = await scan(await project(PINS), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP091']);
    expect(r.findings.find((f) => f.ruleId === 'CPP091')!.evidence).toMatchObject({ count: 3 });
    expect(r.summary).toMatchObject({ verified: 0, failed: 3 });
  });

  it('an index that has the others: the missing one stays its own CPP051', async () => {
    const { base } = await serveOnly(['alpha', 'gamma']);
    const r = await scan(await project(PINS), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP051']);
    expect(r.summary).toMatchObject({ verified: 2, failed: 1 });
  });
});

describe('a private index that refuses the scan (401/403, as it would refuse pip with the same configuration)', () => {
  const PINS = ['alpha', 'beta', 'gamma'].map((name) => ({ name, version: '1.0', sha256: SHA }));
  const TOKEN = 'hunter2-expired-token';
  const refusing = (status: number) =>
    start((_req, res) => {
      res.writeHead(status, { 'www-authenticate': 'Basic realm="pypi"' }).end('denied');
    });

  it.each([401, 403])(
    '%i to the credentials sent: one CPP056 saying so, naming where pip reads them',
    async (status) => {
      const { base, seen } = await refusing(status);
      const r = await scan(await project(PINS), `${base.replace('//', `//ci:${TOKEN}@`)}/simple/`);
      expect(rules(r)).toEqual(['CPP056']);
      const f = r.findings.find((x) => x.ruleId === 'CPP056')!;
      expect(f.evidence).toMatchObject({ count: 3 });
      expect(f.message).toContain(`refused the scan (HTTP ${status} from`);
      expect(f.message).toContain('refused the credentials configured for it');
      expect(f.message).toContain('~/.netrc');
      expect(f.message).not.toContain('connectivity');
      expect(seen.every((s) => s.authorization !== undefined)).toBe(true);
      expect(JSON.stringify(r)).not.toContain(TOKEN);
      expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 3 });
    },
  );

  it('401 with no credentials configured says none were', async () => {
    const { base } = await refusing(401);
    const r = await scan(await project(PINS), `${base}/simple/`);
    const f = r.findings.find((x) => x.ruleId === 'CPP056')!;
    expect(f.message).toContain('the index wants credentials and none are configured for it');
  });
});

describe("a requirements file's --index-url with credentials from the environment (pip req_file expand_env_variables)", () => {
  const TOKEN = 'hunter2-from-the-ci-secret';
  const basic = `Basic ${Buffer.from(`ci:${TOKEN}`).toString('base64')}`;
  const guarded = () =>
    start((req, res) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="pypi"' }).end('denied');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(simpleHtml([`<a href="/files/${WHEEL}#sha256=${SHA}">${WHEEL}</a>`]));
    });
  const withIndexLine = async (line: string) => {
    const dir = await project([{ name: 'django', version: '4.2.1', sha256: SHA }]);
    const file = path.join(dir, 'requirements.txt');
    await writeFile(file, `${line}\n${await readFile(file, 'utf8')}`);
    return dir;
  };

  it('${NAME} in the userinfo is sent as the variable holds it, to that index only; never printed', async () => {
    const { base, seen } = await guarded();
    const dir = await withIndexLine(`--index-url ${base.replace('//', '//ci:${PYPI_TOKEN}@')}/simple/`);
    const r = await scan(dir, `${base}/simple/`, { PYPI_TOKEN: TOKEN });
    expect(r.summary).toMatchObject({ verified: 1, unverifiable: 0 });
    expect(seen.map((s) => s.authorization)).toEqual([basic]);
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('an unset variable stays as written, as pip leaves it: refused, one CPP056 naming it', async () => {
    const { base } = await guarded();
    const dir = await withIndexLine(`--index-url ${base.replace('//', '//ci:${PYPI_TOKEN}@')}/simple/`);
    const r = await scan(dir, `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP056']);
    expect(r.findings.find((f) => f.ruleId === 'CPP056')!.message).toContain(
      "which name ${PYPI_TOKEN}, unset in the scan's environment",
    );
    expect(r.summary).toMatchObject({ verified: 0, unverifiable: 1 });
  });
});

describe('a mirror that passes PEP 740 provenance URLs through but serves no Integrity API', () => {
  it('every attestation 404: one CPP092 with the count, the packages unverifiable, never verified', async () => {
    const { base, seen } = await start((_req, res, url) => {
      const name = url.pathname.split('/')[2] ?? '';
      if (!url.pathname.startsWith('/simple/')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      const filename = `${name}-1.0-py3-none-any.whl`;
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(
        JSON.stringify({
          meta: { 'api-version': '1.3' },
          files: [
            {
              filename,
              url: `/files/${filename}`,
              hashes: { sha256: SHA },
              yanked: false,
              provenance: `https://pypi.org/integrity/${name}/1.0/${filename}/provenance`,
            },
          ],
        }),
      );
    });
    const PINS = ['alpha', 'beta'].map((name) => ({ name, version: '1.0', sha256: SHA }));
    const r = await scan(await pylock(`${base}/simple/`, PINS), `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP092']);
    expect(r.findings.find((f) => f.ruleId === 'CPP092')!.evidence).toMatchObject({ count: 2 });
    expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 2 });
    // Asked of the index itself, never of the host the page names.
    expect(seen.filter((s) => s.path.startsWith('/integrity/'))).toHaveLength(2);
  });
});

describe('a private index whose PEP 740 Integrity API fails (pip never asks it: index/collector.py reads only the pages)', () => {
  it('answering 500 on /integrity/ never stops the simple pages being asked: every package verified, no CPP056', async () => {
    const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
    const { base, seen } = await start((_req, res, url) => {
      if (!url.pathname.startsWith('/simple/')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      const name = url.pathname.split('/')[2]!;
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(jsonPage([{ filename: `${name}-1.0-py3-none-any.whl`, hashes: { sha256: SHA } }]));
    });
    const r = await scan(
      await project(NAMES.map((name) => ({ name, version: '1.0', sha256: SHA }))),
      `${base}/simple/`,
    );
    expect(rules(r)).toEqual([]);
    expect(r.summary).toMatchObject({ verified: NAMES.length, failed: 0, unverifiable: 0 });
    const pages = seen.filter((s) => s.path.startsWith('/simple/')).map((s) => s.path);
    expect(pages.sort()).toEqual(NAMES.map((n) => `/simple/${n}/`).sort());
  });
});

describe('an index whose Integrity API does not answer while provenance is required (an outage, not a missing attestation)', () => {
  const NAMES = ['alpha', 'beta', 'gamma'];
  const serve = (provenance: (name: string, file: string) => string | undefined) =>
    start((_req, res, url) => {
      if (!url.pathname.startsWith('/simple/')) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      const name = url.pathname.split('/')[2]!;
      const filename = `${name}-1.0-py3-none-any.whl`;
      const listed = provenance(name, filename);
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(
        JSON.stringify({
          meta: { 'api-version': '1.3' },
          files: [
            {
              filename,
              url: `/files/${filename}`,
              hashes: { sha256: SHA },
              yanked: false,
              ...(listed !== undefined ? { provenance: listed } : {}),
            },
          ],
        }),
      );
    });

  it.each([
    { name: 'a page that does not say (no provenance key)', provenance: () => undefined },
    {
      name: 'a page that lists a provenance URL on the index',
      provenance: (name: string, file: string) => `/integrity/${name}/1.0/${file}/provenance`,
    },
  ])('$name: one CPP056 with the count, every package unverifiable, no CPP065 or CPP092', async ({ provenance }) => {
    const { base } = await serve(provenance);
    const dir = await requireProvenance(await project(NAMES.map((name) => ({ name, version: '1.0', sha256: SHA }))));
    const r = await scan(dir, `${base}/simple/`);
    expect(rules(r)).toEqual(['CPP056']);
    const cause = r.findings.find((f) => f.ruleId === 'CPP056')!;
    expect(cause.evidence).toMatchObject({ count: 3 });
    expect(String(cause.evidence?.reason)).toContain('/integrity/');
    expect(r.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 3 });
  });
});
