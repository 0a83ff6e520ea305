import { describe, expect, it } from 'vitest';
import type { ModelReference } from '../../src/core/records.js';
import { redactResult, redactStrings } from '../../src/report/redact.js';
import { reporterFor } from '../../src/report/reporters.js';
import { FORMATS } from '../../src/report/formats.js';
import { finding, makeResult, pkg, sampleResult } from '../action/helpers.js';

describe('redactStrings', () => {
  it.each([
    {
      name: 'https user and password',
      input: 'to https://u:pw1234@npm.corp.example/',
      want: 'to https://***@npm.corp.example/',
    },
    { name: 'token as the user', input: 'https://ghp_abcd1234@github.com/o/r', want: 'https://***@github.com/o/r' },
    {
      name: 'git+ssh user (as the lockfile checks)',
      input: 'git+ssh://git@github.com/o/r.git',
      want: 'git+ssh://***@github.com/o/r.git',
    },
    { name: 'scp-style SSH address kept', input: 'git@github.com:org/repo.git', want: 'git@github.com:org/repo.git' },
    { name: 'access_token query', input: 'https://h/m?access_token=abcd1234', want: 'https://h/m?access_token=***' },
    {
      name: 'SAS sig among others',
      input: 'https://h/b?sv=1&sig=abcd1234&se=2',
      want: 'https://h/b?sv=1&sig=***&se=2',
    },
    { name: 'plain query kept', input: 'https://h/m?revision=main', want: 'https://h/m?revision=main' },
    {
      name: 'npm scope kept',
      input: 'https://registry.npmjs.org/@scope/pkg',
      want: 'https://registry.npmjs.org/@scope/pkg',
    },
    { name: 'already redacted', input: 'https://***@h/?token=***', want: 'https://***@h/?token=***' },
  ])('$name', ({ input, want }) => {
    expect(redactStrings(input)).toBe(want);
  });

  it('returns the same object when nothing changes, a copy when something does', () => {
    const clean = { a: 'https://h/x', b: [1, 'y'], c: { d: true } };
    expect(redactStrings(clean)).toBe(clean);
    const dirty = { a: 'https://h/x', b: [1, 'https://u:p@h/'], c: { d: true } };
    const out = redactStrings(dirty);
    expect(out).toEqual({ a: 'https://h/x', b: [1, 'https://***@h/'], c: { d: true } });
    expect(out.c).toBe(dirty.c);
    expect(dirty.b[1]).toBe('https://u:p@h/');
  });
});

const SECRET = 'hunter2SECRET';

/** A finding as DeferredFinding is: a class whose text is made when read, not own data properties. */
class GetterFinding {
  readonly ruleId = 'CPD134';
  readonly level = 'error' as const;
  readonly fingerprint = 'f'.repeat(32);
  readonly location = { path: '.npmrc', line: 1 };
  get message(): string {
    return `.npmrc:1 sets registry to https://tok:${SECRET}@registry.evil.example/`;
  }
  get evidence() {
    return { key: 'registry', value: `https://tok:${SECRET}@registry.evil.example/` };
  }
}

function reference(url: string): ModelReference {
  return {
    path: 'app.py',
    line: 2,
    column: 5,
    via: 'AutoModel.from_pretrained',
    hub: 'huggingface',
    repoId: 'org/model7',
    url,
    revisionKind: 'none',
    runsRemoteCode: false,
  };
}

describe('redactResult', () => {
  it('leaves a result without credentials as it was: messages, evidence and fingerprints', () => {
    const result = sampleResult();
    const out = redactResult(result);
    expect(JSON.parse(JSON.stringify(out.findings))).toEqual(JSON.parse(JSON.stringify(result.findings)));
    expect(out.findings.map((f) => f.fingerprint)).toEqual(result.findings.map((f) => f.fingerprint));
    expect(out.models).toBe(result.models);
    expect(out.verifications).toBe(result.verifications);
    for (const format of FORMATS)
      expect(reporterFor(format).render(out, { toolVersion: '0', color: false })).toBe(
        reporterFor(format).render(result, { toolVersion: '0', color: false }),
      );
  });

  it('is computed once per result, and a redacted result redacts to itself', () => {
    const result = sampleResult();
    expect(redactResult(result)).toBe(redactResult(result));
    expect(redactResult(redactResult(result))).toBe(redactResult(result));
  });

  it('masks findings read through getters, references, graphs and notifications in every format', () => {
    const plain = finding({
      ruleId: 'CPR001',
      level: 'warning',
      message: `loads https://u:${SECRET}@huggingface.co/org/model7`,
      location: { path: 'app.py', line: 2 },
      evidence: { url: `https://u:${SECRET}@huggingface.co/org/model7`, count: 1 },
    });
    const base = makeResult({
      findings: [plain],
      graphs: [
        {
          lockfile: 'package-lock.json',
          kind: 'npm',
          ecosystem: 'npm',
          formatVersion: '3',
          packages: [pkg({ name: 'x', version: '1.0.0', resolved: `https://t:${SECRET}@npm.corp.example/x.tgz` })],
          importers: {},
        },
      ],
      notifications: [{ level: 'warning', message: `cannot reach https://u:${SECRET}@npm.corp.example/` }],
    });
    const result = {
      ...base,
      findings: [...base.findings, new GetterFinding() as unknown as (typeof base.findings)[number]],
      references: [reference(`https://u:${SECRET}@huggingface.co/org/model7`)],
    };
    const out = redactResult(result);
    expect(out.findings[1]!.message).toContain('https://***@registry.evil.example/');
    expect(out.findings[1]!.evidence).toEqual({ key: 'registry', value: 'https://***@registry.evil.example/' });
    expect(out.findings[0]!.evidence).toEqual({ url: 'https://***@huggingface.co/org/model7', count: 1 });
    expect(out.findings[0]!.fingerprint).toBe(plain.fingerprint);
    expect(out.references?.[0]?.url).toBe('https://***@huggingface.co/org/model7');
    for (const format of FORMATS) {
      const text = reporterFor(format).render(result, { toolVersion: '0', color: false });
      expect(text, format).not.toContain(SECRET);
    }
  });
});
