import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRefusal, parseReferenceArgument } from '../../src/refs/reviewed-entry.js';
import { loadTrustedRegistry } from '../../src/trust/registry/load.js';
import { runMain } from '../helpers/cli.js';

const COMMIT = '4e20de362430cd3b72f300e6b0f18e50e7166e08';
const OTHER = 'a'.repeat(40);

function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cp-addref-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** The CPR findings of a whole `chainproof scan`, as `rule@path:line`. */
async function scanRefs(dir: string): Promise<string[]> {
  const r = await runMain(['scan', dir, '--offline', '--quiet', '--no-cache', '--fail-on', 'none', '-f', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(r.stdout) as { findings: { ruleId: string; location: { path: string; line?: number } }[] };
  return json.findings
    .filter((f) => f.ruleId.startsWith('CPR'))
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line ?? '-'}`)
    .sort();
}

describe('parseReferenceArgument', () => {
  it.each([
    ['hf-prefix', `hf:meta-llama/Llama-3.2-1B@${COMMIT}`, 'huggingface', 'meta-llama/Llama-3.2-1B'],
    ['bare-id', `meta-llama/Llama-3.2-1B@${COMMIT}`, 'huggingface', 'meta-llama/Llama-3.2-1B'],
    ['legacy-canonical', `huggingface:gpt2@${COMMIT}`, 'huggingface', 'gpt2'],
    ['github', `github:pytorch/vision@${COMMIT}`, 'github', 'pytorch/vision'],
    ['tree-url', `https://huggingface.co/org/model/tree/${COMMIT}`, 'huggingface', 'org/model'],
    ['resolve-url', `https://huggingface.co/org/model/resolve/${COMMIT}/model.onnx`, 'huggingface', 'org/model'],
  ])('%s: %s records %s %s at the commit', (_case, text, hub, repoId) => {
    const r = parseReferenceArgument(text);
    expect(r).toMatchObject({ hub, repoId, commit: COMMIT });
  });

  it.each([
    ['branch', 'hf:org/model@main', 'unpinned'],
    ['tag', 'hf:org/model@v1.0', 'unpinned'],
    ['no-revision', 'hf:org/model', 'unpinned'],
    ['short-commit', 'hf:org/model@4e20de3', 'unpinned'],
    ['uppercase-commit', `hf:org/model@${COMMIT.toUpperCase()}`, 'unpinned'],
    ['url-without-commit', 'https://huggingface.co/org/model', 'unpinned'],
    ['path-traversal', `hf:../etc@${COMMIT}`, 'not-a-hub'],
    ['github-one-part', `github:vision@${COMMIT}`, 'not-a-hub'],
  ])('%s: %s is refused (%s)', (_case, text, reason) => {
    const r = parseReferenceArgument(text);
    expect(isRefusal(r) && r.reason).toBe(reason);
  });
});

const SOURCE = `from transformers import AutoModel, AutoTokenizer

model = AutoModel.from_pretrained("acme/encoder", revision="${COMMIT}")
tokenizer = AutoTokenizer.from_pretrained("acme/encoder", revision="${COMMIT}")
draft = AutoModel.from_pretrained("acme/draft", revision="main")
`;

describe('chainproof registry add --ref / --from-refs', () => {
  it('scan → add --from-refs → scan: the pinned reference is no longer unknown; the branch is refused, exit 2', async () => {
    const dir = tempRepo({ 'train.py': SOURCE });
    // No model in the registry yet: the three unknown references are one CPR003, at the scan root.
    expect(await scanRefs(dir)).toEqual(['CPR001@train.py:5', 'CPR003@.:-']);
    const add = await runMain(['registry', 'add', '--from-refs', dir, '--root', dir]);
    expect(add.code).toBe(2);
    expect(add.stdout).toBe(
      `added hf:acme/encoder@${COMMIT} to trusted-registry/models.yml (train.py:3:9, train.py:4:13)\n`,
    );
    expect(add.stderr).toContain('train.py:5:9: acme/draft@main: "main" is a branch or tag, not a reviewed commit');
    const reg = await loadTrustedRegistry(dir);
    expect(reg.models.map((m) => [m.name, m.revision, m.source, m.files.length])).toEqual([
      ['acme/encoder', COMMIT, 'https://huggingface.co/acme/encoder', 0],
    ]);
    // Only the unpinned reference is left: unpinned (CPR001) and unknown (CPR003).
    expect(await scanRefs(dir)).toEqual(['CPR001@train.py:5', 'CPR003@train.py:5']);
  });

  it('a reference at another commit than the recorded one is CPR004 after add --ref', async () => {
    const dir = tempRepo({ 'app.py': SOURCE.split('\n').slice(0, 3).join('\n') + '\n' });
    const add = await runMain(['registry', 'add', '--ref', `hf:acme/encoder@${OTHER}`, '--root', dir]);
    expect(add.code, add.stderr).toBe(0);
    expect(await scanRefs(dir)).toEqual(['CPR004@app.py:3']);
  });

  it('keeps the comments and entries of an existing file, appends sorted, and a second add changes nothing', async () => {
    const before = [
      '# Reviewed by the ML platform team.',
      'version: 1',
      'models:',
      '  # the tokenizer we vendor',
      '  - name: acme/tok',
      '    revision: v2 # tag: files are hashed',
      '    source: https://example.com/acme/tok',
      '    files:',
      '      - path: tok/vocab.txt',
      `        sha256: ${'b'.repeat(64)}`,
      '',
    ].join('\n');
    const dir = tempRepo({ 'trusted-registry/models.yml': before });
    const refs = [`hf:zeta/model@${COMMIT}`, `github:pytorch/vision@${OTHER}`, `hf:alpha/model@${COMMIT}`];
    const add = await runMain(['registry', 'add', ...refs.flatMap((r) => ['--ref', r]), '--root', dir]);
    expect(add.code, add.stderr).toBe(0);
    const after = readFileSync(path.join(dir, 'trusted-registry/models.yml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(
      [
        '  - name: alpha/model',
        `    revision: ${COMMIT}`,
        '    source: https://huggingface.co/alpha/model',
        '  - name: pytorch/vision',
        `    revision: ${OTHER}`,
        '    source: https://github.com/pytorch/vision',
        '  - name: zeta/model',
        `    revision: ${COMMIT}`,
        '    source: https://huggingface.co/zeta/model',
        '',
      ].join('\n'),
    );
    const again = await runMain(['registry', 'add', '--ref', refs[0]!, '--root', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`present hf:zeta/model@${COMMIT} in trusted-registry/models.yml (--ref)\n`);
    expect(readFileSync(path.join(dir, 'trusted-registry/models.yml'), 'utf8')).toBe(after);
    expect((await runMain(['registry', 'check', '--root', dir])).stdout).toContain('4 models');
  });

  it('an entry recorded in another registry file is reported there, not duplicated', async () => {
    const dir = tempRepo({
      'trusted-registry/team.yml': `version: 1\nmodels:\n  - name: acme/encoder\n    revision: ${COMMIT}\n    source: https://huggingface.co/acme/encoder\n`,
    });
    const add = await runMain(['registry', 'add', '--ref', `hf:acme/encoder@${COMMIT}`, '--root', dir]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`present hf:acme/encoder@${COMMIT} in trusted-registry/team.yml:3 (--ref)\n`);
    expect(existsSync(path.join(dir, 'trusted-registry/models.yml'))).toBe(false);
  });

  it("ModelScope's repository of a name is not the Hugging Face one: both get an entry, in one file or two", async () => {
    const dir = tempRepo({
      'trusted-registry/team.yml': `version: 1\nmodels:\n  - name: qwen/Qwen2-0.5B\n    revision: ${COMMIT}\n    source: https://huggingface.co/qwen/Qwen2-0.5B\n`,
    });
    const add = await runMain(['registry', 'add', '--ref', `modelscope:qwen/Qwen2-0.5B@${COMMIT}`, '--root', dir]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`added modelscope:qwen/Qwen2-0.5B@${COMMIT} to trusted-registry/models.yml (--ref)\n`);
    // In one file: the ModelScope entry there, the Hugging Face one is added beside it, then present.
    const one = tempRepo({});
    const add2 = (ref: string) => runMain(['registry', 'add', '--ref', ref, '--root', one]);
    expect((await add2(`modelscope:qwen/Qwen2-0.5B@${COMMIT}`)).stdout).toContain('added');
    expect((await add2(`hf:qwen/Qwen2-0.5B@${COMMIT}`)).stdout).toBe(
      `added hf:qwen/Qwen2-0.5B@${COMMIT} to trusted-registry/models.yml (--ref)\n`,
    );
    expect((await add2(`hf:qwen/Qwen2-0.5B@${COMMIT}`)).stdout).toBe(
      `present hf:qwen/Qwen2-0.5B@${COMMIT} in trusted-registry/models.yml (--ref)\n`,
    );
    expect((await runMain(['registry', 'check', '--root', one])).stdout).toContain('2 models');
  });

  it.each([
    ['branch', ['--ref', 'hf:acme/encoder@main'], 'is a branch or tag, not a reviewed commit'],
    ['no-revision', ['--ref', 'hf:acme/encoder'], 'names no commit'],
    ['ref-with-path', ['models/x', '--ref', `hf:acme/encoder@${COMMIT}`], 'give no <path>'],
    [
      'source-with-two',
      ['--ref', `hf:a/b@${COMMIT}`, '--ref', `hf:c/d@${COMMIT}`, '--source', 'https://x.org/'],
      '--source',
    ],
    ['nothing', [], 'needs a model <path>, --ref or --from-refs'],
  ])('%s: exit 2 and nothing written', async (_case, args, message) => {
    const dir = tempRepo({});
    const r = await runMain(['registry', 'add', ...args, '--root', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(path.join(dir, 'trusted-registry'))).toBe(false);
  });

  it('a registry entry with no files must name a commit: file, line and field, exit 2', async () => {
    const dir = tempRepo({
      'trusted-registry/models.yml':
        'version: 1\nmodels:\n  - name: acme/encoder\n    revision: main\n    source: https://huggingface.co/acme/encoder\n',
    });
    const r = await runMain(['registry', 'check', '--root', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'trusted-registry/models.yml:4:15: models[0].revision: must be a full 40-hex commit when the entry lists no files',
    );
  });
});
