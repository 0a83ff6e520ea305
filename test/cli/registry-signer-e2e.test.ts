import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

/**
 * A trusted-registry entry's `signer` is required of its files by `chainproof scan`, through the built binary, over
 * genuine model_signing signatures: v1.0.0-sigstore (keyless, stefanb@us.ibm.com at IBM's issuer) and
 * v1.0.0-elliptic-key (the corpus' test key).
 */
const MS = corpusPath('sigstore', 'model-signing');
const IBM = 'https://sigstore.verify.ibm.com/oauth2';
const STEFANB = `stefanb@us.ibm.com (issuer ${IBM})`;

interface Report {
  findings: { ruleId: string; location: { path: string }; message: string; evidence?: Record<string, unknown> }[];
  verifications: { key: string; status: string }[];
}

let root: string;
let emptyPolicy: string;
const sha256 = (rel: string) =>
  createHash('sha256')
    .update(readFileSync(path.join(root, rel)))
    .digest('hex');

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'cp-registry-signer-'));
  cpSync(path.join(MS, 'v1.0.0-sigstore'), path.join(root, 'models/bert'), { recursive: true });
  cpSync(path.join(MS, 'v1.0.0-elliptic-key'), path.join(root, 'models/keyed'), { recursive: true });
  writeFileSync(path.join(root, 'models/lone.bin'), 'not signed\n');
  mkdirSync(path.join(root, 'trusted-registry'));
  writeFileSync(
    path.join(root, 'chainproof.policy.yml'),
    [
      'version: 1',
      'signatures:',
      // The keyed model is model_signing's key method, which never logs (policies/examples/keyed-signing.yml).
      '  tlogThreshold: 0',
      '  timestampThreshold: 0',
      '  signers:',
      `    ibm: {kind: sigstore, issuer: "${IBM}", subject: stefanb@us.ibm.com}`,
      `    mallory: {kind: sigstore, issuer: "${IBM}", subject: mallory@us.ibm.com}`,
      `    ec-key: {kind: key, key: ${JSON.stringify(path.join(MS, 'keys/certificate/signing-key-pub.pem'))}}`,
      '',
    ].join('\n'),
  );
  emptyPolicy = path.join(root, 'no-signers.yml');
  writeFileSync(emptyPolicy, 'version: 1\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One entry per model, `signer` on line 6 of the first; `undefined` leaves an entry out. */
function writeRegistry(signers: { bert?: string; keyed?: string; lone?: string }): void {
  const entry = (name: string, signer: string, files: string[]) => [
    `  - name: acme/${name}`,
    '    revision: v1',
    `    source: https://example.com/acme/${name}`,
    `    signer: ${JSON.stringify(signer)}`,
    '    files:',
    ...files.flatMap((f) => [`      - path: ${f}`, `        sha256: ${sha256(f)}`]),
  ];
  const lines = ['version: 1', 'models:'];
  if (signers.bert !== undefined)
    lines.push(...entry('bert', signers.bert, ['models/bert/signme-1', 'models/bert/signme-2']));
  if (signers.keyed !== undefined) lines.push(...entry('keyed', signers.keyed, ['models/keyed/signme-1']));
  if (signers.lone !== undefined) lines.push(...entry('lone', signers.lone, ['models/lone.bin']));
  writeFileSync(path.join(root, 'trusted-registry/models.yml'), `${lines.join('\n')}\n`);
}

async function scan(...extra: string[]): Promise<{ code: number; report: Report | undefined; stderr: string }> {
  const r = await runCliAsync(['scan', root, '--offline', '--no-cache', '--format', 'json', ...extra]);
  return { code: r.code, report: r.code === 2 ? undefined : (JSON.parse(r.stdout) as Report), stderr: r.stderr };
}

const ids = (r: Report | undefined) => (r?.findings ?? []).map((f) => `${f.ruleId} ${f.location.path}`).sort();

describe('trusted registry signer, enforced by scan', () => {
  it('passes files signed by the signer the entry names: a policy signer (keyless or key) or an identity', async () => {
    writeRegistry({ bert: 'ibm', keyed: 'ec-key' });
    const named = await scan();
    expect(ids(named.report)).toEqual([]);
    expect(named.code).toBe(0);
    expect(named.report!.verifications.map((v) => `${v.key} ${v.status}`)).toEqual([
      'file:models/bert/signme-1 verified',
      'file:models/bert/signme-2 verified',
      'file:models/keyed/signme-1 verified',
    ]);
    writeRegistry({ bert: STEFANB });
    const identity = await scan();
    expect(ids(identity.report)).toEqual([]);
    expect(identity.code).toBe(0);
  });

  it('fails a file signed by another signer (CPS002), saying which registry entry and line asks for whom', async () => {
    writeRegistry({ bert: 'mallory', keyed: 'ibm' });
    const { code, report } = await scan();
    expect(code).toBe(1);
    // The bert folder's one signature is one cause: one finding at it, naming both files.
    expect(ids(report)).toEqual(['CPS002 models/bert/model.sig', 'CPS002 models/keyed/signme-1']);
    const bert = report!.findings.find((f) => f.location.path === 'models/bert/model.sig')!;
    expect(bert.message).toContain(
      `2 files (models/bert/signme-1, models/bert/signme-2) are signed by ${STEFANB} (models/bert/model.sig), but the trusted registry entry acme/bert@v1 (trusted-registry/models.yml:6) names its signer mallory.`,
    );
    expect(bert.evidence).toMatchObject({
      registryEntry: 'trusted-registry/models.yml:6',
      expectedSigner: 'mallory',
      signerSeen: STEFANB,
    });
    const keyed = report!.findings.find((f) => f.location.path === 'models/keyed/signme-1')!;
    expect(keyed.message).toMatch(
      /is signed by key SHA256:\S+ \(models\/keyed\/model\.sig\), but the trusted registry entry acme\/keyed@v1 \(trusted-registry\/models\.yml:\d+\) names its signer ibm/,
    );
  });

  it('with no policy signers, an identity the signature is not by fails the signature itself', async () => {
    writeRegistry({ bert: `mallory@us.ibm.com (issuer ${IBM})` });
    const { code, report } = await scan('--policy', emptyPolicy);
    expect(code).toBe(1);
    const f = report!.findings.find((x) => x.location.path === 'models/bert/model.sig')!;
    expect(f.ruleId).toBe('CPS002');
    expect(f.message).toContain(
      `Required by the trusted registry: entry acme/bert@v1 at trusted-registry/models.yml:6 names signer mallory@us.ibm.com (issuer ${IBM}).`,
    );
    expect(f.evidence).toMatchObject({ registryEntry: expect.stringContaining('trusted-registry/models.yml:6') });
    // Before the registry named a signer, any valid Sigstore signature passed under a policy with no signers.
    writeRegistry({ bert: STEFANB });
    expect(ids((await scan('--policy', emptyPolicy)).report)).toEqual(['CPS007 models/keyed/model.sig']);
  });

  it('fails an unsigned file the entry lists (CPS003), naming the entry', async () => {
    writeRegistry({ lone: 'ibm' });
    const { code, report } = await scan();
    expect(code).toBe(1);
    const f = report!.findings.find((x) => x.ruleId === 'CPS003')!;
    expect(f.location.path).toBe('models/lone.bin');
    expect(f.message).toContain(
      'models/lone.bin must be signed (trusted registry entry acme/lone@v1, trusted-registry/models.yml:6: signer ibm) but no signature covers it.',
    );
    expect(f.evidence).toMatchObject({ registryEntry: 'trusted-registry/models.yml:6', expectedSigner: 'ibm' });
  });

  it('refuses a signer that is neither a policy signer nor an identity (exit 2, file:line:col and field)', async () => {
    writeRegistry({ bert: 'ibn' });
    const named = await scan();
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(
      'trusted-registry/models.yml:6:13: models[0].signer: unknown signer "ibn"; did you mean "ibm"?: it is not a signer of the policy\'s signatures.signers (chainproof.policy.yml: it defines ec-key, ibm, mallory)',
    );
    const check = await runCliAsync(['registry', 'check', '--root', root]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('trusted-registry/models.yml:6:13: models[0].signer: unknown signer "ibn"');
    // A bare subject could be issued by any provider: not an identity.
    writeRegistry({ bert: 'stefanb@us.ibm.com' });
    const bare = await scan();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain(
      "trusted-registry/models.yml:6:13: models[0].signer: must be a signer name of the policy's signatures.signers, or a Sigstore identity written SUBJECT (issuer https://…)",
    );
  });

  it('registry add --signer refuses what a scan would refuse, before writing', async () => {
    const file = 'trusted-registry/added.yml';
    const add = (...extra: string[]) =>
      runCliAsync(['registry', 'add', ...extra, '--root', root, '--file', file], { cwd: root });
    const args = ['models/lone.bin', '--name', 'acme/x', '--revision', 'v1', '--source', 'https://example.com/x'];
    const unknown = await add(...args, '--signer', 'ibn');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--signer: unknown signer "ibn"; did you mean "ibm"?');
    const hub = await add('--ref', `hf:acme/x@${'a'.repeat(40)}`, '--signer', 'ibm');
    expect(hub.code).toBe(2);
    expect(hub.stderr).toContain('--signer cannot be checked for a hub reference');
    expect(() => readFileSync(path.join(root, file))).toThrow();
    const ok = await add(...args, '--signer', STEFANB);
    expect(ok.code).toBe(0);
    expect(readFileSync(path.join(root, file), 'utf8')).toContain(`signer: ${STEFANB}`);
    rmSync(path.join(root, file));
  });
});
