import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * ARCHITECTURE.md: tokens and credentials never appear in output. A repository is untrusted input, and its URLs can
 * carry `user:password@` or `?token=` (red-team round 2, item 3): whichever reader or rule quotes such a URL, every
 * report format must show it without the secret, and still say which host it names.
 */
const SECRETS = {
  npmrcScope: 'SECRETNPMRCPASS0002',
  npmrcRegistry: 'SECRETNPMRCREG0005',
  pyUrl: 'SECRETPYURL0024',
  pyQuery: 'SECRETPYQUERY0031',
  pyPresignedKey: 'AKIASECRETPRESIGNED0035',
  pyPresignedSig: 'SECRETPRESIGNEDSIG0036',
  reqIndex: 'SECRETREQ0011',
  reqUrl: 'SECRETREQURL0013',
  reqQuery: 'SECRETREQQUERY0032',
  dockerWget: 'SECRETDOCKERWGET0033',
  dockerWgetQuery: 'SECRETDOCKERSIG0034',
  dockerGit: 'ghp_SECRETDOCKERGIT0018aaaaaaaaaaaaaaaaaa',
  lockBasic: 'SECRETLOCKBASIC0026',
  lockCorp: 'SECRETLOCKCORP0027',
  lockQuery: 'SECRETLOCKQUERY0029',
} as const;

const INTEGRITY = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQ9bN8xrmk/5anx0lHStWBTsr9dAvZ9+dRKeSZpGtl0cYTTA==';

const TREE = {
  '.npmrc': [
    `@corp:registry=https://user:${SECRETS.npmrcScope}@npm.corp.example/`,
    `registry=https://tok:${SECRETS.npmrcRegistry}@registry.evil.example/`,
    '',
  ].join('\n'),
  'app.py': [
    'from transformers import AutoModel',
    `m = AutoModel.from_pretrained("https://u:${SECRETS.pyUrl}@huggingface.co/org/model7")`,
    `m2 = AutoModel.from_pretrained("https://huggingface.co/org/model8?access_token=${SECRETS.pyQuery}")`,
    'import torch',
    // An S3 presigned URL (SigV4 query string): the access key id is in X-Amz-Credential, beside the signature.
    `w = torch.hub.load_state_dict_from_url("https://bucket.s3.amazonaws.com/m.pt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${SECRETS.pyPresignedKey}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SECRETS.pyPresignedSig}")`,
    '',
  ].join('\n'),
  'requirements.txt': [
    `--index-url https://user:${SECRETS.reqIndex}@pypi.corp.example/simple`,
    `mypkg @ https://${SECRETS.reqUrl}@files.corp.example/mypkg-1.0.tar.gz`,
    `other @ https://files.corp.example/other-1.0.tar.gz?token=${SECRETS.reqQuery}`,
    '',
  ].join('\n'),
  Dockerfile: [
    'FROM python:3.11@sha256:' + 'a'.repeat(64),
    `RUN wget https://u:${SECRETS.dockerWget}@models.corp.example/model.bin`,
    `RUN wget "https://models.corp.example/model2.bin?sig=${SECRETS.dockerWgetQuery}&se=2030"`,
    `RUN git clone https://${SECRETS.dockerGit}@huggingface.co/org/model2`,
    '',
  ].join('\n'),
  'package.json': JSON.stringify({ name: 't', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }),
  'package-lock.json': JSON.stringify(
    {
      name: 't',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 't', version: '1.0.0', dependencies: { 'left-pad': '1.3.0', '@corp/x': '1.0.0', tokq: '1.0.0' } },
        'node_modules/left-pad': {
          version: '1.3.0',
          resolved: `https://u:${SECRETS.lockBasic}@registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz`,
          integrity: INTEGRITY,
        },
        'node_modules/@corp/x': {
          version: '1.0.0',
          resolved: `http://tok:${SECRETS.lockCorp}@npm.corp.example/@corp/x/-/x-1.0.0.tgz`,
        },
        'node_modules/tokq': {
          version: '1.0.0',
          resolved: `https://registry.npmjs.org/tokq/-/tokq-1.0.0.tgz?token=${SECRETS.lockQuery}`,
          integrity: INTEGRITY,
        },
      },
    },
    null,
    2,
  ),
};

const FORMATS = ['text', 'json', 'sarif', 'cyclonedx', 'markdown'] as const;
const tree = tempTrees('chainproof-credentials-');

describe('credentials in scanned URLs never reach a report', () => {
  let dir = '';
  const reports: Record<string, string> = {};
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    dir = tree(TREE);
    const out = tree({});
    const args = ['scan', dir, '--offline', '--no-cache', '--fail-on', 'none'];
    for (const f of FORMATS) args.push('-f', `${f}=${path.join(out, `report.${f}`)}`);
    const r = await runMain(args, { cwd: REPO });
    stdout = r.stdout;
    stderr = r.stderr;
    if (r.code !== 0) throw new Error(`chainproof exited ${r.code}: ${r.stderr}`);
    for (const f of FORMATS) reports[f] = readFileSync(path.join(out, `report.${f}`), 'utf8');
  }, 120_000);

  it.each(FORMATS)('%s holds no secret', (format) => {
    const text = reports[format]!;
    expect(text.length).toBeGreaterThan(0);
    expect(Object.values(SECRETS).filter((s) => text.includes(s))).toEqual([]);
  });

  it('stdout and stderr hold no secret', () => {
    expect(Object.values(SECRETS).filter((s) => stdout.includes(s) || stderr.includes(s))).toEqual([]);
  });

  it('the .npmrc registry findings still name their hosts, with the credentials masked', () => {
    const json = JSON.parse(reports['json']!) as { findings: { ruleId: string; message: string }[] };
    const cpd134 = json.findings.filter((f) => f.ruleId === 'CPD134').map((f) => f.message);
    expect(cpd134.some((m) => m.includes('https://***@npm.corp.example/'))).toBe(true);
    expect(cpd134.some((m) => m.includes('https://***@registry.evil.example/'))).toBe(true);
    expect(reports['text']).toContain('https://***@npm.corp.example/');
    expect(reports['markdown']).toContain('npm.corp.example');
    expect(reports['sarif']).toContain('https://***@registry.evil.example/');
  });

  it('the Python hub URL reference keeps its host and path', () => {
    const json = JSON.parse(reports['json']!) as { references?: { url?: string }[] };
    const urls = (json.references ?? []).map((r) => r.url).filter((u) => u !== undefined);
    expect(urls).toContain('https://***@huggingface.co/org/model7');
    expect(reports['cyclonedx']).toContain('huggingface.co/org/model7');
  });

  it('a presigned URL keeps its host and path, with its access key and signature masked', () => {
    expect(reports['text']).toContain(
      'https://bucket.s3.amazonaws.com/m.pt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=***&X-Amz-Signature=***',
    );
  });
});
